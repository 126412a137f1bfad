/**
 * The subscriber's side of events: local listeners by (node, path, interface, event). Each distinct key is one
 * subscription on the wire, however many listeners share it.
 */
import type { EventSource } from "../base/types.js";

export type Listener = (args: never, source: EventSource) => void;

/** One subscribed key and its listeners. */
export interface SubscriptionEntry {
  readonly node: string;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
  readonly listeners: Set<Listener>;
  /** What listeners are told the event came from; one object for every event of the key. */
  readonly source: EventSource;
}

/** A map of maps, one level per part of a key: looking up an event costs no string building. */
type Tree<T> = Map<string, Map<string, Map<string, Map<string, T>>>>;

export class Subscriptions {
  readonly #tree: Tree<SubscriptionEntry> = new Map();

  /** Adds a listener; returns true when the key is new (the caller then subscribes on the wire). */
  add(node: string, path: string, intf: string, event: string, listener: Listener): boolean {
    const entry = this.get(node, path, intf, event);
    if (entry !== undefined) {
      entry.listeners.add(listener);
      return false;
    }
    const byEvent = branch(branch(branch(this.#tree, node), path), intf);
    byEvent.set(event, {
      node,
      path,
      intf,
      event,
      listeners: new Set([listener]),
      source: { node, path, intf, event },
    });
    return true;
  }

  /** Removes a listener; returns true when the key has no listener left (the caller then unsubscribes). */
  remove(node: string, path: string, intf: string, event: string, listener: Listener): boolean {
    const entry = this.get(node, path, intf, event);
    if (entry === undefined || !entry.listeners.delete(listener)) return false;
    if (entry.listeners.size > 0) return false;
    const byPath = this.#tree.get(node);
    const byIntf = byPath?.get(path);
    const byEvent = byIntf?.get(intf);
    byEvent?.delete(event);
    if (byEvent?.size === 0) byIntf?.delete(intf);
    if (byIntf?.size === 0) byPath?.delete(path);
    if (byPath?.size === 0) this.#tree.delete(node);
    return true;
  }

  get(node: string, path: string, intf: string, event: string): SubscriptionEntry | undefined {
    return this.#tree.get(node)?.get(path)?.get(intf)?.get(event);
  }

  /** True while some key on `node` has listeners. */
  hasNode(node: string): boolean {
    return this.#tree.has(node);
  }

  /** Every subscribed key on `node`, for re-subscribing when it (re)appears. */
  forNode(node: string): SubscriptionEntry[] {
    const out: SubscriptionEntry[] = [];
    for (const byIntf of this.#tree.get(node)?.values() ?? []) {
      for (const byEvent of byIntf.values()) out.push(...byEvent.values());
    }
    return out;
  }

  clear(): void {
    this.#tree.clear();
  }
}

function branch<T>(map: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let next = map.get(key);
  if (next === undefined) {
    next = new Map();
    map.set(key, next);
  }
  return next;
}

/**
 * The publisher's side: which nodes subscribed to which (path, interface, event) of this node, and how many
 * subscriptions each node, and each link they came over, holds: so that the subscriptions arriving over one link
 * can be bounded as a whole, whatever nodes they name.
 */
export class Subscribers {
  /**
   * path → intf → event → subscribing node → the link its SUBSCRIBE came over: looked up once per event fired,
   * without building a key.
   */
  readonly #tree = new Map<string, Map<string, Map<string, Map<string, string>>>>();
  readonly #counts = new Map<string, number>();
  readonly #viaCounts = new Map<string, number>();

  /** Adds a subscription of `node`, whose SUBSCRIBE came over the link from `via`; counted against both. */
  add(node: string, path: string, intf: string, event: string, via: string = node): void {
    const byEvent = branch(branch(this.#tree, path), intf);
    let nodes = byEvent.get(event);
    if (nodes === undefined) {
      nodes = new Map();
      byEvent.set(event, nodes);
    }
    if (nodes.has(node)) return;
    nodes.set(node, via);
    add(this.#counts, node, 1);
    add(this.#viaCounts, via, 1);
  }

  remove(node: string, path: string, intf: string, event: string): void {
    const byIntf = this.#tree.get(path);
    const byEvent = byIntf?.get(intf);
    const nodes = byEvent?.get(event);
    const via = nodes?.get(node);
    if (byIntf === undefined || byEvent === undefined || nodes === undefined || via === undefined) return;
    nodes.delete(node);
    if (nodes.size === 0) byEvent.delete(event);
    if (byEvent.size === 0) byIntf.delete(intf);
    if (byIntf.size === 0) this.#tree.delete(path);
    add(this.#counts, node, -1);
    add(this.#viaCounts, via, -1);
  }

  /** Forgets every subscription of `node` (it left the bus). */
  removeNode(node: string): void {
    if (!this.#counts.has(node)) return;
    for (const [path, byIntf] of this.#tree) {
      for (const [intf, byEvent] of byIntf) {
        for (const [event, nodes] of byEvent) {
          const via = nodes.get(node);
          if (via === undefined) continue;
          nodes.delete(node);
          add(this.#viaCounts, via, -1);
          if (nodes.size === 0) byEvent.delete(event);
        }
        if (byEvent.size === 0) byIntf.delete(intf);
      }
      if (byIntf.size === 0) this.#tree.delete(path);
    }
    this.#counts.delete(node);
  }

  /** True when `node` holds this subscription. */
  has(node: string, path: string, intf: string, event: string): boolean {
    return this.#tree.get(path)?.get(intf)?.get(event)?.has(node) ?? false;
  }

  /** How many subscriptions `node` holds. */
  countOf(node: string): number {
    return this.#counts.get(node) ?? 0;
  }

  /** How many subscriptions came over the link from `via`. */
  countVia(via: string): number {
    return this.#viaCounts.get(via) ?? 0;
  }

  /** The subscribers of an event, or undefined when there are none. */
  of(path: string, intf: string, event: string): Iterable<string> | undefined {
    return this.#tree.get(path)?.get(intf)?.get(event)?.keys();
  }
}

/** Adds `n` to the count of `key`, forgetting a count that drops to 0. */
function add(counts: Map<string, number>, key: string, n: number): void {
  const count = (counts.get(key) ?? 0) + n;
  if (count <= 0) counts.delete(key);
  else counts.set(key, count);
}
