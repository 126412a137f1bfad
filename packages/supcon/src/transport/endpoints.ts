/**
 * One entry to every transport: listen on, dial and describe an endpoint spec, whatever its kind.
 *
 * A spec is a discriminated union on `kind`; `KINDS` holds one entry per kind. A new transport (WebSocket, NATS)
 * is one more member of `ListenSpec` and `DialSpec` plus one entry here; the compiler asks for the entry, and the
 * node, which only passes specs through, does not change. No I/O of its own: the transports do it.
 */
import type { ConnectionOptions, TlsOptions } from "node:tls";
import { InvalidArgumentError } from "../base/errors.js";
import type { DialLimits } from "./tcp.js";
import { connectTcp, listenTcp } from "./tcp.js";
import { connectTls, listenTls } from "./tls.js";
import type { Listener, ListenerAddress, Transport } from "./transport.js";
import { connectUnix, listenUnix } from "./unix.js";

/** Plain TCP, to listen on (port 0: any free port) or to dial. */
export interface TcpEndpoint {
  readonly kind: "tcp";
  readonly host: string;
  readonly port: number;
}

/** TLS over TCP, to listen on: the server's certificate and client checks, and how long a handshake may take. */
export interface TlsListenEndpoint {
  readonly kind: "tls";
  readonly host: string;
  readonly port: number;
  readonly tls: TlsOptions;
  readonly handshakeTimeoutMs: number;
}

/** TLS over TCP, to dial: the CA and client certificate as configured. */
export interface TlsDialEndpoint {
  readonly kind: "tls";
  readonly host: string;
  readonly port: number;
  readonly tls: ConnectionOptions;
  /**
   * The link checks the peer's node name against its certificate (`checkNodeName`): without `servername`, the
   * certificate is checked against that name rather than the host (`dialTlsOptions()` in tls.ts).
   */
  readonly checkNodeName?: boolean;
}

/** A Unix domain socket, to listen on; `mode` sets who may connect (0o660: owner and group). */
export interface UnixListenEndpoint {
  readonly kind: "unix";
  readonly path: string;
  readonly mode?: number;
}

/** A Unix domain socket, to dial. */
export interface UnixDialEndpoint {
  readonly kind: "unix";
  readonly path: string;
}

/** What `listenEndpoint` takes. */
export type ListenSpec = TcpEndpoint | TlsListenEndpoint | UnixListenEndpoint;
/** What `dialEndpoint` takes. */
export type DialSpec = TcpEndpoint | TlsDialEndpoint | UnixDialEndpoint;
/** The kinds of endpoint. */
export type EndpointKind = ListenSpec["kind"];

/** What one kind of endpoint does. */
interface Kind<L extends ListenSpec, D extends DialSpec> {
  listen(
    spec: L,
    onTransport: (transport: Transport) => void,
    onError: (message: string) => void,
  ): Promise<Listener>;
  dial(spec: D, limits: DialLimits): Promise<Transport>;
  describe(spec: L | D | Extract<ListenerAddress, { kind: L["kind"] }>): string;
}

type Kinds = {
  readonly [K in EndpointKind]: Kind<Extract<ListenSpec, { kind: K }>, Extract<DialSpec, { kind: K }>>;
};

const KINDS: Kinds = {
  tcp: {
    listen: (spec, onTransport, onError) => listenTcp(spec.host, spec.port, onTransport, onError),
    dial: (spec, limits) => connectTcp(spec.host, spec.port, limits),
    describe: (spec) => hostPort(spec.host, spec.port),
  },
  tls: {
    listen: (spec, onTransport, onError) =>
      listenTls(spec.host, spec.port, spec.tls, spec.handshakeTimeoutMs, onTransport, onError),
    dial: (spec, limits) => connectTls(spec.host, spec.port, spec.tls, limits, spec.checkNodeName === true),
    describe: (spec) => `tls://${hostPort(spec.host, spec.port)}`,
  },
  unix: {
    listen: (spec, onTransport, onError) =>
      listenUnix(spec.path, spec.mode === undefined ? {} : { mode: spec.mode }, onTransport, onError),
    dial: (spec, limits) => connectUnix(spec.path, limits),
    describe: (spec) => `unix:${spec.path}`,
  },
};

/** Listens on `spec` and hands every accepted connection to `onTransport`; see the transport of its kind. */
export async function listenEndpoint(
  spec: ListenSpec,
  onTransport: (transport: Transport) => void,
  onError: (message: string) => void,
): Promise<Listener> {
  // The table is indexed by the spec's own kind, which the compiler cannot correlate: widen the entry.
  return (kindOf(spec) as Kind<ListenSpec, DialSpec>).listen(spec, onTransport, onError);
}

/** Connects to `spec`; rejects with a readable error when the connection cannot be made. */
export async function dialEndpoint(spec: DialSpec, limits: DialLimits): Promise<Transport> {
  return (kindOf(spec) as Kind<ListenSpec, DialSpec>).dial(spec, limits);
}

/**
 * The endpoint as messages show it: `127.0.0.1:7000`, `[::1]:7000`, `tls://127.0.0.1:7000`, `unix:/run/x.sock`.
 * Takes a listen or dial spec, or a listener's `address` (a Unix path is shown as given: a listener's is absolute).
 */
export function describeEndpoint(spec: ListenSpec | DialSpec | ListenerAddress): string {
  return (kindOf(spec) as Kind<ListenSpec, DialSpec>).describe(spec as ListenSpec);
}

/** The entry of `spec`'s kind; a spec from JavaScript or a configuration file may name a kind there is none of. */
function kindOf(spec: { readonly kind: string }): Kinds[EndpointKind] {
  const kind = (spec as { kind?: unknown } | null | undefined)?.kind;
  if (typeof kind !== "string" || !Object.hasOwn(KINDS, kind)) {
    throw new InvalidArgumentError(
      `unknown kind of endpoint ${JSON.stringify(kind)}: expected one of ${Object.keys(KINDS).join(", ")}`,
    );
  }
  return KINDS[kind as EndpointKind];
}

/** `host:port`, with an IPv6 address in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
