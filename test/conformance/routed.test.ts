/**
 * Conformance, docs/PROTOCOL.md "Routed messages" (with "Channels", "Calls", "Events" and "The node object"): a
 * real node driven over TCP with hand-built frames; two peers joined to it talk through it as through a relay. Each
 * test is named after the rule it checks.
 */
import { Implementation, Interface } from "../../packages/supcon/src/index";
import { ECHO_ARGS, call, replyTo, uniqueName } from "./helpers";
import { Float, encode, f64, int, kindOf, raw } from "./msgpack";
import { T, frame } from "./peer";
import type { Peer } from "./peer";
import { TEST_INTERFACE, startTarget } from "./target";
import type { Target } from "./target";

let target: Target;
beforeAll(async () => {
  target = await startTarget({}, true);
});
afterAll(() => target.close());

/** The peer's object, in its ADVERT. */
const PEER_INTF = "conf.Peer";

async function joined(objects: Record<string, string[]> = {}): Promise<{ peer: Peer; name: string }> {
  const name = uniqueName();
  const { peer } = await target.join({ name, objects });
  await target.node.waitFor(name, { timeoutMs: 3000 });
  return { peer, name };
}

/** Two peers, each on the bus through the target. */
async function pair(): Promise<{ a: Peer; an: string; b: Peer; bn: string }> {
  const [{ peer: a, name: an }, { peer: b, name: bn }] = await Promise.all([joined(), joined()]);
  return { a, an, b, bn };
}

const isCallTo = (dst: string) => (m: readonly unknown[]) => m[0] === T.CALL && m[1] === dst;

describe("Routed messages", () => {
  it("the callee answers with hops 0, dst the caller and src itself", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "count", null));
    const reply = await peer.next(replyTo(1));
    expect(reply.slice(0, 5)).toEqual([T.RESULT, name, "target", 0, 1]);
  });

  it("a relay forwards a message with hops + 1, and the answer back likewise", async () => {
    const { a, an, b, bn } = await pair();
    a.send(call(an, 1, "m", {}, { dst: bn, hops: 3, path: "/p", intf: PEER_INTF }));
    const forwarded = await b.next(isCallTo(bn));
    expect(forwarded.slice(0, 8)).toEqual([T.CALL, bn, an, 4, 1, "/p", PEER_INTF, "m"]);
    b.send([T.RESULT, an, bn, 0, 1, { ok: true }, null]);
    expect(await a.next(replyTo(1))).toEqual([T.RESULT, an, bn, 1, 1, { ok: true }, null]);
  });

  it("a message whose hops + 1 would reach 32 is dropped, a CALL so answered with supcon.UnknownNode", async () => {
    const { a, an, b, bn } = await pair();
    a.send(call(an, 1, "m", {}, { dst: bn, hops: 30, path: "/p", intf: PEER_INTF }));
    expect((await b.next(isCallTo(bn)))[3]).toBe(31);
    a.send(call(an, 2, "m", {}, { dst: bn, hops: 31, path: "/p", intf: PEER_INTF }));
    const error = await a.next(replyTo(2));
    expect([error[0], error[2], error[5]]).toEqual([T.ERROR, "target", "supcon.UnknownNode"]);
    await b.none(isCallTo(bn), 200);
  });

  it("the destination takes a message whatever its hops", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "count", null, { hops: 1000 }));
    expect((await peer.next(replyTo(1)))[0]).toBe(T.RESULT);
  });

  it("a CALL to a node without a route is answered with supcon.UnknownNode", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "count", null, { dst: "nobody" }));
    const error = await peer.next(replyTo(1));
    expect([error[0], error[2], error[5]]).toEqual([T.ERROR, "target", "supcon.UnknownNode"]);
  });

  it("a message that arrives in the receiving node's own name is dropped", async () => {
    const { peer } = await joined();
    const before = target.state.counted;
    peer.send(call("target", 1, "count", null));
    await peer.alive();
    expect(target.state.counted).toBe(before);
  });

  it("a CALL to another node over the target reaches it, and its RESULT comes back", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "count", null, { dst: "other" }));
    expect((await peer.next(replyTo(1))).slice(0, 6)).toEqual([T.RESULT, name, "other", 1, 1, { n: 1 }]);
  });

  it("without trust, a sealed message's payload is the packed value as a bin", async () => {
    const { peer, name } = await joined();
    const sealed = call(name, 1, "echo", encode(ECHO_ARGS));
    sealed[10] = new Uint8Array(16);
    peer.send(sealed);
    expect((await peer.next(replyTo(1)))[5]).toEqual({ f: f64(1.5), i: 1 });
  });

  it.each<[string, (name: string) => unknown[]]>([
    ["a mac of another length", (n) => [...call(n, 1, "count", null).slice(0, 10), new Uint8Array(8)]],
    ["a mac that is not a bin", (n) => [...call(n, 1, "count", null).slice(0, 10), "mac"]],
    [
      "with a mac, a payload that is not a bin",
      (n) => [...call(n, 1, "count", {}).slice(0, 10), new Uint8Array(16)],
    ],
  ])("%s closes the link with supcon.ProtocolError", async (_, message) => {
    const { peer, name } = await joined();
    peer.send(message(name));
    expect((await peer.bye()).code).toBe("supcon.ProtocolError");
  });
});

describe("Channels", () => {
  it("BIND then CHANNEL CALL means the CALL with the bound names", async () => {
    const { peer, name } = await joined();
    peer.send([T.BIND, 5, "target", name, "/conf", "conf.Test", "echo"]);
    peer.send([T.CHANNEL_CALL, 5, 0, 1, 5000, null, ECHO_ARGS]);
    expect((await peer.next(replyTo(1)))[5]).toEqual({ f: f64(1.5), i: 1 });
  });

  it("the node sends RESULT on a channel it binds first, numbered from 0 on the link, with empty path, intf and member", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "count", null));
    const result = await peer.nextReceived((r) => replyTo(1)(r.array));
    expect(result.form).toBe("channel");
    expect(result.raw.slice(0, 4)).toEqual([T.CHANNEL_RESULT, 0, 0, 1]);
    const bind = peer.received.find((r) => r.raw[0] === T.BIND);
    expect(bind?.raw).toEqual([T.BIND, 0, name, "target", "", "", ""]);
  });

  it("a BIND of a bound number replaces its names", async () => {
    const { peer, name } = await joined();
    peer.send([T.BIND, 0, "target", name, "/conf", "conf.Test", "count"]);
    peer.send([T.BIND, 0, "target", name, "/conf", "conf.Test", "echo"]);
    peer.send([T.CHANNEL_CALL, 0, 0, 1, 5000, null, ECHO_ARGS]);
    expect((await peer.next(replyTo(1)))[5]).toEqual({ f: f64(1.5), i: 1 });
  });

  it("the fixed part's integers may come in any integer format", async () => {
    const { peer, name } = await joined();
    peer.send([T.BIND, int(5, "u16"), "target", name, "/conf", "conf.Test", "count"]);
    peer.send([T.CHANNEL_CALL, int(5, "u32"), int(0, "i64"), int(2, "u64"), int(5000, "i32"), null, null]);
    expect((await peer.next(replyTo(2)))[0]).toBe(T.RESULT);
  });

  it("a channel belongs to one link: a BIND is not forwarded, and a relay binds its own from 0", async () => {
    const { a, an, b, bn } = await pair();
    a.send([T.BIND, 77, bn, an, "/p", PEER_INTF, "m"]);
    a.send([T.CHANNEL_CALL, 77, 0, 1, 5000, null, { x: 1 }]);
    const received = await b.nextReceived((r) => isCallTo(bn)(r.array));
    expect(received.form).toBe("channel");
    expect(received.array.slice(0, 8)).toEqual([T.CALL, bn, an, 1, 1, "/p", PEER_INTF, "m"]);
    const binds = b.received.filter((r) => r.raw[0] === T.BIND).map((r) => r.raw);
    expect(binds).toEqual([[T.BIND, 0, bn, an, "/p", PEER_INTF, "m"]]);
  });

  it("names longer than 255 bytes are not bound: the message goes in full", async () => {
    const { peer, name } = await joined({ "/p": [PEER_INTF] });
    const path = `/${"p".repeat(300)}`;
    const answer = target.node.call(name, path, PEER_INTF, "m", {}, { timeoutMs: 3000 });
    const received = await peer.nextReceived((r) => isCallTo(name)(r.array));
    expect([received.form, received.raw[5]]).toEqual(["full", path]);
    peer.send([T.RESULT, "target", name, 0, received.raw[4], null, null]);
    await expect(answer).resolves.toEqual({});
  });

  it.each<[string, (name: string) => unknown[][]]>([
    ["a BIND of channel 4096", (n) => [[T.BIND, 4096, "target", n, "/conf", "conf.Test", "count"]]],
    [
      "a BIND of a name longer than 255 bytes",
      (n) => [[T.BIND, 1, "target", n, `/${"p".repeat(255)}`, "conf.Test", "count"]],
    ],
    [
      "a channel message on a channel the peer has not bound",
      () => [[T.CHANNEL_CALL, 9, 0, 1, 5000, null, null]],
    ],
    [
      "a channel message whose payload is not a map or nil",
      (n) => [
        [T.BIND, 1, "target", n, "/conf", "conf.Test", "count"],
        [T.CHANNEL_CALL, 1, 0, 1, 5000, null, [1]],
      ],
    ],
    [
      "a channel message whose payload is a bin",
      (n) => [
        [T.BIND, 1, "target", n, "/conf", "conf.Test", "count"],
        [T.CHANNEL_CALL, 1, 0, 1, 5000, new Uint8Array(16), encode({})],
      ],
    ],
  ])("%s closes the link with supcon.ProtocolError", async (_, messages) => {
    const { peer, name } = await joined();
    for (const m of messages(name)) peer.send(m);
    expect((await peer.bye()).code).toBe("supcon.ProtocolError");
  });

  it.each<[string, number[]]>([
    ["an array 16 header", [0xdc, 0x00, 0x07, T.CHANNEL_CALL, 1, 0, 1, 0xcd, 0x13, 0x88, 0xc0, 0xc0]],
    [
      "a mac as bin 16",
      [
        0x97,
        T.CHANNEL_CALL,
        1,
        0,
        1,
        0xcd,
        0x13,
        0x88,
        0xc5,
        0x00,
        0x10,
        ...new Array<number>(16).fill(0),
        0xc0,
      ],
    ],
    [
      "a mac of 8 bytes",
      [0x97, T.CHANNEL_CALL, 1, 0, 1, 0xcd, 0x13, 0x88, 0xc4, 0x08, ...new Array<number>(8).fill(0), 0xc0],
    ],
    [
      "a float in place of an integer",
      [0x97, T.CHANNEL_CALL, 1, 0, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xcd, 0x13, 0x88, 0xc0, 0xc0],
    ],
  ])(
    "a channel message whose fixed part has %s closes the link with supcon.ProtocolError",
    async (_, body) => {
      const { peer, name } = await joined();
      peer.send([T.BIND, 1, "target", name, "/conf", "conf.Test", "count"]);
      peer.write(frame(Uint8Array.from(body)));
      expect((await peer.bye()).code).toBe("supcon.ProtocolError");
    },
  );

  it("a relay forwards a payload as the bytes it came as, numbers in their kinds, from either form", async () => {
    const { a, an, b, bn } = await pair();
    const args = { f: f64(1), n: int(5, "u64"), g: new Float(0.5, 32), big: 2 ** 40 };
    const payload = encode(args);
    a.send([T.BIND, 0, bn, an, "/p", PEER_INTF, "m"]);
    const fixed = [T.CHANNEL_CALL, 0, 0, 1, 5000, null].map((v) => encode(v));
    a.write(frame(Buffer.concat([Uint8Array.of(0x97), ...fixed, payload])));
    a.send(call(an, 2, "m", raw(payload), { dst: bn, path: "/p", intf: PEER_INTF }));
    for (const id of [1, 2]) {
      const received = await b.nextReceived((r) => isCallTo(bn)(r.array) && r.array[4] === id);
      expect(received.array[8]).toEqual({ ...args, n: 5 });
      expect(received.body.subarray(received.body.length - payload.length)).toEqual(payload);
    }
  });
});

describe("Calls", () => {
  it("args nil stands for {}", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "count", null));
    peer.send(call(name, 2, "count", {}));
    expect((await peer.next(replyTo(1)))[0]).toBe(T.RESULT);
    expect((await peer.next(replyTo(2)))[0]).toBe(T.RESULT);
  });

  it.each<[string, Partial<Parameters<typeof call>[4]> & { method?: string; args?: unknown }, string]>([
    ["no object at the path", { path: "/nowhere" }, "supcon.UnknownPath"],
    ["an interface the object does not implement", { intf: "conf.Nope" }, "supcon.UnknownInterface"],
    ["a method the interface does not have", { method: "nope" }, "supcon.UnknownMethod"],
    [
      "args that do not match the method's in-args",
      { method: "echo", args: { f: "x", i: 1 } },
      "supcon.InvalidArguments",
    ],
  ])("%s is answered with ERROR %s, the CALL's id and a text without the code", async (_, fields, code) => {
    const { peer, name } = await joined();
    peer.send(call(name, 42, fields.method ?? "count", fields.args ?? null, fields));
    const error = await peer.next(replyTo(42));
    expect(error).toHaveLength(9);
    expect(error.slice(0, 6)).toEqual([T.ERROR, name, "target", 0, 42, code]);
    expect(typeof error[6]).toBe("string");
    expect(error[6] as string).not.toMatch(new RegExp(`^${code}`));
    expect(error[8]).toBeNull();
  });

  it("a declared error comes as ERROR <interface>.<Error> with its data", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 1, "fail", null));
    const error = await peer.next(replyTo(1));
    expect(error.slice(5)).toEqual(["conf.Test.Nope", "nope", { why: "asked to", n: 2, x: f64(0.5) }, null]);
  });

  it("CANCEL aborts the handler's signal; nothing answers the CANCEL itself", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 9, "slow", { ms: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    peer.send([T.CANCEL, "target", name, 0, 9, null]);
    // The handler ends early when aborted; what it returns then still goes back (a caller has forgotten the id).
    expect((await peer.next(replyTo(9)))[5]).toEqual({ done: false });
    expect(target.state.aborted.get(10_000)).toBe("supcon.Cancelled");
    await peer.none(replyTo(9), 200);
  });

  it("after timeoutMs the callee aborts the handler and sends no reply", async () => {
    const { peer, name } = await joined();
    peer.send(call(name, 9, "slow", { ms: 600 }, { timeoutMs: 100 }));
    await peer.none(replyTo(9), 800);
    expect(target.state.aborted.get(600)).toBe("supcon.Timeout");
  });

  it("a CALL with timeoutMs 0 is dropped unanswered, and no handler runs", async () => {
    const { peer, name } = await joined();
    const before = target.state.counted;
    peer.send(call(name, 1, "count", null, { timeoutMs: 0 }));
    await peer.none(replyTo(1), 200);
    expect(target.state.counted).toBe(before);
    peer.send(call(name, 2, "count", null));
    expect((await peer.next(replyTo(2)))[5]).toEqual({ n: before + 1 });
  });

  it("as a caller, the node sends id, timeoutMs (the time left, at least 1) and its args in their kinds, and CANCEL at its deadline", async () => {
    const { peer, name } = await joined({ "/p": ["conf.Test"] });
    const args = { f: 2, i: 2 ** 40, p: { x: 3, n: -(2 ** 33) } };
    const answer = target.node.call(name, "/p", TEST_INTERFACE, "echo", args, { timeoutMs: 300 });
    const received = await peer.nextReceived((r) => isCallTo(name)(r.array));
    const [, , src, hops, id, path, intf, method, wireArgs, timeoutMs, mac] = received.array;
    expect([src, hops, path, intf, method, mac]).toEqual(["target", 0, "/p", "conf.Test", "echo", null]);
    expect([kindOf(id), kindOf(timeoutMs), kindOf(received.raw[1])]).toEqual(["int", "int", "int"]);
    expect(timeoutMs as number).toBeGreaterThanOrEqual(1);
    expect(timeoutMs as number).toBeLessThanOrEqual(300);
    expect(wireArgs).toEqual({ f: f64(2), i: 2 ** 40, p: { x: f64(3), n: -(2 ** 33) } });
    await expect(answer).rejects.toMatchObject({ code: "supcon.Timeout" });
    expect((await peer.next((m) => m[0] === T.CANCEL)).slice(0, 6)).toEqual([
      T.CANCEL,
      name,
      "target",
      0,
      id,
      null,
    ]);
  });

  it("a RESULT or ERROR for an id the caller does not know is ignored", async () => {
    const { peer, name } = await joined({ "/p": [PEER_INTF] });
    const answer = target.node.call(name, "/p", PEER_INTF, "m", {}, { timeoutMs: 3000 });
    const id = (await peer.next(isCallTo(name)))[4] as number;
    peer.send([T.RESULT, "target", name, 0, id + 1000, { wrong: true }, null]);
    peer.send([T.ERROR, "target", name, 0, id + 1001, "x.Y.E", "wrong", null, null]);
    peer.send([T.RESULT, "target", name, 0, id, { right: f64(1) }, null]);
    await expect(answer).resolves.toEqual({ right: 1 });
  });
});

describe("Events", () => {
  const subscribe = (src: string, type: number = T.SUBSCRIBE): unknown[] => [
    type,
    "target",
    src,
    0,
    "/conf",
    "conf.Test",
    "tick",
    null,
  ];
  const isTick = (dst: string) => (m: readonly unknown[]) => m[0] === T.EVENT && m[1] === dst;

  it("after SUBSCRIBE, one EVENT per firing, seq from 1 upwards, args in their kinds; twice changes nothing", async () => {
    const { peer, name } = await joined();
    peer.send(subscribe(name));
    peer.send(subscribe(name));
    await peer.alive();
    peer.send(call(name, 1, "fire", { n: 2 ** 40, x: f64(2) }));
    peer.send(call(name, 2, "fire", { n: -1, x: 0.5 }));
    const first = await peer.next(isTick(name));
    expect(first).toEqual([
      T.EVENT,
      name,
      "target",
      0,
      "/conf",
      "conf.Test",
      "tick",
      { n: 2 ** 40, x: f64(2) },
      1,
      null,
    ]);
    expect((await peer.next(isTick(name))).slice(7, 9)).toEqual([{ n: -1, x: f64(0.5) }, 2]);
    await peer.none(isTick(name), 100);
  });

  it("UNSUBSCRIBE stops the events; after the last subscription goes, seq starts again at 1", async () => {
    const { peer, name } = await joined();
    peer.send(subscribe(name));
    peer.send(call(name, 1, "fire", { n: 1, x: 1.5 }));
    expect((await peer.next(isTick(name)))[8]).toBe(1);
    peer.send(subscribe(name, T.UNSUBSCRIBE));
    peer.send(call(name, 2, "fire", { n: 2, x: 1.5 }));
    await peer.next(replyTo(2));
    await peer.none(isTick(name), 100);
    peer.send(subscribe(name));
    peer.send(call(name, 3, "fire", { n: 3, x: 1.5 }));
    expect((await peer.next(isTick(name)))[8]).toBe(1);
  });

  it("a SUBSCRIBE from a node that is not on the bus is ignored", async () => {
    const { peer, name } = await joined();
    peer.send(subscribe("ghost"));
    await peer.alive();
    // Now the ghost is on the bus, behind the peer.
    peer.seq += 1;
    peer.send([T.ADVERT, "ghost", "00000000000000aa", peer.seq, [name], {}, null]);
    peer.advertise({}, ["target", "ghost"], name);
    await target.node.waitFor("ghost", { timeoutMs: 3000 });
    peer.send(call(name, 1, "fire", { n: 1, x: 1.5 }));
    await peer.next(replyTo(1));
    await peer.none(isTick("ghost"), 150);
    peer.send(subscribe("ghost"));
    peer.send(call(name, 2, "fire", { n: 2, x: 1.5 }));
    expect((await peer.next(isTick("ghost")))[8]).toBe(1);
  });

  it("an EVENT the node has no listener for is answered with UNSUBSCRIBE", async () => {
    const { peer, name } = await joined();
    peer.send([T.EVENT, "target", name, 0, "/x", "x.Y", "e", { a: 1 }, 1, null]);
    const unsubscribe = [T.UNSUBSCRIBE, name, "target", 0, "/x", "x.Y", "e", null];
    expect(await peer.next((m) => m[0] === T.UNSUBSCRIBE)).toEqual(unsubscribe);
  });

  it("as a subscriber, the node sends SUBSCRIBE, takes EVENT in both forms, and UNSUBSCRIBE when its last listener goes", async () => {
    const { peer, name } = await joined();
    const got: unknown[] = [];
    const subscription = target.node.on(name, "/p", PEER_INTF, "e", (args) => got.push(args));
    const asked = (type: number): unknown[] => [type, name, "target", 0, "/p", PEER_INTF, "e", null];
    expect(await peer.next((m) => m[0] === T.SUBSCRIBE)).toEqual(asked(T.SUBSCRIBE));
    peer.send([T.EVENT, "target", name, 0, "/p", PEER_INTF, "e", { k: 1 }, 1, null]);
    peer.send([T.BIND, 3, "target", name, "/p", PEER_INTF, "e"]);
    peer.send([T.CHANNEL_EVENT, 3, 0, 2, null, { k: 2 }]);
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(got).toEqual([{ k: 1 }, { k: 2 }]);
    subscription.off();
    expect(await peer.next((m) => m[0] === T.UNSUBSCRIBE)).toEqual(asked(T.UNSUBSCRIBE));
  });
});

describe("The node object", () => {
  const nodeCall = (name: string, id: number, method: string): unknown[] =>
    call(name, id, method, null, { path: "/", intf: "supcon.Node" });

  it("describe answers {name, objects}: every object sorted by path, its interfaces with their descriptions in normal form", async () => {
    const { peer, name } = await joined();
    peer.send(nodeCall(name, 1, "describe"));
    const out = (await peer.next(replyTo(1)))[5] as {
      name: string;
      objects: { path: string; interfaces: { name: string; descriptor: Record<string, unknown> }[] }[];
    };
    expect(out.name).toBe("target");
    expect(out.objects.map((o) => o.path)).toEqual(["/", "/conf"]);
    expect(out.objects.map((o) => o.interfaces.map((i) => i.name))).toEqual([["supcon.Node"], ["conf.Test"]]);
    const arg = (n: string, type: string) => ({ name: n, type });
    expect(out.objects[1]?.interfaces[0]?.descriptor).toEqual({
      name: "conf.Test",
      description: "The conformance tests' interface.",
      types: [
        {
          name: "Point",
          description: "A point.",
          fields: [arg("x", "float"), { ...arg("n", "int"), description: "A count" }],
        },
        { name: "Mode", enum: ["on", "off"] },
      ],
      errors: [{ name: "Nope", description: "Always refused." }],
      events: [{ name: "tick", args: [arg("n", "int"), arg("x", "float")] }],
      methods: [
        {
          name: "echo",
          description: "Answers with its arguments.",
          inArgs: [
            arg("f", "float"),
            arg("i", "int"),
            arg("s", "string?"),
            arg("p", "Point?"),
            arg("a", "any?"),
          ],
          outArgs: [
            arg("f", "float"),
            arg("i", "int"),
            arg("s", "string?"),
            arg("p", "Point?"),
            arg("a", "any?"),
          ],
          errors: [],
        },
        { name: "slow", inArgs: [arg("ms", "int")], outArgs: [arg("done", "bool")], errors: [] },
        { name: "count", inArgs: [], outArgs: [arg("n", "int")], errors: [] },
        { name: "fail", inArgs: [], outArgs: [], errors: ["Nope"] },
        { name: "fire", inArgs: [arg("n", "int"), arg("x", "float")], outArgs: [], errors: [] },
      ],
    });
    const own = out.objects[0]?.interfaces[0]?.descriptor as {
      methods: { name: string }[];
      events: { name: string }[];
    };
    expect(own.methods.map((m) => m.name)).toEqual(["describe", "ping"]);
    expect(own.events.map((e) => e.name)).toEqual(["registered", "unregistered"]);
  });

  it("ping answers {now}, the wall clock in milliseconds, as a float", async () => {
    const { peer, name } = await joined();
    peer.send(nodeCall(name, 1, "ping"));
    const now = ((await peer.next(replyTo(1)))[5] as { now: unknown }).now;
    expect(now).toBeInstanceOf(Float);
    expect(Math.abs((now as Float).value - Date.now())).toBeLessThan(5000);
  });

  it("registered and unregistered fire with {path, intf}", async () => {
    const { peer, name } = await joined();
    for (const event of ["registered", "unregistered"])
      peer.send([T.SUBSCRIBE, "target", name, 0, "/", "supcon.Node", event, null]);
    await peer.alive();
    const extra = new Implementation(new Interface({ name: "conf.Extra" }));
    const path = `/extra/${name}`;
    target.node.register(path, extra);
    const registered = await peer.next((m) => m[0] === T.EVENT && m[6] === "registered");
    expect(registered.slice(4, 8)).toEqual(["/", "supcon.Node", "registered", { path, intf: "conf.Extra" }]);
    target.node.unregister(path);
    const unregistered = await peer.next((m) => m[0] === T.EVENT && m[6] === "unregistered");
    expect(unregistered[7]).toEqual({ path, intf: "conf.Extra" });
  });
});
