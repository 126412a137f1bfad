/**
 * The flooding of adverts for `Topology` (topology.ts): each advert taken in goes on to every neighbour but the link
 * it came by, and a new link gets this node's advert and the whole database. Floods go out together
 * (`windowMs()`), each link writing them at once; and a neighbour gets what it is owed before anything routed
 * through it (`owedTo()`), which may depend on it.
 */
import type { PeerLink } from "../link/peer-link.js";
import type { RoutingTable } from "../routing/table.js";
import type { Advert } from "../routing/table.js";
import type { AdvertMessage, Message } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import { FLOOD_BATCH_FROM_LINKS, FLOOD_BATCH_MS_PER_LINK, FLOOD_BATCH_MAX_MS } from "./topology-settings.js";
import type { TopologyHost } from "./topology-settings.js";

/** The pending floods of a `Topology`, and the links that are owed the database. */
export class AdvertFlooding {
  readonly #host: TopologyHost;
  /** The peers with an open link (the topology's, read here). */
  readonly #neighbours: ReadonlyMap<string, string>;
  readonly #table: RoutingTable;
  /**
   * Adverts to flood, in the order they came, and how far into them each neighbour has been sent. They go out
   * together (`windowMs()`), so that a link writes many at once rather than one write per advert; and to a
   * neighbour before any message routed through it, which may depend on them (an ADVERT and a CALL of a node that
   * has just joined arrive together: the CALL's destination needs the ADVERT to route the reply).
   */
  #floods: { readonly message: Message; readonly except: PeerLink }[] = [];
  readonly #floodsSent = new Map<string, number>();
  #floodTimer: NodeJS.Timeout | undefined;
  /** Links opened since the last flush: they get this node's advert and the database. */
  readonly #newLinks = new Set<PeerLink>();

  constructor(host: TopologyHost, neighbours: ReadonlyMap<string, string>, table: RoutingTable) {
    this.#host = host;
    this.#neighbours = neighbours;
    this.#table = table;
  }

  /** The links opened since the last flush, not sent the database yet. */
  get newLinks(): ReadonlySet<PeerLink> {
    return this.#newLinks;
  }

  /** True when adverts wait to be flooded. */
  get pending(): boolean {
    return this.#floods.length > 0;
  }

  /**
   * How long adverts to flood wait to go out together: with many links, each round of floods costs one write per
   * link. 0 (the next macrotask) below `FLOOD_BATCH_FROM_LINKS` links, else `FLOOD_BATCH_MS_PER_LINK` per link, at
   * most `FLOOD_BATCH_MAX_MS`. Whatever is routed through a neighbour is sent after the floods it may depend on.
   */
  windowMs(): number {
    const links = this.#neighbours.size;
    if (links < FLOOD_BATCH_FROM_LINKS) return 0;
    return Math.min(FLOOD_BATCH_MAX_MS, links * FLOOD_BATCH_MS_PER_LINK);
  }

  /** A link opened: it is sent this node's advert and the database at the next `syncNewLinks()`. */
  linkOpened(link: PeerLink): void {
    this.#newLinks.add(link);
  }

  /** The last link to `peer` closed. */
  linkLost(peer: string): void {
    this.#floodsSent.delete(peer);
  }

  /** Floods `advert` to every neighbour but by `except`, the link it came by: now, or when the window closes. */
  add(advert: Advert, except: PeerLink): void {
    this.#floods.push({ message: advertMessage(advert), except });
    if (this.#floodTimer === undefined && this.windowMs() > 0) {
      this.#floodTimer = setTimeout(() => this.send(), this.windowMs());
      this.#floodTimer.unref();
    }
  }

  /**
   * Something is to be routed through neighbour `peer`: first it is sent what it is owed, on a new link this node's
   * advert `own` (without which the neighbour has no route back) and the database, then the pending floods.
   */
  owedTo(peer: string, own: Advert): void {
    if (this.#newLinks.size > 0) this.#syncNewLinksTo(peer, own);
    if (this.#floods.length > 0) this.#floodTo(peer);
  }

  /** Sends every new link this node's advert `own` and the database (`newLinksSynced()` then forgets them). */
  syncNewLinks(own: Advert): void {
    for (const link of this.#newLinks) this.#sync(link, own);
  }

  /** The new links have been sent the database, and this node's advert has been broadcast to the others. */
  newLinksSynced(): void {
    this.#newLinks.clear();
  }

  /** Sends every neighbour the pending floods it has not had yet. */
  send(): void {
    clearTimeout(this.#floodTimer);
    this.#floodTimer = undefined;
    if (this.#floods.length === 0) return;
    for (const peer of this.#neighbours.keys()) this.#floodTo(peer);
    this.#floods = [];
    this.#floodsSent.clear();
  }

  /** Drops the pending floods and stops the timer. */
  close(): void {
    this.#floods = [];
    clearTimeout(this.#floodTimer);
  }

  /** Sends a new link this node's advert, then every advert held but the peer's own. */
  #sync(link: PeerLink, own: Advert): void {
    // This node's advert first: it lists the peer, so what follows is reachable when it arrives.
    link.send(advertMessage(own));
    for (const advert of this.#table.adverts()) {
      if (advert !== own && advert.origin !== link.peer) link.send(advertMessage(advert));
    }
    // The database has what the pending floods carry.
    if (link.peer !== undefined) this.#floodsSent.set(link.peer, this.#floods.length);
  }

  #syncNewLinksTo(peer: string, own: Advert): void {
    for (const link of this.#newLinks) {
      if (link.peer !== peer) continue;
      this.#sync(link, own);
      this.#newLinks.delete(link);
    }
  }

  /** Sends neighbour `peer` the pending floods it has not had yet. */
  #floodTo(peer: string): void {
    const floods = this.#floods;
    const from = this.#floodsSent.get(peer) ?? 0;
    if (from >= floods.length || !this.#neighbours.has(peer)) return;
    for (let i = from; i < floods.length; i++) {
      const flood = floods[i] as (typeof floods)[number];
      this.#host.sendTo(peer, flood.message, flood.except);
    }
    this.#floodsSent.set(peer, floods.length);
  }
}

/**
 * The message of an advert. Adverts that came as messages go on as they came, with whatever else they carry (a
 * signature): they are not copied per link.
 */
export function advertMessage(advert: Advert): Message {
  if ((advert as Partial<AdvertMessage>).type === MessageType.Advert) return advert as AdvertMessage;
  return {
    type: MessageType.Advert,
    origin: advert.origin,
    instance: advert.instance,
    seq: advert.seq,
    neighbors: advert.neighbors as string[],
    objects: advert.objects as Record<string, string[]>,
  };
}
