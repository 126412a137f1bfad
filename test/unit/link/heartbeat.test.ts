import { Heartbeat } from "../../../packages/supcon/src/link/heartbeat";

describe("Heartbeat", () => {
  function setup(lastSent: number, lastReceived: number) {
    const calls: string[] = [];
    let now = 0;
    const heartbeat = new Heartbeat(
      {
        idleSendMs: (t) => t - lastSent,
        idleReceiveMs: (t) => t - lastReceived,
        sendPing: () => calls.push("ping"),
        timedOut: (ms) => calls.push(`timeout ${ms}`),
      },
      { intervalMs: 1000, timeoutMs: 3000, now: () => now },
    );
    return {
      calls,
      heartbeat,
      at: (t: number) => {
        now = t;
        heartbeat.check();
      },
    };
  }

  it("pings after an idle interval and stays quiet while traffic flows", () => {
    const { calls, heartbeat, at } = setup(0, 0);
    at(500);
    expect(calls).toEqual([]);
    at(1000);
    expect(calls).toEqual(["ping"]);
    heartbeat.stop();
  });

  it("declares the peer dead after the timeout, once", () => {
    const { calls, heartbeat, at } = setup(2900, 0);
    at(3000);
    expect(calls).toEqual(["timeout 3000"]);
    heartbeat.stop();
  });
});
