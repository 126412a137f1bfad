/**
 * The dial loop of one `connect()`: connect, keep the link, and when it ends or cannot be made, try again after a
 * backoff delay, forever until closed. One loop per endpoint.
 */
import type { Transport } from "../transport/transport.js";
import type { BackoffOptions } from "./backoff.js";
import { backoffDelay } from "./backoff.js";

/** What the loop needs from its node. */
export interface DialerHost {
  /** Opens a connection; aborting `signal` abandons the attempt. */
  dial(signal: AbortSignal): Promise<Transport>;
  /**
   * Runs a link over `transport`; resolves when the link has ended, saying whether it got through its handshake.
   */
  run(transport: Transport): Promise<{ readonly opened: boolean }>;
  /** A connection attempt failed; the next one follows in `retryInMs`. */
  failed(error: Error, attempt: number, retryInMs: number): void;
}

/** A link that stayed open this long counts as healthy: the next failure starts the backoff from the beginning. */
const HEALTHY_LINK_MS = 5_000;

export class Dialer {
  readonly #host: DialerHost;
  readonly #backoff: BackoffOptions;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;

  constructor(host: DialerHost, backoff: BackoffOptions) {
    this.#host = host;
    this.#backoff = backoff;
    this.#done = this.#loop();
  }

  /** Stops the loop; an open link is left to its owner to close. Resolves when the loop has ended. */
  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#wake?.();
    return this.#done;
  }

  async #loop(): Promise<void> {
    let attempt = 0;
    while (!this.#closed) {
      let transport: Transport;
      try {
        transport = await this.#host.dial(this.#abort.signal);
      } catch (err) {
        if (this.#closed) return;
        const delay = backoffDelay(attempt, this.#backoff);
        this.#host.failed(err as Error, attempt + 1, delay);
        attempt++;
        await this.#sleep(delay);
        continue;
      }
      if (this.#closed) {
        transport.destroy();
        return;
      }
      const started = Date.now();
      const { opened } = await this.#host.run(transport);
      if (this.#closed) return;
      if (opened && Date.now() - started >= HEALTHY_LINK_MS) attempt = 0;
      // Even after a healthy link, wait a little: a peer that is restarting needs a moment to listen again.
      const delay = backoffDelay(attempt, this.#backoff);
      attempt++;
      await this.#sleep(delay);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}
