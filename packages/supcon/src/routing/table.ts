/**
 * Link-state routing over the node graph: a database of the adverts every node floods, and the shortest-path
 * next hops computed from it. Pure: no sockets, no timers.
 *
 * The database is bounded, and shared fairly between this node's neighbours (docs/PROTOCOL.md, "Link state"):
 * every advert held is charged to one neighbour, the one through which its origin is reachable, or, while it is
 * not reachable, the one whose link it came in by. Each neighbour is owed an equal share of the table (of its node
 * slots and of its entries: the neighbours, paths and interfaces the adverts list), at least a floor. A neighbour
 * may use more while nobody else needs the room. Once the table is full, an advert from a neighbour within its
 * share takes the place of one charged to the neighbour furthest beyond its share (an unreachable one first), and
 * an advert from a neighbour at or beyond its share takes the place of that neighbour's own oldest unreachable
 * advert, or is refused when it has none. A neighbour that floods the table therefore only replaces its own
 * adverts, and never pushes out a node that is reachable.
 */

export type { Advert, TableLimits, AdvertOutcome, ReachabilityChange } from "./advert.js";
export {
  MAX_ADVERT_PATHS,
  MAX_PATH_INTERFACES,
  MAX_ADVERT_ENTRIES,
  DEFAULT_TABLE_LIMITS,
  advertEntries,
  advertBoundsProblem,
} from "./advert.js";
import type { Advert, TableLimits, AdvertOutcome, ReachabilityChange } from "./advert.js";
import { DEFAULT_TABLE_LIMITS, advertEntries } from "./advert.js";

/** What the adverts charged to one neighbour use. */
interface Usage {
  nodes: number;
  entries: number;
  /** The origins charged to it, oldest first, and those of them unreachable: evicted in that order. */
  readonly origins: Set<string>;
  readonly unreachable: Set<string>;
}

/** Neighbour lists longer than this are looked up through a Set (built once per advert). */
const SHORT_LIST = 16;

/**
 * The link-state database of one node, and its routing table.
 *
 * An edge between two nodes counts only when both list each other as neighbours, so a link that one side has seen
 * break stops carrying traffic as soon as that side's advert arrives. Routes are shortest paths by hop count; ties
 * go to the lowest next-hop name, so that every node computes the same routes from the same adverts.
 */
export class RoutingTable {
  readonly self: string;
  readonly #limits: TableLimits;
  readonly #adverts = new Map<string, Advert>();
  /** When each held advert (but this node's) was stored (`Date.now()` ms): see `expire()`. */
  readonly #storedAt = new Map<string, number>();
  /** Since when each held advert's origin has been unreachable (`Date.now()` ms); absent while reachable. */
  readonly #unreachableSince = new Map<string, number>();
  /** The neighbour whose link each held advert came in by. */
  readonly #cameFrom = new Map<string, string>();
  /** The neighbour each held advert (but this node's) is charged to, and what each neighbour's adverts use. */
  readonly #owner = new Map<string, string>();
  readonly #entries = new Map<string, number>();
  readonly #usage = new Map<string, Usage>();
  #totalNodes = 0;
  #totalEntries = 0;
  #evictions = 0;
  /** The peers this node has an open link to: the neighbours that are owed a share. */
  readonly #links = new Set<string>();
  readonly #neighborSets = new WeakMap<Advert, ReadonlySet<string>>();
  /** Node → neighbour to send through; this node routes to itself, through its loopback link. */
  #nextHop: Map<string, string>;
  #distance: Map<string, number>;

  constructor(self: string, limits: Partial<TableLimits> = {}) {
    this.self = self;
    this.#limits = { ...DEFAULT_TABLE_LIMITS, ...limits };
    this.#nextHop = new Map([[self, self]]);
    this.#distance = new Map([[self, 0]]);
  }

  /** A link to `peer` opened: it is owed a share of the table from now on. */
  linkUp(peer: string): void {
    this.#links.add(peer);
  }

  /** The last link to `peer` closed: it is owed nothing any more (see also `forgetFrom()`). */
  linkDown(peer: string): void {
    this.#links.delete(peer);
  }

  /**
   * Stores `advert`, which came in over the link from `from`, when it is newer than what is held for its origin
   * (higher `seq`; a different instance with a higher `seq` replaces the old one). Returns "stale" for an advert
   * that must not be flooded further, and "full" for one refused because the table is full and `from` has used its
   * share (the held advert, if any, is then kept). Making room may evict adverts charged to other neighbours beyond
   * their share; call `recompute()` after.
   */
  offer(advert: Advert, from?: string, now: number = Date.now()): AdvertOutcome {
    const origin = advert.origin;
    const held = this.#adverts.get(origin);
    if (held !== undefined && held.seq >= advert.seq) return "stale";
    if (origin !== this.self) {
      // A node already reachable stays charged to its next hop; a new one, to the link it came in by.
      const reachable = held !== undefined && this.#nextHop.has(origin);
      const owner = (reachable ? this.#owner.get(origin) : undefined) ?? from ?? "";
      const entries = advertEntries(advert);
      const previous = held === undefined ? undefined : this.#release(origin);
      if (!this.#makeRoom(owner, origin, entries)) {
        if (previous !== undefined) this.#charge(origin, previous.owner, previous.entries);
        return "full";
      }
      this.#charge(origin, owner, entries);
      this.#storedAt.set(origin, now);
    }
    this.#adverts.set(origin, advert);
    if (from !== undefined) this.#cameFrom.set(origin, from);
    if (!this.#nextHop.has(origin)) this.#markUnreachable(origin, now);
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

  /**
   * Drops the adverts (but this node's, and those `keep` says to) not renewed since before `now - lifetimeMs`:
   * every node re-advertises well within the lifetime, so an advert that outlives it is a forgery or describes a
   * node that is gone. Returns how many were dropped; call `recompute()` after when some were.
   */
  expire(now: number, lifetimeMs: number, keep?: (advert: Advert) => boolean): number {
    let dropped = 0;
    for (const [origin, at] of this.#storedAt) {
      if (at < now - lifetimeMs && keep?.(this.#adverts.get(origin) as Advert) !== true) {
        this.forget(origin);
        dropped++;
      }
    }
    return dropped;
  }

  /** Drops the advert of `origin` (it described a process that is gone); call `recompute()` after. */
  forget(origin: string): void {
    if (origin === this.self) return;
    if (this.#adverts.delete(origin)) this.#release(origin);
    this.#storedAt.delete(origin);
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
    this.#markUnreachable(origin, now);
  }

  /** The advert held for `origin`, if any. */
  advert(origin: string): Advert | undefined {
    return this.#adverts.get(origin);
  }

  /** Every advert held, for sending to a new neighbour. */
  adverts(): IterableIterator<Advert> {
    return this.#adverts.values();
  }

  /** Adverts held, this node's own included. */
  get size(): number {
    return this.#adverts.size;
  }

  /** Adverts evicted to make room so far: when it grows, the routes may have changed. */
  get evictions(): number {
    return this.#evictions;
  }

  /** What the adverts charged to `neighbor` use: node slots and entries. */
  usage(neighbor: string): { nodes: number; entries: number } {
    const usage = this.#usage.get(neighbor);
    return { nodes: usage?.nodes ?? 0, entries: usage?.entries ?? 0 };
  }

  /** True when the table holds as many nodes or entries as it may. */
  get full(): boolean {
    return this.#totalNodes >= this.#limits.maxNodes || this.#totalEntries >= this.#limits.maxEntries;
  }

  /** True when the adverts charged to `neighbor` use more than its share. */
  beyondShare(neighbor: string): boolean {
    const share = this.share();
    const usage = this.#usage.get(neighbor);
    return usage !== undefined && (usage.nodes > share.nodes || usage.entries > share.entries);
  }

  /** The share of the table each neighbour is owed now: node slots and entries. */
  share(): { nodes: number; entries: number } {
    const neighbours = Math.max(1, this.#links.size);
    const { maxNodes, maxEntries, nodeFloor, entryFloor } = this.#limits;
    return {
      nodes: Math.max(Math.floor(maxNodes / neighbours), nodeFloor),
      entries: Math.max(Math.floor(maxEntries / neighbours), entryFloor),
    };
  }

  /**
   * Recomputes the routes (breadth-first from this node). The adverts of nodes that became unreachable are dropped
   * (they describe links that are gone, and would make a restarted node seem reachable through them before its
   * new advert arrives); the adverts of nodes that were never reachable are kept for a while, see `prune()`. Each
   * reachable node is then charged to its next hop. Returns which nodes became reachable or unreachable.
   */
  recompute(): ReachabilityChange {
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
    const up: string[] = [];
    for (const n of nextHop.keys()) if (!before.has(n)) up.push(n);
    const down: string[] = [];
    for (const n of before.keys()) if (!nextHop.has(n)) down.push(n);
    // Nothing else changes: an advert held is of a node reachable before (then in `down`, dropped), or it has been
    // unreachable since it was stored or unrouted. So the cost is that of the reachable part of the graph, however
    // many adverts of unreachable nodes are held.
    for (const node of down) this.forget(node);
    for (const node of up) {
      this.#unreachableSince.delete(node);
      const owner = this.#owner.get(node);
      if (owner !== undefined) this.#usage.get(owner)?.unreachable.delete(node);
    }
    this.#nextHop = nextHop;
    this.#distance = distance;
    for (const [node, via] of nextHop) {
      if (node !== this.self && this.#owner.get(node) !== via) this.#recharge(node, via);
    }
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

  /**
   * Makes room for an advert of `origin` with `entries` charged to `owner` when the table is full. An owner within
   * its share evicts adverts of the neighbour furthest beyond its share (a neighbour whose link is gone is owed
   * nothing), unreachable ones first; an owner at or beyond its share evicts only its own unreachable adverts, oldest
   * first: a flood replaces itself, and a reachable node is never pushed out by its own neighbour's flood. False
   * when there is no room to be made. The advert of a neighbour itself is never refused: it may exceed the bounds.
   */
  #makeRoom(owner: string, origin: string, entries: number): boolean {
    if (this.#fits(entries)) return true;
    const share = this.share();
    const usage = this.#usage.get(owner);
    const ownAdvertOfNeighbour = origin === owner && this.#links.has(owner);
    const within =
      ownAdvertOfNeighbour ||
      ((usage?.nodes ?? 0) + 1 <= share.nodes && (usage?.entries ?? 0) + entries <= share.entries);
    while (!this.#fits(entries)) {
      const evicted = (within && this.#evictBeyondShare(owner, share)) || this.#evictUnreachable(owner);
      if (!evicted) return ownAdvertOfNeighbour;
    }
    return true;
  }

  #fits(entries: number): boolean {
    return (
      this.#totalNodes + 1 <= this.#limits.maxNodes && this.#totalEntries + entries <= this.#limits.maxEntries
    );
  }

  /**
   * Evicts one advert charged to the neighbour furthest beyond its share, other than `spare`: an unreachable one if
   * it has any, else its oldest, never the advert of a neighbour itself. False when nobody is beyond their share.
   */
  #evictBeyondShare(spare: string, share: { nodes: number; entries: number }): boolean {
    let worst: string | undefined;
    let worstExcess = 1;
    for (const [name, usage] of this.#usage) {
      if (name === spare) continue;
      const owed = this.#links.has(name);
      // Only the advert of a linked neighbour itself: nothing to evict.
      if (owed && usage.origins.size === 1 && usage.origins.has(name)) continue;
      const excess = owed
        ? Math.max(usage.nodes / share.nodes, usage.entries / share.entries)
        : Number.POSITIVE_INFINITY;
      if (excess > worstExcess) {
        worst = name;
        worstExcess = excess;
      }
    }
    if (worst === undefined) return false;
    if (this.#evictUnreachable(worst)) return true;
    const usage = this.#usage.get(worst) as Usage;
    for (const origin of usage.origins) {
      if (origin === worst && this.#links.has(origin)) continue;
      this.#evict(origin);
      return true;
    }
    return false;
  }

  /** Evicts the oldest unreachable advert charged to `owner` (never a neighbour's own); false when it has none. */
  #evictUnreachable(owner: string): boolean {
    const usage = this.#usage.get(owner);
    if (usage === undefined) return false;
    for (const origin of usage.unreachable) {
      if (this.#links.has(origin)) continue;
      this.#evict(origin);
      return true;
    }
    return false;
  }

  #evict(origin: string): void {
    this.forget(origin);
    this.#evictions++;
  }

  #markUnreachable(origin: string, now: number): void {
    this.#unreachableSince.set(origin, now);
    const owner = this.#owner.get(origin);
    if (owner !== undefined) this.#usage.get(owner)?.unreachable.add(origin);
  }

  #charge(origin: string, owner: string, entries: number): void {
    let usage = this.#usage.get(owner);
    if (usage === undefined) {
      this.#usage.set(owner, (usage = { nodes: 0, entries: 0, origins: new Set(), unreachable: new Set() }));
    }
    usage.nodes++;
    usage.entries += entries;
    usage.origins.add(origin);
    if (this.#unreachableSince.has(origin)) usage.unreachable.add(origin);
    this.#owner.set(origin, owner);
    this.#entries.set(origin, entries);
    this.#totalNodes++;
    this.#totalEntries += entries;
  }

  /** Takes the charge of `origin` off its owner; returns what it was. */
  #release(origin: string): { owner: string; entries: number } | undefined {
    const owner = this.#owner.get(origin);
    if (owner === undefined) return undefined;
    const entries = this.#entries.get(origin) ?? 0;
    const usage = this.#usage.get(owner);
    if (usage !== undefined) {
      usage.nodes--;
      usage.entries -= entries;
      usage.origins.delete(origin);
      usage.unreachable.delete(origin);
      if (usage.origins.size === 0) this.#usage.delete(owner);
    }
    this.#owner.delete(origin);
    this.#entries.delete(origin);
    this.#totalNodes--;
    this.#totalEntries -= entries;
    return { owner, entries };
  }

  #recharge(origin: string, owner: string): void {
    const previous = this.#release(origin);
    if (previous !== undefined) this.#charge(origin, owner, previous.entries);
  }

  #linked(a: string, b: string): boolean {
    const adv = this.#adverts.get(b);
    if (adv === undefined) return false;
    if (adv.neighbors.length <= SHORT_LIST) return adv.neighbors.includes(a);
    let set = this.#neighborSets.get(adv);
    if (set === undefined) this.#neighborSets.set(adv, (set = new Set(adv.neighbors)));
    return set.has(a);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
