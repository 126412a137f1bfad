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
 * Topology owns its parts: the flooding of adverts and the database for new links (`advert-flooding.ts`), this node's
 * own advert, its broadcasts, refresh and defence (`own-advert.ts`), and the reports of nodes up and down and of
 * changed objects (`node-reports.ts`); its intervals, limits and host interface are in `topology-settings.ts`.
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
import { AdvertFlooding } from "./advert-flooding.js";
import { NodeReports } from "./node-reports.js";
import { OwnAdvert } from "./own-advert.js";

export type { BusView } from "./topology-settings.js";
import { ADVERT_LIFETIME_MS, REFUSAL_WARNING_MS } from "./topology-settings.js";
import type { BusView, TopologyHost, TopologySettings } from "./topology-settings.js";

export class Topology {
  /** Random id of this process: a restarted node of the same name has another. */
  readonly instance = randomBytes(8).toString("hex");
  readonly #settings: TopologySettings;
  readonly #host: TopologyHost;
  readonly #table: RoutingTable;
  /** The peers with an open link, and the process instance each link was opened by. */
  readonly #neighbours = new Map<string, string>();
  /** This node's advert: made, broadcast, refreshed and defended. */
  readonly #own: OwnAdvert;
  /** The adverts to flood, and the new links owed the database. */
  readonly #flooding: AdvertFlooding;
  /** The nodes and objects reported to the node. */
  readonly #reports: NodeReports;
  #routesDirty = false;
  readonly #refusals = new Map<string, { count: number; warnedAt: number }>();
  #flushScheduled = false;
  #closed = false;

  constructor(settings: TopologySettings, host: TopologyHost) {
    this.#settings = settings;
    this.#host = host;
    this.#table = new RoutingTable(settings.self, { ...settings.table, maxNodes: settings.maxKnownNodes });
    this.#own = new OwnAdvert(settings, this.instance, host, this.#neighbours, () => this.#schedule());
    this.#flooding = new AdvertFlooding(host, this.#neighbours, this.#table);
    this.#reports = new NodeReports(host, this.#table);
  }

  /** The neighbour to send through towards `node`: this node itself for its own name. */
  nextHop(node: string): string | undefined {
    this.#routesFor();
    const via = this.#table.nextHop(node);
    // What is routed through a neighbour needs it to have had what it is owed first.
    if (via !== undefined) this.#flooding.owedTo(via, this.#own.advert as Advert);
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
    this.#own.markStale();
    this.#schedule();
  }

  /** A link to `peer` (process `instance`) opened; `first` when it is the only one to that peer. */
  linkOpened(link: PeerLink, peer: string, instance: string, first: boolean): void {
    // An advert of an earlier process of the peer (it restarted) describes links that no longer exist.
    if (this.#table.advert(peer)?.instance !== instance) {
      this.#table.forget(peer);
      this.#routesDirty = true;
    }
    this.#reports.restarted(peer, instance);
    if (first) {
      this.#neighbours.set(peer, instance);
      this.#table.linkUp(peer);
      this.#own.markStale();
    }
    this.#flooding.linkOpened(link);
    this.#schedule();
  }

  /** The last link to `peer` closed: what only it vouched for goes, and this node says it lost the link. */
  linkLost(peer: string): void {
    this.#neighbours.delete(peer);
    this.#flooding.linkLost(peer);
    this.#table.linkDown(peer);
    this.#table.forgetFrom(peer);
    this.#own.markStale();
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
    const flooding = this.#flooding;
    if (flooding.windowMs() === 0) flooding.send();
    this.#recomputeIfDirty(now, false);
    flooding.syncNewLinks(this.#own.advert as Advert);
    this.#own.publish(now, flooding.newLinks);
    flooding.newLinksSynced();
    this.#reports.report();
    this.#flushScheduled = false;
    const floods = flooding.pending && flooding.windowMs() === 0;
    const pending = floods || this.#reports.pending;
    if (pending || this.#routesDirty || this.#own.stale) {
      this.#schedule();
    }
  }

  /** The least time between two broadcasts of this node's advert: its cost grows with the links squared. */
  ownAdvertHoldMs(): number {
    return this.#own.holdMs();
  }

  /** How long adverts to flood wait to go out together (see `AdvertFlooding.windowMs()`). */
  floodWindowMs(): number {
    return this.#flooding.windowMs();
  }

  /** Stops the timers; nothing is published or reported after. */
  close(): void {
    this.#closed = true;
    this.#flooding.close();
    this.#own.close();
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
      this.#own.defend(from, advert);
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
    this.#flooding.add(advert, link);
    const reported = this.#reports.reportedInstance(advert.origin);
    if (reported !== undefined && reported !== advert.instance) {
      // The node restarted without this node seeing it leave (the restart was quicker than the bus noticed): the
      // old process is gone, with its subscriptions and calls. Report it as leaving now, before anything the new
      // process sends is handled; the new process is reported as arriving once (and if) the routes reach it.
      this.#table.unroute(advert.origin);
      this.#reports.restarted(advert.origin, advert.instance);
    } else if (reported !== undefined) {
      this.#reports.objectsMayHaveChanged(advert.origin);
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
    if (this.#routesDirty || this.#own.stale) this.#recomputeIfDirty();
  }

  /**
   * Makes this node's advert anew when its links or objects changed, and recomputes the routes when the adverts
   * changed. With `publish`, a new advert of this node is broadcast at once (unless within the hold): it must reach
   * the neighbours before the messages routed by it, which follow it on the same links.
   */
  #recomputeIfDirty(now: number = Date.now(), publish = true): void {
    const own = this.#own.remake(now);
    if (own !== undefined) {
      this.#table.offer(own, undefined, now);
      this.#routesDirty = true;
      if (publish) this.#own.publish(now, this.#flooding.newLinks);
    }
    if (!this.#routesDirty) return;
    this.#routesDirty = false;
    this.#reports.routesChanged();
    this.#table.recompute();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
