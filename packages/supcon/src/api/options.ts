/**
 * Options of `Node`, `listen()` and `connect()`, with their defaults.
 */
import type { ConnectionOptions as TlsConnectionOptions, TlsOptions as TlsServerOptions } from "node:tls";
import { InvalidArgumentError } from "../base/errors.js";
import { assertKnownKeys, keysOf, unknownKeyProblem } from "../base/known-keys.js";
import type { Logger } from "../base/types.js";
import type { AccessPolicy, AccessRule } from "../dispatch/policy.js";
import { secretStrengthProblem } from "../link/auth.js";
import type { IdentityOptions, ResolvedIdentity, TrustOptions } from "../link/identity.js";
import { Trust, resolveIdentity } from "../link/identity.js";
export type { Logger } from "../base/types.js";
export type { IdentityOptions, KeyInput, TrustOptions } from "../link/identity.js";
export type { AccessPolicy, AccessRule } from "../dispatch/policy.js";
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_RECONNECT_MIN_MS,
  DEFAULT_RECONNECT_MAX_MS,
  DEFAULT_RECONNECT_JITTER,
  DEFAULT_MAX_PENDING_CALLS,
  DEFAULT_MAX_SERVING_CALLS,
  DEFAULT_MAX_HANDSHAKING_LINKS,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_NODE,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK,
  DEFAULT_MAX_RELAYED_CALLS,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_CLOSE_DRAIN_MS,
} from "../base/limits.js";

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
  /** Time a connection attempt has to be established (TCP, and TLS when used), in milliseconds. @default 5000 */
  readonly connectTimeoutMs?: number;
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
  /**
   * Most calls served at once (handlers not finished yet); more fail with `supcon.Overloaded`. The limit is shared
   * fairly between the links calls come over, and between callers: with n of them holding calls, one may hold at
   * most max(16, ⌊maxServingCalls / (n + 1)⌋) (a share stays free for a newcomer), so that a peer holding many
   * slow calls is refused while the others are served. @default 10000
   */
  readonly maxServingCalls?: number;
  /**
   * Most calls this node forwards for others at once, shared fairly as `maxServingCalls` is between the links they
   * come over and between their callers; a call beyond its share is answered with `supcon.Overloaded`.
   * @default 65536
   */
  readonly maxRelayedCalls?: number;
  /** Most bytes queued for sending on one link. @default 64 MiB */
  readonly maxQueuedBytes?: number;
  /** How long `close()` waits for calls being served, in milliseconds. @default 2000 */
  readonly closeDrainMs?: number;
  /**
   * Where the node reports link failures and protocol errors. Rate limited: a kind of warning (the same text but
   * for its numbers) at most once per 5 s, the next one saying "(N similar warnings suppressed)", and at most 100
   * warnings per 5 s in all. @default console.warn with a `supcon:` prefix
   */
  readonly logger?: Logger;
  /**
   * This node's credential: its private key (Ed25519 recommended; PEM or `KeyObject`) and, with `trust.ca`, its
   * X.509 certificate (PEM) whose common name or a DNS subject alternative name is the node's name. Needs `trust`.
   * @default none
   */
  readonly identity?: IdentityOptions;
  /**
   * Who may be on the bus: `{ ca }`, CA certificate(s) PEM that issue node certificates, or `{ keys }`, node name →
   * public key PEM (the content of a trust file, the same on every node). When set, origin authentication is on:
   * every node proves its name with its credential in the handshake, signs its adverts, and every routed message
   * carries a MAC by its source that its destination checks, so that no node can act in another's name, however
   * many nodes a message crosses (docs/PROTOCOL.md, "Trust model"). Needs `identity`; every node of the bus must
   * have both. @default none
   */
  readonly trust?: TrustOptions;
  /**
   * A secret shared by the nodes of the bus. When set, every link starts with a challenge-response handshake in
   * which the connecting side proves first (HMAC-SHA256 over fresh nonces of both sides, keyed by the secret
   * stretched with scrypt; the secret never goes on the wire), and a peer that cannot prove it knows the secret is
   * refused before it learns any node name or proof. It keeps strangers out; it does not tell the members apart:
   * every holder of the secret can act as any node (use `identity` and `trust` for that), and it does not encrypt
   * (use TLS). Binary secrets need 16 bytes or more; text (used as its UTF-8 bytes) 16 characters or more and an
   * estimated 80 bits (docs/PROTOCOL.md, "Shared secret"). @default none
   */
  readonly secret?: string | Uint8Array;
  /**
   * Most connections still in their handshake at once (a TLS connection counts from its accept, before its TLS
   * handshake). When all are taken, a new connection takes the slot of the oldest one still in its handshake from
   * the remote address holding the most; when this node's own connection attempts hold them all, it is closed.
   * @default 128
   */
  readonly maxHandshakingLinks?: number;
  /** Most event subscriptions one remote node may hold on this node; more are ignored. @default 10000 */
  readonly maxSubscriptionsPerNode?: number;
  /**
   * Most event subscriptions the SUBSCRIBEs that came over one link may hold on this node, whatever nodes they name;
   * more are ignored, with a warning. It bounds what a peer that announces many nodes behind it can make this node
   * store, and so how many EVENTs one event fired sends towards that peer. This node's own subscriptions are bounded
   * by `maxSubscriptionsPerNode` only. @default 4096
   */
  readonly maxSubscriptionsPerLink?: number;
  /**
   * Which remote nodes may call which methods and subscribe to which events of the objects of this node. When set,
   * everything not allowed by a rule is denied with `supcon.PermissionDenied`. Calls a node makes to itself are
   * always allowed. @default none: every node may call everything
   */
  readonly policy?: AccessPolicy;
}

/** Where to listen: a TCP port (optionally with TLS) or a Unix domain socket. */
export type ListenOptions = TcpListenOptions | UnixListenOptions;

/** Listen on TCP, or with `tls` on TLS over TCP. */
export interface TcpListenOptions {
  /** Interface address. @default "127.0.0.1" */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Serve TLS: `key` and `cert` (and `ca`, `requestCert: true`, `rejectUnauthorized: true` for mutual TLS), as
   * for `tls.createServer`. @default plain TCP
   */
  readonly tls?: TlsListenOptions;
  readonly path?: undefined;
}

/** Listen on a Unix domain socket. */
export interface UnixListenOptions {
  /**
   * The socket file. A stale one left by a dead process is replaced; one a live process listens on is not (the
   * listen fails). Removed again when the node closes.
   */
  readonly path: string;
  /** File mode of the socket (`0o660`: owner and group may connect). @default as the process umask gives */
  readonly mode?: number;
  readonly host?: undefined;
  readonly port?: undefined;
  readonly tls?: undefined;
}

/** TLS options of `listen()`: those of `tls.createServer`, and a check of the peer's node name. */
export interface TlsListenOptions extends TlsServerOptions {
  /**
   * With client certificates (`requestCert`), refuse a peer whose HELLO name is not the certificate's common name
   * or one of its DNS subject alternative names. @default false
   */
  readonly checkNodeName?: boolean;
}

/** TLS options of `connect()`: those of `tls.connect`, and a check of the peer's node name. */
export interface TlsConnectOptions extends TlsConnectionOptions {
  /**
   * Refuse a peer whose HELLO name is not its certificate's common name or one of its DNS subject alternative
   * names. @default false
   */
  readonly checkNodeName?: boolean;
}

/** Where to connect: a TCP (or TLS) address, or a Unix domain socket. */
export type ConnectOptions = TcpConnectOptions | UnixConnectOptions;

export interface TcpConnectOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  readonly port: number;
  /** Connect with TLS, with these options of `tls.connect` (`ca`, and `key`/`cert` for mutual TLS). @default plain TCP */
  readonly tls?: TlsConnectOptions;
  readonly path?: undefined;
}

export interface UnixConnectOptions {
  /** The socket file a node listens on. */
  readonly path: string;
  readonly host?: undefined;
  readonly port?: undefined;
  readonly tls?: undefined;
}

/** What `listen()` bound: a TCP address, or a Unix socket's absolute path. */
export type ListenAddress = { readonly host: string; readonly port: number } | { readonly path: string };

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
export type ResolvedNodeOptions = Required<Omit<NodeOptions, "secret" | "policy" | "identity" | "trust">> & {
  readonly secret: Uint8Array | undefined;
  readonly policy: AccessPolicy | undefined;
  readonly identity: ResolvedIdentity | undefined;
  readonly trust: Trust | undefined;
};

/** The options `new Node()` takes: anything else is refused, with the one meant when it is close. */
const NODE_OPTION_KEYS = keysOf<NodeOptions>({
  callTimeoutMs: true,
  maxFrameBytes: true,
  heartbeatIntervalMs: true,
  heartbeatTimeoutMs: true,
  connectTimeoutMs: true,
  handshakeTimeoutMs: true,
  reconnectMinMs: true,
  reconnectMaxMs: true,
  reconnectJitter: true,
  maxPendingCalls: true,
  maxServingCalls: true,
  maxRelayedCalls: true,
  maxQueuedBytes: true,
  closeDrainMs: true,
  logger: true,
  identity: true,
  trust: true,
  secret: true,
  maxHandshakingLinks: true,
  maxSubscriptionsPerNode: true,
  maxSubscriptionsPerLink: true,
  policy: true,
});
const WAIT_FOR_OPTION_KEYS = keysOf<WaitForOptions>({
  path: true,
  intf: true,
  timeoutMs: true,
  signal: true,
});
const POLICY_KEYS = keysOf<AccessPolicy>({ allow: true });
const ACCESS_RULE_KEYS = keysOf<AccessRule>({ nodes: true, paths: true, intfs: true, members: true });
const IDENTITY_KEYS = keysOf<IdentityOptions>({ key: true, cert: true });
/** The keys of both forms of `TrustOptions`; which form is meant is the trust module's to check. */
const TRUST_KEYS = keysOf<TrustOptions>({ ca: true, keys: true });

/** The default logger: one line on stderr per diagnostic. */
const consoleLogger: Logger = { warn: (message) => console.warn(`supcon: ${message}`) };

/** Applies the defaults to `options` and checks every value; throws `InvalidArgumentError` naming a bad one. */
export function resolveNodeOptions(options: NodeOptions): ResolvedNodeOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(
      `NodeOptions must be an object, got ${options === null ? "null" : typeof options}`,
    );
  }
  assertKnownKeys(options, NODE_OPTION_KEYS, "NodeOptions");
  const resolved: ResolvedNodeOptions = {
    callTimeoutMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    reconnectMinMs: options.reconnectMinMs ?? DEFAULT_RECONNECT_MIN_MS,
    reconnectMaxMs: options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS,
    reconnectJitter: options.reconnectJitter ?? DEFAULT_RECONNECT_JITTER,
    maxPendingCalls: options.maxPendingCalls ?? DEFAULT_MAX_PENDING_CALLS,
    maxServingCalls: options.maxServingCalls ?? DEFAULT_MAX_SERVING_CALLS,
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
    closeDrainMs: options.closeDrainMs ?? DEFAULT_CLOSE_DRAIN_MS,
    logger: options.logger ?? consoleLogger,
    maxHandshakingLinks: options.maxHandshakingLinks ?? DEFAULT_MAX_HANDSHAKING_LINKS,
    maxSubscriptionsPerNode: options.maxSubscriptionsPerNode ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_NODE,
    maxSubscriptionsPerLink: options.maxSubscriptionsPerLink ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK,
    maxRelayedCalls: options.maxRelayedCalls ?? DEFAULT_MAX_RELAYED_CALLS,
    secret: resolveSecret(options.secret),
    policy: resolvePolicy(options.policy),
    ...resolveCredentials(options.identity, options.trust),
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (["logger", "secret", "policy", "identity", "trust"].includes(key)) continue;
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

function resolveSecret(secret: string | Uint8Array | undefined): Uint8Array | undefined {
  if (secret === undefined) return undefined;
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new InvalidArgumentError("NodeOptions.secret must be a non-empty string or Uint8Array");
  }
  // A weak secret would fall to offline guessing by an acceptor this node dials (docs/PROTOCOL.md, "Shared secret").
  const weak = secretStrengthProblem(secret);
  if (weak !== undefined) throw new InvalidArgumentError(`NodeOptions.secret is too weak: ${weak}`);
  return bytes;
}

function resolveCredentials(
  identity: IdentityOptions | undefined,
  trust: TrustOptions | undefined,
): { identity: ResolvedIdentity | undefined; trust: Trust | undefined } {
  if (identity === undefined && trust === undefined) return { identity: undefined, trust: undefined };
  if (typeof identity === "object" && identity !== null)
    assertKnownKeys(identity, IDENTITY_KEYS, "NodeOptions.identity", "key");
  if (typeof trust === "object" && trust !== null)
    assertKnownKeys(trust, TRUST_KEYS, "NodeOptions.trust", "key");
  if (trust === undefined) {
    throw new InvalidArgumentError(
      "NodeOptions.identity needs NodeOptions.trust: say which CA ({ ca }) or which keys ({ keys }) vouch for the nodes of the bus",
    );
  }
  if (identity === undefined) {
    throw new InvalidArgumentError(
      "NodeOptions.trust needs NodeOptions.identity: with trust on, this node must prove its own name too ({ key, cert? })",
    );
  }
  return { identity: resolveIdentity(identity), trust: Trust.from(trust) };
}

function resolvePolicy(policy: AccessPolicy | undefined): AccessPolicy | undefined {
  if (policy === undefined) return undefined;
  if (typeof policy !== "object" || policy === null) {
    throw new InvalidArgumentError("NodeOptions.policy must be { allow: AccessRule[] }");
  }
  assertKnownKeys(policy, POLICY_KEYS, "NodeOptions.policy", "key");
  if (!Array.isArray(policy.allow)) {
    throw new InvalidArgumentError("NodeOptions.policy must be { allow: AccessRule[] }");
  }
  for (const [i, rule] of policy.allow.entries()) {
    if (typeof rule !== "object" || rule === null) {
      throw new InvalidArgumentError(
        `NodeOptions.policy.allow[${i}] must be an object: { nodes?, paths?, intfs?, members? }`,
      );
    }
    assertKnownKeys(rule, ACCESS_RULE_KEYS, `NodeOptions.policy.allow[${i}]`, "key");
    for (const key of Object.keys(rule)) {
      const patterns = (rule as Record<string, unknown>)[key];
      if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === "string")) {
        throw new InvalidArgumentError(`NodeOptions.policy.allow[${i}].${key} must be an array of strings`);
      }
    }
  }
  return policy;
}

/**
 * What is wrong with the options of `waitFor()`, or undefined: an unknown key is refused rather than ignored.
 * @returns An InvalidArgumentError naming the key, and the one meant when it is close, for `waitFor` to reject with.
 */
export function waitForOptionsError(options: WaitForOptions): InvalidArgumentError | undefined {
  if (typeof options !== "object" || options === null) {
    return new InvalidArgumentError(
      "waitFor: options must be an object: { path?, intf?, timeoutMs?, signal? }",
    );
  }
  const problem = unknownKeyProblem(options, WAIT_FOR_OPTION_KEYS, "option");
  return problem === undefined ? undefined : new InvalidArgumentError(`waitFor: ${problem}`);
}
