/**
 * Conformance, docs/PROTOCOL.md "Link state" (ADVERT) and "Link control" (PING, PONG, BYE, heartbeats): a real node
 * driven over TCP with hand-built frames, each test named after the rule it checks.
 */
import { call, range, replyTo, uniqueName } from "./helpers";
import { T } from "./peer";
import type { Peer } from "./peer";
import { startTarget } from "./target";
import type { Target } from "./target";

let target: Target;
let heartbeats: Target;
beforeAll(async () => {
  [target, heartbeats] = await Promise.all([
    startTarget(),
    startTarget({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400 }),
  ]);
});
afterAll(() => Promise.all([target.close(), heartbeats.close()]));

async function joined(on: Target = target): Promise<{ peer: Peer; name: string }> {
  const name = uniqueName();
  const { peer } = await on.join({ name });
  await on.node.waitFor(name, { timeoutMs: 3000 });
  return { peer, name };
}

const advertOf =
  (origin: string, after = 0) =>
  (m: readonly unknown[]): boolean =>
    m[0] === T.ADVERT && m[1] === origin && (m[3] as number) > after;

describe("Link state", () => {
  it("after the handshake the node sends its own ADVERT first, then every ADVERT it holds", async () => {
    const { name: first } = await joined();
    const name = uniqueName();
    const { peer } = await target.join({ name });
    const adverts = peer.received.filter((r) => r.raw[0] === T.ADVERT).map((r) => r.raw[1]);
    await peer.next(advertOf(first));
    expect(adverts[0]).toBe("target");
  });

  it("a newer ADVERT is stored and forwarded to every other neighbour unchanged; an older or equal one is dropped", async () => {
    const [{ peer: a, name: an }, { peer: b }] = await Promise.all([joined(), joined()]);
    const objects = { "/x": ["x.Y", "x.Z"] };
    a.advertise(objects, ["target"], an);
    const seq = a.seq;
    expect(await b.next(advertOf(an, seq - 1))).toEqual([
      T.ADVERT,
      an,
      a.instance,
      seq,
      ["target"],
      objects,
      null,
    ]);
    a.send([T.ADVERT, an, a.instance, seq, ["target"], { "/y": ["x.Y"] }, null]);
    a.send([T.ADVERT, an, a.instance, seq - 1, ["target"], { "/z": ["x.Y"] }, null]);
    await a.alive();
    const replaced = (m: readonly unknown[]): boolean =>
      advertOf(an)(m) && ("/y" in (m[5] as object) || "/z" in (m[5] as object));
    await b.none(replaced, 200);
    expect(target.node.nodes()[an]).toEqual(objects);
  });

  it("a link opening or closing makes the node send a new ADVERT, with a higher seq, listing its neighbours", async () => {
    const { peer: a } = await joined();
    const last = Math.max(
      ...a.received
        .filter((r) => r.raw[0] === T.ADVERT && r.raw[1] === "target")
        .map((r) => r.raw[3] as number),
    );
    const { peer: b, name: bn } = await joined();
    const opened = await a.next((m) => advertOf("target", last)(m) && (m[4] as string[]).includes(bn));
    b.close();
    await a.next((m) => advertOf("target", opened[3] as number)(m) && !(m[4] as string[]).includes(bn));
  });

  it("an ADVERT in the node's own name that is not its current one is answered with a newer ADVERT of its own", async () => {
    const { peer } = await joined();
    const forged = Date.now() + 1_000_000;
    peer.send([T.ADVERT, "target", "ffffffffffffffff", forged, [], {}, null]);
    const answer = await peer.next(advertOf("target", forged));
    expect(answer[2]).not.toBe("ffffffffffffffff");
  });

  it("an ADVERT that lists more than 4,096 paths is dropped", async () => {
    const [{ peer: a, name: an }, { peer: b }] = await Promise.all([joined(), joined()]);
    const objects = Object.fromEntries(Array.from({ length: 4097 }, (_, i) => [`/p${i}`, ["x.Y"]]));
    a.send([T.ADVERT, "big", "00000000000000bb", Date.now(), [an], objects, null]);
    await a.alive();
    await b.none(advertOf("big"), 200);
    expect(target.node.nodes()["big"]).toBeUndefined();
  });

  it("an ADVERT that lists more than 64 interfaces on one path is dropped; 64 are taken", async () => {
    const [{ peer: a, name: an }, { peer: b }] = await Promise.all([joined(), joined()]);
    const intfs = (n: number): string[] => range(1, n).map((i) => `x.I${i}`);
    a.advertise({ "/wide": intfs(64) }, ["target"], an);
    await target.node.waitFor(an, { path: "/wide", timeoutMs: 3000 });
    expect(target.node.nodes()[an]?.["/wide"]).toHaveLength(64);
    a.advertise({ "/wider": intfs(65) }, ["target"], an);
    await a.alive();
    await b.none((m) => advertOf(an)(m) && "/wider" in (m[5] as object), 200);
    expect(Object.keys(target.node.nodes()[an] ?? {})).toEqual(["/wide"]);
  });

  it("an ADVERT that lists more than 65,536 entries (neighbours, paths and interfaces together) is dropped; 65,536 are taken", async () => {
    const [{ peer: a, name: an }, { peer: b }] = await Promise.all([joined(), joined()]);
    // 1 neighbour, then 1,285 paths of 50 interfaces each: 1 + 1,285 × 51 = 65,536 entries.
    const intfs = range(1, 50).map((i) => `x.I${i}`);
    const objects = Object.fromEntries(range(1, 1285).map((i) => [`/p${i}`, intfs]));
    a.advertise(objects, ["target"], an);
    await target.node.waitFor(an, { path: "/p1285", timeoutMs: 3000 });
    expect(Object.keys(target.node.nodes()[an] ?? {})).toHaveLength(1285);
    // One interface more: 65,537.
    a.advertise({ ...objects, "/p1": [...intfs, "x.I51"] }, ["target"], an);
    await a.alive();
    await b.none((m) => advertOf(an)(m) && (m[5] as Record<string, string[]>)["/p1"]?.length === 51, 200);
    expect(target.node.nodes()[an]?.["/p1"]).toHaveLength(50);
  });

  it("a link counts for routes only when both ends list each other", async () => {
    const { peer, name } = await joined();
    peer.send([T.ADVERT, "behind", "00000000000000cc", Date.now(), [name], {}, null]);
    peer.send(call(name, 1, "count", null, { dst: "behind", path: "/", intf: "supcon.Node" }));
    peer.send(call(name, 2, "count", null));
    await peer.next(replyTo(2));
    expect(target.node.nodes()["behind"]).toBeUndefined();
    peer.advertise({}, ["target", "behind"], name);
    await target.node.waitFor("behind", { timeoutMs: 3000 });
  });
});

describe("Link control", () => {
  it("PING is answered with PONG; a PONG needs no PING", async () => {
    const { peer } = await joined();
    peer.send([T.PONG]);
    peer.send([T.PING]);
    expect(await peer.next((m) => m[0] === T.PONG)).toEqual([T.PONG]);
    await peer.alive();
  });

  it("a link silent on the node's side gets PING after heartbeatIntervalMs", async () => {
    const { peer } = await joined(heartbeats);
    expect(await peer.next((m) => m[0] === T.PING, 1000)).toEqual([T.PING]);
  });

  it("a link on which nothing arrives for heartbeatTimeoutMs is closed with supcon.HeartbeatTimeout", async () => {
    const { peer } = await joined(heartbeats);
    const started = Date.now();
    expect((await peer.bye(3000)).code).toBe("supcon.HeartbeatTimeout");
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("any frame counts as a sign of life", async () => {
    const { peer } = await joined(heartbeats);
    for (let i = 0; i < 8; i++) {
      peer.send([T.PONG]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(peer.isClosed).toBe(false);
    await peer.alive();
  });

  it("BYE closes the link: the receiver closes its side", async () => {
    const { peer, name } = await joined();
    peer.send([T.BYE, "supcon.Closed", "goodbye"]);
    await peer.closedWithin();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.node.links().map((l) => l.peer)).not.toContain(name);
  });

  it("a node that closes says BYE supcon.Closed", async () => {
    const closing = await startTarget();
    const { peer } = await closing.join({ name: uniqueName() });
    const bye = peer.bye();
    await closing.node.close();
    expect((await bye).code).toBe("supcon.Closed");
    await closing.close();
  });
});
