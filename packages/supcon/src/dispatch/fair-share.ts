/**
 * Fair shares of a limit: what served calls and relayed calls use so that one caller or one link cannot take all
 * of `maxServingCalls` or `maxRelayedCalls`.
 */
import { FAIR_SHARE_FLOOR } from "../base/limits.js";

/**
 * A limit shared fairly between holders (callers, links), each known by a key. A holder may hold at most
 * max(floor, ⌊limit / (n + 1)⌋), n being the holders with something held (a new one included): one share is
 * always kept free for a holder that has nothing yet, so that one that takes all it may still leaves room for
 * others; and as more holders come, each one's share shrinks (one over it is refused until it is back under).
 * Holders with nothing held are forgotten: the table is bounded by `limit`.
 */
export class FairShare {
  readonly limit: number;
  readonly #floor: number;
  readonly #held = new Map<string, number>();
  #total = 0;

  constructor(limit: number, floor: number = FAIR_SHARE_FLOOR) {
    this.limit = limit;
    this.#floor = Math.min(floor, limit);
  }

  /** Everything held, by all holders. */
  get total(): number {
    return this.#total;
  }

  /** Holders with something held. */
  get holders(): number {
    return this.#held.size;
  }

  heldBy(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /** The most `key` may hold now. */
  shareOf(key: string): number {
    const holders = this.#held.size + (this.#held.has(key) ? 0 : 1);
    return Math.max(this.#floor, Math.floor(this.limit / (holders + 1)));
  }

  /** Why `key` may not take one more: "full" (the limit is reached), "share" (its share is), or undefined. */
  refusal(key: string): "full" | "share" | undefined {
    if (this.#total >= this.limit) return "full";
    if (this.heldBy(key) >= this.shareOf(key)) return "share";
    return undefined;
  }

  take(key: string): void {
    this.#held.set(key, this.heldBy(key) + 1);
    this.#total++;
  }

  release(key: string): void {
    const held = this.#held.get(key);
    if (held === undefined) return;
    if (held <= 1) this.#held.delete(key);
    else this.#held.set(key, held - 1);
    this.#total--;
  }
}
