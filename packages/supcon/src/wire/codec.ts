/**
 * The codec: protocol messages to length-prefixed frames and frame bodies back to messages, with msgpackr
 * configured for plain data only (docs/PROTOCOL.md, "Frames").
 *
 * Plain data both ways. Received bytes are decoded by a `PlainDecoder` (plain-decoder.ts), never by msgpackr, so no
 * extension handler, record definition or deep recursion of msgpackr ever runs on input from the network. Packed
 * bytes are checked by the codec's own decoder before they are sent (`check()`, which builds nothing), because
 * msgpackr silently writes some values as extensions (`Date` as a timestamp) and knows nothing of the protocol's
 * other limits (nesting depth, decoded size): refusing them here fails one message on the sender instead of having
 * the receiver close the whole link. Measured on the bench's payloads, that check takes a quarter of the time of the
 * packing it follows (about 90 ns after 300 to 430 ns for `{timer, seconds}`), half of what decoding them would;
 * validating the values before packing instead would state the rules a second time, and values handed to the wire
 * layer directly (HELLO `info`, ERROR `data`, raw protocol use) are checked nowhere else.
 *
 * Numbers keep their kind (docs/PROTOCOL.md, "Numbers"): an integral number goes as a MessagePack integer, in
 * its shortest form, whatever its size within ±(2^53 − 1); any other number as a float 64; and a bigint as a float
 * 64 of its value (refused beyond ±(2^53 − 1), as an integer there would be). The last is how a `float` of an
 * integral value travels as a float: a JavaScript number does not say whether `1` is an int or a float, so the
 * typed API (schema/float-marks.ts) hands the wire layer the integral values of `float` arguments and fields as
 * bigints, in a copy of the args made only when there are any. msgpackr has no option for either rule (it writes
 * integers beyond 32 bits as float 64, integral floats as integers, and a bigint as an int 64), so the check that
 * follows every pack (`PlainDecoder.check()` with `fixNumbers`) rewrites those numbers in place, in the same 9 bytes: it costs
 * nothing but for floats and bigints, and nothing is packed twice. A payload packed once (a relay's, a
 * publisher's) is never packed again: a message that goes in full carries it as its bytes, spliced into the frame.
 *
 * `undefined`: a property whose value is `undefined` is sent as nil (like an absent optional argument, which the
 * receiving side's validation treats the same way); `undefined` in an array or as a field of a message is sent as
 * nil too. Dropping such properties instead (JSON's choice) would cost an extra pass over every object packed.
 * Other values follow msgpackr: -0 is sent as 0, a class instance as a map of its own enumerable properties (or its
 * `toJSON()`), a `Set` as an array; the API validates `any` values as plain data before they get here.
 */
import { Packr, RESERVE_START_SPACE } from "msgpackr";
import { DEFAULT_MAX_FRAME_BYTES } from "../base/limits.js";
import { WireError, WireErrorCode } from "./errors.js";
import { uintBytes } from "./channel-format.js";
import { FRAME_HEADER_BYTES, MAX_FRAME_LENGTH, writeFrameHeader } from "./frame.js";
import type { Message, PlainMap } from "./messages.js";
import { parseMessage, toWire } from "./message-arrays.js";
import { checkNames } from "./message-names.js";
import { MessageType, messageTypeName } from "./messages.js";
import type { PlainDecoder } from "./plain-decoder.js";
import { findNonPlain } from "./plain-path.js";
import {
  ADVERT_DECODE_BUDGET_BASE,
  DECODE_BUDGET_BASE,
  MAX_NESTING_DEPTH,
  createPlainDecoder,
} from "./plain-decoder.js";

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

// The codec's decoder, for its checks before sending: it only checks, so it holds no key cache, and a check is
// synchronous, so this one instance serves every caller.
const checker = createPlainDecoder();

/**
 * Encodes a message as a frame, ready for `socket.write()`: the 4-byte length, then the MessagePack body. msgpackr
 * packs behind 4 reserved bytes, so the header costs no copy.
 *
 * The returned buffer is a view into msgpackr's output buffer, which msgpackr never writes over again, unless code
 * elsewhere in the process resets msgpackr's shared buffer (`Packr#useBuffer()` or setting `Packr#position`); a
 * program that does so must copy frames it keeps queued.
 *
 * @param maxFrameBytes Largest body allowed (the limit the peer enforces). @default 16 MiB
 * @param packed The payload (args, out, data) already packed and checked (`packPayload()`, or received): sent as a
 *   bin in its place when the message has a MAC (origin authentication), which covers those bytes; else as the value
 *   itself, its bytes spliced into the frame as they are (not packed again, so that its numbers keep their kind).
 * @throws WireError `supcon.FrameTooLarge` when the body exceeds `maxFrameBytes`; `supcon.InvalidData` when the
 *   message holds a value that is not plain data (see `PlainDecoder`), a cycle, nesting deeper than
 *   `MAX_NESTING_DEPTH`, more to decode than its size allows (`DECODE_BUDGET_PER_BYTE`), or a name longer than
 *   the protocol allows (`NameLimit`).
 */
export function encodeMessage(
  message: Message,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
  packed?: Uint8Array,
): Uint8Array {
  let frame: Uint8Array;
  let names: string | undefined;
  // Without a MAC, a packed payload goes inline: the array is packed with nil in its place, and spliced after.
  const inline = packed !== undefined && !hasMac(message);
  try {
    names = checkNames(message);
    frame = packr.pack(toWire(message, inline ? null : packed), RESERVE_START_SPACE | FRAME_HEADER_BYTES);
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
  if (names !== undefined) {
    throw new WireError(WireErrorCode.InvalidData, `cannot encode ${describe(message)}: ${names}`);
  }
  if (inline && packed !== undefined) {
    // The numbers of what msgpackr packed are fixed before the payload, fixed already, joins them.
    checkFrame(message, frame, maxFrameBytes, true);
    frame = splice(message, frame, packed);
    checkFrame(message, frame, maxFrameBytes, false);
  } else checkFrame(message, frame, maxFrameBytes, true);
  writeFrameHeader(frame, frame.length - FRAME_HEADER_BYTES);
  return frame;
}

function hasMac(message: Message): boolean {
  return "mac" in message && message.mac !== undefined && message.mac !== null;
}

/**
 * Checks the body of `frame` (behind its header) against `maxFrameBytes` and as its receiver will; `packed` when
 * msgpackr packed all of it, so that its numbers are fixed (`PlainDecoder.check()` with `fixNumbers`).
 * @throws WireError as `encodeMessage()` says.
 */
function checkFrame(message: Message, frame: Uint8Array, maxFrameBytes: number, packed: boolean): void {
  const bodyLength = frame.length - FRAME_HEADER_BYTES;
  if (bodyLength > maxFrameBytes || bodyLength > MAX_FRAME_LENGTH) {
    throw new WireError(
      WireErrorCode.FrameTooLarge,
      `${describe(message)} of ${bodyLength} bytes exceeds maxFrameBytes (${maxFrameBytes})`,
    );
  }
  const base = budgetBaseOf(frame, FRAME_HEADER_BYTES);
  const problem = checker.check(frame, FRAME_HEADER_BYTES, frame.length, MAX_NESTING_DEPTH, base, packed);
  if (problem !== undefined) {
    throw new WireError(WireErrorCode.InvalidData, `cannot encode ${describe(message)}: ${problem}`);
  }
}

/**
 * `frame` with `payload` in place of the nil that holds the payload's place: the element before the message's
 * tail (CALL `timeoutMs` and `mac`, EVENT `seq` and `mac`, RESULT and ERROR `mac`, which is nil here).
 */
function splice(message: Message, frame: Uint8Array, payload: Uint8Array): Uint8Array {
  const tail =
    1 +
    (message.type === MessageType.Call
      ? uintBytes(message.timeoutMs)
      : message.type === MessageType.Event
        ? uintBytes(message.seq)
        : 0);
  const at = frame.length - tail - 1;
  // Not expected: only the four messages with a payload come here, their numbers checked by toWire().
  if (frame[at] !== 0xc0) throw new Error(`internal: no payload slot in the ${describe(message)}`);
  const out = Buffer.allocUnsafe(frame.length - 1 + payload.length);
  out.set(frame.subarray(0, at), 0);
  out.set(payload, at);
  out.set(frame.subarray(at + 1), at + payload.length);
  return out;
}

/**
 * Decodes a frame body into a message. Never throws: anything wrong with the body (not plain MessagePack data,
 * trailing bytes, not a message of the protocol) is returned as a `supcon.ProtocolError` naming the problem.
 *
 * @param decoder The decoder to use, whose key cache then serves later bodies too (a link passes its own).
 */
export function decodeMessage(body: Uint8Array, decoder: PlainDecoder = createPlainDecoder()): DecodeResult {
  const message = readMessage(decoder, body, 0, body.length);
  return typeof message === "string" ? protocolError(message) : { ok: true, message };
}

/** Reads the message in the frame body `bytes[start, end)`, or says what is wrong with it. */
export function readMessage(
  decoder: PlainDecoder,
  bytes: Uint8Array,
  start: number,
  end: number,
): Message | string {
  const value = decoder.decode(bytes, start, end, MAX_NESTING_DEPTH, budgetBaseOf(bytes, start));
  return value === undefined ? decoder.error : parseMessage(value);
}

/**
 * The decode budget's base for the message body at `start`: an ADVERT's is larger (`ADVERT_DECODE_BUDGET_BASE`), told
 * by the type that opens its array, in any encoding MessagePack allows (fixarray, array 16 or array 32 header; the
 * type as a positive fixint or any unsigned or signed integer format).
 */
function budgetBaseOf(bytes: Uint8Array, start: number): number {
  const header = bytes[start] ?? 0;
  const at =
    header >= 0x90 && header <= 0x9f
      ? start + 1
      : header === 0xdc
        ? start + 3
        : header === 0xdd
          ? start + 5
          : -1;
  return at >= 0 && leadingInt(bytes, at) === MessageType.Advert
    ? ADVERT_DECODE_BUDGET_BASE
    : DECODE_BUDGET_BASE;
}

/** Bytes after the token of each MessagePack integer format: uint 8/16/32/64, int 8/16/32/64. */
const INT_WIDTHS: Readonly<Record<number, number>> = {
  0xcc: 1,
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  0xd0: 1,
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
};

/** The integer at `at` when it is a small one (fixint, or an 8- to 64-bit format holding it); else -1. */
function leadingInt(bytes: Uint8Array, at: number): number {
  const token = bytes[at] ?? 0xc1;
  if (token < 0x80) return token;
  // uint 8/16/32/64 and int 8/16/32/64: the value is in the last byte when every byte before it is zero.
  const width = INT_WIDTHS[token] ?? 0;
  if (width === 0 || at + width >= bytes.length) return -1;
  for (let i = 1; i < width; i++) if (bytes[at + i] !== 0) return -1;
  const last = bytes[at + width] as number;
  return token >= 0xd0 && width === 1 && last >= 0x80 ? -1 : last;
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

const NIL = new Uint8Array([0xc0]);

/** How deep a payload (args, out) may nest: it sits inside the message array, which counts as a level. */
const PAYLOAD_MAX_DEPTH = MAX_NESTING_DEPTH - 1;

/**
 * Packs the payload of a message (a map of arguments, or nil) and checks that it is plain data; its numbers keep
 * their kind (see the module comment). The bytes are a view of msgpackr's output buffer, valid as long as
 * `encodeMessage()` says; they go into a frame at once.
 * @throws WireError `supcon.InvalidData` when the value is not plain data (see `encodeMessage()`).
 */
export function packPayload(value: unknown, what: string): Uint8Array {
  if (value === null || value === undefined) return NIL;
  let packed: Uint8Array;
  try {
    packed = packr.pack(value);
  } catch (err) {
    throw payloadError(value, what, errorMessage(err), err);
  }
  const problem = checker.check(packed, 0, packed.length, PAYLOAD_MAX_DEPTH, undefined, true);
  if (problem !== undefined) throw payloadError(value, what, problem, undefined);
  return packed;
}

/** What a payload is called in messages, by the message it goes in. */
const PAYLOAD_NAMES: Readonly<Record<string, string>> = {
  CALL: "args",
  EVENT: "args",
  RESULT: "result",
  ERROR: "data",
};

/**
 * The error of a payload that cannot be encoded, naming the path of the value at fault (`args.readings[3].value:
 * NaN is not a finite number`, wire/plain-path.ts) rather than the byte offset the check found it at; only for a
 * fault that the walk over the value does not find (an integer beyond the wire's range, say) is `problem` itself
 * given.
 */
function payloadError(value: unknown, what: string, problem: string, cause: unknown): WireError {
  const name = PAYLOAD_NAMES[what] ?? "payload";
  const found = findNonPlain(value, 0, PAYLOAD_MAX_DEPTH, false);
  const text = found === undefined ? `${name}: ${problem}` : `${name}${found.path}: ${found.message}`;
  return new WireError(
    WireErrorCode.InvalidData,
    `cannot encode ${what} message: ${text}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Decodes the payload that fills `bytes[start, end)`: one map or nil, plain data (with `build` false, only checks
 * it and returns null). Returns what is wrong with it as a string, with offsets from `start`.
 */
export function readPayload(
  decoder: PlainDecoder,
  bytes: Uint8Array,
  start: number,
  end: number,
  build: boolean,
): PlainMap | null | string {
  const first = start < end ? bytes[start] : undefined;
  const isMapOrNil =
    first !== undefined &&
    (first === 0xc0 || (first >= 0x80 && first <= 0x8f) || first === 0xde || first === 0xdf);
  if (!isMapOrNil) return "must be a map or nil";
  if (!build) return decoder.check(bytes, start, end, PAYLOAD_MAX_DEPTH) ?? null;
  const value = decoder.decode(bytes, start, end, PAYLOAD_MAX_DEPTH);
  return value === undefined ? decoder.error : (value as PlainMap | null);
}
