/**
 * The calls a node forwards for others, by caller and id, so that when the link to their next hop breaks the relay
 * can fail them at once rather than leave their callers waiting for the deadline.
 *
 * Bounded: at most `maxCalls` in all, shared fairly (`FairShare`) between the links they came over and between
 * their callers, so that a peer that floods calls through this node, under whatever caller names, takes no more
 * than its share; the router answers the calls beyond it with `supcon.Overloaded`.
 */
import { DEFAULT_MAX_RELAYED_CALLS } from "../base/limits.js";
import { FairShare } from "./fair-share.js";

/** A call forwarded from `from` towards `next`. */
export interface RelayedCall {
  readonly caller: string;
  readonly id: number;
  /** The neighbour the call came from. */
  readonly from: string;
  readonly next: string;
  /** Absolute deadline, `Date.now()` milliseconds; after it the caller has given up. */
  readonly deadline: number;
}

export class RelayedCalls {
  /** caller → id → call: no key string is built per call. */
  readonly #calls = new Map<string, Map<number, RelayedCall>>();
  readonly #byLink: FairShare;
  readonly #byCaller: FairShare;

  /** @param maxCalls Most calls forwarded at once. */
  constructor(maxCalls: number = DEFAULT_MAX_RELAYED_CALLS) {
    this.#byLink = new FairShare(maxCalls);
    this.#byCaller = new FairShare(maxCalls);
  }

  get size(): number {
    return this.#byCaller.total;
  }

  get limit(): number {
    return this.#byCaller.limit;
  }

  /**
   * Why call `id` of `caller`, from the neighbour `from`, may not be forwarded now: a sentence for the ERROR
   * `supcon.Overloaded` the caller gets; undefined when it may (or when it is tracked already, as a repeat).
   */
  refusal(caller: string, id: number, from: string): string | undefined {
    if (this.#calls.get(caller)?.has(id)) return undefined;
    const byLink = this.#byLink.refusal(from);
    if (byLink === "full") return `it forwards ${this.size} calls already (maxRelayedCalls ${this.limit})`;
    if (byLink === "share") {
      return `it forwards ${this.#byLink.heldBy(from)} calls from ${from} already, that link's share of maxRelayedCalls (${this.limit}) while calls from ${this.#byLink.holders} links are forwarded`;
    }
    if (this.#byCaller.refusal(caller) !== undefined) {
      return `it forwards ${this.#byCaller.heldBy(caller)} calls of ${caller} already, its share of maxRelayedCalls (${this.limit}) while calls of ${this.#byCaller.holders} callers are forwarded`;
    }
    return undefined;
  }

  /** Tracks a call; the caller checks `refusal()` first. A repeat of a call tracked already replaces it. */
  track(call: RelayedCall): void {
    let byId = this.#calls.get(call.caller);
    if (byId === undefined) {
      byId = new Map();
      this.#calls.set(call.caller, byId);
    }
    const earlier = byId.get(call.id);
    if (earlier !== undefined) this.#byLink.release(earlier.from);
    else this.#byCaller.take(call.caller);
    this.#byLink.take(call.from);
    byId.set(call.id, call);
  }

  /** The answer of call `id` of `caller` passed back: forget it. */
  complete(caller: string, id: number): void {
    const byId = this.#calls.get(caller);
    const call = byId?.get(id);
    if (byId === undefined || call === undefined) return;
    this.#forget(byId, call);
  }

  /** Removes and returns the calls that went to `peer`. */
  takeVia(peer: string): RelayedCall[] {
    const taken: RelayedCall[] = [];
    this.#remove((call) => call.next === peer, taken);
    return taken;
  }

  /** Forgets the calls whose deadline passed before `now` (their callers no longer wait). */
  sweep(now: number): void {
    this.#remove((call) => call.deadline < now, []);
  }

  #remove(predicate: (call: RelayedCall) => boolean, removed: RelayedCall[]): void {
    // Deleting the entry being visited is safe while iterating a Map.
    for (const byId of this.#calls.values()) {
      for (const call of byId.values()) {
        if (!predicate(call)) continue;
        this.#forget(byId, call);
        removed.push(call);
      }
    }
  }

  #forget(byId: Map<number, RelayedCall>, call: RelayedCall): void {
    byId.delete(call.id);
    this.#byLink.release(call.from);
    this.#byCaller.release(call.caller);
    if (byId.size === 0) this.#calls.delete(call.caller);
  }
}
