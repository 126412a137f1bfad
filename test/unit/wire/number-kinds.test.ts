/**
 * Numbers keep their kind on the wire (docs/PROTOCOL.md, "Numbers"): every unsigned field of the protocol and every
 * `int` value is a MessagePack integer, in its shortest form, whatever its size within ±(2^53 − 1); every `float`
 * value is a float, even when it is integral. Read back with a decoder that tells integers from floats
 * (test/conformance/msgpack.ts), for every field and for values of every size class.
 */
import { Interface } from "../../../packages/supcon/src/schema/interface";
import { encodeMessage, packPayload } from "../../../packages/supcon/src/wire/codec";
import { WireError, WireErrorCode } from "../../../packages/supcon/src/wire/errors";
import { LinkReader, LinkWriter } from "../../../packages/supcon/src/wire/link-codec";
import type {
  CallMessage,
  EventMessage,
  Message,
  ResultMessage,
} from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { Float, decode, encode, f64, kindOf } from "../../conformance/msgpack";

/** Unsigned values of every MessagePack size class, with the token of their shortest form. */
const UINTS: readonly [number, number][] = [
  [0, 0x00],
  [127, 0x7f],
  [128, 0xcc],
  [255, 0xcc],
  [256, 0xcd],
  [65_535, 0xcd],
  [65_536, 0xce],
  [2 ** 32 - 1, 0xce],
  [2 ** 32, 0xcf],
  [Date.now(), 0xcf],
  [2 ** 53 - 1, 0xcf],
];

/** Signed values of every size class beyond the unsigned ones, with their shortest token. */
const NEGATIVE_INTS: readonly [number, number][] = [
  [-1, 0xff],
  [-32, 0xe0],
  [-33, 0xd0],
  [-128, 0xd0],
  [-129, 0xd1],
  [-32_768, 0xd1],
  [-32_769, 0xd2],
  [-(2 ** 31), 0xd2],
  [-(2 ** 31) - 1, 0xd3],
  [-(2 ** 53 - 1), 0xd3],
];

/** The frame bodies of a stream, split by hand (4-byte big-endian lengths). */
function bodies(stream: Uint8Array | undefined): Buffer[] {
  const out: Buffer[] = [];
  const b = Buffer.from(stream ?? new Uint8Array(0));
  for (let pos = 0; pos < b.length; pos += 4 + b.readUInt32BE(pos)) {
    out.push(b.subarray(pos + 4, pos + 4 + b.readUInt32BE(pos)));
  }
  return out;
}

/** A CALL, RESULT and EVENT from "a" to "b" whose unsigned fields are all `n`. */
function routedOf(n: number): [CallMessage, ResultMessage, EventMessage] {
  const routed = { dst: "b", src: "a", hops: n };
  return [
    {
      type: MessageType.Call,
      ...routed,
      id: n,
      path: "/p",
      intf: "x.Y",
      method: "m",
      args: null,
      timeoutMs: n,
    },
    { type: MessageType.Result, ...routed, id: n, out: null },
    { type: MessageType.Event, ...routed, path: "/p", intf: "x.Y", event: "e", args: null, seq: n },
  ];
}

/** The message array of an encoded frame, numbers with their kinds. */
function arrayOf(frame: Uint8Array): unknown[] {
  return decode(frame.subarray(4)) as unknown[];
}

/** The token of the first number of a packed `{v}`: the byte after the fixmap header and the key "v". */
function tokenOf(packed: Uint8Array): number {
  return packed[3] as number;
}

describe("unsigned fields of the protocol are MessagePack integers", () => {
  describe.each(UINTS)("%d", (n, token) => {
    it("in every full form", () => {
      const routed = { dst: "b", src: "a", hops: n };
      const [callMessage, resultMessage, eventMessage] = routedOf(n);
      const messages: [Message, number[]][] = [
        [{ type: MessageType.Hello, version: 3, name: "a", info: {} }, [1]],
        [callMessage, [3, 4, 9]],
        [resultMessage, [3, 4]],
        [{ type: MessageType.Error, ...routed, id: n, code: "x.Y.E", message: "", data: null }, [3, 4]],
        [{ type: MessageType.Cancel, ...routed, id: n }, [3, 4]],
        [eventMessage, [3, 8]],
        [{ type: MessageType.Subscribe, ...routed, path: "/p", intf: "x.Y", event: "e" }, [3]],
        [{ type: MessageType.Unsubscribe, ...routed, path: "/p", intf: "x.Y", event: "e" }, [3]],
        [{ type: MessageType.Advert, origin: "a", instance: "i", seq: n, neighbors: [], objects: {} }, [3]],
      ];
      for (const [message, fields] of messages) {
        const array = arrayOf(encodeMessage(message));
        for (const i of [0, ...fields]) {
          expect([message.type, i, kindOf(array[i])]).toEqual([message.type, i, "int"]);
        }
        for (const i of fields) expect(array[i]).toBe(message.type === MessageType.Hello ? 3 : n);
      }
    });

    it("in the channel forms and BIND", () => {
      const writer = new LinkWriter(1 << 24);
      for (const message of routedOf(n)) writer.write(message);
      const arrays = bodies(writer.take()).map((b) => decode(b) as unknown[]);
      const channelMessages = arrays.filter((a) => a[0] !== MessageType.Bind);
      expect(channelMessages.map((a) => a[0])).toEqual([
        MessageType.ChannelCall,
        MessageType.ChannelResult,
        MessageType.ChannelEvent,
      ]);
      for (const a of arrays) expect(kindOf(a[1])).toBe("int"); // the channel
      for (const a of channelMessages) {
        const uints = a.slice(2, a[0] === MessageType.ChannelCall ? 5 : 4);
        expect(uints).toEqual(uints.map(() => n));
        expect(uints.map(kindOf)).toEqual(uints.map(() => "int"));
      }
    });

    it("in the shortest form", () => {
      const frame = encodeMessage({
        type: MessageType.Advert,
        origin: "a",
        instance: "i",
        seq: n,
        neighbors: [],
        objects: {},
      });
      // [0x97, 30, 0xa1 "a", 0xa1 "i", seq…]
      expect(frame[4 + 6]).toBe(token);
    });
  });

  it.each([-1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 64])(
    "refuses to send %d in one, with supcon.InvalidData",
    (n) => {
      const writer = new LinkWriter(1 << 24);
      const [callMessage, resultMessage, eventMessage] = routedOf(1);
      const advert = {
        type: MessageType.Advert,
        origin: "a",
        instance: "i",
        neighbors: [],
        objects: {},
      } as const;
      const sends: (() => unknown)[] = [
        () => writer.write({ ...callMessage, id: n }),
        () => writer.write({ ...resultMessage, hops: n }),
        () => writer.write({ ...eventMessage, seq: n }),
        () => encodeMessage({ ...callMessage, timeoutMs: n }),
        () => encodeMessage({ ...advert, seq: n }),
        () => encodeMessage({ type: MessageType.Cancel, dst: "b", src: "a", hops: 0, id: n }),
      ];
      for (const send of sends) {
        expect(send).toThrow(WireError);
        try {
          send();
        } catch (err) {
          expect((err as WireError).code).toBe(WireErrorCode.InvalidData);
        }
      }
      expect(writer.bytes).toBe(0);
    },
  );
});

describe("numbers in payloads", () => {
  it.each([...UINTS, ...NEGATIVE_INTS])(
    "an integral %d goes as an integer, in its shortest form",
    (n, token) => {
      const packed = packPayload({ v: n }, "CALL");
      expect(decode(packed)).toEqual({ v: n });
      expect(tokenOf(packed)).toBe(token);
    },
  );

  it.each([1.5, -0.25, 1e-300, 1e300, 2 ** 53 + 2, -(2 ** 60)])(
    "any other number (%d) goes as a float 64",
    (n) => {
      const packed = packPayload({ v: n }, "CALL");
      expect(decode(packed)).toEqual({ v: f64(n) });
    },
  );

  it("keeps the kinds in nested values, and in a full-form message", () => {
    const value = { a: [1, 2 ** 40, -(2 ** 40), 0.5, { b: 2 ** 33 }], c: { d: -(2 ** 35) } };
    const expected = { a: [1, 2 ** 40, -(2 ** 40), f64(0.5), { b: 2 ** 33 }], c: { d: -(2 ** 35) } };
    expect(decode(packPayload(value, "CALL"))).toEqual(expected);
    const array = arrayOf(
      encodeMessage({
        type: MessageType.Error,
        dst: "b",
        src: "a",
        hops: 0,
        id: 1,
        code: "x.Y.E",
        message: "",
        data: value,
      }),
    );
    expect(array[7]).toEqual(expected);
  });
});

describe("typed payloads: int and float values keep their declared kind", () => {
  const intf = new Interface({
    name: "com.example.Kinds",
    types: [
      {
        name: "Point",
        fields: [
          { name: "x", type: "float" },
          { name: "n", type: "int" },
          { name: "next", type: "Point?" },
        ],
      },
      { name: "Flat", fields: [{ name: "label", type: "string" }] },
    ],
    methods: [
      {
        name: "m",
        inArgs: [
          { name: "f", type: "float" },
          { name: "i", type: "int" },
          { name: "of", type: "float?" },
          { name: "fs", type: "float[]" },
          { name: "fm", type: "map<float>" },
          { name: "p", type: "Point?" },
          { name: "flat", type: "Flat?" },
          { name: "a", type: "any?" },
        ],
        outArgs: [{ name: "now", type: "float" }],
      },
      {
        name: "plain",
        inArgs: [
          { name: "i", type: "int" },
          { name: "s", type: "string" },
        ],
      },
    ],
    events: [{ name: "e", args: [{ name: "f", type: "float" }] }],
  });
  const m = intf.method("m")!;

  /** Packs valid in-args of `m` as a call does. */
  function packIn(args: Record<string, unknown>): unknown {
    expect(m.validateIn(args)).toBeUndefined();
    return decode(packPayload(m.wireIn(args), "CALL"));
  }

  const base = { f: 1.5, i: 1, fs: [], fm: {} };

  it.each([0, -0, 1, 2 ** 31, 2 ** 32, Date.now(), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53 + 2, 1.5, 1e300])(
    "a float of %d goes as a float 64",
    (x) => {
      const decoded = packIn({ ...base, f: x, of: x, fs: [x, 0.5, x], fm: { k: x }, p: { x, n: 1 } });
      const want = f64(Object.is(x, -0) ? 0 : x);
      expect(decoded).toEqual({
        ...base,
        f: want,
        i: 1,
        of: want,
        fs: [want, f64(0.5), want],
        fm: { k: want },
        p: { x: want, n: 1 },
      });
    },
  );

  it.each([...UINTS, ...NEGATIVE_INTS])("an int of %d goes as an integer", (n) => {
    const decoded = packIn({ ...base, i: n, p: { x: 0.5, n, next: { x: 2, n } } }) as {
      i: unknown;
      p: { n: unknown; next: { x: unknown; n: unknown } };
    };
    expect([decoded.i, decoded.p.n, decoded.p.next.n]).toEqual([n, n, n]);
    expect(decoded.p.next.x).toEqual(f64(2));
  });

  it("marks a float in a recursive type at any depth", () => {
    const p = { x: 1, n: 0, next: { x: 2, n: 0, next: { x: 3, n: 0 } } };
    const decoded = packIn({ ...base, p }) as { p: unknown };
    expect(decoded.p).toEqual({
      x: f64(1),
      n: 0,
      next: { x: f64(2), n: 0, next: { x: f64(3), n: 0 } },
    });
  });

  it("leaves `any` values by their value, and out-args and event args are marked alike", () => {
    expect(packIn({ ...base, a: { n: 2, x: 2.5 } })).toMatchObject({ a: { n: 2, x: f64(2.5) } });
    expect(decode(packPayload(m.wireOut({ now: 1_700_000_000_000 }), "RESULT"))).toEqual({
      now: f64(1_700_000_000_000),
    });
    expect(decode(packPayload(intf.event("e")!.wireArgs({ f: 3 }), "EVENT"))).toEqual({ f: f64(3) });
  });

  it("never changes the caller's value, and copies nothing without an integral float", () => {
    const args = { ...base, f: 2, fs: [1, 2], p: { x: 3, n: 4 } };
    const before = structuredClone(args);
    const marked = m.wireIn(args) as Record<string, unknown>;
    expect(args).toEqual(before);
    expect(marked).not.toBe(args);
    expect(typeof marked["f"]).toBe("bigint");
    const fractional = { ...base, f: 2.5, fs: [0.5], p: { x: 0.25, n: 4 }, flat: { label: "x" } };
    expect(m.wireIn(fractional)).toBe(fractional);
    const plain = intf.method("plain")!;
    const noFloats = { i: 7, s: "s" };
    expect(plain.wireIn(noFloats)).toBe(noFloats);
  });
});

describe("a relay forwards a payload as the bytes it came as", () => {
  /** A full-form CALL to `server`, built by hand: an integral float and a large int in its args. */
  const args = { f: f64(1), big: 2 ** 40, g: new Float(2.5, 32) };
  function fullCall(path: string): Uint8Array {
    return encode([MessageType.Call, "server", "client", 0, 9, path, "x.Y", "m", args, 1000, null]);
  }

  it("on a channel", () => {
    const reader = new LinkReader("relay");
    const body = fullCall("/p");
    const message = reader.read(body);
    if (typeof message === "string") throw new Error(message);
    const payload = reader.payload;
    expect(payload).toBeDefined();
    expect(decode(payload!)).toEqual(args);
    const writer = new LinkWriter(1 << 24);
    writer.write(message, payload, 1);
    const [bind, channelCall] = bodies(writer.take()).map((b) => decode(b) as unknown[]);
    expect(bind?.[0]).toBe(MessageType.Bind);
    expect(channelCall?.[0]).toBe(MessageType.ChannelCall);
    expect(channelCall?.[6]).toEqual(args);
  });

  it("in full form, when the names are too long for a channel", () => {
    const reader = new LinkReader("relay");
    const path = `/${"p".repeat(300)}`;
    const message = reader.read(fullCall(path));
    if (typeof message === "string") throw new Error(message);
    const writer = new LinkWriter(1 << 24);
    writer.write(message, reader.payload, 1);
    const [call] = bodies(writer.take()).map((b) => decode(b) as unknown[]);
    expect(call).toEqual([MessageType.Call, "server", "client", 1, 9, path, "x.Y", "m", args, 1000, null]);
  });

  it("and an ERROR's data", () => {
    const reader = new LinkReader("relay");
    const data = { n: f64(4), list: [f64(0), 2 ** 50] };
    const message = reader.read(
      encode([MessageType.Error, "client", "server", 0, 9, "x.Y.E", "no", data, null]),
    );
    if (typeof message === "string") throw new Error(message);
    const writer = new LinkWriter(1 << 24);
    writer.write(message, reader.payload, 1);
    const [error] = bodies(writer.take()).map((b) => decode(b) as unknown[]);
    expect(error).toEqual([MessageType.Error, "client", "server", 1, 9, "x.Y.E", "no", data, null]);
  });
});
