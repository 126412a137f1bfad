/**
 * The calls a node forwards for others, by caller and id, so that when the link to their next hop breaks the relay
 * can fail them at once rather than leave their callers waiting for the deadline.
 */

/** A call forwarded towards `next`. */
export interface RelayedCall {
  readonly caller: string;
  readonly id: number;
  readonly next: string;
  /** Absolute deadline, `Date.now()` milliseconds; after it the caller has given up. */
  readonly deadline: number;
}

export class RelayedCalls {
  /** caller → id → call: no key string is built per call. */
  readonly #calls = new Map<string, Map<number, RelayedCall>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  track(call: RelayedCall): void {
    let byId = this.#calls.get(call.caller);
    if (byId === undefined) {
      byId = new Map();
      this.#calls.set(call.caller, byId);
    }
    if (!byId.has(call.id)) this.#size++;
    byId.set(call.id, call);
  }

  /** The answer of call `id` of `caller` passed back: forget it. */
  complete(caller: string, id: number): void {
    const byId = this.#calls.get(caller);
    if (byId === undefined || !byId.delete(id)) return;
    this.#size--;
    if (byId.size === 0) this.#calls.delete(caller);
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
    for (const [caller, byId] of this.#calls) {
      for (const [id, call] of byId) {
        if (!predicate(call)) continue;
        byId.delete(id);
        this.#size--;
        removed.push(call);
      }
      if (byId.size === 0) this.#calls.delete(caller);
    }
  }
}
