/**
 * Conformance, docs/PROTOCOL.md "Frames" (with "Numbers", "Limits" and "Message arrays") and "Closing a link": a
 * real node driven over TCP (and a Unix domain socket) with frames built by hand (msgpack.ts), each test named after
 * the rule it checks.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Implementation, Interface } from "../../packages/supcon/src/index";
import {
  ADVERT_DECODE_BASE,
  DECODE_BASE,
  ECHO_ARGS,
  call,
  decodingCost,
  range,
  replyTo,
  uniqueName,
} from "./helpers";
import { Ext, encode, f32, f64, int, kindOf, raw } from "./msgpack";
import type { Float } from "./msgpack";
import { Peer, T, VERSION, frame } from "./peer";
import { startTarget } from "./target";
import type { Target } from "./target";

const SECRET = "Xq7#mP2$vL9@kR4&wT6!zN8%";
/** The interface of `/many` on the `holding` target: events to subscribe to, four of them. */
const EVENTS = ["e0", "e1", "e2", "e3"];
const MANY = new Interface({ name: "conf.Many", events: EVENTS.map((name) => ({ name })) });

let target: Target;
/** A target with small bounds of what one peer can make it hold, and the warnings it logs. */
let holding: Target;
const warnings: string[] = [];
const many = new Implementation(MANY);
/** A target with a shared secret (so that a handshake can be left half done) and 2 handshake slots. */
let crowded: Target;
/** The temporary directory of the target's Unix domain socket. */
let dir: string;
let socketPath: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-conf-"));
  [target, holding, crowded] = await Promise.all([
    startTarget({ maxFrameBytes: 1024 * 1024 }),
    startTarget({
      maxServingCalls: 40,
      maxRelayedCalls: 40,
      maxSubscriptionsPerNode: 3,
      maxSubscriptionsPerLink: 5,
      closeDrainMs: 100,
      logger: { warn: (message) => warnings.push(message) },
    }),
    startTarget({ secret: SECRET, maxHandshakingLinks: 2 }),
  ]);
  socketPath = (await target.node.listen({ path: path.join(dir, "target.sock") })).path;
  holding.node.register("/many", many);
});
afterAll(async () => {
  await Promise.all([target.close(), holding.close(), crowded.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function joined(): Promise<{ peer: Peer; name: string }> {
  const name = uniqueName();
  const { peer } = await target.join({ name });
  return { peer, name };
}

/** A peer sends `body` (bytes or a value to encode) on an open link; resolves to the BYE it gets. */
async function byeFor(body: Uint8Array | ((name: string) => unknown)): Promise<string> {
  const { peer, name } = await joined();
  peer.write(frame(body instanceof Uint8Array ? body : encode(body(name))));
  const bye = await peer.bye();
  return bye.code;
}

/** The echo of `args`, sent as CALL `id` on a new link. */
async function echo(args: unknown): Promise<readonly unknown[]> {
  const { peer, name } = await joined();
  peer.send(call(name, 1, "echo", args));
  return peer.next(replyTo(1));
}

describe("Frames", () => {
  it("every transport carries the same frames: the handshake and a CALL/RESULT over a Unix domain socket", async () => {
    const name = uniqueName();
    const { peer, hello, advert } = await target.join({ name }, () => Peer.connectUnix(socketPath));
    expect(hello.slice(0, 3)).toEqual([T.HELLO, VERSION, "target"]);
    expect(advert[1]).toBe("target");
    expect(advert[4]).toContain(name);
    peer.send(call(name, 1, "count", null));
    expect((await peer.next(replyTo(1))).slice(0, 5)).toEqual([T.RESULT, name, "target", 0, 1]);
  });

  it("a frame is a 4-byte big-endian length and a body of that many bytes, however the stream is cut", async () => {
    const { peer, name } = await joined();
    const bytes = Buffer.concat([
      frame(encode(call(name, 1, "count", null))),
      frame(encode(call(name, 2, "count", null))),
    ]);
    for (const byte of bytes) {
      peer.write(Uint8Array.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await peer.next(replyTo(1)))[0]).toBe(T.RESULT);
    expect((await peer.next(replyTo(2)))[0]).toBe(T.RESULT);
  });

  it("a declared length of 0 closes the link with supcon.ProtocolError", async () => {
    const { peer } = await joined();
    peer.write(Uint8Array.of(0, 0, 0, 0));
    expect((await peer.bye()).code).toBe("supcon.ProtocolError");
  });

  it("a declared length beyond maxFrameBytes closes the link with supcon.FrameTooLarge before the body comes", async () => {
    const { peer } = await joined();
    peer.write(Uint8Array.of(0x00, 0x10, 0x00, 0x01)); // 1 MiB + 1, and no body
    expect((await peer.bye()).code).toBe("supcon.FrameTooLarge");
  });

  describe("a body that breaks a rule of plain data closes the link with supcon.ProtocolError", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 99; i++) deep = [deep];
    it.each<[string, unknown]>([
      ["an extension type (fixext 4, a timestamp)", new Ext(0xff, new Uint8Array(4))],
      ["an extension type (ext 8)", raw([0xc7, 1, 0x01, 0x00])],
      ["the reserved byte 0xc1", raw([0xc1])],
      ["a map key that is not a string", raw([0x81, 0x01, 0x02])],
      ["the map key __proto__", raw([0x81, ...encode("__proto__"), 0x01])],
      ["the map key constructor", raw([0x81, ...encode("constructor"), 0x01])],
      ["the map key prototype", raw([0x81, ...encode("prototype"), 0x01])],
      ["NaN", f64(NaN)],
      ["Infinity", f64(Infinity)],
      ["-Infinity as a float 32", f32(-Infinity)],
      ["a uint 64 of 2^53", int(2n ** 53n, "u64")],
      ["an int 64 of -2^53", int(-(2n ** 53n), "i64")],
      ["nesting of 101 levels (the message array, args and 99 arrays)", deep],
      ["a decoding cost beyond its bound (50,000 empty maps)", Array.from({ length: 50_000 }, () => ({}))],
    ])("%s", async (_, value) => {
      expect(await byeFor((name) => call(name, 1, "echo", { a: value }))).toBe("supcon.ProtocolError");
    });

    it("bytes after the value", async () => {
      const body = Buffer.concat([encode([T.PING]), Uint8Array.of(0xc0)]);
      expect(await byeFor(body)).toBe("supcon.ProtocolError");
    });

    it("a truncated value", async () => {
      // An array of 11 elements holding 10: the CALL without its mac.
      const body = encode(call("x", 1, "count", null)).subarray(0, -1);
      expect(await byeFor(body)).toBe("supcon.ProtocolError");
    });

    it("a name beyond its bound (a method name of 256 characters)", async () => {
      expect(await byeFor((name) => call(name, 1, "m".repeat(256), null))).toBe("supcon.ProtocolError");
    });
  });

  it("every encoding MessagePack allows is accepted: wider integer formats, str 8, array 16, float 32", async () => {
    const { peer, name } = await joined();
    const elements = call(name, int(7, "u64"), "echo", {
      f: f32(1.5),
      i: int(2 ** 53 - 1, "u64"),
      s: raw([0xd9, 2, 0x68, 0x69]),
      a: [int(5, "i64"), int(-1, "i64"), int(0, "u16"), raw([0xdc, 0, 1, 0x01])],
    });
    // The message array itself as array 16.
    peer.write(
      frame(Buffer.concat([Uint8Array.of(0xdc, 0, elements.length), ...elements.map((e) => encode(e))])),
    );
    const reply = await peer.next(replyTo(7));
    expect(reply[0]).toBe(T.RESULT);
    expect(reply[5]).toEqual({ f: f64(1.5), i: 2 ** 53 - 1, s: "hi", a: [5, -1, 0, [1]] });
  });

  it("integers at ±(2^53 − 1) and nesting of 100 levels are accepted", async () => {
    let deep: unknown = -(2 ** 53 - 1);
    for (let i = 0; i < 98; i++) deep = [deep];
    const reply = await echo({ ...ECHO_ARGS, a: deep });
    expect(reply[0]).toBe(T.RESULT);
    expect((reply[5] as Record<string, unknown>)["a"]).toEqual(deep);
  });

  it("an invalid UTF-8 sequence is read as U+FFFD", async () => {
    const reply = await echo({ ...ECHO_ARGS, s: raw([0xa3, 0x61, 0xff, 0x62]) });
    expect((reply[5] as Record<string, unknown>)["s"]).toBe("a\ufffdb");
  });

  it("of a map key that comes twice, the last value counts", async () => {
    const args = raw([0x83, ...encode("f"), ...encode(1.5), ...encode("i"), 0x01, ...encode("i"), 0x02]);
    const reply = await echo(args);
    expect(reply[5]).toEqual({ f: f64(1.5), i: 2 });
  });
});

describe("Numbers", () => {
  it("every unsigned field the node sends is an integer: HELLO version, ADVERT seq, RESULT hops and id", async () => {
    const name = uniqueName();
    const { peer, hello, advert } = await target.join({ name });
    expect([kindOf(hello[1]), hello[1]]).toEqual(["int", 3]);
    expect(kindOf(advert[3])).toBe("int");
    expect(advert[3] as number).toBeGreaterThan(2 ** 32); // from the wall clock in milliseconds
    for (const id of [1, 2 ** 16, 2 ** 32, 2 ** 40, 2 ** 53 - 1]) {
      peer.send(call(name, id, "count", null));
      const reply = await peer.next(replyTo(id));
      expect([reply[0], kindOf(reply[3]), reply[3], kindOf(reply[4])]).toEqual([T.RESULT, "int", 0, "int"]);
    }
  });

  it("an int travels as an integer and a float as a float, whatever their values", async () => {
    const { peer, name } = await joined();
    const values = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    const all = [...values, ...values.map((v) => -v), 1.5, -0.25];
    for (const [id, v] of all.entries()) {
      const integral = Number.isInteger(v);
      peer.send(
        call(name, id + 1, "echo", { f: f64(v), i: integral ? v : 1, p: { x: f64(v), n: integral ? v : 1 } }),
      );
      const reply = await peer.next(replyTo(id + 1));
      const out = reply[5] as { f: unknown; i: unknown; p: { x: unknown; n: unknown } };
      expect([v, kindOf(out.f), kindOf(out.p.x), kindOf(out.i), kindOf(out.p.n)]).toEqual([
        v,
        "float",
        "float",
        "int",
        "int",
      ]);
      expect([(out.f as Float).value, (out.p.x as Float).value]).toEqual([v + 0, v + 0]);
      if (integral) expect([out.i, out.p.n]).toEqual([v + 0, v + 0]);
    }
  });

  it("a value of no declared kind goes by its value", async () => {
    const reply = await echo({
      ...ECHO_ARGS,
      a: { n: f64(2 ** 40), m: f64(7), x: 2.5, big: int(2 ** 40, "u64") },
    });
    expect((reply[5] as Record<string, unknown>)["a"]).toEqual({
      n: 2 ** 40,
      m: 7,
      x: f64(2.5),
      big: 2 ** 40,
    });
  });

  it("a receiver accepts an unsigned field in every integer format, a signed one too", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, int(7, "i64"), "count", null, { hops: int(0, "u64"), timeoutMs: int(5000, "i32") }));
    expect((await peer.next(replyTo(7)))[0]).toBe(T.RESULT);
    peer.send(call(name, int(8, "u8"), "count", null, { hops: int(1, "i8"), timeoutMs: int(5000, "u64") }));
    expect((await peer.next(replyTo(8)))[0]).toBe(T.RESULT);
  });

  it("a receiver judges an argument by its value: a float holding 3 is an int, an integer 3 a float", async () => {
    const reply = await echo({ f: 3, i: f64(3) });
    expect(reply[0]).toBe(T.RESULT);
    expect(reply[5]).toEqual({ f: f64(3), i: 3 });
    const refused = await echo({ f: 1, i: f64(3.5) });
    expect([refused[0], refused[5]]).toEqual([T.ERROR, "supcon.InvalidArguments"]);
  });
});

describe("Message arrays", () => {
  it.each<[string, (name: string) => unknown]>([
    [
      "an array shorter than its type's layout (a CALL without its nil mac)",
      (n) => call(n, 1, "count", null).slice(0, 10),
    ],
    ["an array longer than its type's layout", (n) => [...call(n, 1, "count", null), null]],
    ["a PING with an element", () => [T.PING, null]],
    ["an unknown message type (99)", () => [99, "x"]],
    ["an unknown message type (5)", () => [5]],
    ["a type that is not an unsigned integer (-1)", () => [-1]],
    ["a type that is not an unsigned integer (a string)", () => ["10"]],
    ["a field of another kind (id a string)", (n) => call(n, "1", "count", null)],
    ["a field of another kind (dst an integer)", (n) => call(n, 1, "count", null, { dst: 5 as never })],
    ["a field of another kind (args an array)", (n) => call(n, 1, "count", [])],
    ["a field of another kind (timeoutMs negative)", (n) => call(n, 1, "count", null, { timeoutMs: -1 })],
    ["a body that is not an array", () => ({ type: 40 })],
    ["an empty array", () => []],
  ])("%s closes the link with supcon.ProtocolError", async (_, message) => {
    expect(await byeFor(message)).toBe("supcon.ProtocolError");
  });

  it.each<[string, unknown[]]>([
    ["HELLO", [T.HELLO, 3, "again", { instance: "0000000000000000" }]],
    ["CHALLENGE", [T.CHALLENGE, new Uint8Array(32), new Uint8Array(0)]],
    ["AUTH", [T.AUTH, "again", new Uint8Array(0), null]],
  ])("a %s after the handshake closes the link with supcon.ProtocolError", async (_, message) => {
    expect(await byeFor(() => message)).toBe("supcon.ProtocolError");
  });

  it("a REFUSE after the handshake ends the link as a refusal: the node closes, without BYE", async () => {
    const { peer } = await joined();
    peer.send([T.REFUSE, "supcon.PermissionDenied", "not you"]);
    await peer.closedWithin();
    expect(peer.received.filter((r) => r.raw[0] === T.BYE)).toEqual([]);
  });
});

describe("Closing a link", () => {
  it("the node sends BYE with the code and a text, closes, and its other links go on", async () => {
    const { peer: bystander, name } = await joined();
    const { peer } = await joined();
    peer.send([99]);
    const bye = await peer.bye();
    expect(bye.code).toBe("supcon.ProtocolError");
    expect(bye.message).toMatch(/unknown message type 99/);
    await bystander.alive();
    bystander.send(call(name, 1, "count", null));
    expect((await bystander.next(replyTo(1)))[0]).toBe(T.RESULT);
  });

  it("a routed message the node cannot act on does not close the link", async () => {
    const { peer, name } = await joined();
    peer.send([T.RESULT, "target", name, 0, 12345, null, null]); // an id it does not know
    peer.send(call(name, 1, "count", null, { path: "/nowhere" }));
    expect((await peer.next(replyTo(1)))[5]).toBe("supcon.UnknownPath");
    await peer.alive();
  });
});

describe("Limits: decoding cost", () => {
  /** 4,096 short paths, each with one interface: the objects of an ADVERT, or the args of a CALL. */
  const PATHS = Object.fromEntries(range(0, 4095).map((i) => [`/p${i}`, ["x.Y"]]));

  it("an ADVERT's body may cost 4 × its size + 6 MiB: an ADVERT of 4,096 short paths is taken, and the node routes to them", async () => {
    const { peer, name } = await joined();
    const advert = [T.ADVERT, name, peer.instance, peer.seq + 1, ["target"], PATHS, null];
    const cost = decodingCost(advert);
    // Beyond the bound of any other body, within an ADVERT's at every point of it.
    expect(cost).toBeGreaterThan(4 * encode(advert).length + DECODE_BASE);
    expect(cost).toBeLessThanOrEqual(ADVERT_DECODE_BASE);
    peer.advertise(PATHS, ["target"], name); // the same ADVERT
    await target.node.waitFor(name, { path: "/p4095", timeoutMs: 3000 });
    expect(Object.keys(target.node.nodes()[name] ?? {})).toHaveLength(4096);
    const answer = target.node.call(name, "/p4095", "x.Y", "m", {}, { timeoutMs: 3000 });
    const received = await peer.next((m) => m[0] === T.CALL && m[1] === name);
    expect(received.slice(5, 8)).toEqual(["/p4095", "x.Y", "m"]);
    peer.send([T.RESULT, "target", name, 0, received[4], null, null]);
    await expect(answer).resolves.toEqual({});
  });

  it("any other body may cost 4 × its size + 2 MiB: a CALL whose args map has the same 4,096 short keys closes the link with supcon.ProtocolError", async () => {
    const { peer, name } = await joined();
    const message = call(name, 1, "echo", PATHS);
    expect(decodingCost(message)).toBeGreaterThan(4 * encode(message).length + DECODE_BASE);
    peer.send(message);
    expect((await peer.bye()).code).toBe("supcon.ProtocolError");
  });

  it("an ADVERT's budget goes by its type, whatever the encoding of its array: in an array 16, 4,096 paths are taken", async () => {
    const { peer, name } = await joined();
    peer.seq += 1;
    const elements = [T.ADVERT, name, peer.instance, peer.seq, ["target"], PATHS, null];
    peer.write(
      frame(Buffer.concat([Uint8Array.of(0xdc, 0, elements.length), ...elements.map((e) => encode(e))])),
    );
    await peer.alive();
    await target.node.waitFor(name, { path: "/p4095", timeoutMs: 1000 });
  });
});

describe("Limits: what one peer can make a node hold", () => {
  /** A peer joined to `on`, on the bus. */
  async function onBus(on: Target): Promise<{ peer: Peer; name: string }> {
    const name = uniqueName();
    const { peer } = await on.join({ name });
    await on.node.waitFor(name, { timeoutMs: 3000 });
    return { peer, name };
  }

  /** Nodes `ghosts` on the bus behind `peer` (its neighbours by their ADVERTs and its own). */
  async function behind(on: Target, peer: Peer, name: string, ghosts: readonly string[]): Promise<void> {
    for (const ghost of ghosts) {
      peer.seq += 1;
      peer.send([T.ADVERT, ghost, "00000000000000aa", peer.seq, [name], {}, null]);
    }
    peer.advertise({}, ["target", ...ghosts], name);
    for (const ghost of ghosts) await on.node.waitFor(ghost, { timeoutMs: 3000 });
  }

  const overloaded = (reply: readonly unknown[]): unknown[] => [reply[0], reply[2], reply[5]];
  const OVERLOADED = [T.ERROR, "target", "supcon.Overloaded"];

  describe("calls being served (maxServingCalls 40)", () => {
    const slow = (src: string, id: number): unknown[] => call(src, id, "slow", { ms: 10_000 });

    /** The peer's `slow` calls `ids`, being served: none is answered. */
    async function hold(peer: Peer, name: string, ids: readonly number[]): Promise<void> {
      for (const id of ids) peer.send(slow(name, id));
      await peer.alive();
      await peer.none((m) => ids.some((id) => replyTo(id)(m)), 0);
    }

    /** CANCELs calls `ids`; resolves once each has ended (what its handler returned has come back). */
    async function release(peer: Peer, name: string, ids: readonly number[]): Promise<void> {
      for (const id of ids) peer.send([T.CANCEL, "target", name, 0, id, null]);
      for (const id of ids) await peer.next(replyTo(id));
    }

    /** `count` (a handler that returns at once) as call `id`: its reply. */
    async function count(peer: Peer, src: string, id: number): Promise<readonly unknown[]> {
      peer.send(call(src, id, "count", null));
      return peer.next(replyTo(id));
    }

    it("one link alone holds half of maxServingCalls, max(16, ⌊40 / 2⌋) = 20: its next call is answered with ERROR supcon.Overloaded", async () => {
      const { peer: a, name: an } = await onBus(holding);
      await hold(a, an, range(1, 20));
      a.send(slow(an, 21));
      expect(overloaded(await a.next(replyTo(21)))).toEqual(OVERLOADED);
      // A newcomer is served: one share stays free.
      const { peer: b, name: bn } = await onBus(holding);
      await hold(b, bn, [1]);
      expect((await count(b, bn, 2))[0]).toBe(T.RESULT);
      await release(a, an, range(1, 20));
      await release(b, bn, [1]);
    });

    it("as others come a link's share shrinks, max(16, ⌊40 / 3⌋) = 16 with two, and its new calls are refused until it is back under", async () => {
      const { peer: a, name: an } = await onBus(holding);
      const { peer: b, name: bn } = await onBus(holding);
      await hold(a, an, range(1, 20));
      await hold(b, bn, [1]);
      await release(a, an, range(1, 4)); // 16 left: at its share
      expect(overloaded(await count(a, an, 30))).toEqual(OVERLOADED);
      await release(a, an, [5]); // 15: under it
      expect((await count(a, an, 31))[0]).toBe(T.RESULT);
      await release(a, an, range(6, 20));
      await release(b, bn, [1]);
    });

    it("all the links together hold at most maxServingCalls: with 16 + 16 + 8 held, a fourth link's call is refused", async () => {
      const [a, b, c, d] = await Promise.all([
        onBus(holding),
        onBus(holding),
        onBus(holding),
        onBus(holding),
      ]);
      await hold(a.peer, a.name, range(1, 16));
      await hold(b.peer, b.name, range(1, 16));
      await hold(c.peer, c.name, range(1, 8));
      expect(overloaded(await count(d.peer, d.name, 1))).toEqual(OVERLOADED);
      await release(c.peer, c.name, [1]);
      expect((await count(d.peer, d.name, 2))[0]).toBe(T.RESULT);
      await release(a.peer, a.name, range(1, 16));
      await release(b.peer, b.name, range(1, 16));
      await release(c.peer, c.name, range(2, 8));
    });

    it("calls being served are shared between callers too, whatever link a caller's calls come over", async () => {
      const { peer: a, name: an } = await onBus(holding);
      const { peer: b, name: bn } = await onBus(holding);
      await hold(a, an, range(1, 20));
      // A CALL in a's name (without trust a peer may send one) over b's link, which holds nothing: a's share is
      // full, so it is refused, and the ERROR goes to a.
      b.send(call(an, 500, "count", null));
      expect(overloaded(await a.next(replyTo(500)))).toEqual(OVERLOADED);
      expect((await count(b, bn, 501))[0]).toBe(T.RESULT);
      await b.none(replyTo(500), 0);
      await release(a, an, range(1, 20));
    });
  });

  it("calls being forwarded for others (maxRelayedCalls 40): beyond a link's share, 20, ERROR supcon.Overloaded from the relay", async () => {
    const { peer: a, name: an } = await onBus(holding);
    const { peer: b, name: bn } = await onBus(holding);
    const toB = (id: number): unknown[] => call(an, id, "m", {}, { dst: bn, path: "/p", intf: "conf.Peer" });
    const isCallToB = (id: number) => (m: readonly unknown[]) =>
      m[0] === T.CALL && m[1] === bn && m[4] === id;
    for (const id of range(1, 20)) a.send(toB(id));
    for (const id of range(1, 20)) await b.next(isCallToB(id));
    a.send(toB(21));
    expect(overloaded(await a.next(replyTo(21)))).toEqual(OVERLOADED);
    await b.none(isCallToB(21), 100);
    // Once the answers have passed back, the relay forwards again.
    for (const id of range(1, 20)) b.send([T.RESULT, an, bn, 0, id, null, null]);
    for (const id of range(1, 20)) expect((await a.next(replyTo(id)))[0]).toBe(T.RESULT);
    a.send(toB(22));
    await b.next(isCallToB(22));
    b.send([T.RESULT, an, bn, 0, 22, null, null]);
    await a.next(replyTo(22));
  });

  describe("subscriptions (maxSubscriptionsPerNode 3, maxSubscriptionsPerLink 5)", () => {
    const subscribe = (src: string, event: string, type: number = T.SUBSCRIBE): unknown[] => [
      type,
      "target",
      src,
      0,
      "/many",
      "conf.Many",
      event,
      null,
    ];

    /** Fires every event of `/many`; resolves with the EVENTs each peer got of them ("dst event"), sorted. */
    async function fire(peers: readonly Peer[]): Promise<string[][]> {
      const marks = peers.map((p) => p.received.length);
      for (const event of EVENTS) many.fire(event, {});
      // The EVENTs were queued before the PONG.
      await Promise.all(peers.map((p) => p.alive()));
      return peers.map((p, i) =>
        p.received
          .slice(marks[i])
          .filter((r) => r.array[0] === T.EVENT && r.array[5] === "conf.Many")
          .map((r) => `${String(r.array[1])} ${String(r.array[6])}`)
          .sort(),
      );
    }

    const got = (...keys: string[]): string[] => keys.sort();

    it("subscriptions of one node: beyond maxSubscriptionsPerNode a SUBSCRIBE is ignored, with a warning", async () => {
      const { peer, name } = await onBus(holding);
      const ghost = uniqueName("ghost");
      await behind(holding, peer, name, [ghost]);
      for (const event of EVENTS) peer.send(subscribe(name, event));
      peer.send(subscribe(ghost, "e0")); // another node, over the same link
      await peer.alive();
      expect(await fire([peer])).toEqual([got(`${name} e0`, `${name} e1`, `${name} e2`, `${ghost} e0`)]);
      expect(warnings.filter((w) => w.includes(name) && /maxSubscriptionsPerNode/.test(w))).toHaveLength(1);
      // Once one goes, there is room again.
      peer.send(subscribe(name, "e0", T.UNSUBSCRIBE));
      peer.send(subscribe(name, "e3"));
      await peer.alive();
      expect(await fire([peer])).toEqual([got(`${name} e1`, `${name} e2`, `${name} e3`, `${ghost} e0`)]);
    });

    it("subscriptions whose SUBSCRIBE came over a link: beyond maxSubscriptionsPerLink, whatever nodes they name, a SUBSCRIBE is ignored, with a warning", async () => {
      const { peer, name } = await onBus(holding);
      const [g1, g2] = [uniqueName("ghost"), uniqueName("ghost")] as [string, string];
      await behind(holding, peer, name, [g1, g2]);
      const { peer: other, name: otherName } = await onBus(holding);
      for (const event of ["e0", "e1", "e2"]) peer.send(subscribe(name, event));
      // g1 holds 2 of its 3 when the link's 5 are taken: its third is beyond the link's bound, and so is g2's first.
      for (const event of ["e0", "e1", "e2"]) peer.send(subscribe(g1, event));
      peer.send(subscribe(g2, "e0"));
      other.send(subscribe(otherName, "e2")); // another link has its own
      await Promise.all([peer.alive(), other.alive()]);
      expect(await fire([peer, other])).toEqual([
        got(`${name} e0`, `${name} e1`, `${name} e2`, `${g1} e0`, `${g1} e1`),
        [`${otherName} e2`],
      ]);
      expect(warnings.some((w) => w.includes(g1) && /maxSubscriptionsPerLink/.test(w))).toBe(true);
      peer.send(subscribe(name, "e0", T.UNSUBSCRIBE));
      peer.send(subscribe(g2, "e0"));
      await peer.alive();
      expect(await fire([peer])).toEqual([
        got(`${name} e1`, `${name} e2`, `${g1} e0`, `${g1} e1`, `${g2} e0`),
      ]);
    });
  });

  it("connections in their handshake (maxHandshakingLinks 2): beyond it, the oldest of the address holding the most is closed without a word", async () => {
    /** A connection left in its handshake: HELLO sent, CHALLENGE received, no AUTH. */
    const halfway = async (): Promise<Peer> => {
      const peer = await crowded.connect();
      peer.send([T.HELLO, VERSION, "", { instance: randomBytes(8).toString("hex"), nonce: randomBytes(32) }]);
      await peer.next((m) => m[0] === T.CHALLENGE);
      return peer;
    };
    const first = await halfway();
    const second = await halfway();
    const third = await crowded.connect();
    await first.closedWithin();
    expect(first.received.map((r) => r.raw[0])).toEqual([T.CHALLENGE]);
    const name = uniqueName();
    await third.join({ name, secret: SECRET });
    await third.alive();
    expect(second.isClosed).toBe(false);
  });
});
