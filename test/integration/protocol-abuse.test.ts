/**
 * Protocol abuse: a raw socket speaks the wire format by hand and does what no well-behaved node does. The node
 * under test runs in a child process (test/fixtures/reliability-node.js), so a crash shows as the process exiting.
 * After every case the node must still be alive, its other connection (a normal node, `healthy`) must never have
 * been dropped, and a call from it must succeed.
 */
import type { Node, NodeOptions, NodeStatus } from "../../packages/supcon/src/index";
import type { CallMessage, Message } from "../../packages/supcon/src/wire/messages";
import { MessageType, PROTOCOL_VERSION } from "../../packages/supcon/src/wire/messages";
import { Bus, eventually, sleep } from "../helpers/bus";
import { stopAll } from "../helpers/processes";
import { RawPeer, advertOf, frameOf, frameOfMessage } from "../helpers/raw-peer";
import type { Target } from "../helpers/target";
import { eventuallyAsync, startTarget, targetState } from "../helpers/target";

const HANDSHAKE_TIMEOUT_MS = 300;
const MAX_FRAME_BYTES = 64 * 1024;
const MAX_SERVING_CALLS = 8;
const MAX_HANDSHAKING_LINKS = 16;
const TARGET_OPTIONS: NodeOptions = {
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  maxHandshakingLinks: MAX_HANDSHAKING_LINKS,
  maxFrameBytes: MAX_FRAME_BYTES,
  maxServingCalls: MAX_SERVING_CALLS,
};

/** A CALL from `src` to the target. */
function call(
  src: string,
  id: number,
  path: string,
  intf: string,
  method: string,
  args: object,
): CallMessage {
  return {
    type: MessageType.Call,
    dst: "target",
    src,
    hops: 0,
    id,
    path,
    intf,
    method,
    args: args as Record<string, unknown>,
    timeoutMs: 5_000,
  };
}

const isReplyTo =
  (id: number) =>
  (m: Message): boolean =>
    (m.type === MessageType.Result || m.type === MessageType.Error) && m.id === id;

describe("protocol abuse", () => {
  const bus = new Bus();
  const peers: RawPeer[] = [];
  let target: Target;
  let healthy: Node;
  let healthyStatuses: NodeStatus[];

  /** The node under test plus one normal node connected to it. */
  async function setUp(options: NodeOptions = TARGET_OPTIONS): Promise<void> {
    target = await startTarget({ listen: 0, options });
    healthy = bus.node("healthy");
    healthyStatuses = [];
    healthy.onStatus((s) => healthyStatuses.push(s));
    healthy.connect({ port: target.port });
    await healthy.waitFor("target", { path: "/rel", timeoutMs: 5_000 });
  }

  async function rogue(): Promise<RawPeer> {
    const peer = await RawPeer.connect(target.port);
    peers.push(peer);
    return peer;
  }

  /** The node is alive, never dropped its normal link, serves a call, and holds no link but that one. */
  async function expectHealthy(): Promise<void> {
    expect(target.stderr()).not.toMatch(/UNCAUGHT/);
    expect(target.alive()).toBe(true);
    await expect(
      healthy.call("target", "/calc", "com.example.Calc", "add", { a: 20, b: 22 }),
    ).resolves.toEqual({
      sum: 42,
    });
    expect(healthyStatuses.filter((s) => s.type === "linkDown")).toEqual([]);
    for (const peer of peers) peer.destroy();
    await eventually(() => peers.every((p) => p.isClosed), 2_000, "the raw connections to close");
    await eventuallyAsync(
      async () => {
        const { links } = await targetState(healthy, "target");
        return links.length === 1 && links[0]?.peer === "healthy";
      },
      3_000,
      "the target to hold only its link to healthy",
    );
  }

  beforeEach(() => setUp());
  afterEach(async () => {
    for (const peer of peers) peer.destroy();
    peers.length = 0;
    await bus.close();
    await stopAll();
  });

  it("refuses a HELLO of another protocol version with supcon.VersionMismatch, then closes", async () => {
    for (const version of [0, PROTOCOL_VERSION - 1, PROTOCOL_VERSION + 1, 0xffff_ffff]) {
      const peer = await rogue();
      await expect(peer.handshake("rogue", version)).rejects.toThrow(/refused/);
      expect(peer.received[0]).toMatchObject({ type: MessageType.Refuse, code: "supcon.VersionMismatch" });
      await peer.waitClosed(1_000);
    }
    await expectHealthy();
  });

  it("refuses a HELLO naming the node itself or a node already on the bus with supcon.NameTaken", async () => {
    for (const name of ["target", "healthy"]) {
      const peer = await rogue();
      await expect(peer.handshake(name)).rejects.toThrow(/refused/);
      expect(peer.received[0]).toMatchObject({ type: MessageType.Refuse, code: "supcon.NameTaken" });
      await peer.waitClosed(1_000);
    }
    await expectHealthy();
  });

  it("closes a connection whose first frame is not HELLO, without acting on it", async () => {
    const before: Message[] = [
      call("rogue", 1, "/calc", "com.example.Calc", "sleep", { ms: 1_000 }),
      {
        type: MessageType.Event,
        dst: "target",
        src: "rogue",
        hops: 0,
        path: "/x",
        intf: "x.Y",
        event: "e",
        args: {},
        seq: 1,
      },
      {
        type: MessageType.Subscribe,
        dst: "target",
        src: "rogue",
        hops: 0,
        path: "/rel",
        intf: "i",
        event: "e",
      },
      { type: MessageType.Ping },
      { type: MessageType.Bye, code: "supcon.Closed", message: "bye" },
      {
        type: MessageType.Advert,
        origin: "rogue",
        instance: "1",
        seq: 1,
        neighbors: ["target"],
        objects: {},
      },
    ];
    for (const message of before) {
      const peer = await rogue();
      peer.send(message);
      await peer.waitClosed(1_000);
      // Nothing but the close: no HELLO, no reply.
      expect(peer.received).toEqual([]);
    }
    expect((await targetState(healthy, "target")).servingMax).toBe(0);
    await expectHealthy();
  });

  it("closes a connection whose handshake does not complete within handshakeTimeoutMs", async () => {
    const silent = await rogue();
    const headerOnly = await rogue();
    headerOnly.write(Buffer.from([0, 0, 0, 40]));
    // HELLO one byte every 50 ms: it would take far longer than the timeout.
    const trickle = await rogue();
    const hello = frameOfMessage({
      type: MessageType.Hello,
      version: PROTOCOL_VERSION,
      name: "slowloris",
      info: { instance: "0123456789abcdef" },
    });
    let stop = false;
    const trickling = (async () => {
      for (let i = 0; i < hello.length && !stop && !trickle.isClosed; i++) {
        trickle.write(hello.subarray(i, i + 1));
        await sleep(50);
      }
    })();
    const took = await Promise.all([silent, headerOnly, trickle].map((p) => p.waitClosed(3_000)));
    stop = true;
    await trickling;
    for (const ms of took) {
      // The peers connected a few ms before waitClosed started counting.
      expect(ms).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 100);
      expect(ms).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1_000);
    }
    expect(trickle.received).toEqual([]);
    await expectHealthy();
  });

  it("closes the link on an unknown message type, before and after the handshake", async () => {
    for (const body of [[99], [4, "x"], [255, "dst", "src", 0], [-1], ["CALL"], []]) {
      const early = await rogue();
      early.write(frameOf(body));
      await early.waitClosed(1_000);
      expect(early.received).toEqual([]);

      const late = await rogue();
      await late.handshake("rogue");
      late.write(frameOf(body));
      await expect(late.next((m) => m.type === MessageType.Bye)).resolves.toMatchObject({
        code: "supcon.ProtocolError",
      });
      await late.waitClosed(1_000);
    }
    await expectHealthy();
  });

  it("ignores RESULT, ERROR and CANCEL for call ids it does not know; the link stays up", async () => {
    const peer = await rogue();
    await peer.handshake("rogue");
    for (const id of [0, 1, 12_345, 0xffff_fffe, Number.MAX_SAFE_INTEGER]) {
      peer.send({ type: MessageType.Result, dst: "target", src: "rogue", hops: 0, id, out: { sum: 1 } });
      peer.send({
        type: MessageType.Error,
        dst: "target",
        src: "rogue",
        hops: 0,
        id,
        code: "supcon.Internal",
        message: "no such call",
        data: { id },
      });
      peer.send({ type: MessageType.Cancel, dst: "target", src: "rogue", hops: 0, id });
    }
    peer.send(call("rogue", 7, "/calc", "com.example.Calc", "add", { a: 1, b: 2 }));
    await expect(peer.next(isReplyTo(7))).resolves.toMatchObject({
      type: MessageType.Result,
      out: { sum: 3 },
    });
    expect(peer.isClosed).toBe(false);
    expect(peer.received.some((m) => m.type === MessageType.Bye)).toBe(false);
    await expectHealthy();
  });

  it("answers an EVENT nobody subscribed to with UNSUBSCRIBE, and a CALL it cannot route with UnknownNode", async () => {
    const peer = await rogue();
    await peer.handshake("rogue");
    peer.send({
      type: MessageType.Event,
      dst: "target",
      src: "rogue",
      hops: 0,
      path: "/p",
      intf: "x.Y",
      event: "e",
      args: { a: 1 },
      seq: 5,
    });
    await expect(peer.next((m) => m.type === MessageType.Unsubscribe)).resolves.toMatchObject({
      dst: "rogue",
      path: "/p",
      intf: "x.Y",
      event: "e",
    });
    // No route to `nowhere`; and a message that would cross its 32nd link is dropped even towards a known node.
    peer.send({ ...call("rogue", 8, "/calc", "com.example.Calc", "add", { a: 1, b: 2 }), dst: "nowhere" });
    peer.send({
      ...call("rogue", 9, "/calc", "com.example.Calc", "add", { a: 1, b: 2 }),
      dst: "healthy",
      hops: 31,
    });
    await expect(peer.next(isReplyTo(8))).resolves.toMatchObject({ code: "supcon.UnknownNode" });
    await expect(peer.next(isReplyTo(9))).resolves.toMatchObject({ code: "supcon.UnknownNode" });
    await expectHealthy();
  });

  it("answers a CALL that reuses the id of one still in flight with an error, and never mixes up replies", async () => {
    const peer = await rogue();
    await peer.handshake("rogue");
    // An id may be used again once its call has been answered.
    peer.send(call("rogue", 5, "/calc", "com.example.Calc", "add", { a: 1, b: 2 }));
    peer.send(call("rogue", 5, "/calc", "com.example.Calc", "add", { a: 3, b: 4 }));
    // Not while it is in flight: the second CALL with id 6 is refused, the slow one still gets its own result.
    peer.send(call("rogue", 6, "/calc", "com.example.Calc", "sleep", { ms: 200 }));
    peer.send(call("rogue", 6, "/calc", "com.example.Calc", "add", { a: 5, b: 6 }));
    const replies = (): Message[] =>
      peer.received.filter((m) => m.type === MessageType.Result || m.type === MessageType.Error);
    await eventually(() => replies().length === 4, 3_000);
    expect(replies()).toEqual([
      expect.objectContaining({ type: MessageType.Result, id: 5, out: { sum: 3 } }),
      expect.objectContaining({ type: MessageType.Result, id: 5, out: { sum: 7 } }),
      expect.objectContaining({
        type: MessageType.Error,
        id: 6,
        code: "supcon.ProtocolError",
        message: "call id 6 of rogue is already in flight",
      }),
      expect.objectContaining({ type: MessageType.Result, id: 6, out: { aborted: false } }),
    ]);
    await expectHealthy();
  });

  // CALLs that reuse an id still in flight are refused, so at most maxServingCalls handlers run and CANCEL,
  // nodeDown and close() reach every one of them.
  it("counts CALLs that reuse an id against maxServingCalls", async () => {
    const peer = await rogue();
    await peer.handshake("rogue");
    for (let i = 0; i < 3 * MAX_SERVING_CALLS; i++) {
      peer.send(call("rogue", 77, "/calc", "com.example.Calc", "sleep", { ms: 300 }));
    }
    await eventually(
      () => peer.received.filter(isReplyTo(77)).length === 3 * MAX_SERVING_CALLS,
      5_000,
      "a reply to every CALL",
    );
    expect((await targetState(healthy, "target")).servingMax).toBeLessThanOrEqual(MAX_SERVING_CALLS);
  });

  it("refuses calls beyond maxServingCalls with supcon.Overloaded, and serves again once they finish", async () => {
    const peer = await rogue();
    await peer.handshake("rogue");
    const total = MAX_SERVING_CALLS + 4;
    for (let id = 1; id <= total; id++) {
      peer.send(call("rogue", id, "/calc", "com.example.Calc", "sleep", { ms: 300 }));
    }
    const isReply = (m: Message): boolean => m.type === MessageType.Result || m.type === MessageType.Error;
    await eventually(() => peer.received.filter(isReply).length >= total, 3_000, "a reply to every CALL");
    const replies = peer.received.filter(isReply);
    expect(replies.filter((m) => m.type === MessageType.Error)).toEqual(
      Array.from({ length: 4 }, () => expect.objectContaining({ code: "supcon.Overloaded" })),
    );
    expect(replies.filter((m) => m.type === MessageType.Result)).toHaveLength(MAX_SERVING_CALLS);
    expect((await targetState(healthy, "target")).servingMax).toBe(MAX_SERVING_CALLS);
    peer.send(call("rogue", 100, "/calc", "com.example.Calc", "sleep", { ms: 1 }));
    await expect(peer.next(isReplyTo(100))).resolves.toMatchObject({ type: MessageType.Result });
    await expectHealthy();
  });

  it("fails calls beyond maxPendingCalls on the caller with supcon.Overloaded, at once", async () => {
    const caller = bus.node("caller", { maxPendingCalls: 4 });
    caller.connect({ port: target.port });
    await caller.waitFor("target", { path: "/calc" });
    const sleeps = Array.from({ length: 4 }, () =>
      caller.call("target", "/calc", "com.example.Calc", "sleep", { ms: 200 }),
    );
    const started = Date.now();
    await expect(
      caller.call("target", "/calc", "com.example.Calc", "add", { a: 1, b: 1 }),
    ).rejects.toMatchObject({
      code: "supcon.Overloaded",
    });
    expect(Date.now() - started).toBeLessThan(50);
    await expect(Promise.all(sleeps)).resolves.toEqual(Array.from({ length: 4 }, () => ({ aborted: false })));
    await expect(caller.call("target", "/calc", "com.example.Calc", "add", { a: 1, b: 1 })).resolves.toEqual({
      sum: 2,
    });
    await caller.close();
    bus.nodes.splice(bus.nodes.indexOf(caller), 1);
    await expectHealthy();
  });

  it("closes a connection that declares a frame above maxFrameBytes with supcon.FrameTooLarge", async () => {
    for (const length of [MAX_FRAME_BYTES + 1, 0x7fff_ffff, 0xffff_ffff]) {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(length);
      const early = await rogue();
      early.write(header);
      await early.waitClosed(1_000);

      const late = await rogue();
      await late.handshake("rogue");
      late.write(Buffer.concat([header, Buffer.alloc(1024, 0x41)]));
      await expect(late.next((m) => m.type === MessageType.Bye)).resolves.toMatchObject({
        code: "supcon.FrameTooLarge",
      });
      await late.waitClosed(1_000);
    }
    await expectHealthy();
  });

  it("closes connections that send garbage or hostile MessagePack", async () => {
    const str32 = Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]); // a string claiming 4 GiB
    const array32 = Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]); // an array claiming 2^32 - 1 items
    const map32 = Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61]);
    const deep = Buffer.concat([Buffer.alloc(10_000, 0x91), Buffer.from([0xc0])]); // 10,000 nested arrays
    const timestamp = Buffer.from([0xd6, 0xff, 0, 0, 0, 1]); // ext type -1
    const proto = Buffer.from([0x81, 0xa9, ...Buffer.from("__proto__"), 0x01]);
    const nan = Buffer.from([0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]);
    const trailing = Buffer.from([0x91, 0x28, 0xc0]); // [40] followed by a nil
    const frame = (body: Buffer): Buffer => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length);
      return Buffer.concat([header, body]);
    };
    // A CALL array whose args hold `value`, as raw MessagePack.
    const callWith = (value: Buffer): Buffer =>
      Buffer.concat([
        Buffer.from([0x9a, 0x0a, 0xa6, ...Buffer.from("target"), 0xa5, ...Buffer.from("rogue")]),
        Buffer.from([0x00, 0x01, 0xa5, ...Buffer.from("/calc"), 0xa1, 0x69, 0xa1, 0x6d, 0x81, 0xa1, 0x78]),
        value,
        Buffer.from([0xcd, 0x03, 0xe8]),
      ]);
    const garbage: [string, Buffer][] = [
      ["an HTTP request", Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")],
      ["a TLS ClientHello", Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])],
      ["random bytes", Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7919 + 13) & 0xff))],
      ["a frame of length 0", Buffer.from([0, 0, 0, 0])],
      ["a frame that is not an array", frame(Buffer.from([0xa3, 0x61, 0x62, 0x63]))],
      ["invalid MessagePack (0xc1)", frame(Buffer.from([0xc1, 0xc1]))],
      ["a string claiming 4 GiB", frame(str32)],
      ["an array claiming 2^32 - 1 items", frame(array32)],
      ["a map claiming 2^32 - 1 entries", frame(map32)],
      ["10,000 nested arrays", frame(deep)],
      ["bytes after the value", frame(trailing)],
      ["a timestamp extension in args", frame(callWith(timestamp))],
      ["a __proto__ key in args", frame(callWith(proto))],
      ["NaN in args", frame(callWith(nan))],
    ];
    for (const [what, bytes] of garbage) {
      for (const afterHandshake of [false, true]) {
        const peer = await rogue();
        if (afterHandshake) await peer.handshake("rogue");
        peer.write(bytes);
        await peer.waitClosed(2_000).catch((err: Error) => {
          throw new Error(`${what} (after handshake: ${afterHandshake}): ${err.message}`);
        });
        if (afterHandshake && bytes.length > 4) {
          // The node says why before closing.
          expect([what, peer.received.find((m) => m.type === MessageType.Bye)]).toEqual([
            what,
            expect.objectContaining({
              code: expect.stringMatching(/^supcon\.(ProtocolError|FrameTooLarge)$/),
            }),
          ]);
        }
      }
    }
    await expectHealthy();
  });

  it("forgets a truncated frame when the connection closes", async () => {
    const early = await rogue();
    early.write(Buffer.concat([Buffer.from([0, 0, 0, 100]), Buffer.alloc(10, 0x90)]));
    early.socket.end();
    await early.waitClosed(1_000);

    const late = await rogue();
    await late.handshake("rogue");
    const frame = frameOfMessage(call("rogue", 3, "/calc", "com.example.Calc", "sleep", { ms: 1 }));
    late.write(frame.subarray(0, frame.length - 3));
    late.socket.end();
    await late.waitClosed(1_000);
    expect(late.received.some((m) => m.type === MessageType.Result)).toBe(false);
    expect((await targetState(healthy, "target")).servingMax).toBe(0);
    await expectHealthy();
  });

  it("understands a valid session written one byte at a time", async () => {
    const peer = await rogue();
    const session = Buffer.concat([
      frameOfMessage({
        type: MessageType.Hello,
        version: PROTOCOL_VERSION,
        name: "rogue",
        info: { instance: "0123456789abcdef" },
      }),
      frameOfMessage(advertOf("rogue", "0123456789abcdef", ["target"])),
      frameOfMessage({
        type: MessageType.Subscribe,
        dst: "target",
        src: "rogue",
        hops: 0,
        path: "/rel",
        intf: "test.Reliability",
        event: "seq",
      }),
      frameOfMessage(call("rogue", 1, "/rel", "test.Reliability", "burst", { count: 3, padBytes: 2 })),
      frameOfMessage(call("rogue", 2, "/calc", "com.example.Calc", "add", { a: 2, b: 3 })),
      frameOfMessage({ type: MessageType.Ping }),
    ]);
    for (let i = 0; i < session.length; i++) {
      peer.write(session.subarray(i, i + 1));
      // Let each byte leave as a segment of its own (Nagle is off), so the node reads it alone.
      if (i % 4 === 3) await sleep(1);
    }
    await expect(peer.next(isReplyTo(1))).resolves.toMatchObject({ out: { last: 3 } });
    await expect(peer.next(isReplyTo(2))).resolves.toMatchObject({ out: { sum: 5 } });
    await expect(peer.next((m) => m.type === MessageType.Pong)).resolves.toBeDefined();
    const events = peer.received.filter((m) => m.type === MessageType.Event);
    expect(events).toEqual(
      [1, 2, 3].map((seq) =>
        expect.objectContaining({ seq, args: expect.objectContaining({ n: seq, pad: "xx" }) }),
      ),
    );
    expect(peer.received[0]).toMatchObject({ type: MessageType.Hello, name: "target" });
    await expectHealthy();
  });

  it("sheds connections beyond maxHandshakingLinks at once, and accepts again once they are gone", async () => {
    const silent = await Promise.all(Array.from({ length: 4 * MAX_HANDSHAKING_LINKS }, () => rogue()));
    await eventually(
      () => silent.filter((p) => p.isClosed).length >= 3 * MAX_HANDSHAKING_LINKS,
      HANDSHAKE_TIMEOUT_MS - 100,
      "the connections beyond the limit to be closed before the handshake timeout",
    );
    // The rest go at the handshake timeout.
    await Promise.all(silent.map((p) => p.waitClosed(2_000)));
    const late = await rogue();
    await expect(late.handshake("late")).resolves.toMatchObject({ name: "target" });
    await expectHealthy();
  });

  // A HELLO name is checked against the rule the Node constructor enforces (1 to 255 characters, no control
  // characters): a peer cannot join as "a\u0000b" or under a 100,000-character name.
  it("refuses a HELLO whose name no Node could have", async () => {
    for (const name of ["a\u0000b", "tab\there"]) {
      const peer = await rogue();
      await expect(peer.handshake(name)).rejects.toThrow(/refused/);
      await peer.waitClosed(1_000);
    }
    // A name over 255 characters is refused by the wire layer itself: the frame is invalid, the link closes.
    const peer = await rogue();
    peer.write(
      frameOf([MessageType.Hello, PROTOCOL_VERSION, "x".repeat(256), { instance: "00000000feedf00d" }]),
    );
    await peer.waitClosed(1_000);
    expect(peer.received.some((m) => m.type === MessageType.Hello)).toBe(false);
  });

  // Adverts of nodes nobody can reach are forgotten when the link they came by closes (and after a grace period
  // otherwise), so one peer cannot leave any number of them behind.
  it("forgets the adverts of unreachable nodes a peer announced, once it has left", async () => {
    const before = await targetState(healthy, "target", { gc: true });
    const peer = await rogue();
    await peer.handshake("rogue");
    for (let i = 0; i < 20_000; i++) {
      peer.send(advertOf(`ghost-${i}`, "0000000000000001", [`ghost-${i + 1}`]));
      if (i % 1_000 === 999) await sleep(1);
    }
    peer.send({ type: MessageType.Ping });
    await peer.next((m) => m.type === MessageType.Pong);
    peer.destroy();
    await sleep(1_000);
    const after = await targetState(healthy, "target", { gc: true });
    expect(after.heapUsed - before.heapUsed).toBeLessThan(2 * 1024 * 1024);
  });

  // A SUBSCRIBE from a name that is not on the bus is ignored: forged names cannot escape
  // maxSubscriptionsPerNode, pile up, or make every event fired afterwards be routed to them.
  it("ignores subscriptions from nodes that are not on the bus", async () => {
    const peer = await rogue();
    await peer.handshake("rogue");
    for (let i = 0; i < 20_000; i++) {
      peer.send({
        type: MessageType.Subscribe,
        dst: "target",
        src: `ghost-${i}`,
        hops: 0,
        path: "/rel",
        intf: "test.Reliability",
        event: "seq",
      });
      if (i % 1_000 === 999) await sleep(1);
    }
    peer.send({ type: MessageType.Ping });
    await peer.next((m) => m.type === MessageType.Pong);
    peer.destroy();
    const started = Date.now();
    await healthy.call("target", "/rel", "test.Reliability", "burst", { count: 100, padBytes: 0 });
    expect(Date.now() - started).toBeLessThan(100);
  });

  it("survives 200 connections opened and dropped at every stage of the handshake", async () => {
    const hello = frameOfMessage({
      type: MessageType.Hello,
      version: PROTOCOL_VERSION,
      name: "flapper",
      info: { instance: "0123456789abcdef" },
    });
    for (let i = 0; i < 200; i++) {
      const peer = await rogue();
      peer.write(hello.subarray(0, i % (hello.length + 1)));
      if (i % 3 === 0) peer.socket.resetAndDestroy();
      else peer.destroy();
    }
    await expectHealthy();
  });
});
