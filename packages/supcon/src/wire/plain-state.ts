/**
 * The state of one decoding by a `PlainDecoder` (plain-decoder.ts), and how a decoding is charged and refused: the
 * budget check (`DecodeCost` against `DECODE_BUDGET_PER_BYTE` and `DECODE_BUDGET_BASE`) and the errors that unwind
 * it from any depth.
 *
 * The readers of the decoder (plain-values.ts, plain-keys.ts, plain-scalars.ts) are plain functions taking this
 * state, rather than methods of one class spread over several files: the engine inlines them as it did the methods,
 * and nothing is allocated per decoding. Each decoder makes its state once and keeps it; its fields are initialised
 * in one order, so that every state has the same shape.
 */
import {
  MAX_NESTING_DEPTH,
  DECODE_BUDGET_PER_BYTE,
  DECODE_BUDGET_BASE,
  UNTRACKED_KEYS,
} from "./plain-rules.js";

/** What the decoder throws to unwind from any depth once `error` is set; caught in `decode()` and `check()`. */
export const REFUSED: Error = Object.freeze(new Error("refused"));

const EMPTY = new Uint8Array(0);

/** A DataView of a received buffer larger than this is not kept after a decoding, so as not to pin it. */
const VIEW_KEEP_MAX = 64 * 1024;

/** The state of a decoding (position, cost so far, the keys seen, the key cache); one per decoder. */
export class PlainState {
  src: Uint8Array = EMPTY;
  pos = 0;
  start = 0;
  end = 0;
  maxDepth = MAX_NESTING_DEPTH;
  /** What decoding has cost so far (`DecodeCost`), and what it may cost on top of its bytes' share. */
  cost = 0;
  base = DECODE_BUDGET_BASE;
  /** Whether to build values (`decode()`) or only check them (`check()`). */
  build = true;
  /**
   * Whether to rewrite, while checking, the numbers msgpackr packed in the other kind (`check()` with `fixNumbers`):
   * a float 64 of an integral value within ±(2^53 − 1) as an integer, an int 64 or uint 64 as a float 64.
   */
  fix = false;
  error = "";
  /** Keys read in this body; after the first `UNTRACKED_KEYS`, those seen go in `keysSeen`. */
  keyCount = 0;
  keysSeen: Set<string> | undefined = undefined;
  /**
   * Map keys by a hash of their bytes, so that the same few keys of every message (`timer`, `seconds`) are one
   * string each rather than a new string per message that the engine must then look up to use as a property name.
   * Made by the first `decode()`: checking needs none.
   */
  keyCache: (string | undefined)[] | undefined = undefined;
  /** A DataView of `viewOf` for floats, made once per received buffer (a chunk holds many messages). */
  view: DataView | undefined = undefined;
  viewOf: Uint8Array | undefined = undefined;
}

/** Starts a decoding of `bytes[start, end)`. */
export function begin(
  s: PlainState,
  bytes: Uint8Array,
  start: number,
  end: number,
  maxDepth: number,
  build: boolean,
  base: number,
): void {
  s.src = bytes;
  s.pos = start;
  s.start = start;
  s.end = end;
  s.maxDepth = maxDepth;
  s.build = build;
  s.fix = false;
  s.error = "";
  s.keyCount = 0;
  s.cost = 0;
  s.base = base;
}

/** Lets go of what this body held: the decoder keeps no large buffer and no key of it alive. */
export function finish(s: PlainState): void {
  s.src = EMPTY;
  if (s.keyCount > UNTRACKED_KEYS) s.keysSeen?.clear();
  if (s.viewOf !== undefined && s.viewOf.byteLength > VIEW_KEEP_MAX) {
    s.view = undefined;
    s.viewOf = undefined;
  }
}

/** Adds the cost of the value at `at`, whose bytes have been read, and refuses it beyond the budget. */
export function charge(s: PlainState, cost: number, at: number): void {
  const total = (s.cost += cost);
  const read = s.pos - s.start;
  if (total > DECODE_BUDGET_PER_BYTE * read + s.base) {
    const bound = `${DECODE_BUDGET_PER_BYTE} per byte + ${s.base}`;
    fail(
      s,
      `the value at ${at - s.start} takes the cost of decoding the first ${read} bytes to ${total}, ` +
        `beyond ${bound}: too many arrays, maps, strings, binaries or distinct map keys for the size of the body`,
    );
  }
}

export function trailing(s: PlainState): never {
  return fail(s, `${s.end - s.pos} trailing bytes after the value at ${s.pos - s.start}`);
}

export function truncated(s: PlainState, at: number): never {
  return fail(s, `truncated value at ${at - s.start}`);
}

export function fail(s: PlainState, message: string): never {
  s.error = message;
  throw REFUSED;
}
