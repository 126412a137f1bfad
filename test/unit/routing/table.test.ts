import type { Advert } from "../../../packages/supcon/src/routing/table";
import {
  MAX_ADVERT_ENTRIES,
  MAX_ADVERT_PATHS,
  MAX_PATH_INTERFACES,
  RoutingTable,
  advertBoundsProblem,
  advertEntries,
} from "../../../packages/supcon/src/routing/table";

/** Builds the adverts of a whole graph given as undirected edges. */
function graph(edges: [string, string][], seq = 1): Advert[] {
  const neighbors = new Map<string, Set<string>>();
  for (const [a, b] of edges) {
    if (!neighbors.has(a)) neighbors.set(a, new Set());
    if (!neighbors.has(b)) neighbors.set(b, new Set());
    neighbors.get(a)?.add(b);
    neighbors.get(b)?.add(a);
  }
  return [...neighbors].map(([origin, set]) => ({
    origin,
    instance: `i-${origin}`,
    seq,
    neighbors: [...set].sort(),
    objects: {},
  }));
}

function tableOf(self: string, adverts: Advert[]): RoutingTable {
  const table = new RoutingTable(self);
  for (const advert of adverts) table.offer(advert);
  table.recompute();
  return table;
}

describe("RoutingTable", () => {
  it("routes along a line", () => {
    const table = tableOf(
      "a",
      graph([
        ["a", "b"],
        ["b", "c"],
        ["c", "d"],
      ]),
    );
    expect(table.nextHop("b")).toBe("b");
    expect(table.nextHop("c")).toBe("b");
    expect(table.nextHop("d")).toBe("b");
    expect(table.distance("d")).toBe(3);
    expect(table.reachable()).toEqual(["b", "c", "d"]);
  });

  it("takes the shortest path in a ring, ties to the lowest next hop", () => {
    const adverts = graph([
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "a"],
    ]);
    const table = tableOf("a", adverts);
    expect(table.nextHop("b")).toBe("b");
    expect(table.nextHop("d")).toBe("d");
    // c is two hops either way: via b (lower name) wins.
    expect(table.nextHop("c")).toBe("b");
  });

  it("re-routes when a link of the ring breaks", () => {
    const table = tableOf(
      "a",
      graph([
        ["a", "b"],
        ["b", "c"],
        ["c", "d"],
        ["d", "a"],
      ]),
    );
    // b drops its link to c: its new advert no longer lists c.
    table.offer({ origin: "b", instance: "i-b", seq: 2, neighbors: ["a"], objects: {} });
    const change = table.recompute();
    expect(change).toEqual({ up: [], down: [] });
    expect(table.nextHop("c")).toBe("d");
  });

  it("counts a link only when both ends list each other", () => {
    const adverts = graph([["a", "b"]]);
    adverts.push({ origin: "c", instance: "i-c", seq: 1, neighbors: ["b"], objects: {} });
    const table = tableOf("a", adverts);
    expect(table.isKnown("c")).toBe(false);
    table.offer({ origin: "b", instance: "i-b", seq: 2, neighbors: ["a", "c"], objects: {} });
    expect(table.recompute()).toEqual({ up: ["c"], down: [] });
    expect(table.nextHop("c")).toBe("b");
  });

  it("reports nodes that become unreachable, and forgets their adverts", () => {
    const table = tableOf(
      "a",
      graph([
        ["a", "b"],
        ["b", "c"],
      ]),
    );
    table.offer({ origin: "a", instance: "i-a", seq: 2, neighbors: [], objects: {} });
    expect(table.recompute()).toEqual({ up: [], down: ["b", "c"] });
    expect(table.nextHop("c")).toBeUndefined();
    // Their links are gone: a restarted c must not seem reachable through b's old advert.
    expect(table.advert("c")).toBeUndefined();
    expect(table.advert("b")).toBeUndefined();
  });

  it("keeps adverts of nodes not reachable yet for a grace period, then prunes them", () => {
    const table = tableOf("a", graph([["a", "b"]]));
    table.offer({ origin: "x", instance: "i-x", seq: 1, neighbors: ["y"], objects: {} }, "b", 1_000);
    table.recompute();
    table.prune(5_000, 10_000);
    expect(table.advert("x")).toBeDefined();
    table.prune(11_001, 10_000);
    expect(table.advert("x")).toBeUndefined();
    expect(table.advert("b")).toBeDefined();
  });

  it("refuses adverts of new origins beyond its capacity when nothing can make room", () => {
    const table = new RoutingTable("a", { maxNodes: 1 });
    table.linkUp("b");
    table.offer({ origin: "a", instance: "i", seq: 1, neighbors: ["b"], objects: {} });
    expect(table.offer({ origin: "b", instance: "i", seq: 1, neighbors: ["a"], objects: {} }, "b")).toBe(
      "new",
    );
    table.recompute();
    expect(table.offer({ origin: "c", instance: "i", seq: 1, neighbors: [], objects: {} }, "b")).toBe("full");
    expect(table.offer({ origin: "b", instance: "i", seq: 2, neighbors: ["a"], objects: {} }, "b")).toBe(
      "new",
    );
  });

  it("learns a node whatever order the adverts arrive in", () => {
    const adverts = graph([
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
    ]);
    for (const order of [adverts, [...adverts].reverse()]) {
      const table = new RoutingTable("a");
      for (const advert of order) {
        table.offer(advert);
        table.recompute();
      }
      expect(table.reachable()).toEqual(["b", "c", "d"]);
    }
  });

  it("refuses an advert that is not newer", () => {
    const table = new RoutingTable("a");
    const advert: Advert = { origin: "b", instance: "x", seq: 5, neighbors: [], objects: {} };
    expect(table.offer(advert)).toBe("new");
    expect(table.offer(advert)).toBe("stale");
    expect(table.offer({ ...advert, seq: 4 })).toBe("stale");
    expect(table.offer({ ...advert, seq: 6, instance: "y" })).toBe("new");
  });

  it("never routes back through the node itself and has no loops in a mesh", () => {
    const names = ["a", "b", "c", "d", "e"];
    const edges: [string, string][] = [];
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) edges.push([names[i] as string, names[j] as string]);
    const adverts = graph(edges);
    const tables = new Map(names.map((n) => [n, tableOf(n, adverts)]));
    // Follow next hops from every node to every other: each path ends at its target within 4 hops.
    for (const from of names) {
      for (const to of names) {
        if (from === to) continue;
        let at = from;
        let hops = 0;
        while (at !== to && hops < 5) {
          at = tables.get(at)?.nextHop(to) as string;
          hops++;
        }
        expect(at).toBe(to);
        expect(hops).toBe(1);
      }
    }
  });

  it("forgets the unreachable adverts a neighbour brought when its link closes", () => {
    const table = tableOf("a", graph([["a", "b"]]));
    table.offer({ origin: "ghost", instance: "g", seq: 1, neighbors: [], objects: {} }, "b");
    table.recompute();
    table.forgetFrom("c");
    expect(table.advert("ghost")).toBeDefined();
    table.forgetFrom("b");
    expect(table.advert("ghost")).toBeUndefined();
    expect(table.advert("b")).toBeDefined();
  });

  it("routes the node's own name to itself, at distance 0, before any advert", () => {
    const table = new RoutingTable("a");
    expect(table.nextHop("a")).toBe("a");
    expect(table.distance("a")).toBe(0);
    expect(table.isKnown("a")).toBe(true);
    expect(table.reachable()).toEqual([]);
  });

  it("keeps the route to itself through every recompute, and never reports itself up or down", () => {
    const table = new RoutingTable("a");
    table.offer({ origin: "a", instance: "i-a", seq: 1, neighbors: ["b"], objects: {} });
    table.offer({ origin: "b", instance: "i-b", seq: 1, neighbors: ["a"], objects: {} });
    expect(table.recompute()).toEqual({ up: ["b"], down: [] });
    table.offer({ origin: "a", instance: "i-a", seq: 2, neighbors: [], objects: {} });
    expect(table.recompute()).toEqual({ up: [], down: ["b"] });
    expect(table.nextHop("a")).toBe("a");
    expect(table.distance("a")).toBe(0);
    expect(table.reachable()).toEqual([]);
  });

  it("routes to itself even when a neighbour's advert lists it as reachable through that neighbour", () => {
    const table = tableOf(
      "a",
      graph([
        ["a", "b"],
        ["b", "c"],
        ["c", "a"],
      ]),
    );
    expect(table.nextHop("a")).toBe("a");
    expect(table.reachable()).toEqual(["b", "c"]);
  });

  it("never forgets its own advert", () => {
    const table = tableOf("a", graph([["a", "b"]]));
    table.forget("a");
    table.forgetFrom("b");
    table.prune(Date.now() + 1_000_000, 0);
    expect(table.advert("a")).toBeDefined();
    expect(table.recompute()).toEqual({ up: [], down: [] });
    expect(table.nextHop("b")).toBe("b");
  });

  describe("shares between neighbours", () => {
    const node = (origin: string, neighbors: string[], seq = 1): Advert => ({
      origin,
      instance: `i-${origin}`,
      seq,
      neighbors,
      objects: {},
    });

    /** a, linked to `peers` (each linked back), with room for `maxNodes` other nodes. */
    function star(
      peers: string[],
      maxNodes: number,
      more: { maxEntries?: number; entryFloor?: number } = {},
    ) {
      const table = new RoutingTable("a", { maxNodes, nodeFloor: 1, ...more });
      table.offer(node("a", peers));
      for (const peer of peers) {
        table.linkUp(peer);
        table.offer(node(peer, ["a"]), peer);
      }
      table.recompute();
      return table;
    }

    it("lets one neighbour fill the free room, then gives it to another neighbour's nodes", () => {
      const table = star(["b", "c"], 10);
      for (let i = 0; i < 8; i++) expect(table.offer(node(`fake${i}`, ["b"]), "b")).toBe("new");
      expect(table.usage("b")).toEqual({ nodes: 9, entries: 9 });
      expect(table.full).toBe(true);
      expect(table.beyondShare("b")).toBe(true);
      // c is within its share (5 of 10): its node takes the place of b's oldest.
      expect(table.offer(node("x", ["c"]), "c")).toBe("new");
      expect(table.advert("fake0")).toBeUndefined();
      expect(table.advert("fake1")).toBeDefined();
      expect(table.evictions).toBe(1);
      // b is beyond its share: its new nodes take the place of its own older unreachable ones; c keeps x.
      for (let i = 8; i < 20; i++) expect(table.offer(node(`fake${i}`, ["b"]), "b")).toBe("new");
      expect(table.advert("x")).toBeDefined();
      expect(table.usage("b").nodes).toBe(8);
      expect(table.advert("fake13")).toBeDefined();
      expect(table.advert("fake12")).toBeUndefined();
    });

    it("never lets a neighbour's flood push out a node reachable through it", () => {
      const table = star(["b", "c"], 6);
      table.offer(node("b", ["a", "r"], 2), "b");
      table.offer(node("r", ["b"]), "b");
      table.recompute();
      expect(table.nextHop("r")).toBe("b");
      for (let i = 0; i < 50; i++) table.offer(node(`fake${i}`, ["b"]), "b");
      expect(table.advert("r")).toBeDefined();
      expect(table.advert("fake49")).toBeDefined();
      // With nothing unreachable of its own left to replace, a neighbour beyond its share is refused.
      const full = star(["b", "c"], 3);
      full.offer(node("b", ["a", "r"], 2), "b");
      full.offer(node("r", ["b"]), "b");
      full.recompute();
      expect(full.offer(node("fake", ["b"]), "b")).toBe("full");
      expect(full.advert("r")).toBeDefined();
    });

    it("never evicts nor refuses the advert of a neighbour itself", () => {
      const table = star(["b", "c"], 2);
      expect(table.offer(node("fake", ["b"]), "b")).toBe("full");
      table.linkUp("d");
      expect(table.offer(node("d", ["a"]), "d")).toBe("new");
      expect(table.advert("b")).toBeDefined();
      expect(table.advert("c")).toBeDefined();
      expect(table.size).toBe(4);
    });

    it("charges a reachable node to its next hop, whatever link its advert came by", () => {
      const table = star(["b", "c"], 100);
      table.offer(node("b", ["a", "x"], 2), "b");
      table.offer(node("x", ["b"]), "c");
      expect(table.usage("c").nodes).toBe(2);
      table.recompute();
      expect(table.nextHop("x")).toBe("b");
      expect(table.usage("b").nodes).toBe(2);
      expect(table.usage("c").nodes).toBe(1);
    });

    it("evicts first what a neighbour whose link is gone brought", () => {
      const table = star(["b", "c", "d"], 5);
      table.offer(node("y", []), "d");
      table.linkDown("d");
      expect(table.offer(node("x1", []), "b")).toBe("new");
      expect(table.offer(node("x2", ["c"]), "c")).toBe("new");
      expect(table.usage("d").nodes).toBe(1);
      expect(table.advert("x1")).toBeDefined();
    });

    it("counts the entries adverts list: a neighbour's share of them is bounded too", () => {
      const table = star(["b", "c"], 100, { maxEntries: 16, entryFloor: 1 });
      const fat = (origin: string): Advert => ({
        ...node(origin, ["b"]),
        objects: { "/p": ["I", "J"], "/q": ["K"] },
      });
      expect(advertEntries(fat("f"))).toBe(6);
      // 2 entries are used by the adverts of b and c (one neighbour each), 14 remain: two fat adverts.
      expect([fat("f1"), fat("f2")].map((a) => table.offer(a, "b"))).toEqual(["new", "new"]);
      // b is beyond its share of entries (8 of 16): its next takes the place of its oldest.
      expect(table.offer(fat("f3"), "b")).toBe("new");
      expect(table.advert("f1")).toBeUndefined();
      expect(table.offer({ ...node("g", ["c"]), objects: { "/p": ["I"] } }, "c")).toBe("new");
      expect(table.advert("f2")).toBeUndefined();
      expect(table.advert("f3")).toBeDefined();
    });
  });

  it("says what is beyond the bounds of one advert", () => {
    const advert = (objects: Record<string, string[]>, neighbors: string[] = []): Advert => ({
      origin: "x",
      instance: "i",
      seq: 1,
      neighbors,
      objects,
    });
    expect(advertBoundsProblem(advert({ "/a": ["I"] }, ["y"]))).toBeUndefined();
    const paths: Record<string, string[]> = {};
    for (let i = 0; i <= MAX_ADVERT_PATHS; i++) paths[`/p${i}`] = [];
    expect(advertBoundsProblem(advert(paths))).toBe(
      `it lists ${MAX_ADVERT_PATHS + 1} paths (at most ${MAX_ADVERT_PATHS})`,
    );
    const intfs = Array.from({ length: MAX_PATH_INTERFACES + 1 }, (_, i) => `I${i}`);
    expect(advertBoundsProblem(advert({ "/a": intfs }))).toBe(
      `its path /a lists ${MAX_PATH_INTERFACES + 1} interfaces (at most ${MAX_PATH_INTERFACES})`,
    );
    const many = Array.from({ length: MAX_ADVERT_ENTRIES + 1 }, (_, i) => `n${i}`);
    expect(advertBoundsProblem(advert({}, many))).toMatch(/^it lists 65537 neighbours, paths and interfaces/);
  });

  it("expires the adverts not renewed within their lifetime, never its own", () => {
    const table = new RoutingTable("a");
    table.offer({ origin: "a", instance: "i-a", seq: 1, neighbors: ["b"], objects: {} }, undefined, 0);
    table.offer({ origin: "b", instance: "i-b", seq: 1, neighbors: ["a"], objects: {} }, "b", 0);
    table.offer({ origin: "c", instance: "i-c", seq: 1, neighbors: [], objects: {} }, "b", 0);
    table.recompute();
    table.offer({ origin: "b", instance: "i-b", seq: 2, neighbors: ["a"], objects: {} }, "b", 50);
    expect(table.expire(90, 90)).toBe(0);
    expect(table.expire(91, 90)).toBe(1);
    expect(table.advert("c")).toBeUndefined();
    expect(table.expire(1_000, 90, (advert) => advert.origin === "b")).toBe(0);
    expect(table.expire(1_000, 90)).toBe(1);
    expect(table.advert("a")).toBeDefined();
    expect(table.recompute()).toEqual({ up: [], down: ["b"] });
  });
});
