/**
 * The readers of the decoder's scalar values (plain-decoder.ts): integers, floats, strings and binary, each bounds-
 * checked against the body and charged to the budget, and the refusal of MessagePack extensions. Each reads at the
 * state's position (plain-state.ts), just past the value's token at `at`, and moves the position past the value.
 */
import { DecodeCost, EXTENSION_NAMES, utf8Slice } from "./plain-rules.js";
import type { PlainState } from "./plain-state.js";
import { charge, fail, truncated } from "./plain-state.js";

/** An unsigned big-endian integer of `width` (1, 2 or 4) bytes at the position, for the token at `at`. */
export function readUint(s: PlainState, width: number, at: number): number {
  const src = s.src;
  const pos = s.pos;
  if (pos + width > s.end) truncated(s, at);
  s.pos = pos + width;
  if (width === 1) return src[pos] as number;
  if (width === 2) return ((src[pos] as number) << 8) | (src[pos + 1] as number);
  return (
    (src[pos] as number) * 0x100_0000 +
    (((src[pos + 1] as number) << 16) | ((src[pos + 2] as number) << 8) | (src[pos + 3] as number))
  );
}

/**
 * A 64-bit integer (`signed` or not) at the position; beyond ±(2^53 − 1) it is refused. When fixing numbers
 * (`PlainState.fix`), it is rewritten as a float 64 of its value: msgpackr writes an int 64 only for a bigint, which
 * stands for a float (codec.ts, "Numbers").
 */
export function readInt64(s: PlainState, signed: boolean, at: number): number {
  const high = signed ? readUint(s, 4, at) | 0 : readUint(s, 4, at);
  // Rounding to a double is monotonic, so anything beyond ±(2^53 − 1) still lands outside the safe range and
  // is caught; inside it the double is exact (this is what msgpackr's int64AsType "number" computes too).
  const value = high * 0x1_0000_0000 + readUint(s, 4, at);
  if (!Number.isSafeInteger(value)) {
    fail(s, `integer at ${at - s.start} is beyond ±(2^53 - 1) and cannot be represented exactly`);
  }
  if (s.fix) {
    const src = s.src;
    src[at] = 0xcb;
    setFloat64(src, at + 1, value);
  }
  return value;
}

/**
 * A float of `width` (4 or 8) bytes at the position; NaN and the infinities are refused. When fixing numbers
 * (`PlainState.fix`), a float 64 of an integral value within ±(2^53 − 1) is rewritten as an int 64 or uint 64 of
 * the same 9 bytes: msgpackr writes an integer beyond 32 bits as a float 64 (codec.ts, "Numbers").
 */
export function readFloat(s: PlainState, width: 4 | 8, at: number): number {
  const src = s.src;
  const pos = s.pos;
  if (pos + width > s.end) truncated(s, at);
  // An exponent of all ones is Infinity or NaN.
  const b0 = (src[pos] as number) & 0x7f;
  const b1 = src[pos + 1] as number;
  if (width === 4 ? ((b0 << 1) | (b1 >> 7)) === 0xff : ((b0 << 4) | (b1 >> 4)) === 0x7ff) {
    fail(s, `non-finite number (NaN or Infinity) at ${at - s.start}`);
  }
  s.pos = pos + width;
  if (s.fix) {
    if (width === 8 && isSafeInteger64(src, pos)) writeInt64(src, at, getFloat64(src, pos));
    return 0;
  }
  if (!s.build) return 0;
  if (s.viewOf !== src) {
    s.view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    s.viewOf = src;
  }
  const view = s.view as DataView;
  return width === 4 ? view.getFloat32(pos) : view.getFloat64(pos);
}

/**
 * Whether the float 64 at `at` (finite) holds an integer within ±(2^53 − 1), told from its bits without making the
 * number: its exponent E puts it in [1, 2^53), and the mantissa bits worth less than 1 (the lowest 52 − E) are zero.
 * (Zero, the other integer, msgpackr never writes as a float.)
 */
function isSafeInteger64(src: Uint8Array, at: number): boolean {
  const b1 = src[at + 1] as number;
  const e = ((((src[at] as number) & 0x7f) << 4) | (b1 >> 4)) - 1023;
  if (e < 0 || e > 52) return false;
  // The 52 bits of the mantissa are the low 4 of byte 1 and bytes 2 to 7; the lowest `fraction` of them are worth
  // less than 1. Those nearest the point are looked at first: a value such as 1.5 has them set and its last ones not.
  const fraction = 52 - e;
  if (fraction > 32) {
    const high = ((b1 & 0x0f) << 16) | ((src[at + 2] as number) << 8) | (src[at + 3] as number);
    if ((high & ((1 << (fraction - 32)) - 1)) !== 0) return false;
    return (
      ((src[at + 4] as number) |
        (src[at + 5] as number) |
        (src[at + 6] as number) |
        (src[at + 7] as number)) ===
      0
    );
  }
  const low =
    ((src[at + 4] as number) << 24) |
    ((src[at + 5] as number) << 16) |
    ((src[at + 6] as number) << 8) |
    (src[at + 7] as number);
  // Shifted out, the bits worth 1 and more; what stays is the fraction (nothing when `fraction` is 0).
  return fraction === 0 || low << (32 - fraction) === 0;
}

/** A float 64 and its bytes, in the machine's order, for `getFloat64()` and `setFloat64()`. */
const FLOAT = new Float64Array(1);
const FLOAT_BYTES = new Uint8Array(FLOAT.buffer);
/** The byte of `FLOAT_BYTES` that goes `i`-th on the wire (big-endian) is `i ^ SWAP`. */
const SWAP = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 7 : 0;

/** The big-endian float 64 at `at`. */
function getFloat64(src: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) FLOAT_BYTES[i ^ SWAP] = src[at + i] as number;
  return FLOAT[0] as number;
}

/** Writes `value` as a big-endian float 64 at `at`. */
function setFloat64(src: Uint8Array, at: number, value: number): void {
  FLOAT[0] = value;
  for (let i = 0; i < 8; i++) src[at + i] = FLOAT_BYTES[i ^ SWAP] as number;
}

/** Writes the token and the value of the safe integer `value` as an int 64 (negative) or uint 64 at `at`. */
function writeInt64(src: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  const low = value - high * 0x1_0000_0000;
  src[at] = value < 0 ? 0xd3 : 0xcf;
  for (let i = 0; i < 4; i++) {
    // `high` is negative for a negative value: `>>` keeps its two's complement bits.
    src[at + 1 + i] = (high >> (24 - 8 * i)) & 0xff;
    src[at + 5 + i] = Math.floor(low / 2 ** (24 - 8 * i)) & 0xff;
  }
}

/** A string value of `length` bytes at the position (its token at `at`); null when only checking. */
export function readString(s: PlainState, length: number, at: number): string | null {
  const start = s.pos;
  if (length > s.end - start) truncated(s, at);
  s.pos = start + length;
  charge(s, DecodeCost.string + length, at);
  return s.build ? text(s, start, length) : null;
}

/** The `length` bytes at `start` (known to be within the input) as text. */
export function text(s: PlainState, start: number, length: number): string {
  const src = s.src;
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

/** A binary of `length` bytes at the position (its token at `at`); null when only checking. */
export function readBinary(s: PlainState, length: number, at: number): Buffer | null {
  const start = s.pos;
  if (length > s.end - start) truncated(s, at);
  s.pos = start + length;
  charge(s, DecodeCost.binary + length, at);
  // A copy, so that the value does not pin the whole received chunk for as long as the application keeps it.
  return s.build ? Buffer.from(s.src.subarray(start, start + length)) : null;
}

/** The error for an extension whose type byte is at `typeAt`. */
export function refuseExtension(s: PlainState, typeAt: number, at: number): never {
  if (typeAt >= s.end) truncated(s, at);
  const type = s.src[typeAt] as number;
  const known = EXTENSION_NAMES[type];
  const what = known === undefined ? `${type}` : `${type} (${known})`;
  return fail(s, `MessagePack extension type ${what} at ${at - s.start} is not allowed`);
}
