/**
 * Topology: this node's advert and everybody else's. It publishes the node's own advert when its links or objects
 * change, floods the adverts of others on, recomputes the routes, and says which nodes came and went and which
 * objects changed on them. The routing table itself is pure (`routing/table.ts`); this is its I/O side.
 */
import { randomBytes } from "node:crypto";
import { isValidNodeName } from "../base/names.js";
import type { PeerLink } from "../link/peer-link.js";
import { RoutingTable } from "../routing/table.js";
import type { Advert } from "../routing/table.js";
import type { Message } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";

/** The bus as one node sees it: node name → object path → interface names. */
export type BusView = Record<string, Record<string, string[]>>;

/** What topology reads from and tells its node. */
export interface TopologyHost {
  /** The peers this node has an open link to. */
  neighbours(): string[];
  /** This node's objects: path → interface names. */
  objects(): Record<string, string[]>;
  /** Sends a message on every open link but `except`. */
  broadcast(message: Message, except?: PeerLink): void;
  nodeUp(node: string): void;
  nodeDown(node: string): void;
  /** A reachable node's objects changed (it registered or unregistered some). */
  objectsChanged(
    node: string,
    before: Readonly<Record<string, readonly string[]>>,
    after: Readonly<Record<string, readonly string[]>>,
  ): void;
  warn(message: string): void;
}

export interface TopologySettings {
  readonly self: string;
  /** Most nodes whose adverts are kept: a bound on what peers can make this node store. */
  readonly maxKnownNodes: number;
  /** How long the advert of a node that never became reachable is kept (it may be ahead of its link). */
  readonly advertGraceMs: number;
}

export class Topology {
  /** Random id of this process: a restarted node of the same name has another. */
  readonly instance = randomBytes(8).toString("hex");
  readonly #settings: TopologySettings;
  readonly #host: TopologyHost;
  readonly #table: RoutingTable;
  #seq = 0;

  constructor(settings: TopologySettings, host: TopologyHost) {
    this.#settings = settings;
    this.#host = host;
    this.#table = new RoutingTable(settings.self, settings.maxKnownNodes);
  }

  /** The neighbour to send through towards `node`: this node itself for its own name. */
  nextHop(node: string): string | undefined {
    return this.#table.nextHop(node);
  }

  /** True when `node` is this node or reachable from it. */
  isKnown(node: string): boolean {
    return this.#table.isKnown(node);
  }

  /** Every node on the bus: this one first, then the others sorted. */
  known(): string[] {
    return [this.#settings.self, ...this.#table.reachable()];
  }

  /** The process instance of reachable node `node`, if it is reachable. */
  instanceOf(node: string): string | undefined {
    return this.#table.isKnown(node) ? this.#table.advert(node)?.instance : undefined;
  }

  /** True when `node` is on the bus (and with `path`, has an object there; with `intf` too, implementing it). */
  has(node: string, path?: string, intf?: string): boolean {
    if (!this.#table.isKnown(node)) return false;
    if (path === undefined) return true;
    const intfs = this.#table.advert(node)?.objects[path];
    return intfs !== undefined && (intf === undefined || intfs.includes(intf));
  }

  /** The objects of `node` as its advert lists them. */
  objectsOf(node: string): Readonly<Record<string, readonly string[]>> {
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

  /** Publishes this node's advert (after a change of its links or objects) and recomputes the routes. */
  advertise(): void {
    this.#seq = Math.max(this.#seq + 1, Date.now());
    const advert: Advert = {
      origin: this.#settings.self,
      instance: this.instance,
      seq: this.#seq,
      neighbors: this.#host.neighbours(),
      objects: this.#host.objects(),
    };
    this.#table.offer(advert);
    this.#host.broadcast(advertMessage(advert));
    this.#recompute();
  }

  /** A link to `peer` (process `instance`) opened; `first` when it is the only one to that peer. */
  linkOpened(link: PeerLink, peer: string, instance: string, first: boolean): void {
    // An advert of an earlier process of the peer (it restarted) describes links that no longer exist.
    if (this.#table.advert(peer)?.instance !== instance) this.#table.forget(peer);
    if (first) this.advertise();
    // Our own advert first: it lists the peer, so what follows is reachable when it arrives.
    const own = this.#table.advert(this.#settings.self);
    if (own !== undefined) link.send(advertMessage(own));
    for (const advert of this.#table.adverts()) {
      if (advert !== own) link.send(advertMessage(advert));
    }
  }

  /** The last link to `peer` closed: what only it vouched for goes, and this node says it lost the link. */
  linkLost(peer: string): void {
    this.#table.forgetFrom(peer);
    this.advertise();
  }

  /** An ADVERT arrived on the link from `from`. */
  onAdvert(link: PeerLink, from: string, advert: Advert): void {
    if (advert.origin === this.#settings.self) return;
    if (!isValidNodeName(advert.origin) || !advert.neighbors.every(isValidNodeName)) {
      this.#host.warn(`ignored an advert from ${from} naming something that is not a node name`);
      return;
    }
    const before = this.#table.isKnown(advert.origin) ? this.#table.advert(advert.origin) : undefined;
    const outcome = this.#table.offer(advert, from);
    if (outcome === "stale") return;
    if (outcome === "full") {
      this.#host.warn(
        `ignored the advert of ${advert.origin} from ${from}: ${this.#settings.maxKnownNodes} nodes are known already`,
      );
      return;
    }
    this.#host.broadcast(advertMessage(advert), link);
    if (before !== undefined && before.instance !== advert.instance) {
      // The node restarted without this node seeing it leave (the restart was quicker than the bus noticed): the
      // old process is gone, with its subscriptions and calls. Report it as leaving now; the new process is
      // reported as arriving once (and if) the recomputed routes reach it, and its advert is kept until then.
      this.#table.unroute(advert.origin);
      this.#host.nodeDown(advert.origin);
    }
    const { up } = this.#recompute();
    // A node that was already reachable may have changed its objects: report the difference.
    if (
      before !== undefined &&
      before.instance === advert.instance &&
      !up.includes(advert.origin) &&
      this.#table.isKnown(advert.origin)
    ) {
      this.#host.objectsChanged(advert.origin, before.objects, advert.objects);
    }
  }

  /** Drops the adverts of nodes that never became reachable within the grace period. */
  sweep(now: number): void {
    this.#table.prune(now, this.#settings.advertGraceMs);
  }

  #recompute(): { up: readonly string[]; down: readonly string[] } {
    const change = this.#table.recompute();
    for (const node of change.down) this.#host.nodeDown(node);
    for (const node of change.up) this.#host.nodeUp(node);
    return change;
  }
}

function advertMessage(advert: Advert): Message {
  return {
    type: MessageType.Advert,
    origin: advert.origin,
    instance: advert.instance,
    seq: advert.seq,
    neighbors: advert.neighbors as string[],
    objects: advert.objects as Record<string, string[]>,
  };
}
