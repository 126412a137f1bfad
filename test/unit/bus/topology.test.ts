import { Topology } from "../../../packages/supcon/src/bus/topology";
import type { TopologyHost, TopologySettings } from "../../../packages/supcon/src/bus/topology-settings";
import {
  ADVERT_LIFETIME_MS,
  ADVERT_REFRESH_JITTER,
  ADVERT_REFRESH_MS,
  OWN_ADVERT_MAX_HOLD_MS,
} from "../../../packages/supcon/src/bus/topology-settings";
import type { PeerLink } from "../../../packages/supcon/src/link/peer-link";
import { MAX_ADVERT_PATHS } from "../../../packages/supcon/src/routing/table";
import type { AdvertMessage, Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { FakePeerLink } from "./fakes";

type Except = PeerLink | ReadonlySet<PeerLink> | undefined;

/** What topology told its node, in order: "up x", "down x", "objects x". */
class Host implements TopologyHost {
  objectMap: Record<string, string[]> = {};
  readonly broadcasts: { message: Message; except: Except }[] = [];
  /** Floods: what was sent to which peer. */
  readonly sent: { peer: string; message: Message; except: PeerLink | undefined }[] = [];
  readonly log: string[] = [];
  readonly changes: { node: string; before: unknown; after: unknown }[] = [];
  readonly warnings: string[] = [];

  objects(): Record<string, string[]> {
    return this.objectMap;
  }
  broadcast(message: Message, except?: PeerLink | ReadonlySet<PeerLink>): void {
    // A copy of a set: the topology reuses its own.
    this.broadcasts.push({ message, except: except instanceof Set ? new Set(except) : except });
  }
  sendTo(peer: string, message: Message, except?: PeerLink): void {
    this.sent.push({ peer, message, except });
  }
  nodeUp(node: string): void {
    this.log.push(`up ${node}`);
  }
  nodeDown(node: string): void {
    this.log.push(`down ${node}`);
  }
  objectsChanged(
    node: string,
    before: Readonly<Record<string, readonly string[]>>,
    after: Readonly<Record<string, readonly string[]>>,
  ): void {
    this.log.push(`objects ${node}`);
    this.changes.push({ node, before, after });
  }
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** The adverts broadcast, of this node or others. */
  adverts(): AdvertMessage[] {
    return this.broadcasts.map((b) => b.message as AdvertMessage);
  }
}

function advert(
  origin: string,
  seq: number,
  neighbors: string[],
  objects: Record<string, string[]> = {},
  instance = `i-${origin}`,
): AdvertMessage {
  return { type: MessageType.Advert, origin, instance, seq, neighbors, objects };
}

const made: Topology[] = [];
afterEach(() => {
  for (const topology of made.splice(0)) topology.close();
  jest.useRealTimers();
});

/**
 * A node "hub"; `linkTo()` opens a link to a peer and takes in the peer's first advert. What the node does on the
 * next macrotask is done here by `flush()`, at once.
 */
function setup(maxKnownNodes = 100, advertGraceMs = 10_000, more: Partial<TopologySettings> = {}) {
  const host = new Host();
  const topology = new Topology({ self: "hub", maxKnownNodes, advertGraceMs, ...more }, host);
  made.push(topology);
  const linkTo = (peer: string, neighbors: string[] = ["hub"]): FakePeerLink => {
    const link = new FakePeerLink(peer);
    topology.linkOpened(link, peer, `i-${peer}`, true);
    topology.onAdvert(link, peer, advert(peer, 1, neighbors));
    topology.flush();
    return link;
  };
  return { host, topology, linkTo };
}

const origins = (messages: Message[]): string[] =>
  messages.map((m) => (m.type === MessageType.Advert ? m.origin : `type ${m.type}`));

const ownAdverts = (host: Host): AdvertMessage[] => host.adverts().filter((a) => a.origin === "hub");

describe("Topology", () => {
  it("routes its own name to itself and knows itself first", () => {
    const { topology } = setup();
    expect(topology.nextHop("hub")).toBe("hub");
    expect(topology.isKnown("hub")).toBe(true);
    expect(topology.known()).toEqual(["hub"]);
    expect(topology.instanceOf("hub")).toBe(topology.instance);
  });

  it("publishes its advert, listing its neighbours and objects, with a higher seq every time", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology } = setup();
    host.objectMap = { "/calc": ["com.example.Calc"] };
    topology.advertise();
    topology.flush();
    host.objectMap = { "/calc": ["com.example.Calc"], "/b": ["B"] };
    topology.advertise();
    topology.flush();
    const adverts = ownAdverts(host);
    expect(adverts[0]).toEqual({
      type: MessageType.Advert,
      origin: "hub",
      instance: topology.instance,
      seq: expect.any(Number) as number,
      neighbors: [],
      objects: { "/calc": ["com.example.Calc"] },
    });
    expect(adverts).toHaveLength(2);
    expect(adverts[1]?.seq).toBeGreaterThan(adverts[0]?.seq as number);
  });

  it("says its own objects as they are now, before its advert goes out", () => {
    const { host, topology } = setup();
    host.objectMap = { "/a": ["A"] };
    topology.advertise();
    expect(topology.has("hub", "/a", "A")).toBe(true);
    expect(topology.view()).toEqual({ hub: { "/a": ["A"] } });
  });

  it("reports a neighbour up once its advert lists this node", () => {
    const { host, topology } = setup();
    const link = new FakePeerLink("alice");
    topology.linkOpened(link, "alice", "i-alice", true);
    topology.flush();
    expect(host.log).toEqual([]);
    topology.onAdvert(link, "alice", advert("alice", 1, ["hub"]));
    topology.flush();
    expect(host.log).toEqual(["up alice"]);
    expect(topology.nextHop("alice")).toBe("alice");
    expect(topology.instanceOf("alice")).toBe("i-alice");
    expect(topology.known()).toEqual(["hub", "alice"]);
  });

  it("routes to a node whose advert just arrived at once, before the next macrotask reports it", () => {
    const { host, topology } = setup();
    const link = new FakePeerLink("alice");
    topology.linkOpened(link, "alice", "i-alice", true);
    topology.onAdvert(link, "alice", advert("alice", 1, ["hub"]));
    // A CALL that follows the ADVERT in the same read needs the route back to its caller.
    expect(topology.nextHop("alice")).toBe("alice");
    expect(host.log).toEqual([]);
    topology.flush();
    expect(host.log).toEqual(["up alice"]);
  });

  it("sends a new link its advert and the database before anything routed through it", () => {
    const { topology } = setup();
    const link = new FakePeerLink("alice");
    topology.linkOpened(link, "alice", "i-alice", true);
    topology.onAdvert(link, "alice", advert("alice", 1, ["hub"]));
    // A CALL to alice (or a reply) is routed now: alice needs this node's advert to route back.
    expect(topology.nextHop("alice")).toBe("alice");
    expect(origins(link.messages())).toEqual(["hub"]);
    expect((link.messages()[0] as AdvertMessage).neighbors).toEqual(["alice"]);
    topology.flush();
    expect(origins(link.messages())).toEqual(["hub"]);
  });

  it("sends a new link its own advert first, listing the new peer, then every advert it holds", () => {
    const { topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol"]);
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    const bob = linkTo("bob");
    const sent = bob.messages();
    expect(origins(sent).slice(0, 3)).toEqual(["hub", "alice", "carol"]);
    expect((sent[0] as AdvertMessage).neighbors).toEqual(["alice", "bob"]);
  });

  it("publishes one advert, and recomputes once, however many links open in one turn", () => {
    const { host, topology } = setup();
    const links = Array.from({ length: 200 }, (_, i) => new FakePeerLink(`p${i}`));
    links.forEach((link, i) => {
      topology.linkOpened(link, `p${i}`, `i-p${i}`, true);
      topology.onAdvert(link, `p${i}`, advert(`p${i}`, 1, ["hub"]));
    });
    topology.flush();
    const own = ownAdverts(host);
    expect(own).toHaveLength(1);
    expect(own[0]?.neighbors).toHaveLength(200);
    // The new links had it directly, with the database: the broadcast skips them.
    const except = host.broadcasts.find((b) => b.message === own[0])?.except as ReadonlySet<PeerLink>;
    expect(links.every((link) => except.has(link))).toBe(true);
    expect(links.every((link) => (link.messages()[0] as AdvertMessage).neighbors.length === 200)).toBe(true);
    expect(host.log).toHaveLength(200);
    expect(topology.known()).toHaveLength(201);
  });

  it("broadcasts its own advert at most once per hold, which grows with its links", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology } = setup();
    for (let i = 0; i < 2_500; i++) topology.linkOpened(new FakePeerLink(`p${i}`), `p${i}`, `i-p${i}`, true);
    topology.flush();
    expect(topology.ownAdvertHoldMs()).toBe(OWN_ADVERT_MAX_HOLD_MS);
    topology.linkLost("p0");
    topology.flush();
    topology.linkLost("p1");
    topology.flush();
    expect(ownAdverts(host)).toHaveLength(1);
    // The timer, then the macrotask it schedules.
    jest.advanceTimersByTime(OWN_ADVERT_MAX_HOLD_MS + 1);
    const own = ownAdverts(host);
    expect(own).toHaveLength(2);
    expect(own[1]?.neighbors).toHaveLength(2_498);
  });

  it("floods a new advert to every link but the one it came from, before any message routed through it", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol", "dave"]);
    linkTo("bob");
    host.sent.length = 0;
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    topology.onAdvert(alice, "alice", advert("dave", 1, ["alice"]));
    // Floods go out together, on the next macrotask; to a neighbour, before a message routed through it.
    expect(host.sent).toEqual([]);
    expect(topology.nextHop("carol")).toBe("alice");
    const carol = advert("carol", 1, ["alice"]);
    const dave = advert("dave", 1, ["alice"]);
    expect(host.sent).toEqual([
      { peer: "alice", message: carol, except: alice },
      { peer: "alice", message: dave, except: alice },
    ]);
    topology.flush();
    expect(host.sent.slice(2)).toEqual([
      { peer: "bob", message: carol, except: alice },
      { peer: "bob", message: dave, except: alice },
    ]);
    topology.flush();
    expect(host.sent).toHaveLength(4);
  });

  it("with many links, floods wait for a window to go out together", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology } = setup(100_000);
    const links = Array.from({ length: 1_000 }, (_, i) => new FakePeerLink(`p${i}`));
    links.forEach((link, i) => {
      topology.linkOpened(link, `p${i}`, `i-p${i}`, true);
      topology.onAdvert(link, `p${i}`, advert(`p${i}`, 1, ["hub"]));
    });
    topology.flush();
    expect(topology.floodWindowMs()).toBe(100);
    host.sent.length = 0;
    for (let i = 0; i < 10; i++)
      topology.onAdvert(links[0] as FakePeerLink, "p0", advert(`x${i}`, 1, ["p0"]));
    topology.flush();
    expect(host.sent).toEqual([]);
    jest.advanceTimersByTime(100);
    expect(host.sent).toHaveLength(10 * 1_000);
    expect(new Set(host.sent.map((s) => s.peer)).size).toBe(1_000);
  });

  it("ignores a stale advert: it is neither flooded nor reported", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    host.sent.length = 0;
    host.log.length = 0;
    topology.onAdvert(alice, "alice", advert("alice", 1, ["hub"], { "/x": ["I"] }));
    topology.onAdvert(alice, "alice", advert("alice", 0, [], {}, "i-other"));
    topology.flush();
    expect(host.broadcasts).toEqual([]);
    expect(host.sent).toEqual([]);
    expect(host.log).toEqual([]);
    expect(topology.objectsOf("alice")).toEqual({});
  });

  it("takes a neighbour's advert from that neighbour only: a copy of the same process by another way is ignored", () => {
    const { host, topology, linkTo } = setup();
    linkTo("alice");
    const bob = linkTo("bob");
    topology.flush();
    host.sent.length = 0;
    topology.onAdvert(bob, "bob", advert("alice", 9, [], {}));
    topology.flush();
    expect(host.sent).toEqual([]);
    expect(topology.nextHop("alice")).toBe("alice");
  });

  it("ignores its own advert coming back", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    const own = ownAdverts(host)[0] as AdvertMessage;
    host.broadcasts.length = 0;
    host.sent.length = 0;
    topology.onAdvert(alice, "alice", own);
    topology.flush();
    expect(host.broadcasts).toEqual([]);
    expect(host.warnings).toEqual([]);
  });

  it("answers a forged advert of its own name with a newer advert of its own, at most once a second", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    host.sent.length = 0;
    const forged = advert("hub", 5_000_000, [], {}, topology.instance);
    topology.onAdvert(alice, "alice", forged);
    topology.onAdvert(alice, "alice", { ...forged, seq: 6_000_000 });
    topology.flush();
    const own = ownAdverts(host);
    expect(own).toHaveLength(1);
    expect(own[0]?.seq).toBe(5_000_001);
    expect(own[0]?.neighbors).toEqual(["alice"]);
    expect(host.warnings).toHaveLength(1);
    expect(host.warnings[0]).toMatch(/^an advert of hub that is not this node's came from alice/);
    jest.advanceTimersByTime(1_000);
    topology.onAdvert(alice, "alice", { ...forged, seq: 6_000_000 });
    topology.flush();
    expect(ownAdverts(host)[1]?.seq).toBe(6_000_001);
  });

  it("does not follow a forged advert to a seq that would leave it no room, but still advertises again", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    host.sent.length = 0;
    topology.onAdvert(alice, "alice", advert("hub", Number.MAX_SAFE_INTEGER, [], {}, "i-ghost"));
    topology.flush();
    const own = ownAdverts(host);
    expect(own).toHaveLength(1);
    expect(own[0]?.seq).toBeLessThan(2 ** 50);
  });

  it("reports a restart (a new instance of a node) as nodeDown at once, then nodeUp", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.log.length = 0;
    topology.onAdvert(alice, "alice", advert("alice", 2, ["hub"], {}, "i-alice-2"));
    expect(host.log).toEqual(["down alice"]);
    topology.flush();
    expect(host.log).toEqual(["down alice", "up alice"]);
    expect(topology.instanceOf("alice")).toBe("i-alice-2");
  });

  it("reports a restart seen first as a link of a new instance as nodeDown at once", () => {
    const { host, topology, linkTo } = setup();
    linkTo("alice");
    host.log.length = 0;
    topology.linkLost("alice");
    const again = new FakePeerLink("alice");
    topology.linkOpened(again, "alice", "i-alice-2", true);
    expect(host.log).toEqual(["down alice"]);
    topology.onAdvert(again, "alice", advert("alice", 2, ["hub"], {}, "i-alice-2"));
    topology.flush();
    expect(host.log).toEqual(["down alice", "up alice"]);
  });

  /**
   * alice and bob are linked to hub and to each other. alice's process dies; bob notices first and stops listing
   * it. alice restarts, links to bob only, and its new advert reaches hub through bob before bob's advert that lists
   * the new link does.
   */
  function restartBehindBob() {
    const { host, topology, linkTo } = setup();
    linkTo("alice", ["hub", "bob"]);
    const bob = linkTo("bob", ["hub", "alice"]);
    topology.onAdvert(bob, "bob", advert("bob", 2, ["hub"]));
    topology.flush();
    host.log.length = 0;
    topology.onAdvert(bob, "bob", advert("alice", 5, ["bob"], {}, "i-alice-2"));
    topology.flush();
    return { host, topology, bob };
  }

  it("reports a restarted node that is not reachable yet as down, not as up", () => {
    const { host } = restartBehindBob();
    expect(host.log).toEqual(["down alice"]);
  });

  it("keeps the advert of a restarted node until the link that makes it reachable is advertised", () => {
    const { host, topology, bob } = restartBehindBob();
    topology.onAdvert(bob, "bob", advert("bob", 3, ["alice", "hub"]));
    topology.flush();
    expect(topology.nextHop("alice")).toBe("bob");
    expect(topology.instanceOf("alice")).toBe("i-alice-2");
    expect(host.log.filter((entry) => entry.endsWith(" alice"))).toEqual(["down alice", "up alice"]);
  });

  it("reports the objects a node that stays up registers and unregisters", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    topology.onAdvert(alice, "alice", advert("alice", 2, ["hub"], { "/a": ["I"] }));
    topology.flush();
    topology.onAdvert(alice, "alice", advert("alice", 3, ["hub"], { "/b": ["J"] }));
    topology.flush();
    expect(host.log).toEqual(["up alice", "objects alice", "objects alice"]);
    expect(host.changes).toEqual([
      { node: "alice", before: {}, after: { "/a": ["I"] } },
      { node: "alice", before: { "/a": ["I"] }, after: { "/b": ["J"] } },
    ]);
    expect(topology.has("alice", "/b", "J")).toBe(true);
    expect(topology.has("alice", "/b", "I")).toBe(false);
    expect(topology.has("alice", "/a")).toBe(false);
  });

  it("reports a node that comes up with objects as up, not as changed", () => {
    const { host, topology } = setup();
    const link = new FakePeerLink("alice");
    topology.linkOpened(link, "alice", "i-alice", true);
    topology.onAdvert(link, "alice", advert("alice", 1, ["hub"], { "/a": ["I"] }));
    topology.onAdvert(link, "alice", advert("alice", 2, ["hub"], { "/a": ["I"], "/b": ["J"] }));
    topology.flush();
    expect(host.log).toEqual(["up alice"]);
    expect(topology.objectsOf("alice")).toEqual({ "/a": ["I"], "/b": ["J"] });
  });

  it("lets a neighbour flood only its own share of the node table: the others' nodes still get in", () => {
    const { host, topology, linkTo } = setup(50);
    const mallory = linkTo("mallory");
    const alice = linkTo("alice", ["hub", "carol"]);
    for (let i = 0; i < 1_000; i++)
      topology.onAdvert(mallory, "mallory", advert(`fake-${i}`, 1, ["mallory"]));
    topology.flush();
    // A node behind alice, after the flood: it takes the place of one of mallory's.
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    topology.flush();
    expect(topology.nextHop("carol")).toBe("alice");
    expect(host.log).toContain("up carol");
    // The flood is warned about once, not once per advert.
    expect(host.warnings).toHaveLength(1);
    expect(host.warnings[0]).toMatch(
      /^the node table is full and mallory uses 49 nodes and 49 entries of it, its share being 25 and 500000: 1 advert\(s\) from it \(the last of fake-48\) took the place of its own older ones$/,
    );
  });

  it("ignores, with a warning, an advert beyond the bounds of one advert", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    const objects: Record<string, string[]> = {};
    for (let i = 0; i <= MAX_ADVERT_PATHS; i++) objects[`/p${i}`] = ["I"];
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"], objects));
    expect(host.warnings).toEqual([
      `ignored the advert of carol from alice: it lists ${MAX_ADVERT_PATHS + 1} paths (at most ${MAX_ADVERT_PATHS})`,
    ]);
    expect(topology.isKnown("carol")).toBe(false);
  });

  it("ignores, with a warning, an advert naming something that is not a node name", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    host.sent.length = 0;
    topology.onAdvert(alice, "alice", advert("", 1, ["alice"]));
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice", "bad\nname"]));
    topology.flush();
    expect(host.warnings).toEqual([
      "ignored an advert from alice naming something that is not a node name",
      "ignored an advert from alice naming something that is not a node name",
    ]);
    expect(host.sent).toEqual([]);
    expect(topology.isKnown("carol")).toBe(false);
  });

  it("when the last link to a peer is lost: the peer and what only it reached go down", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol"]);
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    linkTo("bob");
    host.log.length = 0;
    host.broadcasts.length = 0;
    host.sent.length = 0;
    topology.linkLost("alice");
    // Routes through the lost link are not used even before the next macrotask.
    expect(topology.nextHop("carol")).toBeUndefined();
    topology.flush();
    expect(host.log).toEqual(["down alice", "down carol"]);
    expect(ownAdverts(host)[0]?.neighbors).toEqual(["bob"]);
    expect(topology.known()).toEqual(["hub", "bob"]);
  });

  it("keeps the advert of a node not reachable yet for the grace period, then drops it", () => {
    const { topology, linkTo } = setup(100, 10_000);
    const alice = linkTo("alice");
    // x is linked to y, which nobody has heard of: x may become reachable once y's advert arrives.
    topology.onAdvert(alice, "alice", advert("x", 1, ["y"]));
    topology.sweep(Date.now() + 5_000);
    expect(origins(linkTo("bob").messages())).toContain("x");
    topology.sweep(Date.now() + 20_000);
    expect(origins(linkTo("carol").messages())).not.toContain("x");
  });

  it("re-advertises every refresh interval, with jitter, though nothing changed", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology, linkTo } = setup();
    linkTo("alice");
    const first = ownAdverts(host).length;
    jest.advanceTimersByTime(ADVERT_REFRESH_MS * (1 - ADVERT_REFRESH_JITTER) - 1);
    expect(ownAdverts(host)).toHaveLength(first);
    jest.advanceTimersByTime(ADVERT_REFRESH_MS * ADVERT_REFRESH_JITTER + 1);
    expect(ownAdverts(host)).toHaveLength(first + 1);
    jest.advanceTimersByTime(ADVERT_REFRESH_MS);
    expect(ownAdverts(host)).toHaveLength(first + 2);
    expect(topology.known()).toEqual(["hub", "alice"]);
  });

  it("drops an advert not renewed within its lifetime: a forged view repairs itself", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol"]);
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"], { "/c": ["C"] }));
    topology.flush();
    // A forged advert of carol, with a seq carol cannot reach and no objects: carol's own adverts are stale now.
    topology.onAdvert(alice, "alice", advert("carol", Number.MAX_SAFE_INTEGER, ["alice"], {}));
    topology.flush();
    topology.onAdvert(alice, "alice", advert("carol", 2, ["alice"], { "/c": ["C"] }));
    expect(topology.has("carol", "/c")).toBe(false);
    // alice refreshes; carol's forged advert is not renewed and expires.
    jest.setSystemTime(1_000_000 + ADVERT_LIFETIME_MS / 2);
    topology.onAdvert(alice, "alice", advert("alice", 2, ["hub", "carol"]));
    jest.setSystemTime(1_000_000 + ADVERT_LIFETIME_MS + 1);
    topology.sweep();
    topology.flush();
    expect(host.log).toContain("down carol");
    topology.onAdvert(alice, "alice", advert("carol", 3, ["alice"], { "/c": ["C"] }));
    topology.flush();
    expect(topology.has("carol", "/c", "C")).toBe(true);
    expect(topology.isKnown("alice")).toBe(true);
  });

  it("keeps the advert of a neighbour's process while its link is open, however old", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { host, topology, linkTo } = setup();
    linkTo("alice");
    jest.setSystemTime(1_000_000 + 10 * ADVERT_LIFETIME_MS);
    topology.sweep();
    topology.flush();
    expect(topology.isKnown("alice")).toBe(true);
    expect(host.log).toEqual(["up alice"]);
  });

  it("lists the bus in view(): this node first, then the others sorted, paths sorted", () => {
    const { host, topology, linkTo } = setup();
    host.objectMap = { "/z": ["Z"], "/a": ["A1", "A2"] };
    const bob = linkTo("bob");
    topology.onAdvert(bob, "bob", advert("bob", 2, ["hub"], { "/b": ["B"] }));
    linkTo("alice");
    const view = topology.view();
    expect(Object.keys(view)).toEqual(["hub", "alice", "bob"]);
    expect(Object.keys(view["hub"] ?? {})).toEqual(["/a", "/z"]);
    expect(view).toEqual({ hub: { "/a": ["A1", "A2"], "/z": ["Z"] }, alice: {}, bob: { "/b": ["B"] } });
    // A copy: changing it changes nothing in the topology.
    view["bob"]?.["/b"]?.push("X");
    expect(topology.objectsOf("bob")).toEqual({ "/b": ["B"] });
  });

  it("does nothing once closed", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.log.length = 0;
    host.broadcasts.length = 0;
    host.sent.length = 0;
    topology.close();
    topology.linkLost("alice");
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    topology.flush();
    expect(host.log).toEqual([]);
    expect(ownAdverts(host)).toEqual([]);
    expect(host.sent).toEqual([]);
  });
});
