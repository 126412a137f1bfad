/**
 * Conformance, docs/PROTOCOL.md "Frames" (with "Numbers", "Limits" and "Message arrays") and "Closing a link": a
 * real node driven over TCP with frames built by hand (msgpack.ts), each test named after the rule it checks.
 */
import { ECHO_ARGS, call, replyTo, uniqueName } from "./helpers";
import { Ext, encode, f32, f64, int, kindOf, raw } from "./msgpack";
import type { Float } from "./msgpack";
import { T, frame } from "./peer";
import type { Peer } from "./peer";
import { startTarget } from "./target";
import type { Target } from "./target";

let target: Target;
beforeAll(async () => {
  target = await startTarget({ maxFrameBytes: 1024 * 1024 });
});
afterAll(() => target.close());

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
