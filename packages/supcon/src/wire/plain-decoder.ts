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
 * The state of a decoding (position, cost so far, the keys seen, the key cache) lives in the decoder, and each user
 * owns one: a link's reader has its own, the codec one for its checks before sending. A decoding is synchronous and
 * calls no code of its users, so a decoder is never re-entered. The nesting stack is the call stack, at most
 * `MAX_NESTING_DEPTH` frames deep: depth is checked before a container is entered.
 */
import {
  MAX_NESTING_DEPTH,
  DECODE_BUDGET_PER_BYTE,
  DECODE_BUDGET_BASE,
  DecodeCost,
  UNTRACKED_KEYS,
  EXTENSION_NAMES,
  isForbiddenKey,
  isAscii,
  utf8Slice,
  hex,
} from "./plain-rules.js";
export {
  MAX_NESTING_DEPTH,
  DECODE_BUDGET_PER_BYTE,
  DECODE_BUDGET_BASE,
  DecodeCost,
  UNTRACKED_KEYS,
} from "./plain-rules.js";

/** Decodes and checks plain MessagePack data; create one per user with `createPlainDecoder()`. */
export interface PlainDecoder {
  /**
   * Decodes `bytes[start, end)`, which must hold exactly one MessagePack value of plain data (see the module
   * comment) nested at most `maxDepth` deep, within the budget of its size.
   * @returns the value, or undefined when the bytes are not acceptable: `error` then says why, with the offset
   *   from `start` of the byte at fault. (Decoded values are never undefined: nil is null.)
   */
  decode(bytes: Uint8Array, start: number, end: number, maxDepth?: number): unknown;
  /**
   * Checks `bytes[start, end)` as `decode()` does, building nothing.
   * @returns undefined when the bytes are acceptable, otherwise what is wrong (as `error` says it).
   */
  check(bytes: Uint8Array, start: number, end: number, maxDepth?: number): string | undefined;
  /** What was wrong with the bytes of the last `decode()` that returned undefined. */
  readonly error: string;
}

/** A decoder with state of its own (position, budget, keys); see the module comment. */
export function createPlainDecoder(): PlainDecoder {
  return new PlainDecoderImpl();
}

/** What the decoder throws to unwind from any depth once `#error` is set; caught in `decode()` and `check()`. */
const REFUSED: Error = Object.freeze(new Error("refused"));

const EMPTY = new Uint8Array(0);

/** Keys up to this many bytes go through the key cache, which has this many slots (8 KiB per link). */
const KEY_MAX = 32;
const KEY_SLOTS = 1024;

/** Arrays up to this many elements are allocated at their size at once; see `#array()` for longer ones. */
const PREALLOCATE_MAX = 64 * 1024;

/** A DataView of a received buffer larger than this is not kept after a decoding, so as not to pin it. */
const VIEW_KEEP_MAX = 64 * 1024;

class PlainDecoderImpl implements PlainDecoder {
  #src: Uint8Array = EMPTY;
  #pos = 0;
  #start = 0;
  #end = 0;
  #maxDepth = MAX_NESTING_DEPTH;
  /** What decoding has cost so far (`DecodeCost`). */
  #cost = 0;
  /** Whether to build values (`decode()`) or only check them (`check()`). */
  #build = true;
  #error = "";
  /** Keys read in this body; after the first `UNTRACKED_KEYS`, those seen go in `#keysSeen`. */
  #keyCount = 0;
  #keysSeen: Set<string> | undefined;
  /**
   * Map keys by a hash of their bytes, so that the same few keys of every message (`timer`, `seconds`) are one
   * string each rather than a new string per message that the engine must then look up to use as a property name.
   * Made by the first `decode()`: checking needs none.
   */
  #keyCache: (string | undefined)[] | undefined;
  /** A DataView of `#viewOf` for floats, made once per received buffer (a chunk holds many messages). */
  #view: DataView | undefined;
  #viewOf: Uint8Array | undefined;

  get error(): string {
    return this.#error;
  }

  decode(bytes: Uint8Array, start: number, end: number, maxDepth = MAX_NESTING_DEPTH): unknown {
    this.#keyCache ??= new Array<string | undefined>(KEY_SLOTS);
    this.#begin(bytes, start, end, maxDepth, true);
    let value: unknown;
    try {
      value = this.#value(0);
      if (this.#pos !== end) this.#trailing();
    } catch (err) {
      if (err !== REFUSED) throw err;
      value = undefined;
    }
    this.#finish();
    return value;
  }

  check(bytes: Uint8Array, start: number, end: number, maxDepth = MAX_NESTING_DEPTH): string | undefined {
    this.#begin(bytes, start, end, maxDepth, false);
    let problem: string | undefined;
    try {
      this.#value(0);
      if (this.#pos !== end) this.#trailing();
    } catch (err) {
      if (err !== REFUSED) throw err;
      problem = this.#error;
    }
    this.#finish();
    return problem;
  }

  #begin(bytes: Uint8Array, start: number, end: number, maxDepth: number, build: boolean): void {
    this.#src = bytes;
    this.#pos = start;
    this.#start = start;
    this.#end = end;
    this.#maxDepth = maxDepth;
    this.#build = build;
    this.#error = "";
    this.#keyCount = 0;
    this.#cost = 0;
  }

  /** Lets go of what this body held: the decoder keeps no large buffer and no key of it alive. */
  #finish(): void {
    this.#src = EMPTY;
    if (this.#keyCount > UNTRACKED_KEYS) this.#keysSeen?.clear();
    if (this.#viewOf !== undefined && this.#viewOf.byteLength > VIEW_KEEP_MAX) {
      this.#view = undefined;
      this.#viewOf = undefined;
    }
  }

  /** The value at `#pos`, with `depth` containers around it. */
  #value(depth: number): unknown {
    const at = this.#pos;
    if (at >= this.#end) this.#truncated(at);
    const token = this.#src[at] as number;
    this.#pos = at + 1;
    if (token < 0x80) return token; // positive fixint
    if (token >= 0xe0) return token - 0x100; // negative fixint
    if (token < 0x90) return this.#map(token & 0x0f, depth, at);
    if (token < 0xa0) return this.#array(token & 0x0f, depth, at);
    if (token < 0xc0) return this.#string(token & 0x1f, at);
    switch (token) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc1:
        return this.#fail(`reserved byte 0xc1 at ${at - this.#start}`);
      case 0xc4: // bin 8, 16, 32
        return this.#binary(this.#uint(1, at), at);
      case 0xc5:
        return this.#binary(this.#uint(2, at), at);
      case 0xc6:
        return this.#binary(this.#uint(4, at), at);
      case 0xc7: // ext 8, 16, 32: the type byte follows the length
        return this.#extension(at + 2, at);
      case 0xc8:
        return this.#extension(at + 3, at);
      case 0xc9:
        return this.#extension(at + 5, at);
      case 0xca:
        return this.#float(4, at);
      case 0xcb:
        return this.#float(8, at);
      case 0xcc: // uint 8, 16, 32
        return this.#uint(1, at);
      case 0xcd:
        return this.#uint(2, at);
      case 0xce:
        return this.#uint(4, at);
      case 0xcf: // uint 64
        return this.#int64(false, at);
      case 0xd0: // int 8, 16, 32
        return (this.#uint(1, at) << 24) >> 24;
      case 0xd1:
        return (this.#uint(2, at) << 16) >> 16;
      case 0xd2:
        return this.#uint(4, at) | 0;
      case 0xd3: // int 64
        return this.#int64(true, at);
      case 0xd4: // fixext 1, 2, 4, 8, 16
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return this.#extension(at + 1, at);
      case 0xd9: // str 8, 16, 32
        return this.#string(this.#uint(1, at), at);
      case 0xda:
        return this.#string(this.#uint(2, at), at);
      case 0xdb:
        return this.#string(this.#uint(4, at), at);
      case 0xdc: // array 16, 32
        return this.#array(this.#uint(2, at), depth, at);
      case 0xdd:
        return this.#array(this.#uint(4, at), depth, at);
      case 0xde: // map 16, 32
        return this.#map(this.#uint(2, at), depth, at);
      case 0xdf:
        return this.#map(this.#uint(4, at), depth, at);
      default:
        // Every byte value is covered above; this keeps the compiler's flow analysis and a future edit honest.
        return this.#fail(`unknown token 0x${hex(token)} at ${at - this.#start}`);
    }
  }

  /** Enters a container at `at` holding `items` values (a map's keys count), checking depth, bytes and budget. */
  #enter(items: number, depth: number, at: number): void {
    if (depth >= this.#maxDepth)
      this.#fail(`nesting deeper than ${MAX_NESTING_DEPTH} levels at ${at - this.#start}`);
    // Every item takes at least one byte, so a count beyond what is left can never be satisfied.
    if (items > this.#end - this.#pos) this.#truncated(at);
    this.#charge(DecodeCost.container, at);
  }

  #map(count: number, depth: number, at: number): Record<string, unknown> | null {
    this.#enter(count * 2, depth, at);
    if (!this.#build) {
      for (let i = 0; i < count; i++) {
        this.#key();
        this.#value(depth + 1);
      }
      return null;
    }
    const map: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const key = this.#key();
      map[key] = this.#value(depth + 1);
    }
    return map;
  }

  #array(count: number, depth: number, at: number): unknown[] | null {
    this.#enter(count, depth, at);
    if (!this.#build) {
      for (let i = 0; i < count; i++) this.#value(depth + 1);
      return null;
    }
    if (count <= PREALLOCATE_MAX) {
      const array = new Array<unknown>(count);
      for (let i = 0; i < count; i++) array[i] = this.#value(depth + 1);
      return array;
    }
    // The count is only the sender's claim: a longer array is read into chunks of doubling size, so that no more
    // than twice what has been read is allocated, and joined at the end (faster than growing one array).
    const chunks: unknown[][] = [];
    for (let read = 0, size = PREALLOCATE_MAX; read < count; size *= 2) {
      const n = Math.min(size, count - read);
      const chunk = new Array<unknown>(n);
      for (let i = 0; i < n; i++) chunk[i] = this.#value(depth + 1);
      chunks.push(chunk);
      read += n;
    }
    return ([] as unknown[]).concat(...chunks);
  }

  /** A map key at `#pos`: a string, not a forbidden one. In `check()`, the empty string unless it is tracked. */
  #key(): string {
    const src = this.#src;
    const at = this.#pos;
    if (at >= this.#end) this.#truncated(at);
    const token = src[at] as number;
    this.#pos = at + 1;
    let length: number;
    if (token >= 0xa0 && token <= 0xbf) length = token & 0x1f;
    else if (token === 0xd9) length = this.#uint(1, at);
    else if (token === 0xda) length = this.#uint(2, at);
    else if (token === 0xdb) length = this.#uint(4, at);
    else return this.#fail(`map key at ${at - this.#start} is not a string (token 0x${hex(token)})`);
    const pos = this.#pos;
    if (length > this.#end - pos) this.#truncated(at);
    if ((length === 9 || length === 11) && isForbiddenKey(src, pos, length)) {
      this.#fail(
        `forbidden map key '${String.fromCharCode(...src.subarray(pos, pos + length))}' at ${at - this.#start}`,
      );
    }
    if (++this.#keyCount <= UNTRACKED_KEYS) {
      this.#pos = pos + length;
      this.#charge(DecodeCost.newKey + length, at);
      if (!this.#build) return "";
      return length <= KEY_MAX ? this.#cachedKey(pos, length) : this.#text(pos, length);
    }
    // Both decode() and check() compare the keys as strings, so they charge the same keys as new.
    this.#pos = pos + length;
    const key = this.#build && length <= KEY_MAX ? this.#cachedKey(pos, length) : this.#text(pos, length);
    const seen = (this.#keysSeen ??= new Set());
    if (!seen.has(key)) {
      seen.add(key);
      this.#charge(DecodeCost.newKey + length, at);
    }
    return key;
  }

  /** The key of `length` bytes at `pos`, from the cache when it holds it (ASCII keys only). */
  #cachedKey(pos: number, length: number): string {
    const src = this.#src;
    const cache = this.#keyCache as (string | undefined)[];
    let hash = length;
    for (let i = 0; i < length; i++) hash = (hash * 31 + (src[pos + i] as number)) | 0;
    const slot = hash & (KEY_SLOTS - 1);
    const cached = cache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== src[pos + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const key = this.#text(pos, length);
    // Only ASCII keys are cached: for them the byte and character comparison above is exact.
    if (key.length === length && isAscii(src, pos, length)) cache[slot] = key;
    return key;
  }

  /** A string value of `length` bytes at `#pos` (its token at `at`). */
  #string(length: number, at: number): string | null {
    const start = this.#pos;
    if (length > this.#end - start) this.#truncated(at);
    this.#pos = start + length;
    this.#charge(DecodeCost.string + length, at);
    return this.#build ? this.#text(start, length) : null;
  }

  /** The `length` bytes at `start` (known to be within the input) as text. */
  #text(start: number, length: number): string {
    const src = this.#src;
    const end = start + length;
    if (length <= 8) {
      // Short ASCII strings are built here, faster than by a call into the UTF-8 decoder up to about 8 characters.
      let ascii = "";
      for (let i = start; i < end; i++) {
        const byte = src[i] as number;
        if (byte >= 0x80) return utf8Slice.call(src, start, end);
        ascii += String.fromCharCode(byte);
      }
      return ascii;
    }
    return utf8Slice.call(src, start, end);
  }

  #binary(length: number, at: number): Buffer | null {
    const start = this.#pos;
    if (length > this.#end - start) this.#truncated(at);
    this.#pos = start + length;
    this.#charge(DecodeCost.binary + length, at);
    // A copy, so that the value does not pin the whole received chunk for as long as the application keeps it.
    return this.#build ? Buffer.from(this.#src.subarray(start, start + length)) : null;
  }

  /** An unsigned big-endian integer of `width` (1, 2 or 4) bytes at `#pos`, for the token at `at`. */
  #uint(width: number, at: number): number {
    const src = this.#src;
    const pos = this.#pos;
    if (pos + width > this.#end) this.#truncated(at);
    this.#pos = pos + width;
    if (width === 1) return src[pos] as number;
    if (width === 2) return ((src[pos] as number) << 8) | (src[pos + 1] as number);
    return (
      (src[pos] as number) * 0x100_0000 +
      (((src[pos + 1] as number) << 16) | ((src[pos + 2] as number) << 8) | (src[pos + 3] as number))
    );
  }

  #int64(signed: boolean, at: number): number {
    const high = signed ? this.#uint(4, at) | 0 : this.#uint(4, at);
    // Rounding to a double is monotonic, so anything beyond ±(2^53 − 1) still lands outside the safe range and
    // is caught; inside it the double is exact (this is what msgpackr's int64AsType "number" computes too).
    const value = high * 0x1_0000_0000 + this.#uint(4, at);
    if (!Number.isSafeInteger(value)) {
      this.#fail(`integer at ${at - this.#start} is beyond ±(2^53 - 1) and cannot be represented exactly`);
    }
    return value;
  }

  /** A float of `width` (4 or 8) bytes at `#pos`; NaN and the infinities are refused. */
  #float(width: 4 | 8, at: number): number {
    const src = this.#src;
    const pos = this.#pos;
    if (pos + width > this.#end) this.#truncated(at);
    // An exponent of all ones is Infinity or NaN.
    const b0 = (src[pos] as number) & 0x7f;
    const b1 = src[pos + 1] as number;
    if (width === 4 ? ((b0 << 1) | (b1 >> 7)) === 0xff : ((b0 << 4) | (b1 >> 4)) === 0x7ff) {
      this.#fail(`non-finite number (NaN or Infinity) at ${at - this.#start}`);
    }
    this.#pos = pos + width;
    if (!this.#build) return 0;
    if (this.#viewOf !== src) {
      this.#view = new DataView(src.buffer, src.byteOffset, src.byteLength);
      this.#viewOf = src;
    }
    const view = this.#view as DataView;
    return width === 4 ? view.getFloat32(pos) : view.getFloat64(pos);
  }

  /** The error for an extension whose type byte is at `typeAt`. */
  #extension(typeAt: number, at: number): never {
    if (typeAt >= this.#end) this.#truncated(at);
    const type = this.#src[typeAt] as number;
    const known = EXTENSION_NAMES[type];
    const what = known === undefined ? `${type}` : `${type} (${known})`;
    return this.#fail(`MessagePack extension type ${what} at ${at - this.#start} is not allowed`);
  }

  /** Adds the cost of the value at `at`, whose bytes have been read, and refuses it beyond the budget. */
  #charge(cost: number, at: number): void {
    const total = (this.#cost += cost);
    const read = this.#pos - this.#start;
    if (total > DECODE_BUDGET_PER_BYTE * read + DECODE_BUDGET_BASE) {
      const bound = `${DECODE_BUDGET_PER_BYTE} per byte + ${DECODE_BUDGET_BASE}`;
      this.#fail(
        `the value at ${at - this.#start} takes the cost of decoding the first ${read} bytes to ${total}, ` +
          `beyond ${bound}: too many arrays, maps, strings, binaries or distinct map keys for the size of the body`,
      );
    }
  }

  #trailing(): never {
    return this.#fail(
      `${this.#end - this.#pos} trailing bytes after the value at ${this.#pos - this.#start}`,
    );
  }

  #truncated(at: number): never {
    return this.#fail(`truncated value at ${at - this.#start}`);
  }

  #fail(message: string): never {
    this.#error = message;
    throw REFUSED;
  }
}
