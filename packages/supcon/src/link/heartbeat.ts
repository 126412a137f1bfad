/**
 * Liveness of links: a ping when a link has been quiet, and a verdict when its peer has been silent too long.
 *
 * One periodic scan checks every link of the process that has the same check period (half the smaller of the
 * interval and the timeout), rather than one timer per link: with thousands of links, one timer firing thousands
 * of times a period costs the event loop more than one pass over a set.
 *
 * Liveness counts what arrived, not when it was read. The scan runs in the timers phase of the event loop, before
 * the poll phase reads what the sockets received meanwhile; after a stall of the loop, a link whose peer kept
 * sending still looks silent then. So a link found silent is judged again once the pending input has been read
 * (`setImmediate` runs after the poll phase), and closed only if it is still silent. And a scan that runs later
 * than planned by more than a link's timeout (the loop was stalled) closes nothing on its own evidence: the scan
 * after it, on time, decides.
 */

/** What the heartbeat needs from its link. */
export interface HeartbeatHost {
  /** Milliseconds since something was last sent. */
  idleSendMs(now: number): number;
  /** Milliseconds since something was last received. */
  idleReceiveMs(now: number): number;
  sendPing(): void;
  /** The peer has been silent for longer than the timeout. */
  timedOut(silentMs: number): void;
}

/** The timers a scan uses; tests pass fakes. */
export interface HeartbeatClock {
  now(): number;
  /** Calls `fn` every `periodMs` until the returned function is called; must not keep the process alive. */
  every(periodMs: number, fn: () => void): () => void;
  /** Calls `fn` once the input pending now has been read (after the poll phase of the event loop). */
  afterPendingInput(fn: () => void): void;
}

export interface HeartbeatOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** The scan to join. @default the process-wide scan of this check period */
  readonly scan?: HeartbeatScan;
}

/** The real clock: `Date.now`, an unreferenced `setInterval`, `setImmediate`. */
export const systemClock: HeartbeatClock = {
  now: () => Date.now(),
  every(periodMs, fn) {
    const timer = setInterval(fn, periodMs);
    // Heartbeats alone must not keep a process alive; sockets and user timers do that.
    timer.unref();
    return () => clearInterval(timer);
  },
  afterPendingInput(fn) {
    setImmediate(fn);
  },
};

/** The period at which a link with these settings is checked. */
export function checkPeriodMs(intervalMs: number, timeoutMs: number): number {
  return Math.max(10, Math.floor(Math.min(intervalMs, timeoutMs) / 2));
}

/**
 * One timer for many heartbeats: every `periodMs` it checks each of them. It runs while it has heartbeats, and
 * stops its timer when the last one leaves.
 */
export class HeartbeatScan {
  readonly periodMs: number;
  readonly #clock: HeartbeatClock;
  readonly #members = new Set<Heartbeat>();
  #stopTimer: (() => void) | undefined;
  /** When the current scan was due: lateness is measured against it. */
  #dueAt = 0;

  constructor(periodMs: number, clock: HeartbeatClock = systemClock) {
    this.periodMs = periodMs;
    this.#clock = clock;
  }

  /** Heartbeats checked by this scan. */
  get size(): number {
    return this.#members.size;
  }

  add(heartbeat: Heartbeat): void {
    this.#members.add(heartbeat);
    if (this.#stopTimer === undefined) {
      this.#dueAt = this.#clock.now() + this.periodMs;
      this.#stopTimer = this.#clock.every(this.periodMs, () => this.scan());
    }
  }

  delete(heartbeat: Heartbeat): void {
    this.#members.delete(heartbeat);
    if (this.#members.size === 0 && this.#stopTimer !== undefined) {
      this.#stopTimer();
      this.#stopTimer = undefined;
    }
  }

  /** One pass over every heartbeat; the timer calls it, tests too. */
  scan(): void {
    const now = this.#clock.now();
    const lateMs = Math.max(0, now - this.#dueAt);
    this.#dueAt = now + this.periodMs;
    const silent: Heartbeat[] = [];
    for (const heartbeat of this.#members) {
      if (heartbeat.check(now, lateMs)) silent.push(heartbeat);
    }
    if (silent.length === 0) return;
    this.#clock.afterPendingInput(() => {
      const later = this.#clock.now();
      for (const heartbeat of silent) heartbeat.confirm(later);
    });
  }
}

/** The process-wide scans, by check period. */
const scans = new Map<number, HeartbeatScan>();

/** The process-wide scan of check period `periodMs`, which heartbeats join by default. */
export function processScan(periodMs: number): HeartbeatScan {
  let scan = scans.get(periodMs);
  if (scan === undefined) scans.set(periodMs, (scan = new HeartbeatScan(periodMs)));
  return scan;
}

/** The heartbeat of one link: joins a scan when made, leaves it on stop(). */
export class Heartbeat {
  readonly #host: HeartbeatHost;
  readonly #options: HeartbeatOptions;
  readonly #scan: HeartbeatScan;
  #stopped = false;

  constructor(host: HeartbeatHost, options: HeartbeatOptions) {
    this.#host = host;
    this.#options = options;
    this.#scan = options.scan ?? processScan(checkPeriodMs(options.intervalMs, options.timeoutMs));
    this.#scan.add(this);
  }

  /**
   * One check at `now`, `lateMs` after the scan was due. Pings when this side has been quiet for the interval.
   * Returns true when the peer seems silent for the timeout: `confirm()` decides once the pending input is read.
   */
  check(now: number, lateMs = 0): boolean {
    if (this.#stopped) return false;
    const { intervalMs, timeoutMs } = this.#options;
    const silent = this.#host.idleReceiveMs(now) >= timeoutMs;
    if (this.#host.idleSendMs(now) >= intervalMs) this.#host.sendPing();
    // A scan that ran this late measured the stall of this process, not the silence of the peer.
    return silent && lateMs <= timeoutMs;
  }

  /** The verdict on a link `check()` found silent, after the input pending then has been read. */
  confirm(now: number): void {
    if (this.#stopped) return;
    const silentMs = this.#host.idleReceiveMs(now);
    if (silentMs < this.#options.timeoutMs) return;
    this.stop();
    this.#host.timedOut(silentMs);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#scan.delete(this);
  }
}
