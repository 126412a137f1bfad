/**
 * Liveness of one link: a ping when we have been quiet, and a verdict when the peer has been silent too long.
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

export interface HeartbeatOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** For tests: the clock. @default Date.now */
  readonly now?: () => number;
}

/** Checks a link's traffic every half interval; stop() releases the timer. */
export class Heartbeat {
  readonly #host: HeartbeatHost;
  readonly #options: HeartbeatOptions;
  readonly #timer: NodeJS.Timeout;

  constructor(host: HeartbeatHost, options: HeartbeatOptions) {
    this.#host = host;
    this.#options = options;
    const period = Math.max(10, Math.floor(Math.min(options.intervalMs, options.timeoutMs) / 2));
    this.#timer = setInterval(() => this.check(), period);
    // Heartbeats alone must not keep a process alive; sockets and user timers do that.
    this.#timer.unref();
  }

  /** One check; exposed for tests. */
  check(): void {
    const now = (this.#options.now ?? Date.now)();
    const silent = this.#host.idleReceiveMs(now);
    if (silent >= this.#options.timeoutMs) {
      this.stop();
      this.#host.timedOut(silent);
      return;
    }
    if (this.#host.idleSendMs(now) >= this.#options.intervalMs) this.#host.sendPing();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
