/**
 * The intervals, limits and host interface of `Topology` (topology.ts) and its parts: what a node's topology is
 * configured with and what it asks of the node.
 */
import type { PeerLink } from "../link/peer-link.js";
import type { Advert, TableLimits } from "../routing/table.js";
import type { Message } from "../wire/messages.js";

/** Every node re-advertises at least this often, so that a view made wrong (by a forged advert) repairs itself. */
export const ADVERT_REFRESH_MS = 30_000;
/** Each refresh comes after `ADVERT_REFRESH_MS` less up to this fraction of it, so that nodes do not keep step. */
export const ADVERT_REFRESH_JITTER = 0.25;
/** An advert not renewed for this long (three refresh intervals) expires. */
export const ADVERT_LIFETIME_MS = 3 * ADVERT_REFRESH_MS;
/** This node answers an advert of its own name that is not its own at most this often (with a newer one). */
export const SELF_DEFENCE_MIN_MS = 1_000;
/**
 * This node's own advert lists its links, and goes to each of them: a broadcast costs the links squared. So with
 * `OWN_ADVERT_HOLD_FROM_LINKS` links or more, broadcasts are `OWN_ADVERT_HOLD_MS_PER_100_LINKS_SQUARED` × (links /
 * 100)² apart at least (1 s with 1,000 links, 4 s with 2,000), at most `OWN_ADVERT_MAX_HOLD_MS`. A new neighbour
 * gets the current advert at once all the same, with the database; the others learn of it after the hold.
 */
export const OWN_ADVERT_HOLD_FROM_LINKS = 64;
export const OWN_ADVERT_HOLD_MS_PER_100_LINKS_SQUARED = 10;
export const OWN_ADVERT_MAX_HOLD_MS = 5_000;
/** See `AdvertFlooding.windowMs()` (advert-flooding.ts). */
export const FLOOD_BATCH_FROM_LINKS = 64;
export const FLOOD_BATCH_MS_PER_LINK = 0.1;
export const FLOOD_BATCH_MAX_MS = 500;
/** A neighbour whose adverts are refused is warned about at most this often. */
export const REFUSAL_WARNING_MS = 10_000;
/** Sequence numbers this node will not follow a forged advert to: they would leave it no room to advertise. */
export const SEQ_CEILING = Number.MAX_SAFE_INTEGER - 2 ** 32;

/** The bus as one node sees it: node name → object path → interface names. */
export type BusView = Record<string, Record<string, string[]>>;

/** What topology reads from and tells its node. */
export interface TopologyHost {
  /** This node's objects: path → interface names. */
  objects(): Record<string, string[]>;
  /** Sends a message on every open link but `except` (one link, or a set of them). */
  broadcast(message: Message, except?: PeerLink | ReadonlySet<PeerLink>): void;
  /** Sends a message on the open links to `peer` but `except`. */
  sendTo(peer: string, message: Message, except?: PeerLink): void;
  nodeUp(node: string): void;
  nodeDown(node: string): void;
  /** A reachable node's objects changed (it registered or unregistered some). */
  objectsChanged(
    node: string,
    before: Readonly<Record<string, readonly string[]>>,
    after: Readonly<Record<string, readonly string[]>>,
  ): void;
  warn(message: string): void;
  /** Signs this node's own advert before it goes out (origin authentication); absent when that is off. */
  sign?(advert: Advert): Advert;
}

export interface TopologySettings {
  readonly self: string;
  /** Most nodes whose adverts are kept: a bound on what peers can make this node store. */
  readonly maxKnownNodes: number;
  /** How long the advert of a node that never became reachable is kept (it may be ahead of its link). */
  readonly advertGraceMs: number;
  /** The other bounds of the routing table (`DEFAULT_TABLE_LIMITS`). */
  readonly table?: Partial<Omit<TableLimits, "maxNodes">>;
  /** @default ADVERT_REFRESH_MS */
  readonly refreshMs?: number;
  /** @default ADVERT_LIFETIME_MS */
  readonly lifetimeMs?: number;
}
