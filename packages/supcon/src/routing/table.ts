/**
 * Link-state routing over the node graph: a database of the adverts every node floods, and the shortest-path
 * next hops computed from it. Pure: no sockets, no timers.
 */

/** What one node says about itself. */
export interface Advert {
  /** The node the advert describes. */
  readonly origin: string;
  /** Random id of the node's process: a restarted or a different node with the same name has another. */
  readonly instance: string;
  /** Increases with every new advert of the origin (across restarts too: it starts from the wall clock). */
  readonly seq: number;
  /** Nodes the origin has an open link to. */
  readonly neighbors: readonly string[];
  /** Registered objects: path → interface names. */
  readonly objects: Readonly<Record<string, readonly string[]>>;
}

/** The result of offering an advert to the database: stored, not newer than the one held, or refused (full). */
export type AdvertOutcome = "new" | "stale" | "full";

/** A change in what is reachable, computed by `recompute()`. */
export interface ReachabilityChange {
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/**
 * The link-state database of one node, and its routing table.
 *
 * An edge between two nodes counts only when both list each other as neighbours, so a link that one side has seen
 * break stops carrying traffic as soon as that side's advert arrives. Routes are shortest paths by hop count; ties
 * go to the lowest next-hop name, so that every node computes the same routes from the same adverts.
 */
export class RoutingTable {
  readonly self: string;
  readonly #maxAdverts: number;
  readonly #adverts = new Map<string, Advert>();
  /** Since when each held advert's origin has been unreachable (`Date.now()` ms); absent while reachable. */
  readonly #unreachableSince = new Map<string, number>();
  /** The neighbour each advert of an unreachable origin came from. */
  readonly #cameFrom = new Map<string, string>();
  /** Node → neighbour to send through; this node routes to itself, through its loopback link. */
  #nextHop: Map<string, string>;
  #distance: Map<string, number>;

  /** @param maxAdverts Most adverts held; more (of new origins) are refused, so a peer cannot grow it forever. */
  constructor(self: string, maxAdverts = 10_000) {
    this.self = self;
    this.#maxAdverts = maxAdverts;
    this.#nextHop = new Map([[self, self]]);
    this.#distance = new Map([[self, 0]]);
  }

  /**
   * Stores `advert` when it is newer than what is held for its origin (higher `seq`; a different instance with a
   * higher `seq` replaces the old one). Returns "stale" for an advert that must not be flooded further, and "full"
   * for one of a new origin when `maxAdverts` are held.
   */
  offer(advert: Advert, from?: string, now: number = Date.now()): AdvertOutcome {
    const held = this.#adverts.get(advert.origin);
    if (held !== undefined && held.seq >= advert.seq) return "stale";
    if (held === undefined && this.#adverts.size >= this.#maxAdverts) return "full";
    this.#adverts.set(advert.origin, advert);
    if (from !== undefined) this.#cameFrom.set(advert.origin, from);
    if (!this.#nextHop.has(advert.origin)) {
      this.#unreachableSince.set(advert.origin, now);
    }
    return "new";
  }

  /**
   * Drops the adverts of unreachable nodes that came from `neighbor`, whose link has closed: nothing else vouches
   * for them. (Without this a peer could leave any number of adverts of nodes nobody can reach behind it.)
   */
  forgetFrom(neighbor: string): void {
    for (const origin of this.#unreachableSince.keys()) {
      if (this.#cameFrom.get(origin) === neighbor) this.forget(origin);
    }
  }

  /**
   * Drops the adverts of nodes unreachable since before `now - graceMs`: they describe processes that are gone, or
   * nodes that never joined (adverts that arrive ahead of the link that makes their origin reachable get the grace
   * period to become useful).
   */
  prune(now: number, graceMs: number): void {
    for (const [origin, since] of this.#unreachableSince) {
      if (since < now - graceMs) this.forget(origin);
    }
  }

  /** Drops the advert of `origin` (it described a process that is gone); call `recompute()` after. */
  forget(origin: string): void {
    if (origin === this.self) return;
    this.#adverts.delete(origin);
    this.#unreachableSince.delete(origin);
    this.#cameFrom.delete(origin);
  }

  /**
   * Treats `origin` as unreachable until the next `recompute()`, keeping its advert: a new process of that name
   * has appeared, and the next recompute says whether the new one is reachable (it is then reported up) or not yet
   * (its advert is then kept for the grace period, as any advert ahead of its link).
   */
  unroute(origin: string, now: number = Date.now()): void {
    if (origin === this.self || !this.#nextHop.delete(origin)) return;
    this.#unreachableSince.set(origin, now);
  }

  /** The advert held for `origin`, if any. */
  advert(origin: string): Advert | undefined {
    return this.#adverts.get(origin);
  }

  /** Every advert held, for sending to a new neighbour. */
  adverts(): IterableIterator<Advert> {
    return this.#adverts.values();
  }

  /**
   * Recomputes the routes (breadth-first from this node). The adverts of nodes that became unreachable are dropped
   * (they describe links that are gone, and would make a restarted node seem reachable through them before its
   * new advert arrives); the adverts of nodes that were never reachable are kept for a while, see `prune()`.
   * Returns which nodes became reachable or unreachable.
   */
  recompute(now: number = Date.now()): ReachabilityChange {
    const before = this.#nextHop;
    const nextHop = new Map<string, string>([[this.self, this.self]]);
    const distance = new Map<string, number>([[this.self, 0]]);
    const selfAdvert = this.#adverts.get(this.self);
    // Neighbours in name order, so that ties resolve to the lowest next hop.
    let frontier: string[] = [];
    for (const n of [...(selfAdvert?.neighbors ?? [])].sort()) {
      if (distance.has(n) || !this.#linked(this.self, n)) continue;
      distance.set(n, 1);
      nextHop.set(n, n);
      frontier.push(n);
    }
    for (let d = 2; frontier.length > 0; d++) {
      const next: string[] = [];
      for (const node of frontier) {
        const via = nextHop.get(node) as string;
        for (const n of this.#adverts.get(node)?.neighbors ?? []) {
          if (distance.has(n) || !this.#linked(node, n)) continue;
          distance.set(n, d);
          nextHop.set(n, via);
          next.push(n);
        }
      }
      // Deterministic tie-breaking: process the next layer by (next hop, name).
      next.sort((a, b) => cmp(nextHop.get(a) as string, nextHop.get(b) as string) || cmp(a, b));
      frontier = next;
    }
    const up = [...nextHop.keys()].filter((n) => !before.has(n));
    const down = [...before.keys()].filter((n) => !nextHop.has(n));
    for (const node of down) this.forget(node);
    for (const node of up) this.#unreachableSince.delete(node);
    for (const origin of this.#adverts.keys()) {
      if (!nextHop.has(origin) && !this.#unreachableSince.has(origin)) {
        this.#unreachableSince.set(origin, now);
      }
    }
    this.#nextHop = nextHop;
    this.#distance = distance;
    return { up: up.sort(), down: down.sort() };
  }

  /**
   * The neighbour to send a message for `node` to (this node itself for `self`: its loopback link), or undefined
   * when `node` is unreachable.
   */
  nextHop(node: string): string | undefined {
    return this.#nextHop.get(node);
  }

  /** Hop count to `node`, or undefined when unreachable. */
  distance(node: string): number | undefined {
    return this.#distance.get(node);
  }

  /** True when `node` is this node or reachable from it. */
  isKnown(node: string): boolean {
    return this.#nextHop.has(node);
  }

  /** Every reachable node other than this one, sorted. */
  reachable(): string[] {
    return [...this.#nextHop.keys()].filter((node) => node !== this.self).sort();
  }

  #linked(a: string, b: string): boolean {
    const adv = this.#adverts.get(b);
    return adv !== undefined && adv.neighbors.includes(a);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
