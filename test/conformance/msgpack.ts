/**
 * A minimal MessagePack encoder and decoder, written from the MessagePack specification for the conformance tests:
 * they build and read frames with it rather than with the runtime's codec, so that they check the node against
 * docs/PROTOCOL.md, not the code against itself. Numbers keep their kind both ways: the decoder returns a float as a
 * `Float` (an integer as a number, or a bigint beyond ±(2^53 − 1)), and the encoder writes a `Float` as a float, an
 * `Int` in the format asked for, and a plain number as an integer when it is integral, else as a float 64.
 */

/** A float read from or to be written to the wire: its value and its width in bits. */
export class Float {
  constructor(
    readonly value: number,
    readonly bits: 32 | 64 = 64,
  ) {}
}

/** An integer to be written in a given format (`u8`…`i64`, or the shortest with "auto"). */
export class Int {
  constructor(
    readonly value: number | bigint,
    readonly format: IntFormat = "auto",
  ) {}
}
export type IntFormat = "auto" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";

/** Bytes written as they are (an element already encoded, or something no encoder would write). */
export class Raw {
  constructor(readonly bytes: Uint8Array) {}
}

/** A MessagePack extension value (type and data), for the tests that check it is refused. */
export class Ext {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}

export const f64 = (value: number): Float => new Float(value, 64);
export const f32 = (value: number): Float => new Float(value, 32);
export const int = (value: number | bigint, format: IntFormat = "auto"): Int => new Int(value, format);
export const raw = (bytes: Uint8Array | readonly number[]): Raw => new Raw(Uint8Array.from(bytes));

/** Encodes `value`: null, booleans, numbers, `Float`, `Int`, strings, Uint8Array (bin), arrays, objects (maps). */
export function encode(value: unknown): Buffer {
  const out: number[] = [];
  write(out, value);
  return Buffer.from(out);
}

function write(out: number[], v: unknown): void {
  if (v === null || v === undefined) out.push(0xc0);
  else if (v === false) out.push(0xc2);
  else if (v === true) out.push(0xc3);
  else if (typeof v === "number") {
    if (Number.isSafeInteger(v)) writeInt(out, v, "auto");
    else writeFloat(out, v, 64);
  } else if (typeof v === "bigint") writeInt(out, v, "auto");
  else if (v instanceof Float) writeFloat(out, v.value, v.bits);
  else if (v instanceof Int) writeInt(out, v.value, v.format);
  else if (v instanceof Raw) out.push(...v.bytes);
  else if (v instanceof Ext) writeExt(out, v);
  else if (typeof v === "string") writeString(out, v);
  else if (v instanceof Uint8Array) writeBin(out, v);
  else if (Array.isArray(v)) {
    writeHeader(out, v.length, 0x90, 0xdc, 0xdd);
    for (const item of v) write(out, item);
  } else if (typeof v === "object") {
    const keys = Object.keys(v);
    writeHeader(out, keys.length, 0x80, 0xde, 0xdf);
    for (const key of keys) {
      writeString(out, key);
      write(out, (v as Record<string, unknown>)[key]);
    }
  } else throw new TypeError(`cannot encode ${typeof v}`);
}

function writeHeader(out: number[], n: number, fix: number, h16: number, h32: number): void {
  if (n < 16) out.push(fix | n);
  else if (n < 0x10000) out.push(h16, n >> 8, n & 0xff);
  else out.push(h32, ...be(BigInt(n), 4));
}

function writeString(out: number[], s: string): void {
  const bytes = Buffer.from(s, "utf8");
  const n = bytes.length;
  if (n < 32) out.push(0xa0 | n);
  else if (n < 0x100) out.push(0xd9, n);
  else if (n < 0x10000) out.push(0xda, n >> 8, n & 0xff);
  else out.push(0xdb, ...be(BigInt(n), 4));
  out.push(...bytes);
}

function writeBin(out: number[], b: Uint8Array): void {
  const n = b.length;
  if (n < 0x100) out.push(0xc4, n);
  else if (n < 0x10000) out.push(0xc5, n >> 8, n & 0xff);
  else out.push(0xc6, ...be(BigInt(n), 4));
  out.push(...b);
}

function writeExt(out: number[], e: Ext): void {
  const n = e.data.length;
  const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
  const token = fixed[n];
  if (token !== undefined) out.push(token, e.type & 0xff);
  else out.push(0xc7, n, e.type & 0xff);
  out.push(...e.data);
}

const FORMATS: Record<Exclude<IntFormat, "auto">, [number, number, boolean]> = {
  u8: [0xcc, 1, false],
  u16: [0xcd, 2, false],
  u32: [0xce, 4, false],
  u64: [0xcf, 8, false],
  i8: [0xd0, 1, true],
  i16: [0xd1, 2, true],
  i32: [0xd2, 4, true],
  i64: [0xd3, 8, true],
};

function writeInt(out: number[], value: number | bigint, format: IntFormat): void {
  const n = BigInt(value);
  if (format === "auto") {
    if (n >= 0n && n < 0x80n) return void out.push(Number(n));
    if (n < 0n && n >= -32n) return void out.push(0x100 + Number(n));
    format =
      n >= 0n
        ? n < 0x100n
          ? "u8"
          : n < 0x10000n
            ? "u16"
            : n < 0x1_0000_0000n
              ? "u32"
              : "u64"
        : n >= -0x80n
          ? "i8"
          : n >= -0x8000n
            ? "i16"
            : n >= -0x8000_0000n
              ? "i32"
              : "i64";
  }
  const [token, width] = FORMATS[format];
  out.push(token, ...be(n, width));
}

/** `n` as `width` big-endian bytes, two's complement. */
function be(n: bigint, width: number): number[] {
  const bytes: number[] = [];
  let x = BigInt.asUintN(width * 8, n);
  for (let i = 0; i < width; i++) {
    bytes.unshift(Number(x & 0xffn));
    x >>= 8n;
  }
  return bytes;
}

function writeFloat(out: number[], value: number, bits: 32 | 64): void {
  const b = Buffer.alloc(bits / 8);
  if (bits === 32) b.writeFloatBE(value);
  else b.writeDoubleBE(value);
  out.push(bits === 32 ? 0xca : 0xcb, ...b);
}

/** What `decode()` makes of an extension: its type and data (the node must never send one). */
export interface DecodedExt {
  readonly ext: number;
  readonly data: Buffer;
}

/**
 * Decodes the one value filling `bytes` (throws on trailing bytes or a truncated value). Floats come back as
 * `Float`, integers as numbers (bigints beyond ±(2^53 − 1)), bin as Buffer, maps as objects with every key own.
 */
export function decode(bytes: Uint8Array): unknown {
  const r = { b: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos: 0 };
  const value = read(r);
  if (r.pos !== r.b.length) throw new Error(`${r.b.length - r.pos} trailing bytes`);
  return value;
}

interface Reader {
  readonly b: Buffer;
  pos: number;
}

function take(r: Reader, n: number): Buffer {
  if (r.pos + n > r.b.length) throw new Error(`truncated at ${r.pos}`);
  const out = r.b.subarray(r.pos, r.pos + n);
  r.pos += n;
  return out;
}

function uintOf(r: Reader, width: number): number {
  const b = take(r, width);
  let n = 0;
  for (const byte of b) n = n * 256 + byte;
  return n;
}

function read(r: Reader): unknown {
  const t = take(r, 1)[0] as number;
  if (t < 0x80) return t;
  if (t >= 0xe0) return t - 0x100;
  if (t < 0x90) return readMap(r, t & 0x0f);
  if (t < 0xa0) return readArray(r, t & 0x0f);
  if (t < 0xc0) return take(r, t & 0x1f).toString("utf8");
  switch (t) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return Buffer.from(take(r, uintOf(r, 1 << (t - 0xc4))));
    case 0xc7:
    case 0xc8:
    case 0xc9: {
      const n = uintOf(r, 1 << (t - 0xc7));
      const type = take(r, 1)[0] as number;
      return { ext: type, data: Buffer.from(take(r, n)) } satisfies DecodedExt;
    }
    case 0xca:
      return new Float(take(r, 4).readFloatBE(), 32);
    case 0xcb:
      return new Float(take(r, 8).readDoubleBE(), 64);
    case 0xcc:
    case 0xcd:
    case 0xce:
      return uintOf(r, 1 << (t - 0xcc));
    case 0xcf:
      return safe(take(r, 8).readBigUInt64BE());
    case 0xd0:
      return take(r, 1).readInt8();
    case 0xd1:
      return take(r, 2).readInt16BE();
    case 0xd2:
      return take(r, 4).readInt32BE();
    case 0xd3:
      return safe(take(r, 8).readBigInt64BE());
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: {
      const type = take(r, 1)[0] as number;
      return { ext: type, data: Buffer.from(take(r, 1 << (t - 0xd4))) } satisfies DecodedExt;
    }
    case 0xd9:
    case 0xda:
    case 0xdb:
      return take(r, uintOf(r, 1 << (t - 0xd9))).toString("utf8");
    case 0xdc:
      return readArray(r, uintOf(r, 2));
    case 0xdd:
      return readArray(r, uintOf(r, 4));
    case 0xde:
      return readMap(r, uintOf(r, 2));
    case 0xdf:
      return readMap(r, uintOf(r, 4));
    default:
      throw new Error(`reserved byte 0x${t.toString(16)} at ${r.pos - 1}`);
  }
}

function safe(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function readArray(r: Reader, n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(read(r));
  return out;
}

function readMap(r: Reader, n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = read(r);
    if (typeof key !== "string") throw new Error(`map key ${String(key)} is not a string`);
    Object.defineProperty(out, key, { value: read(r), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The MessagePack kind of a decoded number: "int" or "float" (anything else: "other"). */
export function kindOf(v: unknown): "int" | "float" | "other" {
  if (v instanceof Float) return "float";
  if (typeof v === "number" || typeof v === "bigint") return "int";
  return "other";
}
