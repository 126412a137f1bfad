/**
 * Small public types shared by the node, clients and implementations.
 */

/** Options of one call. */
export interface CallOptions {
  /** Deadline of the call in milliseconds from now. @default the node's `callTimeoutMs` (30 000) */
  readonly timeoutMs?: number;
  /** Aborting it cancels the call: the caller's promise rejects with `supcon.Cancelled` and the handler is told. */
  readonly signal?: AbortSignal;
}

/** What a method handler learns about the call it serves. */
export interface CallContext {
  /** Name of the calling node. */
  readonly caller: string;
  /** Object path the call was addressed to. */
  readonly path: string;
  /** Interface name. */
  readonly intf: string;
  /** Method name. */
  readonly method: string;
  /** Aborted when the caller cancels, the deadline passes, or the caller's link is lost. */
  readonly signal: AbortSignal;
  /** Absolute deadline of the call, in `Date.now()` milliseconds. */
  readonly deadline: number;
}

/** Where an event came from. */
export interface EventSource {
  readonly node: string;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
}

/** A subscription to an event; `off()` ends it (calling it again does nothing). */
export interface Subscription {
  off(): void;
}

/** A method handler of the dynamic API: receives the in-args object, returns the out-args object. */
export type CallCallback = (args: Record<string, unknown>, ctx: CallContext) => unknown;

/** An event listener: receives the event's args object and where it came from. */
export type EventCallback<A = Record<string, unknown>> = (args: A, source: EventSource) => void;

/** A sink for diagnostics the node cannot throw (they happen on sockets, not in a user's call). */
export interface Logger {
  warn(message: string): void;
}
