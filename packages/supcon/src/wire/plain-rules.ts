/**
 * What counts as plain data, and what decoding it may cost (docs/PROTOCOL.md, "Frames" and "Limits"): the bounds
 * and tables the decoder (`plain-decoder.ts`) applies.
 */
/**
 * Deepest nesting of arrays and maps accepted in one message body, counting the message array itself. A CALL's
 * argument values start at level 3 (message array, args map), so they may nest 97 levels deep.
 */
export const MAX_NESTING_DEPTH = 100;

/** What decoding may cost (`DecodeCost`) per byte of the body read so far… */
export const DECODE_BUDGET_PER_BYTE = 4;
/** …plus this much, so that small bodies may have any shape. */
export const DECODE_BUDGET_BASE = 2 * 1024 * 1024;
/**
 * The base of an ADVERT's budget instead, so that every advert within the protocol's bounds (4,096 paths, 65,536
 * entries; docs/PROTOCOL.md "Link state") decodes: each path is a new key of its `objects` map (about 560 more than
 * its bytes earn, 2.3 Mi for 4,096 short paths), each other entry a string (at most 17 more: 1.1 Mi), on top of the
 * base every body has. An attacker gains 4 MiB of decoding per frame by it, about 8 ms.
 */
export const ADVERT_DECODE_BUDGET_BASE = 6 * 1024 * 1024;

/**
 * What decoding each part of a body costs, in bytes: about what it takes in memory once decoded (V8 on 64 bits,
 * from measurements), more for what takes long to build. Strings, binaries and new keys cost their length in bytes
 * on top. Numbers, booleans and nil cost nothing here (their slot is bounded by their bytes; see the module
 * comment).
 */
export const DecodeCost = {
  /** An array or map: an object of its own (about 25 ns to build). */
  container: 56,
  /** A string, but not a map key (about 40 ns). */
  string: 24,
  /** A binary: a `Buffer` of its own (about 250 ns). */
  binary: 256,
  /**
   * A map key that does not occur earlier in the body; each of the body's first `UNTRACKED_KEYS` keys counts as
   * one. V8 makes a new key into a property name and a new object shape, which takes about a microsecond. Keys
   * that repeat (the fields of many records) cost nothing.
   */
  newKey: 512,
} as const;

/**
 * The first keys of a body are charged as new without being compared: most bodies have fewer, and tracking the
 * keys seen would cost every small message.
 */
export const UNTRACKED_KEYS = 256;

/** What msgpackr builds for each extension type it knows; named in errors so a sender can tell what it sent. */
export const EXTENSION_NAMES: Readonly<Record<number, string>> = {
  0x00: "undefined",
  0x42: "BigInt",
  0x62: "msgpackr string bundle",
  0x65: "Error",
  0x69: "structured-clone reference",
  0x70: "structured-clone pointer",
  0x72: "msgpackr record definition",
  0x73: "Set",
  0x74: "typed array",
  0x78: "RegExp",
  0xff: "timestamp (Date)",
};

// "__proto__", "prototype" and "constructor": assigning them to a plain object would change its prototype or shadow
// what code expects of objects; the protocol refuses them outright (docs/PROTOCOL.md).
export const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];
export const PROTOTYPE = [0x70, 0x72, 0x6f, 0x74, 0x6f, 0x74, 0x79, 0x70, 0x65];
export const CONSTRUCTOR = [0x63, 0x6f, 0x6e, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x6f, 0x72];

export function isForbiddenKey(bytes: Uint8Array, pos: number, length: number): boolean {
  if (length === 11) return matches(bytes, pos, CONSTRUCTOR);
  return matches(bytes, pos, PROTO) || matches(bytes, pos, PROTOTYPE);
}

export function matches(bytes: Uint8Array, pos: number, word: readonly number[]): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[pos + i] !== word[i]) return false;
  return true;
}

export function isAscii(bytes: Uint8Array, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if ((bytes[start + i] as number) >= 0x80) return false;
  return true;
}

/** Node's UTF-8 decoder of a byte range, without making a Buffer view first (invalid sequences become U+FFFD). */
export const utf8Slice = (
  Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }
).utf8Slice;

export function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
