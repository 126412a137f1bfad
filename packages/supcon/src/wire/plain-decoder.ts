/**
 * The decoder of every MessagePack value received (docs/PROTOCOL.md, "Frames"): it validates and builds in one
 * pass, and, building nothing, checks what msgpackr wrote before it is sent.
 *
 * Why our own decoder rather than msgpackr's: msgpackr decodes extension types whatever its options say
 * (timestamps become `Date`s, `0x72` defines records that change how later bytes decode, others build `Error`,
 * `RegExp`, `Set`, typed arrays, `BigInt` or structured-clone graphs), and its extension table is global to the
 * process, so it cannot be switched off for one `Unpackr` without affecting the user's own use of msgpackr. Bytes
 * from the network therefore never reach msgpackr. This decoder knows only plain data: nil, booleans, finite
 * numbers, integers within ±(2^53 − 1), strings, binary, arrays, and maps whose keys are strings other than
 * `__proto__`, `constructor` and `prototype`, nested at most `MAX_NESTING_DEPTH` deep. It builds what msgpackr
 * builds for such data (objects with `{}` as prototype, arrays, strings, numbers, booleans, null, and a `Buffer`
 * copy for binary), without msgpackr's per-call set-up or the native call it makes for the first string of every
 * value.
 *
 * Decoding is bounded by the body's size, not only the frame's. Every array, map, string, binary and new map key
 * costs about what it takes in memory once built, more for what takes long to build (`DecodeCost`), and at every
 * point of a body the cost of what has been decoded may not exceed `DECODE_BUDGET_PER_BYTE` times the bytes read so
 * far plus `DECODE_BUDGET_BASE`. Every other value (a number, nil, a boolean) takes a slot of 8 bytes in its
 * container and at least 1 byte of the body, so a body of n bytes decodes into at most about 12 n + 2 MiB of memory,
 * in a time proportional to n: a frame of empty maps or deep chains of arrays (1 byte each, 40 to 100 bytes each
 * decoded) is refused after a few milliseconds instead of building gigabytes. The cost is counted the same way by
 * `decode()` and `check()`, so a sender refuses what its peer would.
 *
 * The state of a decoding (position, cost so far, the keys seen, the key cache) lives in a `PlainState`
 * (plain-state.ts) that the decoder owns, and each user owns one decoder: a link's reader has its own, the codec one
 * for its checks before sending. A decoding is synchronous and calls no code of its users, so a decoder is never
 * re-entered.
 *
 * This module holds the entry points; the walk over a value and its containers (whose nesting stack is the call
 * stack) is in plain-values.ts, map keys and the key cache in plain-keys.ts, the scalars in plain-scalars.ts, what
 * is plain data and what decoding it may cost in plain-rules.ts.
 */
import { DECODE_BUDGET_BASE, MAX_NESTING_DEPTH } from "./plain-rules.js";
import { KEY_SLOTS } from "./plain-keys.js";
import { PlainState, REFUSED, begin, finish, trailing } from "./plain-state.js";
import { readValue } from "./plain-values.js";
export {
  MAX_NESTING_DEPTH,
  DECODE_BUDGET_PER_BYTE,
  DECODE_BUDGET_BASE,
  ADVERT_DECODE_BUDGET_BASE,
  DecodeCost,
  UNTRACKED_KEYS,
} from "./plain-rules.js";

/** Decodes and checks plain MessagePack data; create one per user with `createPlainDecoder()`. */
export interface PlainDecoder {
  /**
   * Decodes `bytes[start, end)`, which must hold exactly one MessagePack value of plain data (see the module
   * comment) nested at most `maxDepth` deep, within the budget of its size (`budgetBase` on top of its bytes' share:
   * `DECODE_BUDGET_BASE` unless the body is an ADVERT's).
   * @returns the value, or undefined when the bytes are not acceptable: `error` then says why, with the offset
   *   from `start` of the byte at fault. (Decoded values are never undefined: nil is null.)
   */
  decode(bytes: Uint8Array, start: number, end: number, maxDepth?: number, budgetBase?: number): unknown;
  /**
   * Checks `bytes[start, end)` as `decode()` does, building nothing.
   * @param fixNumbers For bytes msgpackr packed (only those): also rewrite in place, in the same number of bytes,
   *   the numbers msgpackr writes in another kind than the protocol's. A float 64 of an integral value within
   *   ±(2^53 − 1) becomes an int 64 or uint 64 (msgpackr writes integers beyond 32 bits as floats), and an int 64
   *   or uint 64 within ±(2^53 − 1) a float 64 (msgpackr writes one only for a bigint, which stands for a float:
   *   see codec.ts). @default false
   * @returns undefined when the bytes are acceptable, otherwise what is wrong (as `error` says it).
   */
  check(
    bytes: Uint8Array,
    start: number,
    end: number,
    maxDepth?: number,
    budgetBase?: number,
    fixNumbers?: boolean,
  ): string | undefined;
  /**
   * Where the value at `start` ends, in bytes already found acceptable (by `decode()` or `check()` of a range that
   * holds it): a reader finds an element of a message array by it.
   * @returns the position after the value, or -1 when there is no acceptable value there.
   */
  skip(bytes: Uint8Array, start: number, end: number): number;
  /** What was wrong with the bytes of the last `decode()` that returned undefined. */
  readonly error: string;
}

/** A decoder with state of its own (position, budget, keys); see the module comment. */
export function createPlainDecoder(): PlainDecoder {
  return new PlainDecoderImpl();
}

class PlainDecoderImpl implements PlainDecoder {
  readonly #state = new PlainState();

  get error(): string {
    return this.#state.error;
  }

  decode(
    bytes: Uint8Array,
    start: number,
    end: number,
    maxDepth = MAX_NESTING_DEPTH,
    budgetBase = DECODE_BUDGET_BASE,
  ): unknown {
    const s = this.#state;
    s.keyCache ??= new Array<string | undefined>(KEY_SLOTS);
    begin(s, bytes, start, end, maxDepth, true, budgetBase);
    let value: unknown;
    try {
      value = readValue(s, 0);
      if (s.pos !== end) trailing(s);
    } catch (err) {
      if (err !== REFUSED) throw err;
      value = undefined;
    }
    finish(s);
    return value;
  }

  skip(bytes: Uint8Array, start: number, end: number): number {
    const s = this.#state;
    // Acceptable bytes are within every bound, the budget of a part of them too.
    begin(s, bytes, start, end, MAX_NESTING_DEPTH, false, Number.MAX_SAFE_INTEGER);
    let next: number;
    try {
      readValue(s, 0);
      next = s.pos;
    } catch (err) {
      if (err !== REFUSED) throw err;
      next = -1;
    }
    finish(s);
    return next;
  }

  check(
    bytes: Uint8Array,
    start: number,
    end: number,
    maxDepth = MAX_NESTING_DEPTH,
    budgetBase = DECODE_BUDGET_BASE,
    fixNumbers = false,
  ): string | undefined {
    const s = this.#state;
    begin(s, bytes, start, end, maxDepth, false, budgetBase);
    s.fix = fixNumbers;
    let problem: string | undefined;
    try {
      readValue(s, 0);
      if (s.pos !== end) trailing(s);
    } catch (err) {
      if (err !== REFUSED) throw err;
      problem = s.error;
    }
    finish(s);
    return problem;
  }
}
