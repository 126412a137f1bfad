/**
 * Origin authentication against a hostile member of the bus (docs/PROTOCOL.md, "Trust model"): `mallory` holds a
 * valid credential for its own name and speaks raw frames (test/helpers/raw-peer.ts). The victim allows `admin`
 * everything and everybody else only /calc; `good` is an honest node linked to it. Every attack runs twice: with
 * `trust.keys` over plain TCP, and with `trust.ca` over mutual TLS with checkNodeName (whose certificates are the
 * credentials).
 */
import { randomBytes } from "node:crypto";
import type { ConnectionOptions } from "node:tls";
import { Implementation, Interface } from "../../packages/supcon/src/index";
import type { Node, NodeOptions } from "../../packages/supcon/src/index";
import { Trust, createLocalIdentity, resolveIdentity } from "../../packages/supcon/src/link/identity";
import type { HandshakeIdentity } from "../../packages/supcon/src/link/handshake";
import { encodeMessage, packPayload } from "../../packages/supcon/src/wire/codec";
import type { CallMessage, Message } from "../../packages/supcon/src/wire/messages";
import { MessageType } from "../../packages/supcon/src/wire/messages";
import { Bus, eventually, sleep } from "../helpers/bus";
import { createCalc } from "../helpers/calc";
import type { TestPki } from "../helpers/certs";
import { createTestKeyring, createTestPki } from "../helpers/certs";
import { RawPeer, advertOf } from "../helpers/raw-peer";

const AdminInterface = new Interface({
  name: "test.Admin",
  methods: [{ name: "grant", inArgs: [{ name: "who", type: "string" }] }],
});
const TickInterface = new Interface({
  name: "test.Ticks",
  events: [{ name: "tick", args: [{ name: "n", type: "int" }] }],
});

const NAMES = ["victim", "good", "admin", "mallory", "relay", "far"];

/** What a configuration gives each node: its options, how to listen, how to connect, and mallory's socket. */
interface Setup {
  options(name: string): NodeOptions;
  listen(node: Node, name: string): Promise<number>;
  connect(node: Node, port: number, server: string): void;
  rawPeer(port: number, server: string): Promise<RawPeer>;
  identity(name: string): HandshakeIdentity;
}

function keysSetup(): Setup {
  const ring = createTestKeyring(NAMES);
  const trust = Trust.from(ring.trust);
  const keyOf = (name: string): string => ring.keys[name]?.key ?? "";
  return {
    options: (name) => ({ identity: { key: keyOf(name) }, trust: ring.trust }),
    listen: async (node) => (await node.listen({ port: 0 })).port,
    connect: (node, port) => node.connect({ port }),
    rawPeer: (port) => RawPeer.connect(port),
    identity: (name) => ({
      local: createLocalIdentity(name, resolveIdentity({ key: keyOf(name) }), trust),
      trust,
    }),
  };
}

function caSetup(pki: TestPki): Setup {
  const certs = new Map(NAMES.map((name) => [name, pki.issue(name, "ed25519")]));
  const cert = (name: string): { key: Buffer; cert: Buffer } =>
    certs.get(name) as { key: Buffer; cert: Buffer };
  const trust = Trust.from({ ca: pki.ca });
  const client = (name: string, server: string): ConnectionOptions => ({
    ...cert(name),
    ca: pki.ca,
    servername: server,
  });
  return {
    options: (name) => ({ identity: cert(name), trust: { ca: pki.ca } }),
    listen: async (node, name) =>
      (
        await node.listen({
          port: 0,
          tls: {
            ...cert(name),
            ca: pki.ca,
            requestCert: true,
            rejectUnauthorized: true,
            checkNodeName: true,
          },
        })
      ).port,
    connect: (node, port, server) =>
      node.connect({ port, tls: { ...client(node.name, server), checkNodeName: true } }),
    rawPeer: (port, server) => RawPeer.connectTls(port, client("mallory", server)),
    identity: (name) => ({
      local: createLocalIdentity(name, resolveIdentity(cert(name)), trust),
      trust,
    }),
  };
}

function grant(src: string, id: number, hops = 0): CallMessage {
  return {
    type: MessageType.Call,
    dst: "victim",
    src,
    hops,
    id,
    path: "/admin",
    intf: "test.Admin",
    method: "grant",
    args: { who: "mallory" },
    timeoutMs: 5_000,
  };
}

/** A CALL in full form with a made-up MAC: with a MAC the args travel packed, as a bin. */
function fullWithMac(call: CallMessage): Uint8Array {
  return encodeMessage({ ...call, mac: randomBytes(16) }, undefined, packPayload(call.args, "CALL"));
}

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.dispose());

describe.each([
  ["trust.keys over TCP", (): Setup => keysSetup()],
  ["trust.ca over mutual TLS with checkNodeName", (): Setup => caSetup(pki)],
])("origin authentication, %s", (_mode, makeSetup) => {
  const bus = new Bus();
  let setup: Setup;
  let victim: Node;
  let good: Node;
  let port: number;
  let grants: string[];
  let ticks: Implementation;
  const peers: RawPeer[] = [];

  beforeEach(async () => {
    setup = makeSetup();
    grants = [];
    victim = bus.node("victim", {
      ...setup.options("victim"),
      policy: { allow: [{ nodes: ["admin"] }, { paths: ["/", "/calc", "/ticks"] }] },
    });
    const admin = new Implementation(AdminInterface);
    admin.setCallCb<{ who: string }>("grant", ({ who }, ctx) => {
      grants.push(`${ctx.caller}:${who}`);
      return {};
    });
    victim.register("/admin", admin);
    victim.register("/calc", createCalc());
    ticks = new Implementation(TickInterface);
    victim.register("/ticks", ticks);
    port = await setup.listen(victim, "victim");
    good = bus.node("good", setup.options("good"));
    good.register("/calc", createCalc());
    setup.connect(good, port, "victim");
    await good.waitFor("victim", { path: "/calc" });
    await victim.waitFor("good", { path: "/calc" });
  });

  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    await bus.close();
  });

  async function mallory(
    options: { name?: string; instance?: string; neighbors?: string[] } = {},
  ): Promise<RawPeer> {
    const peer = await setup.rawPeer(port, "victim");
    peers.push(peer);
    const name = options.name ?? "mallory";
    await peer.join({
      name,
      identity: setup.identity("mallory"),
      ...(options.instance === undefined ? {} : { instance: options.instance }),
      ...(options.neighbors === undefined ? {} : { neighbors: options.neighbors }),
    });
    await eventually(() => Object.keys(victim.nodes()).includes(name), 3_000, `${name} on the victim's bus`);
    return peer;
  }

  /** Gives the victim time to act on what was sent, then checks that the link still works for mallory. */
  async function settle(peer: RawPeer): Promise<void> {
    await sleep(200);
    peer.sendRouted({
      ...grant("mallory", 999_999),
      path: "/calc",
      intf: "com.example.Calc",
      method: "add",
      args: { a: 1, b: 1 },
    });
    const answer = await peer.next((m) => m.type === MessageType.Result || m.type === MessageType.Error);
    expect(answer).toMatchObject({ type: MessageType.Result, out: { sum: 2 } });
  }

  it("serves honest nodes: calls, events and every error code", async () => {
    await expect(good.call("victim", "/calc", "com.example.Calc", "add", { a: 1, b: 2 })).resolves.toEqual({
      sum: 3,
    });
    await expect(victim.call("good", "/calc", "com.example.Calc", "add", { a: 2, b: 2 })).resolves.toEqual({
      sum: 4,
    });
    const got: number[] = [];
    good.on("victim", "/ticks", "test.Ticks", "tick", (args: { n: number }) => got.push(args.n));
    await eventually(
      () => {
        ticks.fire("tick", { n: got.length + 1 });
        return got.length >= 2;
      },
      5_000,
      "events",
    );
    const codeOf = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => "ok",
        (e: { code: string }) => e.code,
      );
    await expect(codeOf(good.call("victim", "/admin", "test.Admin", "grant", { who: "good" }))).resolves.toBe(
      "supcon.PermissionDenied",
    );
    await expect(codeOf(good.call("victim", "/calc", "com.example.Calc", "nope", {}))).resolves.toBe(
      "supcon.UnknownMethod",
    );
    await expect(codeOf(good.call("victim", "/none", "com.example.Calc", "add", {}))).resolves.toBe(
      "supcon.PermissionDenied",
    );
    await expect(
      codeOf(good.call("victim", "/calc", "com.example.Calc", "add", { a: "x", b: 1 })),
    ).resolves.toBe("supcon.InvalidArguments");
    await expect(
      codeOf(good.call("victim", "/calc", "com.example.Calc", "div", { a: 1, b: 0 })),
    ).resolves.toBe("com.example.Calc.DivByZero");
    await expect(codeOf(good.call("victim", "/calc", "com.example.Calc", "fail", {}))).resolves.toBe(
      "supcon.Internal",
    );
    await expect(codeOf(good.call("nobody", "/calc", "com.example.Calc", "add", {}))).resolves.toBe(
      "supcon.UnknownNode",
    );
    await expect(
      codeOf(good.call("victim", "/calc", "com.example.Calc", "sleep", { ms: 1000 }, { timeoutMs: 50 })),
    ).resolves.toBe("supcon.Timeout");
  });

  it("relays over 3 nodes with MACs end to end, and errors from the relay are the relay's", async () => {
    const relay = bus.node("relay", setup.options("relay"));
    const relayPort = await setup.listen(relay, "relay");
    setup.connect(relay, port, "victim");
    const far = bus.node("far", setup.options("far"));
    far.register("/calc", createCalc());
    setup.connect(far, relayPort, "relay");
    await good.waitFor("far", { path: "/calc" });
    await expect(good.call("far", "/calc", "com.example.Calc", "add", { a: 20, b: 22 })).resolves.toEqual({
      sum: 42,
    });
    await expect(far.call("good", "/calc", "com.example.Calc", "add", { a: 1, b: 1 })).resolves.toEqual({
      sum: 2,
    });
    await expect(good.call("far", "/calc", "com.example.Calc", "nope", {})).rejects.toMatchObject({
      code: "supcon.UnknownMethod",
    });
    await expect(good.call("far", "/calc", "com.example.Calc", "div", { a: 1, b: 0 })).rejects.toMatchObject({
      code: "com.example.Calc.DivByZero",
      data: { a: 1 },
    });
  });

  it("runs no handler for CALLs with a forged source, in full form and on channels, with or without a MAC", async () => {
    const peer = await mallory();
    // Full form, no MAC; full form with a made-up MAC; channel form (sealed by nobody: src is not mallory).
    peer.send(grant("admin", 1));
    peer.write(fullWithMac(grant("admin", 2)));
    peer.write(fullWithMac(grant("victim", 3)));
    peer.sendRouted(grant("admin", 4));
    peer.sendRouted({ ...grant("admin", 5), mac: randomBytes(16) });
    // A MAC mallory may make (its own pair key with the victim) on a message claiming another source.
    const own = peer.originAuth?.seal({ ...grant("mallory", 6) }, new Uint8Array([0xc0])) as Uint8Array;
    peer.sendRouted({ ...grant("admin", 6), mac: own });
    await settle(peer);
    expect(grants).toEqual([]);
    expect(bus.warnings.some((w) => /victim: dropped a message claiming to come from 'admin'/.test(w))).toBe(
      true,
    );
  });

  it("answers mallory's own CALL of /admin with supcon.PermissionDenied: the policy sees the proven source", async () => {
    const peer = await mallory();
    peer.sendRouted(grant("mallory", 10));
    const answer = await peer.next((m) => m.type === MessageType.Error);
    expect(answer).toMatchObject({ code: "supcon.PermissionDenied", dst: "mallory", src: "victim" });
    expect(grants).toEqual([]);
  });

  it("runs no handler for a fake admin behind mallory, and its forged advert is dropped", async () => {
    const peer = await mallory({ neighbors: ["victim", "admin"] });
    // An advert of admin: unsigned, then signed with mallory's own key (which does not prove the name admin).
    peer.send(advertOf("admin", "00000000000a0000", ["mallory"]));
    peer.send(peer.signed(advertOf("admin", "00000000000a0000", ["mallory"])));
    await sleep(200);
    expect(Object.keys(victim.nodes())).not.toContain("admin");
    peer.sendRouted(grant("admin", 20, 1));
    peer.write(fullWithMac(grant("admin", 21, 1)));
    await settle(peer);
    expect(grants).toEqual([]);
    expect(bus.warnings.some((w) => /victim: dropped an advert of 'admin' from mallory/.test(w))).toBe(true);
  });

  it("ignores a forged UNSUBSCRIBE in the name of good: good keeps its events", async () => {
    const got: number[] = [];
    good.on("victim", "/ticks", "test.Ticks", "tick", (args: { n: number }) => got.push(args.n));
    await eventually(
      () => {
        ticks.fire("tick", { n: 0 });
        return got.length > 0;
      },
      5_000,
      "the first event",
    );
    const peer = await mallory();
    const unsubscribe: Message = {
      type: MessageType.Unsubscribe,
      dst: "victim",
      src: "good",
      hops: 1,
      path: "/ticks",
      intf: "test.Ticks",
      event: "tick",
    };
    peer.send(unsubscribe);
    peer.send({ ...unsubscribe, mac: randomBytes(16) });
    await settle(peer);
    const before = got.length;
    ticks.fire("tick", { n: 1 });
    await eventually(() => got.length > before, 3_000, "an event after the forged UNSUBSCRIBE");
  });

  it("answers an unverified CALL only on its source's own link: a forged one cannot fail good's calls", async () => {
    const peer = await mallory();
    await good.waitFor("mallory");
    // good calls mallory once: mallory learns good's call ids (they count up, whatever the destination).
    void good.call("mallory", "/", "supcon.Node", "ping", {}, { timeoutMs: 200 }).catch(() => undefined);
    const seen = await peer.next((m) => m.type === MessageType.Call && m.src === "good");
    const id = seen.type === MessageType.Call ? seen.id : 0;
    const real = good.call("victim", "/calc", "com.example.Calc", "sleep", { ms: 300 });
    // In good's name with the id of that call: without a MAC, and with mallory's own MAC. The victim must not
    // answer good with a (sealed, genuine) PermissionDenied that good would take for the reply of its call.
    const forged = { ...grant("good", id + 1), path: "/calc", intf: "com.example.Calc", method: "sleep" };
    peer.send({ ...forged, args: { ms: 1 } });
    const own = peer.originAuth?.seal({ ...forged, src: "mallory" }, new Uint8Array([0xc0])) as Uint8Array;
    peer.sendRouted({ ...forged, args: null, mac: own });
    await expect(real).resolves.toEqual({ aborted: false });
    // Mallory's own CALL with a wrong MAC, on its own link, is still answered: the source is the link's.
    peer.sendRouted({ ...grant("mallory", 40), mac: randomBytes(16) });
    const answer = await peer.next((m) => m.type === MessageType.Error && m.id === 40);
    expect(answer).toMatchObject({ code: "supcon.PermissionDenied", message: /could not be verified/ });
  });

  it("refuses a HELLO as good, with good's instance, from mallory's credential", async () => {
    const scout = await mallory();
    const advert = await scout.next((x) => x.type === MessageType.Advert && x.origin === "good");
    const instance = advert.type === MessageType.Advert ? advert.instance : "";
    const hijack = await setup.rawPeer(port, "victim");
    peers.push(hijack);
    await expect(
      hijack.join({ name: "good", instance, identity: setup.identity("mallory"), neighbors: false }),
    ).rejects.toThrow(/supcon.PermissionDenied.*the name 'good' is not proven/);
    await expect(victim.call("good", "/calc", "com.example.Calc", "add", { a: 1, b: 1 })).resolves.toEqual({
      sum: 2,
    });
  });

  it("keeps its route to good against a forged advert of good with seq 2^53 − 1", async () => {
    const peer = await mallory({ neighbors: ["victim", "good"] });
    const genuine = await peer.next((m) => m.type === MessageType.Advert && m.origin === "good");
    if (genuine.type !== MessageType.Advert) throw new Error("expected good's advert");
    const forged: Message = { ...genuine, seq: Number.MAX_SAFE_INTEGER, neighbors: ["mallory"] };
    const erase: Message = { ...genuine, seq: Number.MAX_SAFE_INTEGER, neighbors: [], objects: {} };
    for (const m of [
      forged,
      erase,
      { ...forged, auth: null } as Message,
      peer.signed({ ...forged, auth: null } as Message),
    ])
      peer.send(m);
    await settle(peer);
    expect(Object.keys(victim.nodes())).toContain("good");
    expect(victim.nodes()["good"]).toEqual({ "/": ["supcon.Node"], "/calc": ["com.example.Calc"] });
    await expect(victim.call("good", "/calc", "com.example.Calc", "add", { a: 3, b: 4 })).resolves.toEqual({
      sum: 7,
    });
  });

  it("accepts a restarted good (a new instance, the same credential) once the old one has gone", async () => {
    await good.close();
    await eventually(() => !Object.keys(victim.nodes()).includes("good"), 5_000, "good gone");
    const again = bus.node("good", setup.options("good"));
    again.register("/calc", createCalc());
    setup.connect(again, port, "victim");
    await victim.waitFor("good", { path: "/calc", timeoutMs: 5_000 });
    await expect(victim.call("good", "/calc", "com.example.Calc", "add", { a: 5, b: 5 })).resolves.toEqual({
      sum: 10,
    });
  });
});

describe("without credentials (shared secret only)", () => {
  const bus = new Bus();
  afterEach(() => bus.close());
  const secret = "a-shared-secret-for-this-test-1";

  it("refuses a second link in the name of a linked node, even with its instance id", async () => {
    const { node: victim, port } = await bus.listening("victim", { secret });
    const good = bus.node("good", { secret });
    good.connect({ port });
    await victim.waitFor("good");
    const scout = await RawPeer.connect(port);
    try {
      await scout.join({ name: "mallory", secret: new TextEncoder().encode(secret) });
      const m = await scout.next((x) => x.type === MessageType.Advert && x.origin === "good");
      const instance = m.type === MessageType.Advert ? m.instance : "";
      const hijack = await RawPeer.connect(port);
      try {
        await expect(
          hijack.join({ name: "good", instance, secret: new TextEncoder().encode(secret), neighbors: false }),
        ).rejects.toThrow(/supcon.NameTaken.*'good' is linked to victim already/);
      } finally {
        hijack.destroy();
      }
    } finally {
      scout.destroy();
    }
  });

  it("refuses options that mix credentials up, with what to do", () => {
    expect(() => bus.node("x", { trust: { keys: { x: "junk" } } })).toThrow(
      /NodeOptions.trust needs NodeOptions.identity/,
    );
    expect(() => bus.node("x", { secret: "short" })).toThrow(
      /NodeOptions.secret is too weak: it is 5 characters long/,
    );
    expect(() => bus.node("x", { secret: "aaaaaaaaaaaaaaaaaaaaaaaa" })).toThrow(/worth about 14 bits/);
    expect(() => bus.node("x", { secret: new Uint8Array(8) })).toThrow(/binary secrets need at least 16/);
  });
});
