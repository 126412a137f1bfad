/**
 * The node's status reports (`node.onStatus`) and its warnings (`NodeOptions.logger`): one place every module of
 * the node reports through.
 *
 * Warnings are rate limited, so that a flood (a connection, a subscription or a forged message per warning) cannot
 * flood the log too: a kind of warning (its text with every number taken out) is logged at most once per interval,
 * and the next one logged says how many were left out; and at most so many are logged per interval in all.
 * Link failures are logged once per source instead (`failed()`): a dial loop that retries against a wrong port says
 * so once, and again only when the failure changes or after a success.
 * Status reports are not limited: a listener sees every one.
 */
import { MAX_WARNINGS_PER_INTERVAL, MAX_WARNING_KINDS, WARNING_INTERVAL_MS } from "../base/limits.js";
import type { Logger } from "../base/types.js";
import type { LinkError } from "../link/peer-link.js";

/** A link is identified by its peer's name and the remote address. */
interface LinkRef {
  readonly peer: string;
  readonly remote: string;
}

export type NodeStatus =
  /** The node listens on this TCP (or TLS) address. */
  | { readonly type: "listening"; readonly host: string; readonly port: number }
  /** The node listens on this Unix domain socket. */
  | { readonly type: "listening"; readonly path: string }
  /** A connection attempt to `endpoint` starts. */
  | { readonly type: "connecting"; readonly endpoint: string }
  /** A connection attempt failed; the next one follows after `retryInMs`. */
  | {
      readonly type: "connectFailed";
      readonly endpoint: string;
      readonly error: Error;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  /** A connection closed before its handshake completed: refused by either side, a timeout or a protocol error. */
  | { readonly type: "handshakeFailed"; readonly remote: string; readonly error: LinkError }
  /** A link completed its handshake. `link` identifies it for the runtime itself. */
  | (LinkRef & { readonly type: "linkUp"; readonly link: unknown })
  /** A link closed; `error` says why when it was not a clean close. */
  | (LinkRef & { readonly type: "linkDown"; readonly error: LinkError | undefined })
  /** A node became reachable. Per node, `nodeUp` and `nodeDown` strictly alternate. */
  | { readonly type: "nodeUp"; readonly node: string }
  /** A node became unreachable. */
  | { readonly type: "nodeDown"; readonly node: string }
  /** An object's interface was registered on a node (this one included). */
  | { readonly type: "registered"; readonly node: string; readonly path: string; readonly intf: string }
  /** An object's interface was unregistered from a node. (A node that leaves the bus is reported by `nodeDown`.) */
  | { readonly type: "unregistered"; readonly node: string; readonly path: string; readonly intf: string }
  /** Events from `node` were lost on the way (an overloaded link): `missed` of them. */
  | { readonly type: "eventGap"; readonly node: string; readonly missed: number }
  /** The node has closed. */
  | { readonly type: "closed" };

/** How warnings are rate limited; the defaults come from base/limits.ts. */
export interface WarningLimits {
  /** A kind of warning is logged at most once per this many milliseconds. */
  readonly intervalMs: number;
  /** Most warnings logged per interval, of all kinds together. */
  readonly maxPerInterval: number;
  /** Kinds remembered; the one logged longest ago is forgotten first. */
  readonly maxKinds: number;
  /** The clock, `Date.now()` milliseconds (tests give their own). */
  readonly now: () => number;
}

const DEFAULT_WARNING_LIMITS: WarningLimits = {
  intervalMs: WARNING_INTERVAL_MS,
  maxPerInterval: MAX_WARNINGS_PER_INTERVAL,
  maxKinds: MAX_WARNING_KINDS,
  now: () => Date.now(),
};

/** A kind of warning: when it may be logged again, and how many were left out since it last was. */
interface WarningKind {
  nextAt: number;
  suppressed: number;
}

export class StatusReports {
  readonly #listeners = new Set<(status: NodeStatus) => void>();
  readonly #logger: Logger;
  readonly #limits: WarningLimits;
  /** By kind, the one logged longest ago first (a Map keeps insertion order; a logged kind is put last). */
  readonly #kinds = new Map<string, WarningKind>();
  /**
   * By source, the kinds of failure logged for it since it last worked, newest last; the source logged longest ago
   * first.
   */
  readonly #failures = new Map<string, readonly string[]>();
  #windowStart = -Infinity;
  #loggedInWindow = 0;

  constructor(logger: Logger, limits: Partial<WarningLimits> = {}) {
    this.#logger = logger;
    this.#limits = { ...DEFAULT_WARNING_LIMITS, ...limits };
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: (status: NodeStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener; one that throws is reported and does not stop the others. */
  emit(status: NodeStatus): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(status);
      } catch (err) {
        this.warn(`a status listener threw: ${String(err)}`);
      }
    }
  }

  /** Logs `message`, unless a warning of its kind was logged less than an interval ago (it is then counted). */
  warn(message: string): void {
    const { intervalMs, maxKinds, now: clock } = this.#limits;
    const now = clock();
    const key = warningKind(message);
    const kind = this.#kinds.get(key);
    if (kind !== undefined && now < kind.nextAt) {
      kind.suppressed++;
      return;
    }
    if (!this.#takeTurn(now)) {
      // Counted against its kind, and told when one of the kind is next logged.
      remember(this.#kinds, key, { nextAt: 0, suppressed: (kind?.suppressed ?? 0) + 1 }, maxKinds);
      return;
    }
    const suppressed = kind?.suppressed ?? 0;
    remember(this.#kinds, key, { nextAt: now + intervalMs, suppressed: 0 }, maxKinds);
    this.#logger.warn(
      suppressed === 0
        ? message
        : `${message} (${suppressed} similar warning${suppressed === 1 ? "" : "s"} suppressed)`,
    );
  }

  /**
   * Logs `message`, a failure of `source` (a `connect()` endpoint, or the remote address of accepted connections),
   * unless a failure of the same kind (`warningKind()`) is among the last `remembered` kinds logged for `source`
   * since it last worked: a dial loop that retries against a wrong port, a wrong secret or a name taken says so
   * once, not once per attempt. With `remembered` 1 (a dial loop) it is logged again as soon as the failure changes;
   * more suit an address that several peers connect from, each failing its own way. Everything is logged anew
   * after `succeeded(source)`. Unlike `warn()` it is not limited per kind (the same failure of another source is
   * news), only by the total per interval. Returns true when it was logged.
   */
  failed(source: string, message: string, remembered = 1): boolean {
    const kind = warningKind(message);
    const kinds = this.#failures.get(source) ?? [];
    if (kinds.includes(kind)) return false;
    if (!this.#takeTurn(this.#limits.now())) return false;
    remember(this.#failures, source, [...kinds, kind].slice(-remembered), this.#limits.maxKinds);
    this.#logger.warn(message);
    return true;
  }

  /**
   * `source` works again: its next failure is logged, whatever it is. Returns true when a failure of it had been
   * logged (so that the caller may say it is mended).
   */
  succeeded(source: string): boolean {
    return this.#failures.delete(source);
  }

  /** True when one more line may be logged in the interval of `now` (and counts it). */
  #takeTurn(now: number): boolean {
    if (now - this.#windowStart >= this.#limits.intervalMs) {
      this.#windowStart = now;
      this.#loggedInWindow = 0;
    }
    if (this.#loggedInWindow >= this.#limits.maxPerInterval) return false;
    this.#loggedInWindow++;
    return true;
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/** Sets `key` in `map` as the newest entry, forgetting the oldest beyond `max` entries. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

/** Longest kind kept: a bound on what the kinds remembered take, whatever text the warnings carry. */
const KIND_MAX_CHARS = 200;

/**
 * The kind of a warning: its text with every run of digits replaced, so that the same warning about another
 * address, port, count or numbered name is of the same kind.
 */
export function warningKind(message: string): string {
  return message.slice(0, KIND_MAX_CHARS).replace(/\d+/g, "#");
}
