/**
 * Decodes the MessagePack payload of a message (args, out) that `checkPlainMsgpack()` has accepted: plain data
 * only, well formed, not too deep. It builds what msgpackr builds for such data (objects with `{}` as prototype,
 * arrays, strings, numbers, booleans, null, and a `Buffer` copy for binary), without msgpackr's per-call set-up or
 * the native call it makes for the first string of every value, which dominated the receiving side of small
 * messages in the profiles. Bodies that are not plain data never get here: the scan refuses them first.
 *
 * Map keys are read through a small cache, so the same few keys of every message (`timer`, `seconds`) are one
 * string each rather than a new string per message that the engine must then look up to use as a property name.
 */

/** Where decoding is in `src`. (Module state: decoding is synchronous and never nested.) */
let src: Uint8Array = new Uint8Array(0);
let pos = 0;

/**
 * The value in `bytes[start, end)`, which must have passed `checkPlainMsgpack()` (one plain value, nothing after
 * it); otherwise the result is unspecified.
 */
export function decodePlain(bytes: Uint8Array, start: number, end: number): unknown {
  src = bytes;
  pos = start;
  const value = read();
  if (pos !== end) throw new Error(`decodePlain: the value ends at ${pos}, not at ${end}`);
  src = EMPTY;
  return value;
}

const EMPTY = new Uint8Array(0);

function read(): unknown {
  const token = src[pos++] as number;
  if (token < 0x80) return token;
  if (token < 0x90) return readMap(token & 0x0f);
  if (token < 0xa0) return readArray(token & 0x0f);
  if (token < 0xc0) return readString(token & 0x1f);
  if (token >= 0xe0) return token - 0x100;
  switch (token) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return readBinary(uint8());
    case 0xc5:
      return readBinary(uint16());
    case 0xc6:
      return readBinary(uint32());
    case 0xca: {
      const value = view().getFloat32(pos);
      pos += 4;
      return value;
    }
    case 0xcb: {
      const value = view().getFloat64(pos);
      pos += 8;
      return value;
    }
    case 0xcc:
      return uint8();
    case 0xcd:
      return uint16();
    case 0xce:
      return uint32();
    case 0xcf: {
      const high = uint32();
      return high * 0x1_0000_0000 + uint32();
    }
    case 0xd0:
      return (uint8() << 24) >> 24;
    case 0xd1:
      return (uint16() << 16) >> 16;
    case 0xd2:
      return uint32() | 0;
    case 0xd3: {
      const high = uint32() | 0;
      return high * 0x1_0000_0000 + uint32();
    }
    case 0xd9:
      return readString(uint8());
    case 0xda:
      return readString(uint16());
    case 0xdb:
      return readString(uint32());
    case 0xdc:
      return readArray(uint16());
    case 0xdd:
      return readArray(uint32());
    case 0xde:
      return readMap(uint16());
    case 0xdf:
      return readMap(uint32());
    default:
      throw new Error(`decodePlain: token 0x${token.toString(16)} at ${pos - 1} is not plain data`);
  }
}

function readMap(count: number): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = readKey();
    map[key] = read();
  }
  return map;
}

function readArray(count: number): unknown[] {
  const array = new Array<unknown>(count);
  for (let i = 0; i < count; i++) array[i] = read();
  return array;
}

function readKey(): string {
  const token = src[pos++] as number;
  const length =
    token >= 0xa0 && token <= 0xbf
      ? token & 0x1f
      : token === 0xd9
        ? uint8()
        : token === 0xda
          ? uint16()
          : uint32();
  return length <= KEY_MAX ? cachedKey(length) : readString(length);
}

/** Keys up to this many bytes go through the cache. */
const KEY_MAX = 32;
const KEY_SLOTS = 4096;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS);

/** The key of `length` bytes at `pos`, from the cache when it holds it (ASCII keys only). */
function cachedKey(length: number): string {
  let hash = length;
  for (let i = 0; i < length; i++) hash = (hash * 31 + (src[pos + i] as number)) | 0;
  const slot = hash & (KEY_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== src[pos + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      pos += length;
      return cached;
    }
  }
  const start = pos;
  const key = readString(length);
  // Only ASCII keys are cached: for them the byte and character comparison above is exact.
  if (key.length === length && isAscii(start, length)) keyCache[slot] = key;
  return key;
}

function isAscii(start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if ((src[start + i] as number) >= 0x80) return false;
  return true;
}

function readString(length: number): string {
  const start = pos;
  pos += length;
  if (length < 16) {
    // Short ASCII strings are built here; anything else goes through the UTF-8 decoder.
    let ascii = "";
    for (let i = start; i < pos; i++) {
      const byte = src[i] as number;
      if (byte >= 0x80) return utf8(start, pos);
      ascii += String.fromCharCode(byte);
    }
    return ascii;
  }
  return utf8(start, pos);
}

/** Node's UTF-8 decoder of a byte range, without making a Buffer view first (invalid sequences become U+FFFD). */
const utf8Slice = (
  Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }
).utf8Slice;

function utf8(start: number, end: number): string {
  return utf8Slice.call(src, start, end);
}

function readBinary(length: number): Buffer {
  const start = pos;
  pos += length;
  // A copy, so that the value does not pin the whole received chunk for as long as the application keeps it.
  return Buffer.from(src.subarray(start, pos));
}

let viewOf: Uint8Array = EMPTY;
let cachedView: DataView = new DataView(new ArrayBuffer(0));

/** A DataView of `src`, made once per buffer (a chunk holds many messages). */
function view(): DataView {
  if (viewOf !== src) {
    cachedView = new DataView(src.buffer, src.byteOffset, src.byteLength);
    viewOf = src;
  }
  return cachedView;
}

function uint8(): number {
  return src[pos++] as number;
}

function uint16(): number {
  const value = ((src[pos] as number) << 8) | (src[pos + 1] as number);
  pos += 2;
  return value;
}

function uint32(): number {
  const value =
    (src[pos] as number) * 0x100_0000 +
    (((src[pos + 1] as number) << 16) | ((src[pos + 2] as number) << 8) | (src[pos + 3] as number));
  pos += 4;
  return value;
}
