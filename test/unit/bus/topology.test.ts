import type { TopologyHost } from "../../../packages/supcon/src/bus/topology";
import { Topology } from "../../../packages/supcon/src/bus/topology";
import type { PeerLink } from "../../../packages/supcon/src/link/peer-link";
import type { AdvertMessage, Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { FakePeerLink } from "./fakes";

/** What topology told its node, in order: "up x", "down x", "objects x". */
class Host implements TopologyHost {
  neighbourList: string[] = [];
  objectMap: Record<string, string[]> = {};
  readonly broadcasts: { message: Message; except: PeerLink | undefined }[] = [];
  readonly log: string[] = [];
  readonly changes: { node: string; before: unknown; after: unknown }[] = [];
  readonly warnings: string[] = [];

  neighbours(): string[] {
    return this.neighbourList;
  }
  objects(): Record<string, string[]> {
    return this.objectMap;
  }
  broadcast(message: Message, except?: PeerLink): void {
    this.broadcasts.push({ message, except });
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

/** A node "hub"; `linkTo()` opens a link to a peer and takes in the peer's first advert. */
function setup(maxKnownNodes = 100, advertGraceMs = 10_000) {
  const host = new Host();
  const topology = new Topology({ self: "hub", maxKnownNodes, advertGraceMs }, host);
  const linkTo = (peer: string, neighbors: string[] = ["hub"]): FakePeerLink => {
    host.neighbourList = [...host.neighbourList, peer].sort();
    const link = new FakePeerLink(peer);
    topology.linkOpened(link, peer, `i-${peer}`, true);
    topology.onAdvert(link, peer, advert(peer, 1, neighbors));
    return link;
  };
  return { host, topology, linkTo };
}

const origins = (messages: Message[]): string[] =>
  messages.map((m) => (m.type === MessageType.Advert ? m.origin : `type ${m.type}`));

describe("Topology", () => {
  it("routes its own name to itself and knows itself first", () => {
    const { topology } = setup();
    expect(topology.nextHop("hub")).toBe("hub");
    expect(topology.isKnown("hub")).toBe(true);
    expect(topology.known()).toEqual(["hub"]);
    expect(topology.instanceOf("hub")).toBeUndefined();
  });

  it("publishes its advert, listing its neighbours and objects, with a higher seq every time", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const { host, topology } = setup();
      host.neighbourList = ["alice"];
      host.objectMap = { "/calc": ["com.example.Calc"] };
      topology.advertise();
      topology.advertise();
      const adverts = host.broadcasts.map((b) => b.message as AdvertMessage);
      expect(adverts[0]).toEqual({
        type: MessageType.Advert,
        origin: "hub",
        instance: topology.instance,
        seq: expect.any(Number) as number,
        neighbors: ["alice"],
        objects: { "/calc": ["com.example.Calc"] },
      });
      expect(adverts[1]?.seq).toBeGreaterThan(adverts[0]?.seq as number);
      expect(host.broadcasts.map((b) => b.except)).toEqual([undefined, undefined]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("reports a neighbour up once its advert lists this node", () => {
    const { host, topology } = setup();
    host.neighbourList = ["alice"];
    const link = new FakePeerLink("alice");
    topology.linkOpened(link, "alice", "i-alice", true);
    expect(host.log).toEqual([]);
    topology.onAdvert(link, "alice", advert("alice", 1, ["hub"]));
    expect(host.log).toEqual(["up alice"]);
    expect(topology.nextHop("alice")).toBe("alice");
    expect(topology.instanceOf("alice")).toBe("i-alice");
    expect(topology.known()).toEqual(["hub", "alice"]);
  });

  it("sends a new link its own advert first, then every advert it holds", () => {
    const { topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol"]);
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    const bob = linkTo("bob");
    const sent = bob.messages();
    expect(origins(sent).slice(0, 3)).toEqual(["hub", "alice", "carol"]);
    expect((sent[0] as AdvertMessage).neighbors).toEqual(["alice", "bob"]);
  });

  it("floods a new advert to every link but the one it came from", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol"]);
    linkTo("bob");
    host.broadcasts.length = 0;
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    expect(host.broadcasts).toEqual([{ message: advert("carol", 1, ["alice"]), except: alice }]);
    expect(topology.nextHop("carol")).toBe("alice");
  });

  it("ignores a stale advert: it is neither flooded nor reported", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    host.log.length = 0;
    topology.onAdvert(alice, "alice", advert("alice", 1, ["hub"], { "/x": ["I"] }));
    topology.onAdvert(alice, "alice", advert("alice", 0, [], {}, "i-other"));
    expect(host.broadcasts).toEqual([]);
    expect(host.log).toEqual([]);
    expect(topology.objectsOf("alice")).toEqual({});
  });

  it("ignores its own advert coming back", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    topology.onAdvert(alice, "alice", advert("hub", Number.MAX_SAFE_INTEGER, [], {}, "i-ghost"));
    expect(host.broadcasts).toEqual([]);
    expect(topology.nextHop("alice")).toBe("alice");
  });

  it("reports a restart (a new instance of a node) as nodeDown then nodeUp", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.log.length = 0;
    topology.onAdvert(alice, "alice", advert("alice", 2, ["hub"], {}, "i-alice-2"));
    expect(host.log).toEqual(["down alice", "up alice"]);
    expect(topology.instanceOf("alice")).toBe("i-alice-2");
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
    host.log.length = 0;
    topology.onAdvert(bob, "bob", advert("alice", 5, ["bob"], {}, "i-alice-2"));
    return { host, topology, bob };
  }

  it("reports a restarted node that is not reachable yet as down, not as up", () => {
    const { host } = restartBehindBob();
    expect(host.log).toEqual(["down alice"]);
  });

  it("keeps the advert of a restarted node until the link that makes it reachable is advertised", () => {
    const { host, topology, bob } = restartBehindBob();
    host.log.length = 0;
    topology.onAdvert(bob, "bob", advert("bob", 3, ["alice", "hub"]));
    expect(topology.nextHop("alice")).toBe("bob");
    expect(topology.instanceOf("alice")).toBe("i-alice-2");
    expect(host.log.filter((entry) => entry.endsWith(" alice"))).toEqual(["up alice"]);
  });

  it("reports the objects a node that stays up registers and unregisters", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    topology.onAdvert(alice, "alice", advert("alice", 2, ["hub"], { "/a": ["I"] }));
    topology.onAdvert(alice, "alice", advert("alice", 3, ["hub"], { "/b": ["J"] }));
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
    host.neighbourList = ["alice"];
    const link = new FakePeerLink("alice");
    topology.linkOpened(link, "alice", "i-alice", true);
    topology.onAdvert(link, "alice", advert("alice", 1, ["hub"], { "/a": ["I"] }));
    expect(host.log).toEqual(["up alice"]);
    expect(topology.objectsOf("alice")).toEqual({ "/a": ["I"] });
  });

  it("warns and ignores the advert of a new node when maxKnownNodes are known", () => {
    const { host, topology, linkTo } = setup(2);
    const alice = linkTo("alice", ["hub", "carol"]);
    host.broadcasts.length = 0;
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    expect(host.warnings).toEqual(["ignored the advert of carol from alice: 2 nodes are known already"]);
    expect(host.broadcasts).toEqual([]);
    expect(topology.isKnown("carol")).toBe(false);
  });

  it("ignores, with a warning, an advert naming something that is not a node name", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice");
    host.broadcasts.length = 0;
    topology.onAdvert(alice, "alice", advert("", 1, ["alice"]));
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice", "bad\nname"]));
    expect(host.warnings).toEqual([
      "ignored an advert from alice naming something that is not a node name",
      "ignored an advert from alice naming something that is not a node name",
    ]);
    expect(host.broadcasts).toEqual([]);
    expect(topology.isKnown("carol")).toBe(false);
  });

  it("when the last link to a peer is lost: the peer and what only it reached go down", () => {
    const { host, topology, linkTo } = setup();
    const alice = linkTo("alice", ["hub", "carol"]);
    topology.onAdvert(alice, "alice", advert("carol", 1, ["alice"]));
    linkTo("bob");
    host.log.length = 0;
    host.broadcasts.length = 0;
    host.neighbourList = ["bob"];
    topology.linkLost("alice");
    expect(host.log).toEqual(["down alice", "down carol"]);
    expect((host.broadcasts[0]?.message as AdvertMessage).neighbors).toEqual(["bob"]);
    expect(topology.known()).toEqual(["hub", "bob"]);
    expect(topology.nextHop("carol")).toBeUndefined();
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
});
