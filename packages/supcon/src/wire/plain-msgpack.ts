/**
 * A validating scan of MessagePack bytes, run before msgpackr sees them (on receipt) and after msgpackr wrote them
 * (before sending).
 *
 * msgpackr decodes extension types whatever its options say: timestamps become `Date`s, `0x72` defines records that
 * change how later bytes decode, others build `Error`, `RegExp`, `Set`, typed arrays, `BigInt` or structured-clone
 * graphs, and its extension table is global to the process, so it cannot be switched off for one `Unpackr` without
 * affecting the user's own use of msgpackr. Checking the bytes first means hostile input never reaches that code:
 * only data that decodes to plain values is unpacked at all. The scan is iterative with a fixed-size stack, so deep
 * nesting is refused here rather than overflowing msgpackr's recursive reader.
 */

/**
 * Deepest nesting of arrays and maps accepted in one message body, counting the message array itself. A CALL's
 * argument values start at level 3 (message array, args map), so they may nest 97 levels deep.
 */
export const MAX_NESTING_DEPTH = 100;

// Containers open during a scan: items still to read in each, and whether it is a map (its items then alternate
// key, value; `remaining` counts both). Level 0 is the top level, which holds exactly one value. Shared by every
// scan: a scan is synchronous and never re-entered, and this keeps it free of allocation.
const remaining = new Float64Array(MAX_NESTING_DEPTH + 1);
const isMap = new Uint8Array(MAX_NESTING_DEPTH + 1);

/** What msgpackr builds for each extension type it knows; named in errors so a sender can tell what it sent. */
const EXTENSION_NAMES: Readonly<Record<number, string>> = {
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

/**
 * Checks that `bytes[start, end)` hold exactly one MessagePack value made only of plain data: nil, booleans, finite
 * numbers, integers within ±(2^53 − 1), strings, binary, arrays, and maps whose keys are strings other than
 * `__proto__`, `constructor` and `prototype`, nested at most `maxDepth` deep. Extension types, the reserved
 * byte 0xc1, truncated values and trailing bytes are refused.
 *
 * @returns undefined when the bytes are acceptable, otherwise what is wrong (with the byte offset).
 */
export function checkPlainMsgpack(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  maxDepth = MAX_NESTING_DEPTH,
): string | undefined {
  let pos = start;
  let depth = 0;
  remaining[0] = 1;
  isMap[0] = 0;
  for (;;) {
    while (remaining[depth] === 0) {
      if (depth === 0)
        return pos === end ? undefined : `${end - pos} trailing bytes after the value at ${pos}`;
      depth--;
    }
    if (pos >= end) return truncated(pos);
    const at = pos;
    const left = (remaining[depth] as number) - 1;
    remaining[depth] = left;
    const token = bytes[pos++] as number;

    // A map's items alternate key, value and `remaining` counts down from an even number, so an odd count left
    // after taking this item means it is a key.
    if (isMap[depth] === 1 && left % 2 === 1) {
      let length: number;
      if (token >= 0xa0 && token <= 0xbf) length = token & 0x1f;
      else if (token === 0xd9) {
        if (pos + 1 > end) return truncated(at);
        length = bytes[pos++] as number;
      } else if (token === 0xda) {
        if (pos + 2 > end) return truncated(at);
        length = readUint16(bytes, pos);
        pos += 2;
      } else if (token === 0xdb) {
        if (pos + 4 > end) return truncated(at);
        length = readUint32(bytes, pos);
        pos += 4;
      } else return `map key at ${at} is not a string (token 0x${hex(token)})`;
      if (length > end - pos) return truncated(at);
      if ((length === 9 || length === 11) && isForbiddenKey(bytes, pos, length)) {
        return `forbidden map key '${String.fromCharCode(...bytes.subarray(pos, pos + length))}' at ${at}`;
      }
      pos += length;
      continue;
    }

    if (token < 0x80 || token >= 0xe0) continue; // positive and negative fixint
    let count: number; // items of a container opened by this token
    let map = 0;
    if (token <= 0x8f) {
      count = (token & 0x0f) * 2;
      map = 1;
    } else if (token <= 0x9f) {
      count = token & 0x0f;
    } else if (token <= 0xbf) {
      pos += token & 0x1f; // fixstr
      if (pos > end) return truncated(at);
      continue;
    } else {
      switch (token) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          continue;
        case 0xc1:
          return `reserved byte 0xc1 at ${at}`;
        case 0xc4: // bin 8
        case 0xd9: // str 8
          if (pos + 1 > end) return truncated(at);
          pos += 1 + (bytes[pos] as number);
          if (pos > end) return truncated(at);
          continue;
        case 0xc5: // bin 16
        case 0xda: // str 16
          if (pos + 2 > end) return truncated(at);
          pos += 2 + readUint16(bytes, pos);
          if (pos > end) return truncated(at);
          continue;
        case 0xc6: // bin 32
        case 0xdb: // str 32
          if (pos + 4 > end) return truncated(at);
          pos += 4 + readUint32(bytes, pos);
          if (pos > end) return truncated(at);
          continue;
        case 0xc7: // ext 8
          return extension(bytes, pos + 1, end, at);
        case 0xc8: // ext 16
          return extension(bytes, pos + 2, end, at);
        case 0xc9: // ext 32
          return extension(bytes, pos + 4, end, at);
        case 0xd4: // fixext 1, 2, 4, 8, 16
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
          return extension(bytes, pos, end, at);
        case 0xca: // float 32: an exponent of all ones is Infinity or NaN
          if (pos + 4 > end) return truncated(at);
          if ((((bytes[pos] as number) & 0x7f) << 1) + ((bytes[pos + 1] as number) >> 7) === 0xff) {
            return nonFinite(at);
          }
          pos += 4;
          continue;
        case 0xcb: // float 64
          if (pos + 8 > end) return truncated(at);
          if ((((bytes[pos] as number) & 0x7f) << 4) + ((bytes[pos + 1] as number) >> 4) === 0x7ff) {
            return nonFinite(at);
          }
          pos += 8;
          continue;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          pos += 1;
          if (pos > end) return truncated(at);
          continue;
        case 0xcd: // uint 16
        case 0xd1: // int 16
          pos += 2;
          if (pos > end) return truncated(at);
          continue;
        case 0xce: // uint 32
        case 0xd2: // int 32
          pos += 4;
          if (pos > end) return truncated(at);
          continue;
        case 0xcf: // uint 64
        case 0xd3: {
          // int 64. Rounding to a double is monotonic, so anything beyond ±(2^53 − 1) still lands outside the
          // safe range and is caught; inside it the double is exact (this is what msgpackr's int64AsType "number"
          // computes too).
          if (pos + 8 > end) return truncated(at);
          const high = token === 0xcf ? readUint32(bytes, pos) : readUint32(bytes, pos) | 0;
          if (!Number.isSafeInteger(high * 0x1_0000_0000 + readUint32(bytes, pos + 4))) {
            return `integer at ${at} is beyond ±(2^53 - 1) and cannot be represented exactly`;
          }
          pos += 8;
          continue;
        }
        case 0xdc: // array 16
          if (pos + 2 > end) return truncated(at);
          count = readUint16(bytes, pos);
          pos += 2;
          break;
        case 0xdd: // array 32
          if (pos + 4 > end) return truncated(at);
          count = readUint32(bytes, pos);
          pos += 4;
          break;
        case 0xde: // map 16
          if (pos + 2 > end) return truncated(at);
          count = readUint16(bytes, pos) * 2;
          pos += 2;
          map = 1;
          break;
        case 0xdf: // map 32
          if (pos + 4 > end) return truncated(at);
          count = readUint32(bytes, pos) * 2;
          pos += 4;
          map = 1;
          break;
        default:
          // Every byte value is covered above; this keeps the compiler's flow analysis and a future edit honest.
          return `unknown token 0x${hex(token)} at ${at}`;
      }
    }
    // A container: every item takes at least one byte, so a count beyond what is left can never be satisfied
    // (this also bounds the work of a scan by the number of bytes).
    if (depth >= maxDepth) return `nesting deeper than ${MAX_NESTING_DEPTH} levels at ${at}`;
    if (count > end - pos) return truncated(at);
    if (count > 0) {
      depth++;
      remaining[depth] = count;
      isMap[depth] = map;
    }
  }
}

// "__proto__", "prototype" and "constructor": assigning them to a plain object would change its prototype or shadow
// what code expects of objects; the protocol refuses them outright (docs/PROTOCOL.md).
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];
const PROTOTYPE = [0x70, 0x72, 0x6f, 0x74, 0x6f, 0x74, 0x79, 0x70, 0x65];
const CONSTRUCTOR = [0x63, 0x6f, 0x6e, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x6f, 0x72];

function isForbiddenKey(bytes: Uint8Array, pos: number, length: number): boolean {
  if (length === 11) return matches(bytes, pos, CONSTRUCTOR);
  return matches(bytes, pos, PROTO) || matches(bytes, pos, PROTOTYPE);
}

function matches(bytes: Uint8Array, pos: number, word: readonly number[]): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[pos + i] !== word[i]) return false;
  return true;
}

/** The error for an extension whose type byte is at `typeAt`. */
function extension(bytes: Uint8Array, typeAt: number, end: number, at: number): string {
  if (typeAt >= end) return truncated(at);
  const type = bytes[typeAt] as number;
  const known = EXTENSION_NAMES[type];
  return `MessagePack extension type ${type}${known === undefined ? "" : ` (${known})`} at ${at} is not allowed`;
}

function truncated(at: number): string {
  return `truncated value at ${at}`;
}

function nonFinite(at: number): string {
  return `non-finite number (NaN or Infinity) at ${at}`;
}

function readUint16(bytes: Uint8Array, pos: number): number {
  return ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number);
}

function readUint32(bytes: Uint8Array, pos: number): number {
  return (
    (bytes[pos] as number) * 0x100_0000 +
    (((bytes[pos + 1] as number) << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number))
  );
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
