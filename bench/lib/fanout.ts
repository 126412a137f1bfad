/**
 * The fan-out scenario's shared parts (shared/bench-peers/lib/fanout.js): the publisher loop and the per-connection
 * counters of the subscribers.
 */
import type { TickEvent } from "./common.js";
import { END, cpuSeconds, makeEvent, monoNs, readStatusKb, say } from "./common.js";

export interface PublishTimes {
  /** Monotonic ns when the first event was published. */
  t0: string;
  /** Monotonic ns when the last event (and the end marker) had been handed over. */
  t_loop_done: string;
}

export interface PublishLoopOptions {
  n: number;
  burst: number;
  sendEvent: (seq: number, event: TickEvent) => void;
  /** Runs after each burst, before yielding; may wait for backpressure. */
  afterBurst?: () => Promise<void> | void;
  sendEnd: () => void;
}

/**
 * Publishes `n` events in synchronous bursts of `burst`, yielding to the event loop (setImmediate) between bursts
 * so sockets can flush; the end marker (seq -1) follows the last event.
 */
export async function publishLoop(opts: PublishLoopOptions): Promise<PublishTimes> {
  const t0 = monoNs();
  for (let base = 0; base < opts.n; base += opts.burst) {
    const lim = Math.min(opts.n, base + opts.burst);
    for (let i = base; i < lim; i++) opts.sendEvent(i, makeEvent(i));
    if (opts.afterBurst !== undefined) await opts.afterBurst();
    await new Promise((resolve) => setImmediate(resolve));
  }
  opts.sendEnd();
  return { t0: t0.toString(), t_loop_done: monoNs().toString() };
}

export interface ConnReport {
  received: number;
  out_of_order: number;
  got_end: boolean;
  t_first: string;
  t_last: string;
}

/** Counts the events one subscriber connection receives and checks their order by `seq`. */
export class ConnCounter {
  readonly n: number;
  received = 0;
  /** Next seq expected. */
  expected = 0;
  /** Events whose seq was not the expected one (gap, duplicate or reordering). */
  outOfOrder = 0;
  gotEnd = false;
  tFirst = 0n;
  tLast = 0n;

  constructor(n: number) {
    this.n = n;
  }

  onEvent(event: { seq: number }): void {
    const seq = event.seq;
    if (seq === END) {
      this.gotEnd = true;
      if (this.tLast === 0n) this.tLast = monoNs();
      return;
    }
    if (this.received === 0) this.tFirst = monoNs();
    if (seq !== this.expected) this.outOfOrder++;
    this.expected = seq + 1;
    this.received++;
    if ((this.received & 1023) === 0 || seq === this.n - 1) this.tLast = monoNs();
  }

  get done(): boolean {
    return this.gotEnd || this.received >= this.n;
  }

  report(): ConnReport {
    return {
      received: this.received,
      out_of_order: this.outOfOrder,
      got_end: this.gotEnd,
      t_first: this.tFirst.toString(),
      t_last: this.tLast.toString(),
    };
  }
}

export type DoneReason = "done" | "idle-timeout" | "cap-timeout";

/**
 * Resolves when every counter is done, or nothing new arrived for `idleMs` after the first event, or `capMs` passed.
 */
export function waitDone(
  counters: readonly ConnCounter[],
  { idleMs = 5000, capMs = 60000 }: { idleMs?: number; capMs?: number } = {},
): Promise<DoneReason> {
  return new Promise((resolve) => {
    const started = Date.now();
    let lastTotal = -1;
    let lastChange = Date.now();
    const iv = setInterval(() => {
      const total = counters.reduce((a, c) => a + c.received, 0);
      if (total !== lastTotal) {
        lastTotal = total;
        lastChange = Date.now();
      }
      const allDone = counters.every((c) => c.done);
      const idle = total > 0 && Date.now() - lastChange > idleMs;
      if (allDone || idle || Date.now() - started > capMs) {
        clearInterval(iv);
        resolve(allDone ? "done" : idle ? "idle-timeout" : "cap-timeout");
      }
    }, 50);
  });
}

export interface SubscriberResult {
  reason: string;
  conns: ConnReport[];
  hwm_kb: number;
  cpu_s: number;
}

/** Reports the counters of this subscriber process to the driver. */
export function reportSubs(counters: readonly ConnCounter[], reason: string): void {
  const result: SubscriberResult = {
    reason,
    conns: counters.map((c) => c.report()),
    hwm_kb: readStatusKb().VmHWM,
    cpu_s: cpuSeconds(),
  };
  say("RESULT", result);
}

export interface PublisherResult extends PublishTimes {
  hwm_kb: number;
  cpu_s: number;
}

/** Reports the publisher's times and resources to the driver. */
export function reportPublisher(times: PublishTimes, extra: Record<string, unknown> = {}): void {
  const result: PublisherResult = { ...times, ...extra, hwm_kb: readStatusKb().VmHWM, cpu_s: cpuSeconds() };
  say("RESULT", result);
}

/** Resolves on a line `go` on stdin (the driver's start signal). */
export function waitGo(): Promise<void> {
  return new Promise((resolve) => {
    let buf = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (d: string) => {
      buf += d;
      if (buf.includes("go\n")) {
        process.stdin.pause();
        resolve();
      }
    });
  });
}
