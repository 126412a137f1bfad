/**
 * The codec: protocol messages to length-prefixed frames and frame bodies back to messages, with msgpackr
 * configured for plain data only (docs/PROTOCOL.md, "Frames").
 *
 * Plain data both ways. Received bytes are checked by `checkPlainMsgpack()` before msgpackr reads them, so no
 * extension handler, record definition or deep recursion of msgpackr ever runs on input from the network. Packed
 * bytes get the same check before they are sent, because msgpackr silently writes some values as extensions
 * (`Date` as a timestamp): refusing them here fails one message on the sender instead of having the receiver close
 * the whole link.
 *
 * `undefined`: a property whose value is `undefined` is sent as nil (like an absent optional argument, which the
 * receiving side's validation treats the same way); `undefined` in an array or as a field of a message is sent as
 * nil too. Dropping such properties instead (JSON's choice) would cost an extra pass over every object packed.
 * Other values follow msgpackr: -0 is sent as 0, a class instance as a map of its own enumerable properties (or its
 * `toJSON()`), a `Set` as an array; the API validates `any` values as plain data before they get here.
 */
import { Packr, RESERVE_START_SPACE, Unpackr } from "msgpackr";
import { DEFAULT_MAX_FRAME_BYTES } from "../api/options.js";
import { WireError, WireErrorCode } from "./errors.js";
import { FRAME_HEADER_BYTES, MAX_FRAME_LENGTH, writeFrameHeader } from "./frame.js";
import type { Message } from "./messages.js";
import type { CallMessage, ResultMessage } from "./messages.js";
import { MessageType, messageTypeName, parseMessage, toWire } from "./messages.js";
import { checkPlainMsgpack } from "./plain-msgpack.js";

/** The outcome of decoding a frame body: a message, or why the body is not one (the link then closes). */
export type DecodeResult =
  | { readonly ok: true; readonly message: Message }
  | { readonly ok: false; readonly code: typeof WireErrorCode.ProtocolError; readonly message: string };

// One dedicated instance each, never shared with other users of msgpackr in the process (whose options could
// differ). Records, structured clones, string bundles and the extra extension types are all off, and undefined is
// written as nil rather than as msgpackr's fixext "undefined".
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  bundleStrings: false,
  encodeUndefinedAsNil: true,
  useBigIntExtension: false,
  largeBigIntToFloat: false,
  largeBigIntToString: false,
  useFloat32: 0, // never: numbers keep their full double precision
  // Sized map headers. msgpackr's default writes every object with a map 16 header, which cannot hold an object of
  // more than 65,535 keys (a legitimate map<T>); this costs one Object.keys() per object and saves 2 bytes on small
  // ones.
  variableMapSize: true,
});

// Input has passed checkPlainMsgpack(), so most of these only restate defaults; they are spelled out so that a
// change to msgpackr's defaults cannot widen what is accepted. int64AsType "number" is exact because the scan has
// already refused 64-bit integers beyond ±(2^53 − 1). copyBuffers: a received `bin` becomes its own copy, not a
// view that would pin the whole socket chunk it arrived in for as long as the application keeps it.
const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  mapsAsObjects: true,
  bundleStrings: false,
  int64AsType: "number",
  copyBuffers: true,
  sequential: false,
});

/**
 * Encodes a message as a frame, ready for `socket.write()`: the 4-byte length, then the MessagePack body. msgpackr
 * packs behind 4 reserved bytes, so the header costs no copy.
 *
 * The returned buffer is a view into msgpackr's output buffer, which msgpackr never writes over again, unless code
 * elsewhere in the process resets msgpackr's shared buffer (`Packr#useBuffer()` or setting `Packr#position`); a
 * program that does so must copy frames it keeps queued.
 *
 * @param maxFrameBytes Largest body allowed (the limit the peer enforces). @default 16 MiB
 * @throws WireError `supcon.FrameTooLarge` when the body exceeds `maxFrameBytes`; `supcon.InvalidData` when the
 *   message holds a value that is not plain data (see `checkPlainMsgpack()`), a cycle, or nesting deeper than
 *   `MAX_NESTING_DEPTH`.
 */
export function encodeMessage(message: Message, maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES): Uint8Array {
  // The two messages of every call have a layout of their own: their strings come from a cache.
  // (Only a caller bypassing the types passes null; the generic path below reports it.)
  const type = (message as Message | null)?.type;
  if (type === MessageType.Call) return encodeCall(message as CallMessage, maxFrameBytes);
  if (type === MessageType.Result) return encodeResult(message as ResultMessage, maxFrameBytes);
  let frame: Uint8Array;
  try {
    frame = packr.pack(toWire(message), RESERVE_START_SPACE | FRAME_HEADER_BYTES);
  } catch (err) {
    // A cycle overflows the stack (RangeError); a symbol or an oversized bigint makes msgpackr throw.
    throw new WireError(
      WireErrorCode.InvalidData,
      `cannot encode ${describe(message)}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  const bodyLength = frame.length - FRAME_HEADER_BYTES;
  if (bodyLength > maxFrameBytes || bodyLength > MAX_FRAME_LENGTH) {
    throw new WireError(
      WireErrorCode.FrameTooLarge,
      `${describe(message)} of ${bodyLength} bytes exceeds maxFrameBytes (${maxFrameBytes})`,
    );
  }
  const problem = checkPlainMsgpack(frame, FRAME_HEADER_BYTES);
  if (problem !== undefined) {
    throw new WireError(WireErrorCode.InvalidData, `cannot encode ${describe(message)}: ${problem}`);
  }
  writeFrameHeader(frame, bodyLength);
  return frame;
}

/**
 * Decodes a frame body into a message. Never throws: anything wrong with the body (not plain MessagePack data,
 * trailing bytes, not a message of the protocol) is returned as a `supcon.ProtocolError` naming the problem.
 */
export function decodeMessage(body: Uint8Array): DecodeResult {
  const problem = checkPlainMsgpack(body);
  if (problem !== undefined) return protocolError(problem);
  let value: unknown;
  try {
    value = unpackr.unpack(body);
  } catch (err) {
    // Not expected after the scan; kept so that a msgpackr quirk closes one link instead of crashing the node.
    return protocolError(`undecodable MessagePack: ${errorMessage(err)}`);
  }
  const message = parseMessage(value);
  return typeof message === "string" ? protocolError(message) : { ok: true, message };
}

function protocolError(message: string): DecodeResult {
  return { ok: false, code: WireErrorCode.ProtocolError, message };
}

function describe(message: Message): string {
  // Defensive: only a caller bypassing the types passes something without a numeric type.
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === "number" ? `${messageTypeName(type)} message` : "message";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Builds the frame of one event for one destination; see `createEventFrames()`. */
export type EventFrameBuilder = (dst: string, seq: number) => Uint8Array;

/**
 * Encodes an event once for many destinations. An EVENT differs between subscribers only in `dst` and `seq`
 * (`[20, dst, src, hops, path, intf, event, args, seq]`), and a MessagePack array is the concatenation of its
 * elements' encodings, so the shared middle is packed and checked once and each frame adds a few bytes around it.
 *
 * @throws WireError `supcon.InvalidData` when `args` is not plain data; `supcon.FrameTooLarge` (from the builder)
 *   when a frame would exceed `maxFrameBytes`.
 */
export function createEventFrames(
  src: string,
  path: string,
  intf: string,
  event: string,
  args: Readonly<Record<string, unknown>> | null,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
): EventFrameBuilder {
  // Packed and checked as plain data once; the 6-element array's own header (one byte, 0x96) is dropped, since its
  // elements go inside the 9-element EVENT array.
  const shared = packPlain([src, 0, path, intf, event, args], "EVENT").subarray(1);
  return (dst, seq) => {
    const packedDst = packedString(dst);
    const frame = allocFrame(2 + packedDst.length + shared.length + uintBytes(seq), maxFrameBytes, "EVENT");
    let at = FRAME_HEADER_BYTES;
    frame[at++] = 0x99; // fixarray of 9
    frame[at++] = MessageType.Event;
    at = put(frame, at, packedDst);
    at = put(frame, at, shared);
    writeUint(frame, at, seq);
    return frame;
  };
}

/** Packed node names, reused across events: the same few subscribers receive every event. */
const packedNames = new Map<string, Uint8Array>();
const PACKED_NAMES_MAX = 4096;

/** `name` as a MessagePack str (header and UTF-8 bytes). */
function packedString(name: string): Uint8Array {
  let packed = packedNames.get(name);
  if (packed === undefined) {
    const length = Buffer.byteLength(name, "utf8");
    const buf = Buffer.allocUnsafe(5 + length);
    const at = writeStrHeader(buf, 0, length);
    buf.write(name, at, "utf8");
    packed = buf.subarray(0, at + length);
    if (packedNames.size >= PACKED_NAMES_MAX) packedNames.clear();
    packedNames.set(name, packed);
  }
  return packed;
}

function writeStrHeader(buf: Buffer, at: number, length: number): number {
  if (length < 32) {
    buf[at] = 0xa0 | length;
    return at + 1;
  }
  if (length < 0x100) {
    buf[at] = 0xd9;
    buf[at + 1] = length;
    return at + 2;
  }
  if (length < 0x10000) {
    buf[at] = 0xda;
    buf.writeUInt16BE(length, at + 1);
    return at + 3;
  }
  buf[at] = 0xdb;
  buf.writeUInt32BE(length, at + 1);
  return at + 5;
}

function uintBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffff_ffff ? 5 : 9;
}

/** Writes an unsigned integer in its shortest MessagePack form; returns the position after it. */
function writeUint(buf: Buffer, at: number, n: number): number {
  if (n < 0x80) {
    buf[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    buf[at] = 0xcc;
    buf[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    buf[at] = 0xcd;
    buf.writeUInt16BE(n, at + 1);
    return at + 3;
  }
  if (n <= 0xffff_ffff) {
    buf[at] = 0xce;
    buf.writeUInt32BE(n, at + 1);
    return at + 5;
  }
  buf[at] = 0xcf;
  buf.writeUInt32BE(Math.floor(n / 0x1_0000_0000), at + 1);
  buf.writeUInt32BE(n >>> 0, at + 5);
  return at + 9;
}

/** `[10, dst, src, hops, id, path, intf, method, args, timeoutMs]`, its strings packed once and cached. */
function encodeCall(m: CallMessage, maxFrameBytes: number): Uint8Array {
  const dst = packedString(m.dst);
  const src = packedString(m.src);
  const path = packedString(m.path);
  const intf = packedString(m.intf);
  const method = packedString(m.method);
  const args = packPlain(m.args, "CALL");
  const bodyLength =
    2 +
    dst.length +
    src.length +
    uintBytes(m.hops) +
    uintBytes(m.id) +
    path.length +
    intf.length +
    method.length +
    args.length +
    uintBytes(m.timeoutMs);
  const frame = allocFrame(bodyLength, maxFrameBytes, "CALL");
  let at = FRAME_HEADER_BYTES;
  frame[at++] = 0x9a; // fixarray of 10
  frame[at++] = MessageType.Call;
  at = put(frame, at, dst);
  at = put(frame, at, src);
  at = writeUint(frame, at, m.hops);
  at = writeUint(frame, at, m.id);
  at = put(frame, at, path);
  at = put(frame, at, intf);
  at = put(frame, at, method);
  at = put(frame, at, args);
  writeUint(frame, at, m.timeoutMs);
  return frame;
}

/** `[11, dst, src, hops, id, out]`, its strings packed once and cached. */
function encodeResult(m: ResultMessage, maxFrameBytes: number): Uint8Array {
  const dst = packedString(m.dst);
  const src = packedString(m.src);
  const out = packPlain(m.out, "RESULT");
  const bodyLength = 2 + dst.length + src.length + uintBytes(m.hops) + uintBytes(m.id) + out.length;
  const frame = allocFrame(bodyLength, maxFrameBytes, "RESULT");
  let at = FRAME_HEADER_BYTES;
  frame[at++] = 0x96; // fixarray of 6
  frame[at++] = MessageType.Result;
  at = put(frame, at, dst);
  at = put(frame, at, src);
  at = writeUint(frame, at, m.hops);
  at = writeUint(frame, at, m.id);
  put(frame, at, out);
  return frame;
}

const NIL = new Uint8Array([0xc0]);

/** Packs a map of arguments (or nil) and checks that it is plain data. */
function packPlain(value: unknown, what: string): Uint8Array {
  if (value === null || value === undefined) return NIL;
  let packed: Uint8Array;
  try {
    packed = packr.pack(value);
  } catch (err) {
    throw new WireError(WireErrorCode.InvalidData, `cannot encode ${what} message: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const problem = checkPlainMsgpack(packed);
  if (problem !== undefined)
    throw new WireError(WireErrorCode.InvalidData, `cannot encode ${what} message: ${problem}`);
  return packed;
}

function allocFrame(bodyLength: number, maxFrameBytes: number, what: string): Buffer {
  if (bodyLength > maxFrameBytes || bodyLength > MAX_FRAME_LENGTH) {
    throw new WireError(
      WireErrorCode.FrameTooLarge,
      `${what} message of ${bodyLength} bytes exceeds maxFrameBytes (${maxFrameBytes})`,
    );
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  writeFrameHeader(frame, bodyLength);
  return frame;
}

function put(frame: Buffer, at: number, bytes: Uint8Array): number {
  frame.set(bytes, at);
  return at + bytes.length;
}

/**
 * The frame that forwards a routed message received as `body`, with its hop count set to `hops`: a copy of the
 * bytes with one byte changed, instead of a decode and an encode. Returns undefined when the body is not laid out
 * as this runtime writes it (the caller then re-encodes the message).
 */
export function forwardedFrame(body: Uint8Array, hops: number): Uint8Array | undefined {
  // [fixarray, type, dst, src, hops, ...]: skip the array header and the type (both one byte), then two strings.
  if ((body[0] ?? 0) >> 4 !== 0x9 || hops >= 0x80) return undefined;
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const next = skipString(body, at);
    if (next === undefined) return undefined;
    at = next;
  }
  if (at >= body.length || (body[at] ?? 0x80) >= 0x80) return undefined;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  writeFrameHeader(frame, body.length);
  frame.set(body, FRAME_HEADER_BYTES);
  frame[FRAME_HEADER_BYTES + at] = hops;
  return frame;
}

/** The position after the MessagePack string at `at`, or undefined when there is none. */
function skipString(body: Uint8Array, at: number): number | undefined {
  const b = body[at];
  if (b === undefined) return undefined;
  if (b >= 0xa0 && b <= 0xbf) return at + 1 + (b & 0x1f);
  if (b === 0xd9 && at + 1 < body.length) return at + 2 + (body[at + 1] as number);
  if (b === 0xda && at + 2 < body.length)
    return at + 3 + (((body[at + 1] as number) << 8) | (body[at + 2] as number));
  if (b === 0xdb && at + 4 < body.length) {
    return at + 5 + Buffer.from(body.buffer, body.byteOffset + at + 1, 4).readUInt32BE(0);
  }
  return undefined;
}
