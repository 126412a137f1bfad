/**
 * Link-state routing over the node graph: a database of the adverts every node floods, and the shortest-path
 * next hops computed from it. Pure: no sockets, no timers.
 *
 * This module owns the adverts and their lifecycle: which are stored, how long the unreachable ones are kept, when
 * they are dropped, and the routes. The database is bounded, and shared fairly between this node's neighbours
 * (docs/PROTOCOL.md, "Link state"): the charge of each advert to a neighbour, the shares and the choice of what to
 * evict are `table-shares.ts`'s; the breadth-first search for the routes is `shortest-paths.ts`'s. A neighbour that
 * floods the table only replaces its own adverts, and never pushes out a node that is reachable.
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
import { shortestPaths } from "./shortest-paths.js";
import { TableShares } from "./table-shares.js";

/**
 * The link-state database of one node, and its routing table.
 *
 * An edge between two nodes counts only when both list each other as neighbours, so a link that one side has seen
 * break stops carrying traffic as soon as that side's advert arrives. Routes are shortest paths by hop count; ties
 * go to the lowest next-hop name, so that every node computes the same routes from the same adverts.
 */
export class RoutingTable {
  readonly self: string;
  readonly #adverts = new Map<string, Advert>();
  /** When each held advert (but this node's) was stored (`Date.now()` ms): see `expire()`. */
  readonly #storedAt = new Map<string, number>();
  /** Since when each held advert's origin has been unreachable (`Date.now()` ms); absent while reachable. */
  readonly #unreachableSince = new Map<string, number>();
  /** The neighbour whose link each held advert came in by. */
  readonly #cameFrom = new Map<string, string>();
  /** What each held advert (but this node's) is charged to, and the neighbours' shares. */
  readonly #shares: TableShares;
  #evictions = 0;
  readonly #neighborSets = new WeakMap<Advert, ReadonlySet<string>>();
  /** Node → neighbour to send through; this node routes to itself, through its loopback link. */
  #nextHop: Map<string, string>;
  #distance: Map<string, number>;

  constructor(self: string, limits: Partial<TableLimits> = {}) {
    this.self = self;
    this.#shares = new TableShares({ ...DEFAULT_TABLE_LIMITS, ...limits });
    this.#nextHop = new Map([[self, self]]);
    this.#distance = new Map([[self, 0]]);
  }

  /** A link to `peer` opened: it is owed a share of the table from now on. */
  linkUp(peer: string): void {
    this.#shares.linkUp(peer);
  }

  /** The last link to `peer` closed: it is owed nothing any more (see also `forgetFrom()`). */
  linkDown(peer: string): void {
    this.#shares.linkDown(peer);
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
      const owner = (reachable ? this.#shares.ownerOf(origin) : undefined) ?? from ?? "";
      const entries = advertEntries(advert);
      const previous = held === undefined ? undefined : this.#shares.release(origin);
      if (!this.#makeRoom(owner, origin, entries)) {
        if (previous !== undefined) {
          this.#shares.charge(origin, previous.owner, previous.entries, this.#unreachableSince.has(origin));
        }
        return "full";
      }
      this.#shares.charge(origin, owner, entries, this.#unreachableSince.has(origin));
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
    if (this.#adverts.delete(origin)) this.#shares.release(origin);
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
    return this.#shares.usage(neighbor);
  }

  /** True when the table holds as many nodes or entries as it may. */
  get full(): boolean {
    return this.#shares.full;
  }

  /** True when the adverts charged to `neighbor` use more than its share. */
  beyondShare(neighbor: string): boolean {
    return this.#shares.beyondShare(neighbor);
  }

  /** The share of the table each neighbour is owed now: node slots and entries. */
  share(): { nodes: number; entries: number } {
    return this.#shares.share();
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
    shortestPaths(this.self, this.#adverts, this.#neighborSets, nextHop, distance);
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
      this.#shares.markReachable(node);
    }
    this.#nextHop = nextHop;
    this.#distance = distance;
    for (const [node, via] of nextHop) {
      if (node !== this.self && this.#shares.ownerOf(node) !== via) {
        this.#shares.recharge(node, via, this.#unreachableSince.has(node));
      }
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
    const shares = this.#shares;
    if (shares.fits(entries)) return true;
    const share = shares.share();
    const ownAdvertOfNeighbour = origin === owner && shares.isLinked(owner);
    const within = ownAdvertOfNeighbour || shares.withinShare(owner, entries, share);
    while (!shares.fits(entries)) {
      const victim = shares.victim(owner, within, share);
      if (victim === undefined) return ownAdvertOfNeighbour;
      this.forget(victim);
      this.#evictions++;
    }
    return true;
  }

  #markUnreachable(origin: string, now: number): void {
    this.#unreachableSince.set(origin, now);
    this.#shares.markUnreachable(origin);
  }
}
