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
 * The publisher's side: which nodes subscribed to which (path, interface, event) of this node.
 */
export class Subscribers {
  /** path → intf → event → subscribing nodes: looked up once per event fired, without building a key. */
  readonly #tree = new Map<string, Map<string, Map<string, Set<string>>>>();
  readonly #counts = new Map<string, number>();

  add(node: string, path: string, intf: string, event: string): void {
    const byEvent = branch(branch(this.#tree, path), intf);
    let set = byEvent.get(event);
    if (set === undefined) {
      set = new Set();
      byEvent.set(event, set);
    }
    if (set.has(node)) return;
    set.add(node);
    this.#counts.set(node, (this.#counts.get(node) ?? 0) + 1);
  }

  remove(node: string, path: string, intf: string, event: string): void {
    const byIntf = this.#tree.get(path);
    const byEvent = byIntf?.get(intf);
    const set = byEvent?.get(event);
    if (byIntf === undefined || byEvent === undefined || set === undefined || !set.delete(node)) return;
    if (set.size === 0) byEvent.delete(event);
    if (byEvent.size === 0) byIntf.delete(intf);
    if (byIntf.size === 0) this.#tree.delete(path);
    const count = (this.#counts.get(node) ?? 1) - 1;
    if (count === 0) this.#counts.delete(node);
    else this.#counts.set(node, count);
  }

  /** Forgets every subscription of `node` (it left the bus). */
  removeNode(node: string): void {
    for (const [path, byIntf] of this.#tree) {
      for (const [intf, byEvent] of byIntf) {
        for (const [event, set] of byEvent) {
          set.delete(node);
          if (set.size === 0) byEvent.delete(event);
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

  /** The subscribers of an event, or undefined when there are none. */
  of(path: string, intf: string, event: string): ReadonlySet<string> | undefined {
    return this.#tree.get(path)?.get(intf)?.get(event);
  }
}
