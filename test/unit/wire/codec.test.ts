import { Packr, Unpackr } from "msgpackr";
import { DEFAULT_MAX_FRAME_BYTES } from "../../../packages/supcon/src/base/limits";
import { decodeMessage, encodeMessage, packPayload } from "../../../packages/supcon/src/wire/codec";
import { WireError, WireErrorCode } from "../../../packages/supcon/src/wire/errors";
import type { Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import {
  DECODE_BUDGET_BASE,
  MAX_NESTING_DEPTH,
  createPlainDecoder,
} from "../../../packages/supcon/src/wire/plain-decoder";
import { assertPlain } from "../../helpers/wire-properties";

const call: Message = {
  type: MessageType.Call,
  dst: "my-unique-server",
  src: "client",
  hops: 0,
  id: 7,
  path: "/myTimer",
  intf: "com.example.Timer",
  method: "add",
  args: { timer: "t", seconds: 1.5 },
  timeoutMs: 30_000,
};

/** msgpack bytes of `[10, "a", "b", 0, 1, "/", "i", "m", <value>, 1000]`: a CALL whose args are `value`. */
function callWith(value: readonly number[]): Uint8Array {
  return Uint8Array.from([
    0x9b,
    10,
    0xa1,
    0x61,
    0xa1,
    0x62,
    0,
    1,
    0xa1,
    0x2f,
    0xa1,
    0x69,
    0xa1,
    0x6d,
    ...value,
    0xcd,
    0x03,
    0xe8,
    0xc0, // no MAC
  ]);
}

/** msgpack bytes of `{ <key>: 1 }` for an ASCII key. */
function mapWithKey(key: string): number[] {
  return [0x81, 0xa0 | key.length, ...Buffer.from(key, "latin1"), 1];
}

function refused(body: Uint8Array): string {
  const result = decodeMessage(body);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.message)}`);
  expect(result.code).toBe(WireErrorCode.ProtocolError);
  return result.message;
}

describe("encodeMessage()", () => {
  it("writes a frame: the big-endian body length, then the MessagePack body", () => {
    const frame = encodeMessage(call);
    const length = Buffer.from(frame).readUInt32BE(0);
    expect(length).toBe(frame.length - 4);
    expect(new Unpackr({ useRecords: false }).unpack(frame.subarray(4))).toEqual([
      10,
      "my-unique-server",
      "client",
      0,
      7,
      "/myTimer",
      "com.example.Timer",
      "add",
      { timer: "t", seconds: 1.5 },
      30_000,
      null,
    ]);
  });

  it("returns frames that later encodes do not overwrite", () => {
    const first = encodeMessage(call);
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 1000; i++) encodeMessage({ ...call, id: i, method: `m${i}` });
    expect(first).toEqual(copy);
  });

  it("encodes maps of more than 65,535 keys", () => {
    // Each new key costs DecodeCost.newKey to decode, which values of 200 bytes pay for.
    const big: Record<string, string> = {};
    for (let i = 0; i < 70_000; i++) big[`k${i}`] = "v".repeat(200);
    const result = decodeMessage(encodeMessage({ ...call, args: big }).subarray(4));
    expect(result.ok && Object.keys((result.message as { args: object }).args).length).toBe(70_000);
  });

  it("refuses a message that would cost its receiver more to decode than its size allows", () => {
    const many = Array.from({ length: DECODE_BUDGET_BASE / 50 }, () => ({}));
    const keys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 0]));
    for (const args of [{ many }, keys]) {
      expect(() => encodeMessage({ ...call, args })).toThrow(
        expect.objectContaining({
          code: WireErrorCode.InvalidData,
          message: expect.stringMatching(
            /^cannot encode CALL message: the value at \d+ takes the cost/,
          ) as string,
        }) as Error,
      );
      expect(() => packPayload(args, "CALL")).toThrow(
        /^cannot encode CALL message: args: the value at \d+ takes the cost/,
      );
    }
    expect(() => packPayload({ many: many.slice(0, 1000) }, "CALL")).not.toThrow();
  });

  it("sends undefined as nil", () => {
    const frame = encodeMessage({ ...call, args: { timer: "t", label: undefined } });
    const decoded = decodeMessage(frame.subarray(4));
    expect(decoded).toEqual({ ok: true, message: { ...call, args: { timer: "t", label: null } } });
  });

  it("refuses a body above maxFrameBytes with supcon.FrameTooLarge", () => {
    const big = { ...call, args: { blob: "x".repeat(200) } };
    expect(() => encodeMessage(big, 100)).toThrow(WireError);
    try {
      encodeMessage(big, 100);
    } catch (err) {
      expect((err as WireError).code).toBe(WireErrorCode.FrameTooLarge);
      expect((err as WireError).message).toMatch(/^CALL message of \d+ bytes exceeds maxFrameBytes \(100\)$/);
    }
    expect(() => encodeMessage(big, 1000)).not.toThrow();
  });

  const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
  const cyclic: Record<string, unknown> = {};
  cyclic["self"] = cyclic;
  let deep: unknown = 1;
  for (let i = 0; i < MAX_NESTING_DEPTH; i++) deep = [deep];

  it.each<[string, unknown, RegExp]>([
    ["a Date", new Date(0), /extension type 255 \(timestamp \(Date\)\)/],
    ["NaN", NaN, /non-finite number/],
    ["Infinity", Infinity, /non-finite number/],
    ["a __proto__ key", json('{"__proto__": 1}'), /forbidden map key '__proto__'/],
    ["a constructor key", { constructor: 1 }, /forbidden map key 'constructor'/],
    ["a bigint beyond 2^53", 2n ** 60n, /beyond ±\(2\^53 - 1\)/],
    ["a bigint beyond 64 bits", 2n ** 70n, /too large/],
    ["a symbol", Symbol("s"), /Unknown type/],
    ["a cycle", cyclic, /stack|call stack/i],
    ["nesting too deep", deep, /nesting deeper than 100 levels/],
  ])("refuses %s with supcon.InvalidData", (_, value, message) => {
    try {
      encodeMessage({ ...call, args: { value } });
      throw new Error("no error");
    } catch (err) {
      expect(err).toBeInstanceOf(WireError);
      expect((err as WireError).code).toBe(WireErrorCode.InvalidData);
      expect((err as WireError).message).toMatch(/^cannot encode CALL message: /);
      expect((err as WireError).message).toMatch(message);
    }
  });

  it("refuses something that is not a protocol message", () => {
    expect(() => encodeMessage({ type: 99 } as unknown as Message)).toThrow(
      "cannot encode type 99 message: not a protocol message: type 99",
    );
    expect(() => encodeMessage(null as unknown as Message)).toThrow(WireError);
  });

  it("still encodes after a failure", () => {
    expect(() => encodeMessage({ ...call, args: { value: cyclic } })).toThrow(WireError);
    expect(decodeMessage(encodeMessage(call).subarray(4))).toEqual({ ok: true, message: call });
  });
});

describe("decodeMessage()", () => {
  it("decodes what encodeMessage() encodes", () => {
    expect(decodeMessage(encodeMessage(call).subarray(4))).toEqual({ ok: true, message: call });
  });

  it("reads binary as a copy, not a view of the received bytes", () => {
    const frame = encodeMessage({ ...call, args: { blob: Uint8Array.of(1, 2, 3) } });
    const result = decodeMessage(frame.subarray(4));
    if (!result.ok) throw new Error(result.message);
    const blob = (result.message as unknown as { args: { blob: Uint8Array } }).args.blob;
    expect(blob).toBeInstanceOf(Uint8Array);
    expect([...blob]).toEqual([1, 2, 3]);
    expect(blob.buffer).not.toBe(frame.buffer);
  });

  it("accepts integers up to ±(2^53 - 1) in 64-bit form, and refuses beyond", () => {
    const uint64 = (hi: number, lo: number): number[] => [0xcf, ...be32(hi), ...be32(lo)];
    const int64 = (hi: number, lo: number): number[] => [0xd3, ...be32(hi), ...be32(lo)];
    const args = (v: number[]): Uint8Array => callWith([0x81, 0xa1, 0x78, ...v]);
    expect(decodeMessage(args(uint64(0x1fffff, 0xffffffff)))).toMatchObject({
      ok: true,
      message: { args: { x: 2 ** 53 - 1 } },
    });
    expect(decodeMessage(args(uint64(0, 5)))).toMatchObject({ ok: true, message: { args: { x: 5 } } });
    expect(decodeMessage(args(int64(-0x200000, 1)))).toMatchObject({
      ok: true,
      message: { args: { x: -(2 ** 53) + 1 } },
    });
    expect(decodeMessage(args(int64(-1, 0xffffffff)))).toMatchObject({
      ok: true,
      message: { args: { x: -1 } },
    });
    expect(refused(args(uint64(0x200000, 0)))).toMatch(/beyond ±\(2\^53 - 1\)/);
    expect(refused(args(uint64(0xffffffff, 0xffffffff)))).toMatch(/beyond/);
    expect(refused(args(int64(-0x200000, 0)))).toMatch(/beyond/);
    expect(refused(args(int64(0x7fffffff, 0)))).toMatch(/beyond/);
  });

  describe("refuses every MessagePack extension type", () => {
    const types = [0x00, 0x01, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, 0x7f, 0x80, 0xff];
    const forms: [string, (type: number) => number[]][] = [
      ["fixext 1", (t) => [0xd4, t, 0]],
      ["fixext 2", (t) => [0xd5, t, 0, 0]],
      ["fixext 4", (t) => [0xd6, t, 0, 0, 0, 0]],
      ["fixext 8", (t) => [0xd7, t, 0, 0, 0, 0, 0, 0, 0, 0]],
      ["fixext 16", (t) => [0xd8, t, ...new Array<number>(16).fill(0)]],
      ["ext 8", (t) => [0xc7, 2, t, 0x91, 0xc0]],
      ["ext 16", (t) => [0xc8, 0, 2, t, 0x91, 0xc0]],
      ["ext 32", (t) => [0xc9, 0, 0, 0, 2, t, 0x91, 0xc0]],
    ];
    it.each(forms)("%s", (_, form) => {
      for (const type of types) {
        expect(refused(callWith(form(type)))).toMatch(
          new RegExp(`extension type ${type}\\b.* is not allowed`),
        );
        // …and at the top level of a body.
        expect(refused(Uint8Array.from(form(type)))).toMatch(/extension type/);
      }
    });
  });

  it.each<[string, Packr, unknown]>([
    ["a Date (timestamp)", new Packr({ useRecords: false }), new Date()],
    ["a RegExp", new Packr({ moreTypes: true }), /x/g],
    ["an Error", new Packr({ moreTypes: true }), new Error("e")],
    ["a Set", new Packr({ moreTypes: true }), new Set([1])],
    ["a typed array", new Packr({ moreTypes: true }), new Int32Array([1, 2])],
    ["a BigInt", new Packr({ useBigIntExtension: true }), 2n ** 100n],
    [
      "a structured clone",
      new Packr({ structuredClone: true }),
      ((o: Record<string, unknown>) => ((o["o"] = o), o))({}),
    ],
    ["records", new Packr({ useRecords: true }), [{ a: 1 }, { a: 2 }]],
    [
      "a string bundle",
      new Packr({ bundleStrings: true, useRecords: false }),
      ["a long enough string", "another one"],
    ],
    ["undefined (fixext 0)", new Packr({ useRecords: false }), undefined],
  ])("refuses %s as msgpackr encodes it", (_, packr, value) => {
    const body = packr.pack([MessageType.Call, "a", "b", 0, 1, "/", "i", "m", { v: value }, 1000]);
    expect(refused(body)).toMatch(/extension type|trailing|truncated/);
  });

  it("refuses 100,000-deep nested arrays and maps with a protocol error, not a stack overflow", () => {
    const n = 100_000;
    const arrays = new Uint8Array(n + 1).fill(0x91);
    arrays[n] = 0xc0;
    expect(refused(arrays)).toBe(`nesting deeper than ${MAX_NESTING_DEPTH} levels at ${MAX_NESTING_DEPTH}`);
    const maps = Buffer.concat([Buffer.from(new Array(n).fill([0x81, 0xa1, 0x6b]).flat()), Buffer.of(0xc0)]);
    expect(refused(maps)).toMatch(/^nesting deeper than 100 levels/);
    const array32 = Buffer.concat([
      Buffer.from(new Array(n).fill([0xdd, 0, 0, 0, 1]).flat()),
      Buffer.of(0xc0),
    ]);
    expect(refused(array32)).toMatch(/^nesting deeper than 100 levels/);
  });

  it("accepts nesting up to the limit", () => {
    const arrays = new Uint8Array(MAX_NESTING_DEPTH + 1).fill(0x91);
    arrays[MAX_NESTING_DEPTH] = 0xc0;
    const check = (bytes: Uint8Array): string | undefined =>
      createPlainDecoder().check(bytes, 0, bytes.length);
    expect(check(arrays)).toBeUndefined();
    // Empty containers count as a level too.
    const nestedEmpty = (levels: number): Uint8Array => {
      const bytes = new Uint8Array(levels).fill(0x91);
      bytes[levels - 1] = 0x90;
      return bytes;
    };
    expect(check(nestedEmpty(MAX_NESTING_DEPTH))).toBeUndefined();
    expect(check(nestedEmpty(MAX_NESTING_DEPTH + 1))).toMatch(/nesting deeper/);
  });

  it.each(["__proto__", "constructor", "prototype"])(
    "refuses the map key %s, in every string form",
    (key) => {
      const bytes = [...Buffer.from(key, "latin1")];
      for (const keyForm of [
        [0xa0 | bytes.length],
        [0xd9, bytes.length],
        [0xda, 0, bytes.length],
        [0xdb, 0, 0, 0, bytes.length],
      ]) {
        expect(refused(callWith([0x81, ...keyForm, ...bytes, 0x81, 0xa1, 0x78, 0xc3]))).toMatch(
          `forbidden map key '${key}'`,
        );
      }
    },
  );

  it("leaves Object.prototype untouched by hostile input", () => {
    const hostile = callWith([
      ...mapWithKey("__proto__").slice(0, -1),
      0x81,
      0xa8,
      ...Buffer.from("polluted"),
      0xc3,
    ]);
    refused(hostile);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    // msgpackr itself, without our scan, renames the key rather than assigning the prototype.
    const raw = new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(
      Buffer.from(hostile),
    ) as unknown[];
    expect(Object.getPrototypeOf(raw[8])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("accepts keys that merely resemble forbidden ones", () => {
    for (const key of ["__proto_", "__proto__x", "Constructor", "prototypes", "toString", "hasOwnProperty"]) {
      const result = decodeMessage(callWith(mapWithKey(key)));
      expect(result).toMatchObject({ ok: true, message: { args: { [key]: 1 } } });
    }
  });

  it.each<[string, number[], RegExp]>([
    ["a non-string map key", [0x81, 0x01, 0x02], /map key at \d+ is not a string/],
    ["a binary map key", [0x81, 0xc4, 1, 0x61, 0x02], /map key at \d+ is not a string/],
    ["a float NaN", [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], /non-finite/],
    ["a float32 Infinity", [0xca, 0x7f, 0x80, 0, 0], /non-finite/],
    ["the reserved byte 0xc1", [0xc1], /reserved byte 0xc1/],
    ["a truncated string", [0xd9, 200, 0x61], /truncated/],
    ["a huge declared array", [0xdd, 0xff, 0xff, 0xff, 0xff], /truncated/],
    ["a huge declared map", [0xdf, 0xff, 0xff, 0xff, 0xff], /truncated/],
    ["a huge declared binary", [0xc6, 0xff, 0xff, 0xff, 0xff], /truncated/],
  ])("refuses %s", (_, value, message) => {
    expect(refused(callWith(value))).toMatch(message);
  });

  it("refuses trailing bytes after the MessagePack value", () => {
    const body = encodeMessage(call).subarray(4);
    expect(refused(Buffer.concat([body, Buffer.of(0xc0)]))).toBe(
      `1 trailing bytes after the value at ${body.length}`,
    );
    expect(refused(Buffer.concat([body, body]))).toMatch(/trailing bytes/);
  });

  it("refuses a truncated body", () => {
    const body = encodeMessage(call).subarray(4);
    for (let i = 0; i < body.length; i++) expect(refused(body.subarray(0, i))).toMatch(/truncated/);
  });

  it.each<[string, unknown, string]>([
    ["a non-array body", { type: 10 }, "a message must be an array, got a map"],
    ["a string body", "hello", "a message must be an array, got a string"],
    ["an empty array", [], "empty message array"],
    ["an unknown message type", [99, 1, 2], "unknown message type 99"],
    ["a negative message type", [-1], "message type must be an unsigned integer, got the number -1"],
    ["a wrong arity", [MessageType.Ping, 1], "PING must have 1 elements, got 2"],
  ])("refuses %s", (_, value, message) => {
    expect(refused(new Packr({ useRecords: false }).pack(value))).toBe(message);
  });

  it("decodes bodies that are views into a larger buffer", () => {
    const frames = Buffer.concat([encodeMessage(call), encodeMessage({ type: MessageType.Ping })]);
    const first = frames.subarray(4, frames.readUInt32BE(0) + 4);
    expect(decodeMessage(first)).toEqual({ ok: true, message: call });
  });

  it("decodes plain data only", () => {
    const result = decodeMessage(
      encodeMessage({
        ...call,
        args: { a: [1, -2, 2 ** 40, 0.25, "s", null, true, Uint8Array.of(1)], m: { n: { o: [] } } },
      }).subarray(4),
    );
    if (!result.ok) throw new Error(result.message);
    assertPlain(result.message);
  });

  it("uses the default maxFrameBytes of the options", () => {
    expect(() => encodeMessage({ ...call, args: { blob: new Uint8Array(DEFAULT_MAX_FRAME_BYTES) } })).toThrow(
      /exceeds maxFrameBytes \(16777216\)/,
    );
  });
});

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

describe("the decoding budget of an ADVERT", () => {
  /** An advert at the protocol's bounds: 4,096 short paths, and one-character names for every other entry. */
  function largestAdvert(): Message {
    const objects: Record<string, string[]> = {};
    for (let p = 0; p < 4_096; p++) objects[`/${p.toString(36)}`] = [];
    const paths = Object.keys(objects);
    // 65,536 entries in all: the paths, 4,096 interfaces (one per path) and the rest neighbours.
    for (const path of paths) objects[path]?.push("i");
    const neighbors = Array.from({ length: 65_536 - 2 * 4_096 }, (_, i) =>
      String.fromCharCode(0x4e00 + (i % 20_000)),
    );
    return {
      type: MessageType.Advert,
      origin: "hub",
      instance: "0123456789abcdef",
      seq: 1,
      neighbors,
      objects,
    };
  }

  it("has room for every advert within the protocol's bounds", () => {
    const advert = largestAdvert();
    const result = decodeMessage(encodeMessage(advert).subarray(4));
    expect(result.ok && Object.keys((result.message as { objects: object }).objects)).toHaveLength(4_096);
  });

  it("is the advert's alone: the same map of 4,096 short keys in a CALL is refused", () => {
    const { objects } = largestAdvert() as unknown as { objects: Record<string, string[]> };
    expect(() => encodeMessage({ ...call, args: objects })).toThrow(/takes the cost of decoding/);
  });
});
