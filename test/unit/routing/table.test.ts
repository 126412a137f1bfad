import type { Advert } from "../../../packages/supcon/src/routing/table";
import { RoutingTable } from "../../../packages/supcon/src/routing/table";

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
    table.recompute(1_000);
    table.prune(5_000, 10_000);
    expect(table.advert("x")).toBeDefined();
    table.prune(11_001, 10_000);
    expect(table.advert("x")).toBeUndefined();
    expect(table.advert("b")).toBeDefined();
  });

  it("refuses adverts of new origins beyond its capacity", () => {
    const table = new RoutingTable("a", 2);
    table.offer({ origin: "a", instance: "i", seq: 1, neighbors: [], objects: {} });
    expect(table.offer({ origin: "b", instance: "i", seq: 1, neighbors: [], objects: {} })).toBe("new");
    expect(table.offer({ origin: "c", instance: "i", seq: 1, neighbors: [], objects: {} })).toBe("full");
    expect(table.offer({ origin: "b", instance: "i", seq: 2, neighbors: [], objects: {} })).toBe("new");
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
});
