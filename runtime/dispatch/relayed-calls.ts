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
  readonly #calls = new Map<string, RelayedCall>();

  get size(): number {
    return this.#calls.size;
  }

  track(call: RelayedCall): void {
    this.#calls.set(`${call.caller}\0${call.id}`, call);
  }

  /** The answer of call `id` of `caller` passed back: forget it. */
  complete(caller: string, id: number): void {
    this.#calls.delete(`${caller}\0${id}`);
  }

  /** Removes and returns the calls that went to `peer`. */
  takeVia(peer: string): RelayedCall[] {
    const taken: RelayedCall[] = [];
    for (const [key, call] of this.#calls) {
      if (call.next !== peer) continue;
      this.#calls.delete(key);
      taken.push(call);
    }
    return taken;
  }

  /** Forgets the calls whose deadline passed before `now` (their callers no longer wait). */
  sweep(now: number): void {
    for (const [key, call] of this.#calls) if (call.deadline < now) this.#calls.delete(key);
  }
}
