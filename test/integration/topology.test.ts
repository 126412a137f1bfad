import type { Node, NodeStatus } from "../../packages/supcon/src/index";
import { Bus, eventually, sleep } from "../helpers/bus";
import { createCalc } from "../helpers/calc";
import { startFixture, stopAll } from "../helpers/processes";

function add(from: Node, to: string, a: number, b: number): Promise<unknown> {
  return from.call(to, "/calc", "com.example.Calc", "add", { a, b });
}

describe("topologies", () => {
  const bus = new Bus();
  afterEach(async () => {
    await bus.close();
    await stopAll();
  });

  it("star of five: every leaf reaches every other leaf through the hub", async () => {
    const { port } = await bus.listening("hub");
    const leaves = ["l1", "l2", "l3", "l4"].map((name) => {
      const leaf = bus.node(name);
      leaf.register("/calc", createCalc());
      leaf.connect({ port });
      return leaf;
    });
    for (const from of leaves) for (const to of leaves) await from.waitFor(to.name, { path: "/calc" });
    for (const from of leaves) {
      for (const to of leaves) {
        await expect(add(from, to.name, 1, 2)).resolves.toEqual({ sum: 3 });
      }
    }
    expect(Object.keys(leaves[0]?.nodes() ?? {}).sort()).toEqual(["hub", "l1", "l2", "l3", "l4"]);
  });

  it("ring of four: traffic re-routes when a link is cut, nothing is duplicated", async () => {
    const names = ["a", "b", "c", "d"];
    const nodes: Node[] = [];
    const ports: number[] = [];
    for (const name of names) {
      const { node, port } = await bus.listening(name);
      node.register("/calc", createCalc());
      nodes.push(node);
      ports.push(port);
    }
    const [a, b, , d] = nodes as [Node, Node, Node, Node];
    // a-b, b-c, c-d, d-a: each node connects to the next one's port.
    const links = nodes.map((node, i) => node.connect({ port: ports[(i + 1) % 4] as number }));
    for (const node of nodes) for (const other of names) await node.waitFor(other, { path: "/calc" });
    await eventually(() => a.links().length === 2 && b.links().length === 2, 5_000, "the ring");

    const bCalc = createCalc();
    b.register("/ticks", bCalc);
    const got: number[] = [];
    a.on("b", "/ticks", "com.example.Calc", "tick", (args: { n: number }) => got.push(args.n));
    await a.waitFor("b", { path: "/ticks" });
    await eventually(() => {
      bCalc.fire("tick", { n: 0 });
      return got.length > 0;
    });
    got.length = 0;

    const statuses: NodeStatus[] = [];
    a.onStatus((s) => statuses.push(s));
    await (links[0] as { close(): Promise<void> }).close(); // cut a-b
    await eventually(() => !a.links().some((l) => l.peer === "b"), 5_000, "a-b to be cut");
    // b is still reachable, now three hops away via d and c.
    await expect(add(a, "b", 2, 2)).resolves.toEqual({ sum: 4 });
    expect(statuses.some((s) => s.type === "nodeDown")).toBe(false);
    for (let n = 1; n <= 1000; n++) bCalc.fire("tick", { n });
    await eventually(() => got.length >= 1000, 5_000, "events over the new route");
    await sleep(100);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    void d;
  });

  it("kill -9 of a middle node: both sides see the other leave, and come back when it restarts", async () => {
    const { node: a, port: portA } = await bus.listening("a");
    const { node: c, port: portC } = await bus.listening("c");
    c.register("/calc", createCalc());
    const seen: string[] = [];
    a.onStatus((s) => {
      if ((s.type === "nodeUp" || s.type === "nodeDown") && s.node === "c") seen.push(s.type);
    });
    const args = ["--name", "m", "--connect", `${portA},${portC}`];
    const m = await startFixture("reliability-node.js", args);
    await a.waitFor("c", { path: "/calc" });
    await expect(add(a, "c", 1, 1)).resolves.toEqual({ sum: 2 });
    const inFlight = a.call("c", "/calc", "com.example.Calc", "sleep", { ms: 5_000 });
    await sleep(50);
    await m.stop("SIGKILL");
    await expect(inFlight).rejects.toMatchObject({ code: "supcon.ConnectionLost" });
    await eventually(() => !a.nodes()["c"], 5_000, "c to vanish from a's view");
    await expect(add(a, "c", 1, 1)).rejects.toMatchObject({ code: "supcon.UnknownNode" });

    await startFixture("reliability-node.js", args);
    await a.waitFor("c", { path: "/calc", timeoutMs: 10_000 });
    await expect(add(a, "c", 2, 3)).resolves.toEqual({ sum: 5 });
    await expect(add(a, "m", 2, 3)).resolves.toEqual({ sum: 5 });
    expect(seen).toEqual(["nodeUp", "nodeDown", "nodeUp"]);
  });
});
