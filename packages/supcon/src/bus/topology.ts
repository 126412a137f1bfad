/**
 * Topology: this node's advert and everybody else's. It publishes the node's own advert when its links or objects
 * change and every `ADVERT_REFRESH_MS` (with jitter), floods the adverts of others on, recomputes the routes, and
 * says which nodes came and went and which objects changed on them. The routing table itself is pure
 * (`routing/table.ts`); this is its I/O side.
 *
 * Work is coalesced, so that it grows with the number of links, not with its square: however many links open or
 * close and adverts arrive in one turn of the event loop, the routes are recomputed once (before the next message
 * is routed, or on the next macrotask), the nodes that came and went are reported once, on the next macrotask; the
 * adverts to flood go out together (`floodWindowMs()`), each link writing them at once; and this node's own advert,
 * whose size and fan-out both grow with its links, is broadcast at most once per `ownAdvertHoldMs()`. A new link
 * gets this node's current advert and the database on the next macrotask.
 *
 * Adverts are bounded and shared fairly between the neighbours (`routing/table.ts`), renewed by their origins every
 * `ADVERT_REFRESH_MS` and dropped when not renewed within `ADVERT_LIFETIME_MS`, and a node answers an advert of its
 * own name that is not its own with a newer one: a forged view repairs itself (docs/PROTOCOL.md, "Link state").
 */
import { randomBytes } from "node:crypto";
import { isValidNodeName } from "../base/names.js";
import type { PeerLink } from "../link/peer-link.js";
import { RoutingTable, advertBoundsProblem } from "../routing/table.js";
import type { Advert } from "../routing/table.js";
import type { AdvertMessage, Message } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";

export type { BusView } from "./topology-settings.js";
import {
  ADVERT_REFRESH_MS,
  ADVERT_REFRESH_JITTER,
  ADVERT_LIFETIME_MS,
  SELF_DEFENCE_MIN_MS,
  OWN_ADVERT_HOLD_FROM_LINKS,
  OWN_ADVERT_HOLD_MS_PER_100_LINKS_SQUARED,
  OWN_ADVERT_MAX_HOLD_MS,
  FLOOD_BATCH_FROM_LINKS,
  FLOOD_BATCH_MS_PER_LINK,
  FLOOD_BATCH_MAX_MS,
  REFUSAL_WARNING_MS,
  SEQ_CEILING,
} from "./topology-settings.js";
import type { BusView, TopologyHost, TopologySettings } from "./topology-settings.js";

/** What has been reported of a reachable node: the process and objects `nodeUp`/`objectsChanged` told. */
interface Reported {
  readonly instance: string;
  objects: Readonly<Record<string, readonly string[]>>;
}

export class Topology {
  /** Random id of this process: a restarted node of the same name has another. */
  readonly instance = randomBytes(8).toString("hex");
  readonly #settings: TopologySettings;
  readonly #host: TopologyHost;
  readonly #table: RoutingTable;
  #seq = 0;
  /** The peers with an open link, and the process instance each link was opened by. */
  readonly #neighbours = new Map<string, string>();
  /** This node's advert as last made, and whether it is out of date / not broadcast yet. */
  #own: Advert | undefined;
  #ownStale = true;
  #ownUnsent = true;
  #lastBroadcastAt = Number.NEGATIVE_INFINITY;
  /** The least `seq` of the next own advert: above a forged one of this node's name. */
  #seqFloor = 0;
  #lastDefenceAt = Number.NEGATIVE_INFINITY;
  #routesDirty = false;
  /** Since the last report, the routes were recomputed or a node was reported down at once. */
  #reachabilityChanged = false;
  /** Reachable nodes as reported, and the reachable nodes whose objects may have changed since. */
  readonly #reported = new Map<string, Reported>();
  readonly #objectsDirty = new Set<string>();
  /**
   * Adverts to flood, in the order they came, and how far into them each neighbour has been sent. They go out
   * together (`floodWindowMs()`), so that a link writes many at once rather than one write per advert; and to a
   * neighbour before any message routed through it, which may depend on them (an ADVERT and a CALL of a node that
   * has just joined arrive together: the CALL's destination needs the ADVERT to route the reply).
   */
  #floods: { readonly message: Message; readonly except: PeerLink }[] = [];
  readonly #floodsSent = new Map<string, number>();
  #floodTimer: NodeJS.Timeout | undefined;
  /** Links opened since the last flush: they get this node's advert and the database. */
  readonly #newLinks = new Set<PeerLink>();
  readonly #refusals = new Map<string, { count: number; warnedAt: number }>();
  #flushScheduled = false;
  #holdTimer: NodeJS.Timeout | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(settings: TopologySettings, host: TopologyHost) {
    this.#settings = settings;
    this.#host = host;
    this.#table = new RoutingTable(settings.self, { ...settings.table, maxNodes: settings.maxKnownNodes });
  }

  /** The neighbour to send through towards `node`: this node itself for its own name. */
  nextHop(node: string): string | undefined {
    this.#routesFor();
    const via = this.#table.nextHop(node);
    // What is routed through a neighbour needs it to have had what it is owed first: on a new link, this node's
    // advert (without which the neighbour has no route back) and the database; then the pending floods.
    if (via !== undefined && this.#newLinks.size > 0) this.#syncNewLinksTo(via);
    if (via !== undefined && this.#floods.length > 0) this.#floodTo(via);
    return via;
  }

  /** True when `node` is this node or reachable from it. */
  isKnown(node: string): boolean {
    this.#routesFor();
    return this.#table.isKnown(node);
  }

  /** Every node on the bus: this one first, then the others sorted. */
  known(): string[] {
    this.#routesFor();
    return [this.#settings.self, ...this.#table.reachable()];
  }

  /** The process instance of reachable node `node`, if it is reachable. */
  instanceOf(node: string): string | undefined {
    // Asked at every handshake: without an advert of the name there is nothing to recompute.
    if (this.#table.advert(node) === undefined) return undefined;
    return this.isKnown(node) ? this.#table.advert(node)?.instance : undefined;
  }

  /** True when `node` is on the bus (and with `path`, has an object there; with `intf` too, implementing it). */
  has(node: string, path?: string, intf?: string): boolean {
    if (!this.isKnown(node)) return false;
    if (path === undefined) return true;
    const intfs = this.objectsOf(node)[path];
    return intfs !== undefined && (intf === undefined || intfs.includes(intf));
  }

  /** The objects of `node` as its advert lists them (this node's own as they are now). */
  objectsOf(node: string): Readonly<Record<string, readonly string[]>> {
    if (node === this.#settings.self) return this.#host.objects();
    return this.#table.advert(node)?.objects ?? {};
  }

  view(): BusView {
    const view: BusView = {};
    for (const node of this.known()) {
      const objects = this.objectsOf(node);
      const copy: Record<string, string[]> = {};
      for (const path of Object.keys(objects).sort()) copy[path] = [...(objects[path] ?? [])];
      view[node] = copy;
    }
    return view;
  }

  /** This node's links or objects changed: its advert is published on the next macrotask (or after the hold). */
  advertise(): void {
    this.#ownStale = true;
    this.#schedule();
  }

  /** A link to `peer` (process `instance`) opened; `first` when it is the only one to that peer. */
  linkOpened(link: PeerLink, peer: string, instance: string, first: boolean): void {
    // An advert of an earlier process of the peer (it restarted) describes links that no longer exist.
    if (this.#table.advert(peer)?.instance !== instance) {
      this.#table.forget(peer);
      this.#routesDirty = true;
    }
    this.#restarted(peer, instance);
    if (first) {
      this.#neighbours.set(peer, instance);
      this.#table.linkUp(peer);
      this.#ownStale = true;
    }
    this.#newLinks.add(link);
    this.#schedule();
  }

  /** The last link to `peer` closed: what only it vouched for goes, and this node says it lost the link. */
  linkLost(peer: string): void {
    this.#neighbours.delete(peer);
    this.#floodsSent.delete(peer);
    this.#table.linkDown(peer);
    this.#table.forgetFrom(peer);
    this.#ownStale = true;
    this.#routesDirty = true;
    this.#schedule();
  }

  /** An ADVERT arrived on the link from `from`. */
  onAdvert(link: PeerLink, from: string, advert: Advert): void {
    this.#accept(link, from, advert);
  }

  /** Drops the adverts of nodes that never became reachable within the grace period, and the expired ones. */
  sweep(now: number = Date.now()): void {
    this.#table.prune(now, this.#settings.advertGraceMs);
    // A neighbour's advert of the process its link is open to is vouched for by the link: it does not expire.
    const vouched = (advert: Advert): boolean => this.#neighbours.get(advert.origin) === advert.instance;
    if (this.#table.expire(now, this.#settings.lifetimeMs ?? ADVERT_LIFETIME_MS, vouched) > 0) {
      this.#routesDirty = true;
      this.#schedule();
    }
  }

  /**
   * Does now what is pending: makes this node's advert, recomputes the routes, sends new links the database,
   * broadcasts the advert (unless within the hold, then a timer does it), reports the nodes that came and went.
   * It runs on its own on the next macrotask after a change; tests call it.
   */
  flush(now: number = Date.now()): void {
    if (this.#closed) return;
    // Changes made while flushing (by what the reports set off) are left for the next flush.
    this.#flushScheduled = true;
    if (this.floodWindowMs() === 0) this.#sendFloods();
    this.#recomputeIfDirty(now, false);
    for (const link of this.#newLinks) this.#sync(link);
    this.#publish(now);
    this.#newLinks.clear();
    this.#report();
    this.#flushScheduled = false;
    const floods = this.#floods.length > 0 && this.floodWindowMs() === 0;
    const pending = floods || this.#objectsDirty.size > 0 || this.#reachabilityChanged;
    if (pending || this.#routesDirty || this.#ownStale) {
      this.#schedule();
    }
  }

  /** The least time between two broadcasts of this node's advert: its cost grows with the links squared. */
  ownAdvertHoldMs(): number {
    const links = this.#neighbours.size;
    if (links < OWN_ADVERT_HOLD_FROM_LINKS) return 0;
    return Math.min(OWN_ADVERT_MAX_HOLD_MS, OWN_ADVERT_HOLD_MS_PER_100_LINKS_SQUARED * (links / 100) ** 2);
  }

  /**
   * How long adverts to flood wait to go out together: with many links, each round of floods costs one write per
   * link. 0 (the next macrotask) below `FLOOD_BATCH_FROM_LINKS` links, else `FLOOD_BATCH_MS_PER_LINK` per link, at
   * most `FLOOD_BATCH_MAX_MS`. Whatever is routed through a neighbour is sent after the floods it may depend on.
   */
  floodWindowMs(): number {
    const links = this.#neighbours.size;
    if (links < FLOOD_BATCH_FROM_LINKS) return 0;
    return Math.min(FLOOD_BATCH_MAX_MS, links * FLOOD_BATCH_MS_PER_LINK);
  }

  /** Stops the timers; nothing is published or reported after. */
  close(): void {
    this.#closed = true;
    this.#floods = [];
    clearTimeout(this.#floodTimer);
    clearTimeout(this.#holdTimer);
    clearTimeout(this.#refreshTimer);
  }

  /**
   * The one place an advert from a peer is taken in: checked, offered to the table, flooded on, and its effect on
   * the nodes reported. (With origin authentication, its signature has been checked before it gets here.)
   */
  #accept(link: PeerLink, from: string, advert: Advert): void {
    if (this.#closed) return;
    if (!isValidNodeName(advert.origin) || !advert.neighbors.every(isValidNodeName)) {
      this.#host.warn(`ignored an advert from ${from} naming something that is not a node name`);
      return;
    }
    const problem = advertBoundsProblem(advert);
    if (problem !== undefined) {
      this.#host.warn(`ignored the advert of ${advert.origin} from ${from}: ${problem}`);
      return;
    }
    if (advert.origin === this.#settings.self) {
      this.#defend(from, advert);
      return;
    }
    // A neighbour sends its own advert straight to this node: a copy of the same process by another way is
    // redundant, or forged. (One of another process is not: the neighbour restarted behind another node.)
    if (from !== advert.origin && this.#neighbours.get(advert.origin) === advert.instance) return;
    const before = this.#table.advert(advert.origin);
    const evictions = this.#table.evictions;
    const wasFull = this.#table.full;
    const outcome = this.#table.offer(advert, from);
    if (outcome === "stale") return;
    if (outcome === "full") {
      this.#beyondShare(from, advert.origin, true);
      return;
    }
    if (before === undefined && wasFull && this.#table.beyondShare(from)) {
      this.#beyondShare(from, advert.origin, false);
    }
    this.#floods.push({ message: advertMessage(advert), except: link });
    if (this.#floodTimer === undefined && this.floodWindowMs() > 0) {
      this.#floodTimer = setTimeout(() => this.#sendFloods(), this.floodWindowMs());
      this.#floodTimer.unref();
    }
    const reported = this.#reported.get(advert.origin);
    if (reported !== undefined && reported.instance !== advert.instance) {
      // The node restarted without this node seeing it leave (the restart was quicker than the bus noticed): the
      // old process is gone, with its subscriptions and calls. Report it as leaving now, before anything the new
      // process sends is handled; the new process is reported as arriving once (and if) the routes reach it.
      this.#table.unroute(advert.origin);
      this.#restarted(advert.origin, advert.instance);
    } else if (reported !== undefined) {
      this.#objectsDirty.add(advert.origin);
    }
    // The routes change only when the neighbours do, or when the table made room for this advert by evicting.
    if (
      before === undefined ||
      before.instance !== advert.instance ||
      !sameNames(before.neighbors, advert.neighbors) ||
      this.#table.evictions !== evictions
    ) {
      this.#routesDirty = true;
    }
    this.#schedule();
  }

  /**
   * An advert of this node's name that is not this node's current one arrived: a forgery, or another node with
   * the same name. This node answers with a newer advert of its own (at most once per `SELF_DEFENCE_MIN_MS`), which
   * replaces the other wherever it went, unless its `seq` leaves no room, in which case it expires.
   */
  #defend(from: string, advert: Advert): void {
    const mine = advert.instance === this.instance;
    if (advert.seq < this.#seq || (mine && advert.seq === this.#seq)) return;
    const now = Date.now();
    if (now - this.#lastDefenceAt < SELF_DEFENCE_MIN_MS) return;
    this.#lastDefenceAt = now;
    if (advert.seq < SEQ_CEILING) this.#seqFloor = Math.max(this.#seqFloor, advert.seq);
    this.#host.warn(
      `an advert of ${this.#settings.self} that is not this node's came from ${from} (instance ${advert.instance.slice(0, 32)}, seq ${advert.seq}): another node has this name, or the advert is forged; advertising again`,
    );
    this.#ownStale = true;
    this.#schedule();
  }

  /** A new process of `node` (instance `instance`) appeared: the old one, if reported up, is reported down now. */
  #restarted(node: string, instance: string): void {
    const reported = this.#reported.get(node);
    if (reported === undefined || reported.instance === instance) return;
    this.#reported.delete(node);
    this.#objectsDirty.delete(node);
    this.#host.nodeDown(node);
  }

  /**
   * The table is full and `from` uses more than its share: its advert of `origin` was refused, or took the place of
   * an older unreachable one of its own. Warned about at most once per `REFUSAL_WARNING_MS` per neighbour.
   */
  #beyondShare(from: string, origin: string, refused: boolean): void {
    const now = Date.now();
    let tally = this.#refusals.get(from);
    if (tally === undefined)
      this.#refusals.set(from, (tally = { count: 0, warnedAt: Number.NEGATIVE_INFINITY }));
    tally.count++;
    if (now - tally.warnedAt < REFUSAL_WARNING_MS) return;
    const share = this.#table.share();
    const usage = this.#table.usage(from);
    this.#host.warn(
      `the node table is full and ${from} uses ${usage.nodes} nodes and ${usage.entries} entries of it, its share being ${share.nodes} and ${share.entries}: ${tally.count} advert(s) from it (the last of ${origin}) ${refused ? "ignored" : "took the place of its own older ones"}`,
    );
    tally.count = 0;
    tally.warnedAt = now;
  }

  /**
   * Recomputes the routes now when changes are pending: a message routed now must take the routes the adverts
   * that arrived before it give (the ADVERT of a node that has just joined, and its CALL, may come in one read).
   * Routes are asked for per message, but recomputed at most once per change of the adverts.
   */
  #routesFor(): void {
    if (this.#routesDirty || this.#ownStale) this.#recomputeIfDirty();
  }

  /** Sends a new link this node's advert, then every advert held but the peer's own. */
  #sync(link: PeerLink): void {
    const own = this.#own as Advert;
    // This node's advert first: it lists the peer, so what follows is reachable when it arrives.
    link.send(advertMessage(own));
    for (const advert of this.#table.adverts()) {
      if (advert !== own && advert.origin !== link.peer) link.send(advertMessage(advert));
    }
    // The database has what the pending floods carry.
    if (link.peer !== undefined) this.#floodsSent.set(link.peer, this.#floods.length);
  }

  #syncNewLinksTo(peer: string): void {
    for (const link of this.#newLinks) {
      if (link.peer !== peer) continue;
      this.#sync(link);
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

  /** Sends every neighbour the pending floods it has not had yet. */
  #sendFloods(): void {
    clearTimeout(this.#floodTimer);
    this.#floodTimer = undefined;
    if (this.#floods.length === 0) return;
    for (const peer of this.#neighbours.keys()) this.#floodTo(peer);
    this.#floods = [];
    this.#floodsSent.clear();
  }

  /**
   * Makes this node's advert anew when its links or objects changed, and recomputes the routes when the adverts
   * changed. With `publish`, a new advert of this node is broadcast at once (unless within the hold): it must reach
   * the neighbours before the messages routed by it, which follow it on the same links.
   */
  #recomputeIfDirty(now: number = Date.now(), publish = true): void {
    if (this.#ownStale) {
      this.#ownStale = false;
      this.#ownUnsent = true;
      this.#seq = Math.min(Number.MAX_SAFE_INTEGER, Math.max(this.#seq + 1, now, this.#seqFloor + 1));
      const own: AdvertMessage = {
        type: MessageType.Advert,
        origin: this.#settings.self,
        instance: this.instance,
        seq: this.#seq,
        neighbors: [...this.#neighbours.keys()].sort(),
        objects: this.#host.objects(),
      };
      this.#own = this.#host.sign?.(own) ?? own;
      this.#table.offer(this.#own, undefined, now);
      this.#routesDirty = true;
      if (publish) this.#publish(now);
    }
    if (!this.#routesDirty) return;
    this.#routesDirty = false;
    this.#reachabilityChanged = true;
    this.#table.recompute();
    this.#schedule();
  }

  /**
   * Broadcasts this node's latest advert if it has not been, to every link but the new ones (which get it with the
   * database), unless the last broadcast is less than the hold ago: a timer does it then.
   */
  #publish(now: number): void {
    if (!this.#ownUnsent || this.#own === undefined) return;
    const dueAt = this.#lastBroadcastAt + this.ownAdvertHoldMs();
    if (now >= dueAt) {
      this.#ownUnsent = false;
      this.#lastBroadcastAt = now;
      this.#host.broadcast(advertMessage(this.#own), this.#newLinks);
      this.#scheduleRefresh();
    } else if (this.#holdTimer === undefined) {
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = undefined;
        this.#schedule();
      }, dueAt - now);
      this.#holdTimer.unref();
    }
  }

  /** Tells the node which nodes came and went, and which objects changed, since the last report. */
  #report(): void {
    const host = this.#host;
    const up: string[] = [];
    if (this.#reachabilityChanged) {
      this.#reachabilityChanged = false;
      const down: string[] = [];
      for (const node of this.#reported.keys()) if (!this.#table.isKnown(node)) down.push(node);
      for (const node of this.#table.reachable()) if (!this.#reported.has(node)) up.push(node);
      for (const node of down.sort()) {
        this.#reported.delete(node);
        this.#objectsDirty.delete(node);
        host.nodeDown(node);
      }
      for (const node of up) {
        const advert = this.#table.advert(node);
        if (advert === undefined || !this.#table.isKnown(node) || this.#reported.has(node)) continue;
        this.#reported.set(node, { instance: advert.instance, objects: advert.objects });
        this.#objectsDirty.delete(node);
        host.nodeUp(node);
      }
    }
    for (const node of [...this.#objectsDirty]) {
      this.#objectsDirty.delete(node);
      const reported = this.#reported.get(node);
      const advert = this.#table.advert(node);
      if (reported === undefined || advert === undefined || reported.instance !== advert.instance) continue;
      if (reported.objects === advert.objects) continue;
      const before = reported.objects;
      reported.objects = advert.objects;
      host.objectsChanged(node, before, advert.objects);
    }
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }

  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    const refreshMs = this.#settings.refreshMs ?? ADVERT_REFRESH_MS;
    this.#refreshTimer = setTimeout(
      () => this.advertise(),
      refreshMs * (1 - ADVERT_REFRESH_JITTER * Math.random()),
    );
    this.#refreshTimer.unref();
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The message of an advert. Adverts that came as messages go on as they came, with whatever else they carry (a
 * signature): they are not copied per link.
 */
function advertMessage(advert: Advert): Message {
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
