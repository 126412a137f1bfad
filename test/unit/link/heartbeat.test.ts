import type { HeartbeatClock } from "../../../packages/supcon/src/link/heartbeat";
import {
  Heartbeat,
  HeartbeatScan,
  checkPeriodMs,
  processScan,
} from "../../../packages/supcon/src/link/heartbeat";

/** A clock whose time, periodic timer and "after pending input" queue the test drives. */
class FakeClock implements HeartbeatClock {
  time = 0;
  timers = 0;
  #tick: (() => void) | undefined;
  readonly #afterInput: (() => void)[] = [];

  now(): number {
    return this.time;
  }
  every(_periodMs: number, fn: () => void): () => void {
    this.timers++;
    this.#tick = fn;
    return () => {
      this.timers--;
      this.#tick = undefined;
    };
  }
  afterPendingInput(fn: () => void): void {
    this.#afterInput.push(fn);
  }

  /** The timer fires at `t`. */
  tick(t: number): void {
    this.time = t;
    this.#tick?.();
  }
  /** The poll phase ran (`read()` is what arrived meanwhile), then what waited for it. */
  readInput(read: () => void = () => undefined): void {
    read();
    for (const fn of this.#afterInput.splice(0)) fn();
  }
}

/** A link that last sent at `sent` and last received at `received`, checked every 500 ms. */
function link(scan: HeartbeatScan, sent = 0, received = 0) {
  const calls: string[] = [];
  const state = { sent, received };
  const heartbeat = new Heartbeat(
    {
      idleSendMs: (t) => t - state.sent,
      idleReceiveMs: (t) => t - state.received,
      sendPing: () => {
        calls.push("ping");
        state.sent = clock(scan).time;
      },
      timedOut: (ms) => calls.push(`timeout ${ms}`),
    },
    { intervalMs: 1000, timeoutMs: 3000, scan },
  );
  return { calls, state, heartbeat };
}

const clocks = new WeakMap<HeartbeatScan, FakeClock>();
function clock(scan: HeartbeatScan): FakeClock {
  return clocks.get(scan) as FakeClock;
}
function scanOf(): { scan: HeartbeatScan; clock: FakeClock } {
  const c = new FakeClock();
  const scan = new HeartbeatScan(checkPeriodMs(1000, 3000), c);
  clocks.set(scan, c);
  return { scan, clock: c };
}

describe("Heartbeat", () => {
  it("checks half the smaller of interval and timeout, at least every 10 ms", () => {
    expect(checkPeriodMs(1000, 3000)).toBe(500);
    expect(checkPeriodMs(4000, 600)).toBe(300);
    expect(checkPeriodMs(5, 5)).toBe(10);
  });

  it("pings after an idle interval and stays quiet while traffic flows", () => {
    const { scan, clock } = scanOf();
    const { calls, heartbeat } = link(scan);
    clock.tick(500);
    expect(calls).toEqual([]);
    clock.tick(1000);
    expect(calls).toEqual(["ping"]);
    heartbeat.stop();
  });

  it("declares the peer dead after the timeout, once the pending input has been read, once", () => {
    const { scan, clock } = scanOf();
    const { calls, state } = link(scan);
    for (let t = 500; t < 3000; t += 500) clock.tick(t);
    state.sent = 3000;
    clock.tick(3000);
    expect(calls.filter((c) => c.startsWith("timeout"))).toEqual([]);
    clock.readInput();
    expect(calls.filter((c) => c.startsWith("timeout"))).toEqual(["timeout 3000"]);
    clock.tick(3500);
    clock.readInput();
    expect(calls.filter((c) => c.startsWith("timeout"))).toHaveLength(1);
    expect(scan.size).toBe(0);
  });

  it("counts what arrived while the loop was busy: input read after the check saves the link", () => {
    const { scan, clock } = scanOf();
    const { calls, state } = link(scan);
    for (let t = 500; t <= 2500; t += 500) clock.tick(t);
    // The loop is busy from 2500 to 3100; the peer's PING arrived at 2800 but is read only after the check.
    clock.tick(3100);
    clock.readInput(() => (state.received = 3100));
    expect(calls.filter((c) => c.startsWith("timeout"))).toEqual([]);
    expect(scan.size).toBe(1);
  });

  it("closes nothing on the evidence of a check that ran later than the timeout (the loop stalled)", () => {
    const { scan, clock } = scanOf();
    const { calls, state } = link(scan);
    clock.tick(500);
    // Stalled from 500 to 10,000: the peer is silent because nothing was read, not because it stopped.
    clock.tick(10_000);
    clock.readInput();
    expect(calls.filter((c) => c.startsWith("timeout"))).toEqual([]);
    // The next check, on time, judges: the peer did send during the stall.
    state.received = 10_001;
    clock.tick(10_500);
    clock.readInput();
    expect(calls.filter((c) => c.startsWith("timeout"))).toEqual([]);
    // ... and a peer that is really silent is found so by checks on time.
    for (let t = 11_000; t <= 13_500; t += 500) {
      clock.tick(t);
      clock.readInput();
    }
    expect(calls.filter((c) => c.startsWith("timeout"))).toEqual(["timeout 3499"]);
  });

  it("uses one timer for all its heartbeats, released when the last one stops", () => {
    const { scan, clock } = scanOf();
    const links = Array.from({ length: 1_000 }, () => link(scan));
    expect(clock.timers).toBe(1);
    expect(scan.size).toBe(1_000);
    clock.tick(1000);
    expect(links.every((l) => l.calls.includes("ping"))).toBe(true);
    for (const l of links) l.heartbeat.stop();
    expect(clock.timers).toBe(0);
    link(scan);
    expect(clock.timers).toBe(1);
  });

  it("shares the process-wide scan of its check period by default", () => {
    const host = {
      idleSendMs: () => 0,
      idleReceiveMs: () => 0,
      sendPing: () => undefined,
      timedOut: () => undefined,
    };
    const scan = processScan(checkPeriodMs(1234, 5000));
    const beats = Array.from(
      { length: 100 },
      () => new Heartbeat(host, { intervalMs: 1234, timeoutMs: 5000 }),
    );
    expect(scan.size).toBe(100);
    for (const beat of beats) beat.stop();
    expect(scan.size).toBe(0);
  });
});
