/**
 * The routing table's bound, shared fairly between this node's neighbours (docs/PROTOCOL.md, "Link state"): what
 * the adverts charged to each neighbour use, the share each is owed, and which advert to evict to make room.
 *
 * Every advert held is charged to one neighbour, the one through which its origin is reachable, or, while it is not
 * reachable, the one whose link it came in by. Each neighbour is owed an equal share of the table (of its node slots
 * and of its entries: the neighbours, paths and interfaces the adverts list), at least a floor. A neighbour may use
 * more while nobody else needs the room. Once the table is full, an advert from a neighbour within its share takes
 * the place of one charged to the neighbour furthest beyond its share (an unreachable one first), and an advert from
 * a neighbour at or beyond its share takes the place of that neighbour's own oldest unreachable advert, or is
 * refused when it has none. A neighbour that floods the table therefore only replaces its own adverts, and never
 * pushes out a node that is reachable.
 *
 * It holds no adverts: the table (`table.ts`) says what it charges, releases and finds unreachable, and evicts
 * what `victim()` picks. Pure bookkeeping, run for every advert stored: plain methods, allocating only a
 * neighbour's first usage and the small results of `share()`, `usage()` and `release()`.
 */
import type { TableLimits } from "./advert.js";

/** A part of the table: node slots and entries. */
export interface TablePart {
  nodes: number;
  entries: number;
}

/** What the adverts charged to one neighbour use. */
interface Usage {
  nodes: number;
  entries: number;
  /** The origins charged to it, oldest first, and those of them unreachable: evicted in that order. */
  readonly origins: Set<string>;
  readonly unreachable: Set<string>;
}

/** The charges of the adverts a routing table holds (but its own node's) to its neighbours, and their shares. */
export class TableShares {
  readonly #limits: TableLimits;
  /** The peers this node has an open link to: the neighbours that are owed a share. */
  readonly #links = new Set<string>();
  /** The neighbour each held advert (but this node's) is charged to, and what each neighbour's adverts use. */
  readonly #owner = new Map<string, string>();
  readonly #entries = new Map<string, number>();
  readonly #usage = new Map<string, Usage>();
  #totalNodes = 0;
  #totalEntries = 0;

  constructor(limits: TableLimits) {
    this.#limits = limits;
  }

  /** A link to `peer` opened: it is owed a share of the table from now on. */
  linkUp(peer: string): void {
    this.#links.add(peer);
  }

  /** The last link to `peer` closed: it is owed nothing any more. */
  linkDown(peer: string): void {
    this.#links.delete(peer);
  }

  /** True while this node has an open link to `peer`. */
  isLinked(peer: string): boolean {
    return this.#links.has(peer);
  }

  /** The neighbour the advert of `origin` is charged to, if it is held. */
  ownerOf(origin: string): string | undefined {
    return this.#owner.get(origin);
  }

  /** What the adverts charged to `neighbor` use: node slots and entries. */
  usage(neighbor: string): TablePart {
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
  share(): TablePart {
    const neighbours = Math.max(1, this.#links.size);
    const { maxNodes, maxEntries, nodeFloor, entryFloor } = this.#limits;
    return {
      nodes: Math.max(Math.floor(maxNodes / neighbours), nodeFloor),
      entries: Math.max(Math.floor(maxEntries / neighbours), entryFloor),
    };
  }

  /** True when one more advert with `entries` fits in the table as it is. */
  fits(entries: number): boolean {
    return (
      this.#totalNodes + 1 <= this.#limits.maxNodes && this.#totalEntries + entries <= this.#limits.maxEntries
    );
  }

  /** True when one more advert with `entries` charged to `owner` keeps it within `share`. */
  withinShare(owner: string, entries: number, share: TablePart): boolean {
    const usage = this.#usage.get(owner);
    return (usage?.nodes ?? 0) + 1 <= share.nodes && (usage?.entries ?? 0) + entries <= share.entries;
  }

  /**
   * The origin whose advert to evict to make room for one charged to `owner`: when `owner` is `within` its share,
   * one charged to the neighbour furthest beyond `share` (a neighbour whose link is gone is owed nothing),
   * unreachable ones first; else, or when nobody is beyond their share, the oldest unreachable one charged to
   * `owner` itself. Undefined when there is none to evict. Never the advert of a linked neighbour itself.
   */
  victim(owner: string, within: boolean, share: TablePart): string | undefined {
    return (within ? this.#beyondShareVictim(owner, share) : undefined) ?? this.#unreachableVictim(owner);
  }

  /** Charges the advert of `origin`, with `entries`, to `owner`; `unreachable` says whether its origin is. */
  charge(origin: string, owner: string, entries: number, unreachable: boolean): void {
    let usage = this.#usage.get(owner);
    if (usage === undefined) {
      this.#usage.set(owner, (usage = { nodes: 0, entries: 0, origins: new Set(), unreachable: new Set() }));
    }
    usage.nodes++;
    usage.entries += entries;
    usage.origins.add(origin);
    if (unreachable) usage.unreachable.add(origin);
    this.#owner.set(origin, owner);
    this.#entries.set(origin, entries);
    this.#totalNodes++;
    this.#totalEntries += entries;
  }

  /** Takes the charge of `origin` off its owner; returns what it was. */
  release(origin: string): { owner: string; entries: number } | undefined {
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

  /** Moves the charge of `origin`, if any, to `owner`; `unreachable` says whether its origin is. */
  recharge(origin: string, owner: string, unreachable: boolean): void {
    const previous = this.release(origin);
    if (previous !== undefined) this.charge(origin, owner, previous.entries, unreachable);
  }

  /** The origin of a charged advert became unreachable: its advert is among the first its owner's may evict. */
  markUnreachable(origin: string): void {
    const owner = this.#owner.get(origin);
    if (owner !== undefined) this.#usage.get(owner)?.unreachable.add(origin);
  }

  /** The origin of a charged advert became reachable. */
  markReachable(origin: string): void {
    const owner = this.#owner.get(origin);
    if (owner !== undefined) this.#usage.get(owner)?.unreachable.delete(origin);
  }

  /**
   * An advert charged to the neighbour furthest beyond its share, other than `spare`: an unreachable one if it has
   * any, else its oldest, never the advert of a neighbour itself. Undefined when nobody is beyond their share.
   */
  #beyondShareVictim(spare: string, share: TablePart): string | undefined {
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
    if (worst === undefined) return undefined;
    const unreachable = this.#unreachableVictim(worst);
    if (unreachable !== undefined) return unreachable;
    const usage = this.#usage.get(worst) as Usage;
    for (const origin of usage.origins) {
      if (origin === worst && this.#links.has(origin)) continue;
      return origin;
    }
    return undefined;
  }

  /** The oldest unreachable advert charged to `owner` (never a neighbour's own); undefined when it has none. */
  #unreachableVictim(owner: string): string | undefined {
    const usage = this.#usage.get(owner);
    if (usage === undefined) return undefined;
    for (const origin of usage.unreachable) {
      if (this.#links.has(origin)) continue;
      return origin;
    }
    return undefined;
  }
}
