import type { NodeStatus } from "../../packages/supcon/src/index";
import { Bus } from "../helpers/bus";
import { createCalc } from "../helpers/calc";
import type { FaultProxy } from "../helpers/fault-proxy";
import { startFaultProxy } from "../helpers/fault-proxy";

describe("liveness and flow control", () => {
  const bus = new Bus();
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await bus.close();
    await proxy?.close();
    proxy = undefined;
  });

  it("detects a silent peer by heartbeats within the timeout, then reconnects when it heals", async () => {
    const heartbeat = { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400 };
    // The server waits longer, so that it is the client that detects the silence (not the proxy passing on a close).
    const { node: server, port } = await bus.listening("server", {
      heartbeatIntervalMs: 100,
      heartbeatTimeoutMs: 5_000,
    });
    server.register("/calc", createCalc());
    proxy = await startFaultProxy(port);
    const client = bus.node("client", heartbeat);
    const statuses: { at: number; status: NodeStatus }[] = [];
    client.onStatus((status) => statuses.push({ at: Date.now(), status }));
    client.connect({ port: proxy.port });
    await client.waitFor("server", { path: "/calc" });
    const call = client.call("server", "/calc", "com.example.Calc", "sleep", { ms: 10_000 });

    const cut = Date.now();
    proxy.blackhole();
    await expect(call).rejects.toMatchObject({ code: "supcon.ConnectionLost" });
    const down = statuses.find((s) => s.status.type === "linkDown");
    expect(down?.status).toMatchObject({ type: "linkDown", error: { code: "supcon.HeartbeatTimeout" } });
    // Detected after the timeout (400 ms), within the timeout plus one check period (50 ms) and some slack.
    expect((down?.at ?? 0) - cut).toBeGreaterThanOrEqual(350);
    expect((down?.at ?? 0) - cut).toBeLessThan(1_000);

    proxy.heal();
    await client.waitFor("server", { path: "/calc", timeoutMs: 5_000 });
    await expect(client.call("server", "/calc", "com.example.Calc", "add", { a: 1, b: 1 })).resolves.toEqual({
      sum: 2,
    });
  });

  it("works through a link that delivers one byte at a time", async () => {
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    proxy = await startFaultProxy(port);
    proxy.sliceBytes = 1;
    const client = bus.node("client");
    client.connect({ port: proxy.port });
    await client.waitFor("server", { path: "/calc" });
    const sums = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.call("server", "/calc", "com.example.Calc", "add", { a: i, b: 1 }),
      ),
    );
    expect(sums).toEqual(Array.from({ length: 20 }, (_, i) => ({ sum: i + 1 })));
  });

  it("refuses new calls with supcon.Overloaded when the peer stops reading, with bounded memory", async () => {
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    proxy = await startFaultProxy(port);
    const maxQueuedBytes = 256 * 1024;
    const client = bus.node("client", { maxQueuedBytes });
    client.connect({ port: proxy.port });
    await client.waitFor("server", { path: "/calc" });
    proxy.stopReading();
    const big = "x".repeat(16 * 1024);
    const outcomes: string[] = [];
    const calls: Promise<void>[] = [];
    const rssBefore = process.memoryUsage().rss;
    // 4,000 calls of 16 KiB (64 MiB) against a consumer that reads nothing: far more than the socket buffers hold.
    for (let i = 0; i < 4_000 && !outcomes.includes("supcon.Overloaded"); i++) {
      calls.push(
        client
          .call("server", "/calc", "com.example.Calc", "relay", { node: big, ms: 1 }, { timeoutMs: 2_000 })
          .then(
            () => void outcomes.push("ok"),
            (err: { code: string }) => void outcomes.push(err.code),
          ),
      );
      if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(calls);
    expect(outcomes).toContain("supcon.Overloaded");
    expect(outcomes.every((o) => ["supcon.Overloaded", "supcon.Timeout"].includes(o))).toBe(true);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
  });
});
