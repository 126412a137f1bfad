/**
 * What `Topology` (topology.ts) tells its node of the other nodes: which came and went and which objects changed
 * on them, compared once per flush with what the routing table reaches and holds; and a node that restarted, whose
 * old process is reported as leaving at once, before anything its new process sends is handled.
 */
import type { RoutingTable } from "../routing/table.js";
import type { TopologyHost } from "./topology-settings.js";

/** What has been reported of a reachable node: the process and objects `nodeUp`/`objectsChanged` told. */
interface Reported {
  readonly instance: string;
  objects: Readonly<Record<string, readonly string[]>>;
}

/** The nodes as reported to the node, and what is to be reported next. */
export class NodeReports {
  readonly #host: TopologyHost;
  readonly #table: RoutingTable;
  /** Reachable nodes as reported, and the reachable nodes whose objects may have changed since. */
  readonly #reported = new Map<string, Reported>();
  readonly #objectsDirty = new Set<string>();
  /** Since the last report, the routes were recomputed or a node was reported down at once. */
  #reachabilityChanged = false;

  constructor(host: TopologyHost, table: RoutingTable) {
    this.#host = host;
    this.#table = table;
  }

  /** True when the next `report()` has something to compare. */
  get pending(): boolean {
    return this.#objectsDirty.size > 0 || this.#reachabilityChanged;
  }

  /** The routes were recomputed: the next `report()` compares who is reachable with who was reported. */
  routesChanged(): void {
    this.#reachabilityChanged = true;
  }

  /** The process instance `node` was reported up with; undefined when it is not reported up. */
  reportedInstance(node: string): string | undefined {
    return this.#reported.get(node)?.instance;
  }

  /** A new advert of `node`, reported up, was taken in: the next `report()` compares its objects. */
  objectsMayHaveChanged(node: string): void {
    this.#objectsDirty.add(node);
  }

  /** A new process of `node` (instance `instance`) appeared: the old one, if reported up, is reported down now. */
  restarted(node: string, instance: string): void {
    const reported = this.#reported.get(node);
    if (reported === undefined || reported.instance === instance) return;
    this.#reported.delete(node);
    this.#objectsDirty.delete(node);
    this.#host.nodeDown(node);
  }

  /** Tells the node which nodes came and went, and which objects changed, since the last report. */
  report(): void {
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
}
