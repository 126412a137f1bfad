/**
 * Liveness under load: a node whose event loop is blocked for longer than its heartbeat timeout, while its peer
 * keeps sending, must not close the link as silent once it runs again. What arrived during the stall counts, though
 * it is read after the heartbeat's timer has fired. The node under test runs in a child process
 * (test/fixtures/reliability-node.js, whose test.Reliability.block busy-waits).
 */
import type { NodeStatus } from "../../packages/supcon/src/index";
import { MessageType } from "../../packages/supcon/src/wire/messages";
import { Bus, sleep } from "../helpers/bus";
import { RawPeer } from "../helpers/raw-peer";
import { stopAll } from "../helpers/processes";
import type { Target } from "../helpers/target";
import { startTarget, targetState } from "../helpers/target";

describe("liveness under load", () => {
  const bus = new Bus();
  let victim: Target | undefined;

  afterEach(async () => {
    await bus.close();
    await victim?.stop();
    victim = undefined;
    await stopAll();
  });

  it("keeps a link whose peer kept sending while this node's loop was blocked beyond the timeout", async () => {
    // The victim judges its peer silent after 400 ms; the peer pings every 100 ms, and waits long for the victim.
    victim = await startTarget({
      name: "victim",
      listen: 0,
      options: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400 },
    });
    const peer = bus.node("peer", { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 30_000 });
    const statuses: NodeStatus[] = [];
    peer.onStatus((s) => statuses.push(s));
    peer.connect({ port: victim.port });
    await peer.waitFor("victim", { path: "/rel", timeoutMs: 5_000 });

    for (const ms of [1_500, 700, 3_000]) {
      await peer.call("victim", "/rel", "test.Reliability", "block", { ms }, { timeoutMs: 10_000 });
      await sleep(250);
    }
    const state = await targetState(peer, "victim");
    expect(state.statuses["linkDown"] ?? 0).toBe(0);
    expect(state.warnings.filter((w) => /HeartbeatTimeout|silent/.test(w))).toEqual([]);
    expect(statuses.filter((s) => s.type === "linkDown")).toEqual([]);
    expect(state.links.map((l) => l.peer)).toEqual(["peer"]);
  }, 30_000);

  it("still closes a link whose peer is really silent, soon after a stall", async () => {
    victim = await startTarget({
      name: "victim",
      listen: 0,
      options: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400 },
    });
    const observer = bus.node("observer", { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 30_000 });
    observer.connect({ port: victim.port });
    await observer.waitFor("victim", { path: "/rel", timeoutMs: 5_000 });
    // A raw peer that completes its handshake, then sends nothing and answers no PING.
    const silent = await RawPeer.connect(victim.port);
    try {
      await silent.handshake("silent");
      await observer.call(
        "victim",
        "/rel",
        "test.Reliability",
        "block",
        { ms: 1_000 },
        { timeoutMs: 10_000 },
      );
      const after = await silent.waitClosed(3_000);
      // Closed by the checks on time after the stall: within the timeout plus a few check periods.
      expect(after).toBeLessThan(2_000);
      expect(
        silent.received.some((m) => m.type === MessageType.Bye && m.code === "supcon.HeartbeatTimeout"),
      ).toBe(true);
      const state = await targetState(observer, "victim");
      expect(state.links.map((l) => l.peer)).toEqual(["observer"]);
    } finally {
      silent.destroy();
    }
  }, 30_000);
});
