import { Packr } from "msgpackr";
import {
  MAX_CHANNELS,
  MAX_CHANNEL_NAME_BYTES,
  OutboundChannels,
} from "../../../packages/supcon/src/wire/channels";
import { encodeMessage, packPayload } from "../../../packages/supcon/src/wire/codec";
import { WireError, WireErrorCode } from "../../../packages/supcon/src/wire/errors";
import { createFrameDecoder, encodeFrame } from "../../../packages/supcon/src/wire/frame";
import { LinkReader, LinkWriter } from "../../../packages/supcon/src/wire/link-codec";
import type {
  CallMessage,
  EventMessage,
  Message,
  ResultMessage,
} from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";

const call: CallMessage = {
  type: MessageType.Call,
  dst: "server",
  src: "client",
  hops: 0,
  id: 7,
  path: "/bench",
  intf: "com.example.Bench",
  method: "echo",
  args: { timer: "abc", seconds: 1.5 },
  timeoutMs: 30_000,
};
const result: ResultMessage = {
  type: MessageType.Result,
  dst: "client",
  src: "server",
  hops: 0,
  id: 7,
  out: { ok: true },
};
const event: EventMessage = {
  type: MessageType.Event,
  dst: "sub",
  src: "pub",
  hops: 1,
  path: "/p",
  intf: "com.example.Timer",
  event: "tick",
  args: { seq: 1 },
  seq: 300,
};

/** The frame bodies of a stream. */
function bodies(stream: Uint8Array | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  createFrameDecoder(1 << 24).push(
    stream ?? new Uint8Array(0),
    (bytes, start, end) => out.push(Uint8Array.from(bytes.subarray(start, end))),
    (message) => {
      throw new Error(message);
    },
  );
  return out;
}

/** Reads every body of a stream; BINDs are left out, protocol errors kept as strings. */
function readAll(reader: LinkReader, stream: Uint8Array | undefined): (Message | string)[] {
  return bodies(stream)
    .map((body) => reader.read(body))
    .filter((m) => typeof m === "string" || m.type !== MessageType.Bind);
}

const anyPackr = new Packr({ useRecords: false });
const frame = (value: unknown): Uint8Array => encodeFrame(anyPackr.pack(value));
const bind0 = encodeMessage({
  type: MessageType.Bind,
  channel: 0,
  dst: "server",
  src: "client",
  path: "/p",
  intf: "i",
  member: "m",
});

describe("LinkWriter and LinkReader", () => {
  it("send CALL, RESULT and EVENT on channels, bound once, and read them back as they were", () => {
    const writer = new LinkWriter(1 << 24);
    for (const m of [call, result, event, { ...call, id: 8 }, { ...result, id: 8 }, { ...event, seq: 301 }])
      writer.write(m);
    const stream = writer.take();
    const types = bodies(stream).map((b) => b[1]);
    expect(types).toEqual([
      MessageType.Bind,
      MessageType.ChannelCall,
      MessageType.Bind,
      MessageType.ChannelResult,
      MessageType.Bind,
      MessageType.ChannelEvent,
      MessageType.ChannelCall,
      MessageType.ChannelResult,
      MessageType.ChannelEvent,
    ]);
    expect(readAll(new LinkReader(undefined), stream)).toEqual([
      call,
      result,
      event,
      { ...call, id: 8 },
      { ...result, id: 8 },
      { ...event, seq: 301 },
    ]);
  });

  it("keeps the frames of a call small: the names go once, in BIND", () => {
    const writer = new LinkWriter(1 << 24);
    writer.write(call);
    writer.take();
    writer.write({ ...call, id: 1000 });
    const callFrame = writer.take() as Uint8Array;
    // 4 (length) + 1 (array) + 1 (type) + 1 (channel) + 1 (hops) + 3 (id) + 3 (timeoutMs) + 1 (no MAC) + 28 (args)
    expect(callFrame.length).toBe(43);
    expect(callFrame.length).toBeLessThanOrEqual(encodeMessage({ ...call, id: 1000 }).length / 2);
  });

  it("reads the names from the BIND it was sent, in order, when the sender takes channel numbers over", () => {
    const writer = new LinkWriter(1 << 24, new OutboundChannels(2));
    const reader = new LinkReader(undefined);
    const sent: Message[] = [];
    for (let i = 0; i < 7; i++) {
      const m = { ...call, id: i, method: `m${i % 3}` };
      sent.push(m);
      writer.write(m);
    }
    expect(readAll(reader, writer.take())).toEqual(sent);
  });

  it("forwards in full, with the hop count it is given, what it cannot send on a channel", () => {
    const long = "x".repeat(MAX_CHANNEL_NAME_BYTES + 1);
    const cancel: Message = { type: MessageType.Cancel, dst: "server", src: "client", hops: 0, id: 3 };
    const writer = new LinkWriter(1 << 24);
    writer.write({ ...call, path: long, args: null }, packPayload(call.args, "CALL"), 2);
    writer.write(cancel, undefined, 2);
    expect(readAll(new LinkReader(undefined), writer.take())).toEqual([
      { ...call, path: long, hops: 2 },
      { ...cancel, hops: 2 },
    ]);
  });

  it("sends messages in full when a name is too long to bind", () => {
    const long = "x".repeat(MAX_CHANNEL_NAME_BYTES + 1);
    const writer = new LinkWriter(1 << 24);
    writer.write({ ...call, path: long });
    writer.write({ ...event, intf: long });
    const stream = writer.take();
    expect(bodies(stream).map((b) => b[1])).toEqual([MessageType.Call, MessageType.Event]);
    expect(readAll(new LinkReader(undefined), stream)).toEqual([
      { ...call, path: long },
      { ...event, intf: long },
    ]);
  });

  it("leaves the payload of a message for another node packed, and forwards it as it came", () => {
    const writer = new LinkWriter(1 << 24);
    writer.write(call);
    const relay = new LinkReader("relay");
    const received = readAll(relay, writer.take());
    expect(received).toEqual([{ ...call, args: null }]);
    const payload = relay.payload as Uint8Array;
    expect(payload).toEqual(packPayload(call.args, "CALL"));

    const next = new LinkWriter(1 << 24);
    next.write(received[0] as CallMessage, payload, 1);
    expect(readAll(new LinkReader("server"), next.take())).toEqual([{ ...call, hops: 1 }]);
  });

  it("writes one event to many subscribers from one packed payload", () => {
    const writer = new LinkWriter(1 << 24);
    const payload = packPayload(event.args, "EVENT");
    for (const dst of ["a", "b", "a"]) writer.writeEvent(event, dst, event.seq, payload);
    expect(readAll(new LinkReader(undefined), writer.take())).toEqual([
      { ...event, hops: 0, dst: "a" },
      { ...event, hops: 0, dst: "b" },
      { ...event, hops: 0, dst: "a" },
    ]);
  });

  it("queues nothing, not even BIND, for a message it cannot send", () => {
    const writer = new LinkWriter(40);
    expect(() => writer.write({ ...call, args: { blob: "x".repeat(100) } })).toThrow(
      expect.objectContaining({ code: WireErrorCode.FrameTooLarge }) as Error,
    );
    expect(() => writer.write({ ...call, args: { when: new Date() } })).toThrow(WireError);
    expect(writer.bytes).toBe(0);
    expect(writer.take()).toBeUndefined();
  });

  it.each<[string, Uint8Array[], RegExp]>([
    [
      "an unbound channel",
      [frame([14, 3, 0, 1, 100, null, null])],
      /CHANNEL CALL on channel 3, which the peer has not bound/,
    ],
    ["a wrong arity", [bind0, frame([14, 0, 0, 1, null])], /CHANNEL CALL must be an array of 7 elements/],
    [
      "a string channel",
      [frame([15, "x", 0, 1, null, null])],
      /channel \(element 1\) must be an unsigned integer/,
    ],
    ["a negative id", [bind0, frame([15, 0, 0, -1, null, null])], /must be unsigned integers/],
    ["a float hops", [bind0, frame([23, 0, 0.5, 1, null, null])], /must be unsigned integers/],
    ["an array payload", [bind0, frame([15, 0, 0, 1, null, [1]])], /the last element must be a map or nil/],
    ["a Date in the payload", [bind0, frame([23, 0, 0, 1, null, { at: new Date(0) }])], /timestamp/],
    ["a truncated payload", [bind0, frame([14, 0, 0, 1, 100, null, { a: 1 }]).subarray(0, -1)], /./],
    [
      "a channel out of range",
      [frame([43, MAX_CHANNELS, "a", "b", "/", "i", "m"])],
      /BIND: channel 4096 is out of range/,
    ],
    [
      "a name too long to bind",
      [frame([43, 1, "a", "b", "/".repeat(MAX_CHANNEL_NAME_BYTES + 1), "i", "m"])],
      /BIND: a name is longer than 255 bytes/,
    ],
    [
      "a node name too long",
      [frame([43, 1, "a", "b".repeat(256), "/", "i", "m"])],
      /^BIND: src must be at most 255 characters long, got 256$/,
    ],
    [
      "a member name too long",
      [frame([43, 1, "a", "b", "/", "i", "m".repeat(256)])],
      /^BIND: member must be at most 255 characters long, got 256$/,
    ],
    [
      "a payload that costs more to decode than its size allows",
      [bind0, frame([14, 0, 0, 1, 100, null, { many: new Array<object>(100_000).fill({}) }])],
      /^CHANNEL CALL: the last element the value at \d+ takes the cost of decoding/,
    ],
  ])("refuses %s", (_what, frames, expected) => {
    const stream = Buffer.concat(frames.map((f) => Buffer.from(f)));
    const bodiesOf: Uint8Array[] = [];
    const framing = createFrameDecoder(1 << 20);
    framing.push(
      stream,
      (bytes, start, end) => bodiesOf.push(bytes.subarray(start, end)),
      () => undefined,
    );
    // A truncated frame never completes: give the decoder's held bytes as a body of their own.
    if (bodiesOf.length < frames.length)
      bodiesOf.push(stream.subarray(stream.length - framing.bufferedBytes + 4));
    const reader = new LinkReader(undefined);
    const results = bodiesOf.map((b) => reader.read(b));
    const last = results[results.length - 1];
    expect(typeof last).toBe("string");
    expect(last as string).toMatch(expected);
  });
});

describe("LinkWriter and LinkReader limits", () => {
  it("refuse a message with a name too long for the protocol, and queue nothing for it", () => {
    const writer = new LinkWriter(1 << 24);
    for (const m of [
      { ...call, dst: "d".repeat(256) },
      { ...result, src: "s".repeat(256) },
      { ...event, event: "e".repeat(256) },
    ]) {
      expect(() => writer.write(m)).toThrow(
        expect.objectContaining({
          code: WireErrorCode.InvalidData,
          message: expect.stringMatching(/must be at most 255 characters long, got 256$/) as string,
        }) as Error,
      );
    }
    expect(writer.take()).toBeUndefined();
  });

  it("refuse a payload beyond the decoding budget whether it is decoded or only checked for forwarding", () => {
    const body = Buffer.from(
      frame([14, 0, 0, 1, 100, null, { many: new Array<object>(100_000).fill({}) }]),
    ).subarray(4);
    const endpoint = new LinkReader(undefined);
    const relay = new LinkReader("relay");
    for (const reader of [endpoint, relay]) reader.read(bodies(bind0)[0] as Uint8Array);
    const problem = endpoint.read(body);
    expect(problem).toMatch(/takes the cost of decoding/);
    expect(relay.read(body)).toBe(problem);
  });

  it("refuse a 16 MiB frame of empty maps or deep chains, in full or on a channel", () => {
    const size = 16 * 1024 * 1024;
    const chain = Buffer.from([...new Array<number>(90).fill(0x91), 0x80]);
    for (const item of [Buffer.of(0x80), chain]) {
      const count = Math.floor(size / item.length);
      const array = Buffer.concat([Buffer.from([0xdd, 0, 0, 0, 0]), Buffer.alloc(count * item.length, item)]);
      array.writeUInt32BE(count, 1);
      const full = Buffer.concat([
        Buffer.from(anyPackr.pack([10, "server", "client", 0, 1, "/p", "i", "m", null, 100])).subarray(0, -2),
        Buffer.from([0x81, 0xa1, 0x78]),
        array,
        Buffer.from([0x64]),
      ]);
      const onChannel = Buffer.concat([Buffer.from([0x97, 14, 0, 0, 1, 100, 0xc0, 0x81, 0xa1, 0x78]), array]);
      const reader = new LinkReader(undefined);
      reader.read(bodies(bind0)[0] as Uint8Array);
      expect(reader.read(full)).toMatch(/^the value at \d+ takes the cost of decoding/);
      expect(reader.read(onChannel)).toMatch(
        /^CHANNEL CALL: the last element the value at \d+ takes the cost/,
      );
    }
  });
});

describe("OutboundChannels", () => {
  it("numbers names from 0 and finds them again", () => {
    const channels = new OutboundChannels();
    expect(channels.find("a", "b", "/", "i", "m")).toBe(-1);
    expect(channels.bind("a", "b", "/", "i", "m")?.channel).toBe(0);
    expect(channels.bind("a", "b", "/", "i", "n")?.channel).toBe(1);
    expect(channels.find("a", "b", "/", "i", "m")).toBe(0);
    expect(channels.find("a", "b", "/", "i", "n")).toBe(1);
    expect(channels.find("b", "a", "/", "i", "m")).toBe(-1);
  });

  it("takes numbers over in turn when full, forgetting the names they stood for", () => {
    const channels = new OutboundChannels(2);
    channels.bind("a", "b", "/", "i", "m0");
    channels.bind("a", "b", "/", "i", "m1");
    expect(channels.bind("a", "b", "/", "i", "m2")?.channel).toBe(0);
    expect(channels.bind("a", "b", "/", "i", "m3")?.channel).toBe(1);
    expect(channels.bind("x", "y", "/", "i", "m4")?.channel).toBe(0);
    expect(channels.find("a", "b", "/", "i", "m0")).toBe(-1);
    expect(channels.find("a", "b", "/", "i", "m2")).toBe(-1);
    expect(channels.find("a", "b", "/", "i", "m3")).toBe(1);
    expect(channels.find("x", "y", "/", "i", "m4")).toBe(0);
    expect(channels.size).toBe(2);
  });

  it("does not find names whose number was taken over, even right after finding them", () => {
    const channels = new OutboundChannels(1);
    channels.bind("a", "b", "/", "i", "m0");
    expect(channels.find("a", "b", "/", "i", "m0")).toBe(0);
    channels.bind("a", "b", "/", "i", "m1");
    expect(channels.find("a", "b", "/", "i", "m0")).toBe(-1);
    expect(channels.find("a", "b", "/", "i", "m1")).toBe(0);
  });

  it("does not bind names longer than MAX_CHANNEL_NAME_BYTES in UTF-8", () => {
    const channels = new OutboundChannels();
    expect(channels.bind("a", "b", "é".repeat(128), "i", "m")).toBeUndefined();
    expect(channels.bind("a", "b", "é".repeat(127), "i", "m")?.channel).toBe(0);
  });
});

describe("LinkWriter shared frames", () => {
  const neighbors = Array.from({ length: 1_000 }, (_, i) => `node-${i}`);
  const advert: Message = {
    type: MessageType.Advert,
    origin: "hub",
    instance: "0123456789abcdef",
    seq: 3,
    neighbors,
    objects: { "/a": ["com.example.A"] },
  };

  it("encodes an ADVERT once for every link of a node, and queues the same bytes on each by reference", () => {
    const shared = new WeakMap<Message, Uint8Array>();
    const writers = [1, 2, 3].map(() => new LinkWriter(1 << 24, undefined, undefined, shared));
    for (const w of writers) w.write(advert);
    const frame = shared.get(advert);
    expect(frame).toBeDefined();
    const taken = writers.map((w) => w.take());
    // A frame this large goes by reference: the three links hold one copy.
    for (const bytes of taken) expect(bytes).toBe(frame);
    expect(Buffer.from(frame as Uint8Array)).toEqual(Buffer.from(encodeMessage(advert, 1 << 24)));
  });

  it("copies a small shared frame into the link's own buffer, after what was queued before it", () => {
    const shared = new WeakMap<Message, Uint8Array>();
    const small: Message = { ...advert, neighbors: ["a"] };
    const w = new LinkWriter(1 << 24, undefined, undefined, shared);
    w.write({ type: MessageType.Ping });
    w.write(small);
    const bytes = w.take() as Uint8Array;
    expect(bytes).not.toBe(shared.get(small));
    const ping = encodeMessage({ type: MessageType.Ping }, 1 << 24);
    expect(Buffer.from(bytes)).toEqual(Buffer.concat([ping, shared.get(small) as Uint8Array]));
  });

  it("keeps the order of frames around a shared one queued by reference", () => {
    const shared = new WeakMap<Message, Uint8Array>();
    const w = new LinkWriter(1 << 24, undefined, undefined, shared);
    w.write({ type: MessageType.Ping });
    w.write(advert);
    w.write({ type: MessageType.Pong });
    const decoded: Message[] = [];
    const reader = new LinkReader("peer");
    createFrameDecoder(1 << 24).push(
      w.take() as Uint8Array,
      (bytes, start, end) => {
        const m = reader.read(bytes, start, end);
        if (typeof m !== "string") decoded.push(m);
      },
      (message) => {
        throw new Error(message);
      },
    );
    expect(decoded.map((m) => m.type)).toEqual([MessageType.Ping, MessageType.Advert, MessageType.Pong]);
  });
});
