/**
 * From the public options of `listen()` and `connect()` to the endpoint specs of the transports: every value
 * checked, with an error that says which and what to do.
 */
import { closestName } from "../base/did-you-mean.js";
import { InvalidArgumentError } from "../base/errors.js";
import { assertKnownKeys } from "../base/known-keys.js";
import type { Transports } from "../bus/endpoints.js";
import type { DialSpec, ListenSpec } from "../transport/endpoints.js";
import { describeEndpoint, dialEndpoint, listenEndpoint } from "../transport/endpoints.js";
import type { Listener } from "../transport/transport.js";
import type {
  ConnectOptions,
  ListenAddress,
  ListenOptions,
  TcpConnectOptions,
  TcpListenOptions,
  UnixConnectOptions,
  UnixListenOptions,
} from "./options.js";

export type { ConnectOptions, DialSpec, ListenAddress, ListenOptions, ListenSpec };

/** Every key of `ListenOptions`, both forms (TCP or TLS: host, port, tls; Unix socket: path, mode). */
const LISTEN_KEYS: readonly (keyof TcpListenOptions | keyof UnixListenOptions)[] = [
  "host",
  "port",
  "tls",
  "path",
  "mode",
];
/** Every key of `ConnectOptions`, both forms (TCP or TLS: host, port, tls; Unix socket: path). */
const CONNECT_KEYS: readonly (keyof TcpConnectOptions | keyof UnixConnectOptions)[] = [
  "host",
  "port",
  "tls",
  "path",
];
/** What supcon adds to the TLS options of Node.js; the rest go to `tls.createServer()` or `tls.connect()`. */
const OWN_TLS_KEYS = ["checkNodeName"];

/** The transports a node uses, by the kind of its endpoint specs. */
export const transports: Transports<ListenSpec, DialSpec> = {
  listen: listenEndpoint,
  dial: dialEndpoint,
  describe: describeEndpoint,
};

/** An endpoint spec, and whether the peer's node name must be one its certificate names. */
export interface Resolved<Spec> {
  readonly spec: Spec;
  readonly requireCertifiedName: boolean;
}

/** Checks the options of `listen()`. @throws InvalidArgumentError naming what is wrong. */
export function resolveListen(options: ListenOptions, handshakeTimeoutMs: number): Resolved<ListenSpec> {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("listen: options must be an object: { host, port, tls? } or { path }");
  }
  assertKnownKeys(options, LISTEN_KEYS, "listen");
  if (options.path !== undefined) {
    const { path, mode } = options;
    assertOnly(
      "listen",
      options,
      ["path", "mode"],
      "cannot be combined with 'path': a Unix socket takes { path, mode? }",
    );
    assertSocketPath("listen", path);
    if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o777)) {
      throw new InvalidArgumentError(
        `listen: mode must be a file mode from 0 to 0o777 (like 0o660), got ${String(mode)}`,
      );
    }
    return {
      spec: mode === undefined ? { kind: "unix", path } : { kind: "unix", path, mode },
      requireCertifiedName: false,
    };
  }
  assertOnly("listen", options, ["host", "port", "tls"], "applies to a Unix socket only: { path, mode? }");
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  assertHost("listen", host);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`listen: port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (options.tls === undefined) return { spec: { kind: "tcp", host, port }, requireCertifiedName: false };
  const { checkNodeName, ...tls } = assertTlsOptions("listen", options.tls);
  return {
    spec: { kind: "tls", host, port, tls, handshakeTimeoutMs },
    requireCertifiedName: checkNodeName === true,
  };
}

/** Checks the options of `connect()`. @throws InvalidArgumentError naming what is wrong. */
export function resolveConnect(options: ConnectOptions): Resolved<DialSpec> {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("connect: options must be an object: { host, port, tls? } or { path }");
  }
  assertKnownKeys(options, CONNECT_KEYS, "connect");
  if (options.path !== undefined) {
    assertOnly("connect", options, ["path"], "cannot be combined with 'path': a Unix socket takes { path }");
    assertSocketPath("connect", options.path);
    return { spec: { kind: "unix", path: options.path }, requireCertifiedName: false };
  }
  const host = options.host ?? "127.0.0.1";
  const port = options.port;
  assertHost("connect", host);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new InvalidArgumentError(`connect: port must be an integer from 1 to 65535, got ${String(port)}`);
  }
  if (options.tls === undefined) return { spec: { kind: "tcp", host, port }, requireCertifiedName: false };
  const { checkNodeName, ...tls } = assertTlsOptions("connect", options.tls);
  const certified = checkNodeName === true;
  return {
    spec: { kind: "tls", host, port, tls, checkNodeName: certified },
    requireCertifiedName: certified,
  };
}

/** What a listener is bound to, as `listen()` returns it. */
export function listenedAddress(listener: Listener): ListenAddress {
  const address = listener.address;
  return address.kind === "unix" ? { path: address.path } : { host: address.host, port: address.port };
}

function assertHost(what: string, host: unknown): void {
  if (typeof host !== "string" || host.length === 0) {
    throw new InvalidArgumentError(
      `${what}: host must be a non-empty string (like "127.0.0.1"), got ${JSON.stringify(host)}`,
    );
  }
}

function assertSocketPath(what: string, path: unknown): void {
  if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
    throw new InvalidArgumentError(
      `${what}: path must be the file name of a Unix socket (like "/run/my-bus.sock"), got ${JSON.stringify(path)}`,
    );
  }
}

/** Refuses options that mix a Unix socket with TCP settings, which would otherwise be ignored. */
function assertOnly(what: string, options: object, allowed: readonly string[], why: string): void {
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !allowed.includes(key)) {
      throw new InvalidArgumentError(`${what}: '${key}' ${why}`);
    }
  }
}

/**
 * Checks the TLS options: an object, whose keys Node.js's TLS takes except the one supcon adds. Node.js ignores
 * keys it does not know, and its options are too many to list here, so only a misspelling of supcon's own
 * (`checkNodeNames`) is refused.
 */
function assertTlsOptions<T extends object>(what: string, tls: T): T {
  if (typeof tls !== "object" || tls === null) {
    throw new InvalidArgumentError(`${what}: tls must be an object of TLS options (like { ca, cert, key })`);
  }
  for (const key of Object.keys(tls)) {
    const meant = OWN_TLS_KEYS.includes(key) ? undefined : closestName(key, OWN_TLS_KEYS);
    if (meant !== undefined) {
      throw new InvalidArgumentError(`${what}: tls: unknown option '${key}' (did you mean '${meant}'?)`);
    }
  }
  return tls;
}
