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

/** A 64-bit integer (`signed` or not) at the position; beyond ±(2^53 − 1) it is refused. */
export function readInt64(s: PlainState, signed: boolean, at: number): number {
  const high = signed ? readUint(s, 4, at) | 0 : readUint(s, 4, at);
  // Rounding to a double is monotonic, so anything beyond ±(2^53 − 1) still lands outside the safe range and
  // is caught; inside it the double is exact (this is what msgpackr's int64AsType "number" computes too).
  const value = high * 0x1_0000_0000 + readUint(s, 4, at);
  if (!Number.isSafeInteger(value)) {
    fail(s, `integer at ${at - s.start} is beyond ±(2^53 - 1) and cannot be represented exactly`);
  }
  return value;
}

/** A float of `width` (4 or 8) bytes at the position; NaN and the infinities are refused. */
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
  if (!s.build) return 0;
  if (s.viewOf !== src) {
    s.view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    s.viewOf = src;
  }
  const view = s.view as DataView;
  return width === 4 ? view.getFloat32(pos) : view.getFloat64(pos);
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
