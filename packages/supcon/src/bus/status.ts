/**
 * The node's status reports (`node.onStatus`) and its warnings (`NodeOptions.logger`): one place every module of
 * the node reports through.
 *
 * Warnings are rate limited, so that a flood (a connection, a subscription or a forged message per warning) cannot
 * flood the log too: a kind of warning (its text with every number taken out) is logged at most once per interval,
 * and the next one logged says how many were left out; and at most so many are logged per interval in all.
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
    const { intervalMs, maxPerInterval, maxKinds, now: clock } = this.#limits;
    const now = clock();
    const key = warningKind(message);
    const kind = this.#kinds.get(key);
    if (kind !== undefined && now < kind.nextAt) {
      kind.suppressed++;
      return;
    }
    if (now - this.#windowStart >= intervalMs) {
      this.#windowStart = now;
      this.#loggedInWindow = 0;
    }
    if (this.#loggedInWindow >= maxPerInterval) {
      // Counted against its kind, and told when one of the kind is next logged.
      this.#remember(key, { nextAt: 0, suppressed: (kind?.suppressed ?? 0) + 1 }, maxKinds);
      return;
    }
    this.#loggedInWindow++;
    const suppressed = kind?.suppressed ?? 0;
    this.#remember(key, { nextAt: now + intervalMs, suppressed: 0 }, maxKinds);
    this.#logger.warn(
      suppressed === 0
        ? message
        : `${message} (${suppressed} similar warning${suppressed === 1 ? "" : "s"} suppressed)`,
    );
  }

  #remember(key: string, kind: WarningKind, maxKinds: number): void {
    this.#kinds.delete(key);
    this.#kinds.set(key, kind);
    if (this.#kinds.size > maxKinds) {
      const oldest = this.#kinds.keys().next().value as string;
      this.#kinds.delete(oldest);
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
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
