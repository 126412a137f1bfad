/**
 * Options of `Node`, `listen()` and `connect()`, with their defaults.
 */
import { InvalidArgumentError } from "./errors.js";

/** Default deadline of a call. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Largest frame accepted or sent (header excluded). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** A link with no outgoing traffic for this long sends a ping. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
/** A link with no incoming traffic for this long is considered dead and closed. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 6_000;
/** A connection whose handshake is not complete after this long is closed. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
/** First reconnect delay; each failure doubles it up to the maximum, with ±`jitter` of randomness. */
export const DEFAULT_RECONNECT_MIN_MS = 100;
export const DEFAULT_RECONNECT_MAX_MS = 5_000;
export const DEFAULT_RECONNECT_JITTER = 0.3;
/** Most calls a node may have in flight (as caller) before new ones fail with `supcon.Overloaded`. */
export const DEFAULT_MAX_PENDING_CALLS = 65_536;
/** Most calls a node serves at once (handlers not finished yet) before new ones fail with `supcon.Overloaded`. */
export const DEFAULT_MAX_SERVING_CALLS = 10_000;
/** Bytes queued on one link beyond which new frames are refused with `supcon.Overloaded`. */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** How long `close()` waits for calls being served to finish. */
export const DEFAULT_CLOSE_DRAIN_MS = 2_000;
/** Routed messages that have crossed this many links are dropped (loop guard). */
export const DEFAULT_MAX_HOPS = 32;

/** Options of a `Node`. Every field is optional. */
export interface NodeOptions {
  /** Default deadline of calls made by this node, in milliseconds. @default 30000 */
  readonly callTimeoutMs?: number;
  /** Largest frame accepted or sent, in bytes. A bigger frame closes the link. @default 16 MiB */
  readonly maxFrameBytes?: number;
  /** Idle time after which a link sends a ping, in milliseconds. @default 2000 */
  readonly heartbeatIntervalMs?: number;
  /** Silence after which a link is declared dead, in milliseconds. @default 6000 */
  readonly heartbeatTimeoutMs?: number;
  /** Time a new connection has to complete its handshake, in milliseconds. @default 5000 */
  readonly handshakeTimeoutMs?: number;
  /** Reconnect backoff: first delay in milliseconds. @default 100 */
  readonly reconnectMinMs?: number;
  /** Reconnect backoff: largest delay in milliseconds. @default 5000 */
  readonly reconnectMaxMs?: number;
  /** Reconnect backoff: relative randomness of each delay, 0 to 1. @default 0.3 */
  readonly reconnectJitter?: number;
  /** Most calls in flight from this node. @default 65536 */
  readonly maxPendingCalls?: number;
  /** Most calls served at once; more fail with `supcon.Overloaded`. @default 10000 */
  readonly maxServingCalls?: number;
  /** Most bytes queued for sending on one link. @default 64 MiB */
  readonly maxQueuedBytes?: number;
  /** How long `close()` waits for calls being served, in milliseconds. @default 2000 */
  readonly closeDrainMs?: number;
  /** Where the node reports link failures and protocol errors. @default console.warn with a `supcon:` prefix */
  readonly logger?: Logger;
}

/** A sink for diagnostics the node cannot throw (they happen on sockets, not in a user's call). */
export interface Logger {
  warn(message: string): void;
}

/** Where to listen. */
export interface ListenOptions {
  /** Interface address. @default "127.0.0.1" */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
}

/** Where to connect. */
export interface ConnectOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  readonly port: number;
}

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Wait until this path is registered on the node. */
  readonly path?: string;
  /** With `path`: wait until this interface is registered there. */
  readonly intf?: string;
  /** Give up after this many milliseconds with `supcon.Timeout`. @default 30000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** `NodeOptions` with every default applied. */
export type ResolvedNodeOptions = Required<NodeOptions>;

/** The default logger: one line on stderr per diagnostic. */
const consoleLogger: Logger = { warn: (message) => console.warn(`supcon: ${message}`) };

/** Applies the defaults to `options` and checks every value; throws `InvalidArgumentError` naming a bad one. */
export function resolveNodeOptions(options: NodeOptions): ResolvedNodeOptions {
  const resolved: ResolvedNodeOptions = {
    callTimeoutMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    reconnectMinMs: options.reconnectMinMs ?? DEFAULT_RECONNECT_MIN_MS,
    reconnectMaxMs: options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS,
    reconnectJitter: options.reconnectJitter ?? DEFAULT_RECONNECT_JITTER,
    maxPendingCalls: options.maxPendingCalls ?? DEFAULT_MAX_PENDING_CALLS,
    maxServingCalls: options.maxServingCalls ?? DEFAULT_MAX_SERVING_CALLS,
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
    closeDrainMs: options.closeDrainMs ?? DEFAULT_CLOSE_DRAIN_MS,
    logger: options.logger ?? consoleLogger,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (key === "logger") continue;
    const n = value as number;
    const ok = key === "reconnectJitter" ? n >= 0 && n <= 1 : Number.isFinite(n) && n > 0;
    if (typeof value !== "number" || !ok) {
      throw new InvalidArgumentError(
        `NodeOptions.${key} must be ${key === "reconnectJitter" ? "a number from 0 to 1" : "a positive number"}, got ${String(value)}`,
      );
    }
  }
  if (typeof resolved.logger?.warn !== "function") {
    throw new InvalidArgumentError("NodeOptions.logger must have a warn(message) method");
  }
  if (resolved.reconnectMaxMs < resolved.reconnectMinMs) {
    throw new InvalidArgumentError("NodeOptions.reconnectMaxMs must not be less than reconnectMinMs");
  }
  return resolved;
}
