import { NodeClient } from "../../packages/supcon/src/generated/supcon.Node";
import type { NodeStatus } from "../../packages/supcon/src/index";
import { Bus, eventually } from "../helpers/bus";
import { CalcInterface, createCalc } from "../helpers/calc";

describe("discovery", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  it("offers supcon.Node at / on every node: describe, ping, and events on register/unregister", async () => {
    const { node: server, port } = await bus.listening("server");
    const client = bus.node("client");
    client.connect({ port });
    await client.waitFor("server", { path: "/", intf: "supcon.Node" });
    const remote = new NodeClient(client, "server", "/");
    const changes: string[] = [];
    remote.on("registered", ({ path, intf }) => changes.push(`+${path} ${intf}`));
    remote.on("unregistered", ({ path, intf }) => changes.push(`-${path} ${intf}`));
    // Round trip so that the subscriptions are in place.
    const before = Date.now();
    const { now } = await remote.ping();
    expect(now).toBeGreaterThanOrEqual(before - 1_000);

    server.register("/calc", createCalc());
    const described = await remote.describe();
    expect(described.name).toBe("server");
    expect(described.objects.map((o) => o.path)).toEqual(["/", "/calc"]);
    expect(described.objects[1]?.interfaces[0]?.name).toBe("com.example.Calc");
    expect(described.objects[1]?.interfaces[0]?.descriptor).toEqual(CalcInterface.toJSON());
    server.unregister("/calc");
    await eventually(() => changes.length === 2, 5_000, "register/unregister events");
    expect(changes).toEqual(["+/calc com.example.Calc", "-/calc com.example.Calc"]);
    expect(server.unregister("/")).toBe(false);
  });

  it("reports nodes appearing and vanishing, strictly alternating, and objects as they change", async () => {
    const { node: hub, port } = await bus.listening("hub");
    const seen: string[] = [];
    hub.onStatus((s: NodeStatus) => {
      if (s.type === "nodeUp" || s.type === "nodeDown") seen.push(`${s.type} ${s.node}`);
      if ((s.type === "registered" || s.type === "unregistered") && s.node === "leaf" && s.path !== "/") {
        seen.push(`${s.type} ${s.path}`);
      }
    });
    for (let round = 0; round < 3; round++) {
      const leaf = bus.node("leaf");
      const connection = leaf.connect({ port });
      await hub.waitFor("leaf");
      leaf.register("/calc", createCalc());
      await hub.waitFor("leaf", { path: "/calc" });
      leaf.unregister("/calc");
      await eventually(() => hub.nodes()["leaf"]?.["/calc"] === undefined, 5_000, "unregister to arrive");
      await connection.close();
      await leaf.close();
      await eventually(() => hub.nodes()["leaf"] === undefined, 5_000, "leaf to vanish");
    }
    expect(seen).toEqual(
      Array.from({ length: 3 }, () => [
        "nodeUp leaf",
        "registered /calc",
        "unregistered /calc",
        "nodeDown leaf",
      ]).flat(),
    );
    expect(hub.nodes()).toEqual({ hub: { "/": ["supcon.Node"] } });
  });

  it("tells both sides why a handshake was refused", async () => {
    const { node: first, port } = await bus.listening("same");
    const second = bus.node("same");
    const statuses: NodeStatus[] = [];
    second.onStatus((s) => statuses.push(s));
    second.connect({ port });
    await eventually(() => statuses.some((s) => s.type === "handshakeFailed"), 5_000, "the refusal");
    const refused = statuses.find((s) => s.type === "handshakeFailed");
    expect(refused).toMatchObject({ error: { code: "supcon.NameTaken" } });
    expect(bus.warnings.some((w) => /same: refused 127.0.0.1:\d+: the name 'same' is taken/.test(w))).toBe(
      true,
    );
    void first;
  });
});
