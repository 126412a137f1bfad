/**
 * The subscriber's side of events: local listeners by (node, path, interface, event). Each distinct key is one
 * subscription on the wire, however many listeners share it.
 */
import type { EventSource } from "../api/types.js";

export type Listener = (args: never, source: EventSource) => void;

/** One subscribed key and its listeners. */
export interface SubscriptionEntry {
  readonly node: string;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
  readonly listeners: Set<Listener>;
  /** Sequence number of the last event received from the node (for gap detection), 0 before the first. */
  lastSeq: number;
}

export function subscriptionKey(node: string, path: string, intf: string, event: string): string {
  return `${node}\0${path}\0${intf}\0${event}`;
}

export class Subscriptions {
  readonly #entries = new Map<string, SubscriptionEntry>();

  /** Adds a listener; returns true when the key is new (the caller then subscribes on the wire). */
  add(node: string, path: string, intf: string, event: string, listener: Listener): boolean {
    const key = subscriptionKey(node, path, intf, event);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.listeners.add(listener);
      return false;
    }
    this.#entries.set(key, { node, path, intf, event, listeners: new Set([listener]), lastSeq: 0 });
    return true;
  }

  /** Removes a listener; returns true when the key has no listener left (the caller then unsubscribes). */
  remove(node: string, path: string, intf: string, event: string, listener: Listener): boolean {
    const key = subscriptionKey(node, path, intf, event);
    const entry = this.#entries.get(key);
    if (entry === undefined || !entry.listeners.delete(listener)) return false;
    if (entry.listeners.size > 0) return false;
    this.#entries.delete(key);
    return true;
  }

  get(node: string, path: string, intf: string, event: string): SubscriptionEntry | undefined {
    return this.#entries.get(subscriptionKey(node, path, intf, event));
  }

  /** Every subscribed key on `node`, for re-subscribing when it (re)appears. */
  forNode(node: string): SubscriptionEntry[] {
    return [...this.#entries.values()].filter((e) => e.node === node);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * The publisher's side: which nodes subscribed to which (path, interface, event) of this node.
 */
export class Subscribers {
  readonly #byKey = new Map<string, Set<string>>();
  readonly #counts = new Map<string, number>();

  add(node: string, path: string, intf: string, event: string): void {
    const key = `${path}\0${intf}\0${event}`;
    let set = this.#byKey.get(key);
    if (set === undefined) {
      set = new Set();
      this.#byKey.set(key, set);
    }
    if (set.has(node)) return;
    set.add(node);
    this.#counts.set(node, (this.#counts.get(node) ?? 0) + 1);
  }

  remove(node: string, path: string, intf: string, event: string): void {
    const key = `${path}\0${intf}\0${event}`;
    const set = this.#byKey.get(key);
    if (set === undefined || !set.delete(node)) return;
    if (set.size === 0) this.#byKey.delete(key);
    const count = (this.#counts.get(node) ?? 1) - 1;
    if (count === 0) this.#counts.delete(node);
    else this.#counts.set(node, count);
  }

  /** Forgets every subscription of `node` (it left the bus). */
  removeNode(node: string): void {
    for (const [key, set] of this.#byKey) {
      set.delete(node);
      if (set.size === 0) this.#byKey.delete(key);
    }
    this.#counts.delete(node);
  }

  /** How many subscriptions `node` holds. */
  countOf(node: string): number {
    return this.#counts.get(node) ?? 0;
  }

  /** The subscribers of an event, or undefined when there are none. */
  of(path: string, intf: string, event: string): ReadonlySet<string> | undefined {
    return this.#byKey.get(`${path}\0${intf}\0${event}`);
  }
}
