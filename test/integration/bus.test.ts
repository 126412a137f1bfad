import * as net from "node:net";
import type { NodeStatus } from "../../packages/supcon/src/index";
import { Bus, eventually, openHandles, sleep } from "../helpers/bus";
import { createCalc } from "../helpers/calc";

describe("the bus", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  it("routes calls and events along a line of three nodes", async () => {
    const { node: a, port: portA } = await bus.listening("a");
    const { node: b, port: portB } = await bus.listening("b");
    const c = bus.node("c");
    b.connect({ port: portA });
    c.connect({ port: portB });
    const calc = createCalc();
    c.register("/calc", calc);
    await a.waitFor("c", { path: "/calc", intf: "com.example.Calc" });
    await expect(a.call("c", "/calc", "com.example.Calc", "add", { a: 1, b: 2 })).resolves.toEqual({
      sum: 3,
    });
    await expect(c.call("a", "/calc", "com.example.Calc", "add", { a: 1, b: 2 })).rejects.toMatchObject({
      code: "supcon.UnknownPath",
    });
    const got: number[] = [];
    a.on("c", "/calc", "com.example.Calc", "tick", (args: { n: number }) => got.push(args.n));
    await eventually(() => {
      calc.fire("tick", { n: got.length + 1 });
      return got.length > 0;
    });
    expect(Object.keys(a.nodes()).sort()).toEqual(["a", "b", "c"]);
    expect(a.nodes()["c"]).toMatchObject({ "/calc": ["com.example.Calc"] });
  });

  it("fails a call with supcon.ConnectionLost at once when a relay's next link breaks", async () => {
    const { node: a, port: portA } = await bus.listening("a");
    const { node: b, port: portB } = await bus.listening("b");
    const c = bus.node("c");
    b.connect({ port: portA });
    const cToB = c.connect({ port: portB });
    c.register("/calc", createCalc());
    await a.waitFor("c", { path: "/calc" });
    const call = a.call("c", "/calc", "com.example.Calc", "sleep", { ms: 10_000 });
    await sleep(50);
    const started = Date.now();
    await cToB.close();
    await expect(call).rejects.toMatchObject({ code: "supcon.ConnectionLost" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses a second node with a name already on the bus, on both sides", async () => {
    const { node: first, port } = await bus.listening("twin");
    const other = bus.node("other");
    other.connect({ port });
    await other.waitFor("twin");
    const second = bus.node("twin");
    const statuses: NodeStatus[] = [];
    second.onStatus((s) => statuses.push(s));
    const { port: otherPort } = await other.listen({ port: 0 });
    second.connect({ port: otherPort });
    await eventually(() =>
      bus.warnings.some((w) => w.startsWith("twin: ") && /NameTaken|already taken/.test(w)),
    );
    expect(bus.warnings.some((w) => w.startsWith("other: ") && /already taken/.test(w))).toBe(true);
    expect(statuses.some((s) => s.type === "linkUp")).toBe(false);
    expect(Object.keys(other.nodes()).sort()).toEqual(["other", "twin"]);
    void first;
  });

  it("reconnects by itself when the peer comes back on the same port", async () => {
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    const client = bus.node("client");
    const ups: string[] = [];
    client.onStatus((s) => {
      if (s.type === "nodeUp" || s.type === "nodeDown") ups.push(`${s.type} ${s.node}`);
    });
    client.connect({ port });
    await client.waitFor("server", { path: "/calc" });
    await server.close();
    await eventually(() => ups.includes("nodeDown server"));
    const again = bus.node("server");
    again.register("/calc", createCalc());
    await again.listen({ port });
    await client.waitFor("server", { path: "/calc", timeoutMs: 5_000 });
    await expect(client.call("server", "/calc", "com.example.Calc", "add", { a: 1, b: 1 })).resolves.toEqual({
      sum: 2,
    });
    expect(ups).toEqual(["nodeUp server", "nodeDown server", "nodeUp server"]);
  });

  it("closes a connection that sends garbage and keeps serving the others", async () => {
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    const client = bus.node("client");
    client.connect({ port });
    await client.waitFor("server");
    for (const garbage of [
      Buffer.from("GET / HTTP/1.1\r\n\r\n"),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]),
      Buffer.from([0, 0, 0, 3, 0xc1, 0xc1, 0xc1]),
    ]) {
      const socket = net.connect({ host: "127.0.0.1", port });
      const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      socket.on("error", () => undefined);
      socket.write(garbage);
      await closed;
    }
    await expect(client.call("server", "/calc", "com.example.Calc", "add", { a: 2, b: 2 })).resolves.toEqual({
      sum: 4,
    });
    // Each garbage connection is warned about; repeated warnings of one kind are rate-limited (bus/status.ts).
    expect(bus.warnings.filter((w) => w.startsWith("server: ")).length).toBeGreaterThanOrEqual(2);
  });

  it("closes a connection that never completes its handshake", async () => {
    const { port } = await bus.listening("server", { handshakeTimeoutMs: 100 });
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on("close", () => resolve()));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bus.warnings.some((w) => /handshake not complete/.test(w))).toBe(true);
  });

  it("leaves no socket or timer behind after close()", async () => {
    const before = openHandles().length;
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    const client = bus.node("client");
    client.connect({ port });
    await client.waitFor("server", { path: "/calc" });
    const slow = client.call("server", "/calc", "com.example.Calc", "sleep", { ms: 50 });
    await bus.close();
    await slow.catch(() => undefined);
    await sleep(20);
    expect(openHandles().length).toBeLessThanOrEqual(before);
  });
});
