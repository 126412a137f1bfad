/**
 * The walk of the decoder (plain-decoder.ts) over one value: the token of each value sends it to its reader, and
 * arrays and maps are entered only within the nesting depth, the bytes left and the budget. The nesting stack is the
 * call stack, at most `MAX_NESTING_DEPTH` frames deep: depth is checked before a container is entered. Scalars are
 * read by plain-scalars.ts, map keys by plain-keys.ts.
 */
import { MAX_NESTING_DEPTH, DecodeCost, hex } from "./plain-rules.js";
import { readKey } from "./plain-keys.js";
import { readBinary, readFloat, readInt64, readString, readUint, refuseExtension } from "./plain-scalars.js";
import type { PlainState } from "./plain-state.js";
import { charge, fail, truncated } from "./plain-state.js";

/** Arrays up to this many elements are allocated at their size at once; see `readArray()` for longer ones. */
const PREALLOCATE_MAX = 64 * 1024;

/** The value at the position, with `depth` containers around it. */
export function readValue(s: PlainState, depth: number): unknown {
  const at = s.pos;
  if (at >= s.end) truncated(s, at);
  const token = s.src[at] as number;
  s.pos = at + 1;
  if (token < 0x80) return token; // positive fixint
  if (token >= 0xe0) return token - 0x100; // negative fixint
  if (token < 0x90) return readMap(s, token & 0x0f, depth, at);
  if (token < 0xa0) return readArray(s, token & 0x0f, depth, at);
  if (token < 0xc0) return readString(s, token & 0x1f, at);
  switch (token) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc1:
      return fail(s, `reserved byte 0xc1 at ${at - s.start}`);
    case 0xc4: // bin 8, 16, 32
      return readBinary(s, readUint(s, 1, at), at);
    case 0xc5:
      return readBinary(s, readUint(s, 2, at), at);
    case 0xc6:
      return readBinary(s, readUint(s, 4, at), at);
    case 0xc7: // ext 8, 16, 32: the type byte follows the length
      return refuseExtension(s, at + 2, at);
    case 0xc8:
      return refuseExtension(s, at + 3, at);
    case 0xc9:
      return refuseExtension(s, at + 5, at);
    case 0xca:
      return readFloat(s, 4, at);
    case 0xcb:
      return readFloat(s, 8, at);
    case 0xcc: // uint 8, 16, 32
      return readUint(s, 1, at);
    case 0xcd:
      return readUint(s, 2, at);
    case 0xce:
      return readUint(s, 4, at);
    case 0xcf: // uint 64
      return readInt64(s, false, at);
    case 0xd0: // int 8, 16, 32
      return (readUint(s, 1, at) << 24) >> 24;
    case 0xd1:
      return (readUint(s, 2, at) << 16) >> 16;
    case 0xd2:
      return readUint(s, 4, at) | 0;
    case 0xd3: // int 64
      return readInt64(s, true, at);
    case 0xd4: // fixext 1, 2, 4, 8, 16
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return refuseExtension(s, at + 1, at);
    case 0xd9: // str 8, 16, 32
      return readString(s, readUint(s, 1, at), at);
    case 0xda:
      return readString(s, readUint(s, 2, at), at);
    case 0xdb:
      return readString(s, readUint(s, 4, at), at);
    case 0xdc: // array 16, 32
      return readArray(s, readUint(s, 2, at), depth, at);
    case 0xdd:
      return readArray(s, readUint(s, 4, at), depth, at);
    case 0xde: // map 16, 32
      return readMap(s, readUint(s, 2, at), depth, at);
    case 0xdf:
      return readMap(s, readUint(s, 4, at), depth, at);
    default:
      // Every byte value is covered above; this keeps the compiler's flow analysis and a future edit honest.
      return fail(s, `unknown token 0x${hex(token)} at ${at - s.start}`);
  }
}

/** Enters a container at `at` holding `items` values (a map's keys count), checking depth, bytes and budget. */
function enter(s: PlainState, items: number, depth: number, at: number): void {
  if (depth >= s.maxDepth) fail(s, `nesting deeper than ${MAX_NESTING_DEPTH} levels at ${at - s.start}`);
  // Every item takes at least one byte, so a count beyond what is left can never be satisfied.
  if (items > s.end - s.pos) truncated(s, at);
  charge(s, DecodeCost.container, at);
}

/** A map of `count` entries, its token at `at`; null when only checking. */
function readMap(s: PlainState, count: number, depth: number, at: number): Record<string, unknown> | null {
  enter(s, count * 2, depth, at);
  if (!s.build) {
    for (let i = 0; i < count; i++) {
      readKey(s);
      readValue(s, depth + 1);
    }
    return null;
  }
  const map: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = readKey(s);
    map[key] = readValue(s, depth + 1);
  }
  return map;
}

/** An array of `count` values, its token at `at`; null when only checking. */
function readArray(s: PlainState, count: number, depth: number, at: number): unknown[] | null {
  enter(s, count, depth, at);
  if (!s.build) {
    for (let i = 0; i < count; i++) readValue(s, depth + 1);
    return null;
  }
  if (count <= PREALLOCATE_MAX) {
    const array = new Array<unknown>(count);
    for (let i = 0; i < count; i++) array[i] = readValue(s, depth + 1);
    return array;
  }
  // The count is only the sender's claim: a longer array is read into chunks of doubling size, so that no more
  // than twice what has been read is allocated, and joined at the end (faster than growing one array).
  const chunks: unknown[][] = [];
  for (let read = 0, size = PREALLOCATE_MAX; read < count; size *= 2) {
    const n = Math.min(size, count - read);
    const chunk = new Array<unknown>(n);
    for (let i = 0; i < n; i++) chunk[i] = readValue(s, depth + 1);
    chunks.push(chunk);
    read += n;
  }
  return ([] as unknown[]).concat(...chunks);
}
