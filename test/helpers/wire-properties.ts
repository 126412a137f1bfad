/**
 * Property-based checks of the wire layer (frames + codec + messages + a link's channels), shared by the unit tests (a few hundred runs
 * each) and by fuzzing (`FUZZ_RUNS=100000 npx jest test/unit/wire/properties`, or a script calling the runners
 * with a large `numRuns`). They use node:assert, not jest's `expect`, so they run outside jest too.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { DEFAULT_MAX_FRAME_BYTES } from "../../packages/supcon/src/base/limits";
import { encodeMessage } from "../../packages/supcon/src/wire/codec";
import { WireErrorCode } from "../../packages/supcon/src/wire/errors";
import { createFrameDecoder, encodeFrame } from "../../packages/supcon/src/wire/frame";
import { LinkReader, LinkWriter } from "../../packages/supcon/src/wire/link-codec";
import type { Message, PlainMap } from "../../packages/supcon/src/wire/messages";
import { MessageType } from "../../packages/supcon/src/wire/messages";
import { DECODE_BUDGET_BASE, DecodeCost } from "../../packages/supcon/src/wire/plain-decoder";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Strings of any valid Unicode (no lone surrogates: UTF-8 cannot carry them, msgpackr writes U+FFFD). */
export const stringArb = fc.string({ unit: "binary", maxLength: 24 });

/** Map keys the protocol accepts. */
export const keyArb = stringArb.filter((k) => !FORBIDDEN_KEYS.has(k));

/** Numbers that survive the trip exactly: finite, and 0 rather than -0 (msgpackr writes -0 as the integer 0). */
export const numberArb = fc.oneof(
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
);

/** Plain data as the protocol carries it: nil, booleans, numbers, strings, binary, arrays, maps. */
export const plainValueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    numberArb,
    stringArb,
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(keyArb, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

export const plainMapArb: fc.Arbitrary<PlainMap> = fc.dictionary(keyArb, plainValueArb, {
  maxKeys: 5,
  noNullPrototype: true,
});

const uintArb = fc.oneof(fc.nat({ max: 1000 }), fc.maxSafeNat());
const routed = { dst: stringArb, src: stringArb, hops: uintArb };

/** Every message of the protocol, with arbitrary field values of the right types. */
export const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant(MessageType.Hello), version: uintArb, name: stringArb, info: plainMapArb }),
  fc.record({ type: fc.constant(MessageType.Refuse), code: stringArb, message: stringArb }),
  fc.record({
    type: fc.constant(MessageType.Call),
    ...routed,
    id: uintArb,
    path: stringArb,
    intf: stringArb,
    method: stringArb,
    args: fc.option(plainMapArb, { nil: null }),
    timeoutMs: uintArb,
  }),
  fc.record({
    type: fc.constant(MessageType.Result),
    ...routed,
    id: uintArb,
    out: fc.option(plainMapArb, { nil: null }),
  }),
  fc.record({
    type: fc.constant(MessageType.Error),
    ...routed,
    id: uintArb,
    code: stringArb,
    message: stringArb,
    data: plainValueArb,
  }),
  fc.record({ type: fc.constant(MessageType.Cancel), ...routed, id: uintArb }),
  fc.record({
    type: fc.constant(MessageType.Event),
    ...routed,
    path: stringArb,
    intf: stringArb,
    event: stringArb,
    args: fc.option(plainMapArb, { nil: null }),
    seq: uintArb,
  }),
  fc.record({
    type: fc.constant(MessageType.Subscribe),
    ...routed,
    path: stringArb,
    intf: stringArb,
    event: stringArb,
  }),
  fc.record({
    type: fc.constant(MessageType.Unsubscribe),
    ...routed,
    path: stringArb,
    intf: stringArb,
    event: stringArb,
  }),
  fc.record({
    type: fc.constant(MessageType.Advert),
    origin: stringArb,
    instance: stringArb,
    seq: uintArb,
    neighbors: fc.array(stringArb, { maxLength: 5 }),
    objects: fc.dictionary(keyArb, fc.array(stringArb, { maxLength: 3 }), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  }),
  fc.constant({ type: MessageType.Ping }),
  fc.constant({ type: MessageType.Pong }),
  fc.record({ type: fc.constant(MessageType.Bye), code: stringArb, message: stringArb }),
);

/**
 * Cut points to split a stream into chunks, as numbers taken modulo the stream length + 1 (fast-check biases
 * doubles in [0, 1] towards the bounds, which would mostly give trivial splits).
 */
const cutsArb = fc.array(fc.nat(), { maxLength: 12 });

/** Splits `bytes` at the given cut points (empty chunks included: a transport may deliver them). */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Encodes messages as a link does (CALL, RESULT and EVENT on channels, with their BINDs) into one stream. */
export function streamOf(messages: readonly Message[]): Buffer {
  const writer = new LinkWriter(DEFAULT_MAX_FRAME_BYTES);
  for (const m of messages) writer.write(m);
  return Buffer.from(writer.take() ?? new Uint8Array(0));
}

/** Runs a byte stream through a frame decoder and a link's reader, as a link does; BINDs are left out. */
export function receive(
  chunks: readonly Uint8Array[],
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): { messages: Message[]; protocolErrors: string[]; frameErrors: string[] } {
  const decoder = createFrameDecoder(maxFrameBytes);
  const reader = new LinkReader(undefined);
  const messages: Message[] = [];
  const protocolErrors: string[] = [];
  const frameErrors: string[] = [];
  for (const chunk of chunks) {
    decoder.push(
      chunk,
      (bytes, start, end) => {
        ok(frameErrors.length === 0, "a frame after a framing error");
        const result = reader.read(bytes, start, end);
        if (typeof result === "string") protocolErrors.push(result);
        else if (result.type !== MessageType.Bind) messages.push(result);
      },
      (message, code) => {
        ok(code === WireErrorCode.ProtocolError || code === WireErrorCode.FrameTooLarge);
        frameErrors.push(message);
      },
    );
  }
  ok(frameErrors.length <= 1, "more than one framing error");
  return { messages, protocolErrors, frameErrors };
}

/**
 * Asserts that `value` holds only plain data: null, booleans, finite numbers, strings, `Uint8Array`s, arrays and
 * objects with `Object.prototype` (or null) as prototype and no forbidden keys.
 */
export function assertPlain(value: unknown, path = "value"): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    ok(Number.isFinite(value), `${path} is not finite`);
    return;
  }
  ok(typeof value === "object", `${path} is a ${typeof value}`);
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => assertPlain(v, `${path}[${i}]`));
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  ok(proto === Object.prototype || proto === null, `${path} is not a plain object`);
  for (const key of Object.keys(value)) {
    ok(!FORBIDDEN_KEYS.has(key), `${path} has key ${key}`);
    assertPlain((value as Record<string, unknown>)[key], `${path}.${key}`);
  }
}

/** Copies a value, turning every `Uint8Array` (decoded ones are `Buffer`s) into a plain `Uint8Array`. */
export function normalizeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(normalizeBytes);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeBytes(v);
    return out;
  }
  return value;
}

/** Property: any sequence of valid messages, encoded and split at arbitrary points, decodes to the same messages. */
export function checkRoundTrip(numRuns: number, seed?: number): void {
  fc.assert(
    fc.property(fc.array(messageArb, { maxLength: 8 }), cutsArb, (messages, cuts) => {
      const stream = streamOf(messages);
      const { messages: got, protocolErrors, frameErrors } = receive(split(stream, cuts));
      deepStrictEqual(frameErrors, []);
      deepStrictEqual(protocolErrors, []);
      deepStrictEqual(normalizeBytes(got), normalizeBytes(messages));
      got.forEach((m) => assertPlain(m));
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
}

/** Frames whose bodies are random bytes, some whole, some truncated by the end of the stream. */
const framedNoiseArb = fc
  .array(fc.uint8Array({ minLength: 1, maxLength: 48 }), { minLength: 1, maxLength: 6 })
  .map((bodies) => Buffer.concat(bodies.map((b) => encodeFrame(b))));

/** Valid frames with a few bytes overwritten: mostly well-formed, wrong in one place. */
const mutatedArb = fc
  .tuple(
    fc.array(messageArb, { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([messages, edits]) => {
    const stream = streamOf(messages);
    for (const [where, byte] of edits) stream[where % stream.length] = byte;
    return stream;
  });

/**
 * Property: arbitrary bytes (pure noise, framed noise, mutated valid frames) yield only messages, protocol errors
 * per frame, or exactly one framing error: the decoder never throws and decoded messages are plain data.
 */
export function checkArbitraryBytes(numRuns: number, seed?: number): void {
  fc.assert(
    fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 256 }), framedNoiseArb, mutatedArb),
      cutsArb,
      fc.integer({ min: 1, max: 512 }),
      (bytes, cuts, maxFrameBytes) => {
        const { messages } = receive(split(bytes, cuts), maxFrameBytes);
        messages.forEach((m) => assertPlain(m));
      },
    ),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
}

/** Anything msgpackr itself can produce from JS values, with every extension and structure option on. */
const hostileValueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    plainValueArb,
    fc.constant(undefined),
    fc.constantFrom(NaN, Infinity, -Infinity, -0),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.constant(/ab+c/gi),
    fc.constant(new Error("boom")),
    fc.constant(new Int16Array([1, -2, 3])),
    fc.constant(new Float64Array([0.5])),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => new Set(items)),
    fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(keyArb, fc.constantFrom(...FORBIDDEN_KEYS)), tie("value"), { maxKeys: 4 }),
  ),
})).value;

const BIND_CHANNEL_0 = encodeMessage({
  type: MessageType.Bind,
  channel: 0,
  dst: "a",
  src: "b",
  path: "/",
  intf: "i",
  member: "m",
});

const hostilePackrs = [
  new Packr({ moreTypes: true, structuredClone: true, useRecords: true }),
  new Packr({ moreTypes: true, useRecords: false, useBigIntExtension: true }),
  new Packr({ bundleStrings: true, useRecords: true }),
];

/**
 * Property: whatever msgpackr (with records, structured clone, bundles and extensions on) makes of arbitrary JS
 * values, wrapped as a message, decodes to a plain message or a protocol error, never a throw or a non-plain value.
 */
export function checkHostileMsgpack(numRuns: number, seed?: number): void {
  fc.assert(
    fc.property(
      fc.constantFrom(...hostilePackrs),
      fc.oneof(
        hostileValueArb,
        hostileValueArb.map((v) => [MessageType.Call, "a", "b", 0, 1, "/", "i", "m", { x: v }, 1000]),
        hostileValueArb.map((v) => [MessageType.Error, "a", "b", 0, 1, "code", "message", v]),
        hostileValueArb.map((v) => [MessageType.ChannelCall, 0, 0, 1, 1000, { x: v }]),
        hostileValueArb.map((v) => [MessageType.ChannelEvent, 0, 0, 1, v]),
      ),
      (packr, value) => {
        let body: Uint8Array;
        try {
          body = packr.pack(value);
        } catch {
          return; // not even msgpackr can encode it (a huge bigint without the extension, …)
        }
        // Channel 0 is bound first, so that channel messages get as far as their payload.
        const { messages } = receive([BIND_CHANNEL_0, encodeFrame(body)]);
        messages.forEach((m) => assertPlain(m));
      },
    ),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
}

/**
 * Payloads near the decoding budget: many small objects of one kind (each costing more than its bytes allow),
 * with some padding that pays for part of them, before or after.
 */
const nearBudgetArb: fc.Arbitrary<PlainMap> = fc
  .tuple(
    fc.constantFrom<[unknown, number]>(
      [{}, DecodeCost.container],
      [[1], DecodeCost.container],
      ["ab", DecodeCost.string + 2],
      [new Uint8Array(0), DecodeCost.binary],
    ),
    fc.double({ min: 0.8, max: 1.2, noNaN: true }),
    fc.nat({ max: 200_000 }),
    fc.boolean(),
  )
  .map(([[item, cost], scale, padding, paddingFirst]) => {
    const items = new Array<unknown>(Math.round((scale * DECODE_BUDGET_BASE) / cost)).fill(item);
    const pad = "p".repeat(padding);
    return paddingFirst ? { pad, items } : { items, pad };
  });

/**
 * Property: a message near the decoding budget is either refused by the writer (supcon.InvalidData, nothing
 * queued) or read back whole by the reader, in the channel form and in full (names too long for a channel: more
 * than 255 bytes of UTF-8), as an endpoint or as a relay that only checks the payload: a sender never sends what
 * its peer refuses.
 */
export function checkBudgetAgreement(numRuns: number, seed?: number): void {
  const long = "l".repeat(300);
  fc.assert(
    fc.property(
      nearBudgetArb,
      fc.constantFrom(MessageType.Call, MessageType.Result, MessageType.Event),
      fc.boolean(),
      fc.boolean(),
      (payload, type, inFull, relay) => {
        const path = inFull ? long : "/p";
        const message: Message =
          type === MessageType.Call
            ? {
                type,
                dst: "b",
                src: "a",
                hops: 0,
                id: 1,
                path,
                intf: "i",
                method: "m",
                args: payload,
                timeoutMs: 1,
              }
            : type === MessageType.Result
              ? { type, dst: "b", src: inFull ? "é".repeat(128) : "a", hops: 0, id: 1, out: payload }
              : { type, dst: "b", src: "a", hops: 0, path, intf: "i", event: "e", args: payload, seq: 1 };
        const writer = new LinkWriter(DEFAULT_MAX_FRAME_BYTES);
        try {
          writer.write(message);
        } catch (err) {
          ok(
            err instanceof Error && (err as { code?: unknown }).code === WireErrorCode.InvalidData,
            String(err),
          );
          ok(/takes the cost of decoding/.test(err.message), err.message);
          ok(writer.take() === undefined, "queued a frame for a message it refused");
          return;
        }
        const stream = writer.take() ?? new Uint8Array(0);
        const decoder = createFrameDecoder(DEFAULT_MAX_FRAME_BYTES);
        const reader = new LinkReader(relay ? "relay" : undefined);
        const got: (Message | string)[] = [];
        decoder.push(
          stream,
          (bytes, start, end) => got.push(reader.read(bytes, start, end)),
          (problem) => got.push(problem),
        );
        const last = got[got.length - 1];
        ok(typeof last === "object", `the reader refused what the writer sent: ${String(last)}`);
        if (!relay) deepStrictEqual(normalizeBytes(last), normalizeBytes(message));
      },
    ),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
}
