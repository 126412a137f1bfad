/**
 * What a node says about itself (its advert), and the bounds an advert must keep to be held by another node.
 * Pure.
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

/** Most object paths one advert may list; an advert with more is ignored. */
export const MAX_ADVERT_PATHS = 4_096;
/** Most interfaces one path of an advert may list; an advert with more is ignored. */
export const MAX_PATH_INTERFACES = 64;
/** Most entries (neighbours, paths and interfaces listed) of one advert; an advert with more is ignored. */
export const MAX_ADVERT_ENTRIES = 65_536;

/** The bounds of the database. */
export interface TableLimits {
  /** Most nodes (other than this one) whose adverts are held. */
  readonly maxNodes: number;
  /** Most entries (neighbours, paths and interfaces listed) of all the adverts held, this node's own excluded. */
  readonly maxEntries: number;
  /** The least share of the node slots a neighbour is owed however many neighbours there are. */
  readonly nodeFloor: number;
  /** The least share of the entries a neighbour is owed: one advert of the largest size fits in it. */
  readonly entryFloor: number;
}

export const DEFAULT_TABLE_LIMITS: TableLimits = {
  maxNodes: 10_000,
  maxEntries: 1_000_000,
  nodeFloor: 16,
  entryFloor: MAX_ADVERT_ENTRIES,
};

/** Entries an advert takes in the table: one per neighbour, path and interface it lists. */
export function advertEntries(advert: Advert): number {
  let entries = advert.neighbors.length;
  for (const path in advert.objects) entries += 1 + (advert.objects[path]?.length ?? 0);
  return entries;
}

/** Why `advert` is beyond the bounds of one advert (`MAX_ADVERT_PATHS`, ...), or undefined when it is within. */
export function advertBoundsProblem(advert: Advert): string | undefined {
  let paths = 0;
  for (const path in advert.objects) {
    paths++;
    const intfs = advert.objects[path]?.length ?? 0;
    if (intfs > MAX_PATH_INTERFACES) {
      return `its path ${path.slice(0, 64)} lists ${intfs} interfaces (at most ${MAX_PATH_INTERFACES})`;
    }
  }
  if (paths > MAX_ADVERT_PATHS) return `it lists ${paths} paths (at most ${MAX_ADVERT_PATHS})`;
  const entries = advertEntries(advert);
  if (entries > MAX_ADVERT_ENTRIES) {
    return `it lists ${entries} neighbours, paths and interfaces (at most ${MAX_ADVERT_ENTRIES})`;
  }
  return undefined;
}

/**
 * The result of offering an advert to the database: stored, not newer than the one held, or refused because the
 * table is full and the neighbour it came from has used its share.
 */
export type AdvertOutcome = "new" | "stale" | "full";

/** A change in what is reachable, computed by `recompute()`. */
export interface ReachabilityChange {
  readonly up: readonly string[];
  readonly down: readonly string[];
}
