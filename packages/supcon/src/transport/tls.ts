/**
 * TLS transport: the TCP transport over `tls` sockets, with server and client certificates as configured.
 */
import type * as net from "node:net";
import * as tls from "node:tls";
import type { DialLimits } from "./tcp.js";
import { SocketTransport, startListening, whenReady } from "./tcp.js";
import type { TcpListener, Transport, TransportHandlers } from "./transport.js";

/**
 * Connects with TLS; resolves once the TLS handshake is done and the server's certificate verified. With
 * `checkNodeName` (the link then requires the node name the peer gives to be in its certificate), see
 * `dialTlsOptions()`. A failure says what to do where it can tell (a plain listener, a certificate for another name).
 */
export function connectTls(
  host: string,
  port: number,
  options: tls.ConnectionOptions,
  limits: DialLimits,
  checkNodeName = false,
): Promise<Transport> {
  return whenReady(
    tls.connect({ ...dialTlsOptions(options, checkNodeName), host, port }),
    "secureConnect",
    `${host}:${port}`,
    "TLS: ",
    limits,
  ).catch((err: Error) => {
    // Node ends a host-name mismatch with the list of names, which is empty for an IP address: drop a bare colon.
    throw new Error(`${err.message.replace(/:\s*$/, "")}${dialHint(err.cause)}`, { cause: err.cause });
  });
}

/**
 * The options of `tls.connect` for a dial. With `checkNodeName`, and neither `servername` nor `checkServerIdentity`
 * given, the node name is the identity: the certificate is not checked against the host connected to (an address,
 * usually, that certificates named after nodes do not list: `IP: 127.0.0.1 is not in the cert's list`) but, once
 * the peer has said its node name in its HELLO, against that name (`Link`, `requireCertifiedName`). Its chain is
 * verified against `ca` as always. A `servername` given is checked by Node as usual (and sent as SNI).
 */
export function dialTlsOptions(
  options: tls.ConnectionOptions,
  checkNodeName: boolean,
): tls.ConnectionOptions {
  if (!checkNodeName || options.servername !== undefined || options.checkServerIdentity !== undefined) {
    return options;
  }
  return { ...options, checkServerIdentity: () => undefined };
}

/** Certificate errors of a dial that mean: the peer's certificate was issued by a CA that `ca` does not hold. */
const UNTRUSTED_CHAIN: ReadonlySet<string> = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

/** What to do about a failed TLS dial, after its description, when the error says (`cause`: Node's error). */
function dialHint(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  // Certificates named after nodes list no address: the usual mistake with a node-name PKI.
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return "; the certificate does not name the host connected to: with tls.checkNodeName: true it is checked against the node name the peer gives instead, or set tls.servername to a name it has";
  }
  // A plain listener reads the ClientHello as an oversized frame and drops the connection.
  if (code === "ECONNRESET" || code === "EPIPE") {
    return "; the peer closed the connection in the TLS handshake: if it listens without TLS, connect without tls (it reports that the peer speaks TLS), or its certificate checks refused this node's";
  }
  if (typeof code === "string" && UNTRUSTED_CHAIN.has(code)) {
    return `; the peer's certificate is not issued by a CA of tls.ca (${code}): give tls.ca the CA that signed it`;
  }
  return "";
}

/** Why the TLS handshake of an accepted connection failed, with what to do where the error tells. */
function acceptFailure(err: Error & { code?: unknown }): string {
  // The first bytes were no TLS record: a node that connected without tls (its HELLO), or something else. OpenSSL's
  // own words (with its source file) say less than the code.
  if (err.code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return "the peer does not speak TLS, and this listener expected TLS (ERR_SSL_WRONG_VERSION_NUMBER): a node that connects without tls sends this; connect with tls there, or listen without it here";
  }
  if (err.code === "ERR_SSL_HTTP_REQUEST") return "the peer speaks HTTP, not TLS (ERR_SSL_HTTP_REQUEST)";
  if (err.code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE") {
    return "the peer sent no certificate, and this listener requires one (requestCert): give the connecting node tls.key and tls.cert, issued by a CA of this listener's tls.ca";
  }
  return err.message.trim();
}

/**
 * Listens with TLS. Every connection reaches `onTransport` as soon as it is accepted, before its TLS handshake:
 * so it holds one of the node's handshake slots (`maxHandshakingLinks`) and its handshake timer
 * (`handshakeTimeoutMs`) runs from then on, TLS included; a connection that never starts TLS is closed like one
 * that never says HELLO. Its data flows once the TLS handshake (and client certificate check) is done; one that
 * fails closes the transport with the reason.
 */
export function listenTls(
  host: string,
  port: number,
  options: tls.TlsOptions,
  handshakeTimeoutMs: number,
  onTransport: (transport: Transport) => void,
  onError: (message: string) => void,
): Promise<TcpListener> {
  /** Connections accepted whose TLS handshake is not done, by remote `address:port` (unique while connected). */
  const pending = new Map<string, TlsServerTransport>();
  const server = tls.createServer({ handshakeTimeout: handshakeTimeoutMs, ...options }, (socket) => {
    const key = remoteOf(socket);
    const transport = pending.get(key);
    pending.delete(key);
    // Refused at accept, or gone since: nobody waits for it.
    if (transport === undefined) socket.destroy();
    else transport.secured(socket);
  });
  // Emitted with the TCP socket, after the TLS server has wrapped it.
  server.on("connection", (raw: net.Socket) => {
    const key = remoteOf(raw);
    if (raw.remoteAddress === undefined || pending.has(key)) {
      raw.destroy(); // reset before it was accepted
      return;
    }
    const transport = new TlsServerTransport(raw, key);
    pending.set(key, transport);
    raw.once("close", () => {
      if (pending.get(key) === transport) pending.delete(key);
    });
    onTransport(transport);
  });
  // A client that fails the TLS handshake (no or a bad certificate, or none within handshakeTimeoutMs). With a
  // listener here Node leaves the socket open: close it. Its transport closes with the reason, which its link
  // reports; when the connection has closed already (a client that hangs up on a refused certificate), say why here.
  server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
    const transport = pending.get(remoteOf(socket));
    if (transport !== undefined) transport.failed(err);
    else onError(`TLS handshake with ${remoteOf(socket)} failed: ${acceptFailure(err)}`);
    socket.destroy();
  });
  return startListening(server, host, port, onError, "tls");
}

function remoteOf(socket: net.Socket): string {
  return `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
}

/**
 * An accepted TLS connection, from before its TLS handshake: a TCP socket until then (nothing to read; what is
 * written waits), the TLS socket's transport after.
 */
class TlsServerTransport implements Transport {
  readonly remote: string;
  readonly encrypted = true;
  readonly #raw: net.Socket;
  #secure: SocketTransport | undefined;
  #handlers: TransportHandlers | undefined;
  #closed = false;
  #error: Error | undefined;
  /** Written before the TLS handshake is done: sent once it is. */
  #queued: Uint8Array[] = [];
  #queuedBytes = 0;

  constructor(raw: net.Socket, remote: string) {
    this.#raw = raw;
    this.remote = remote;
    raw.on("error", (err: Error) => {
      this.#error ??= new Error(`TLS: ${remote}: ${err.message}`, { cause: err });
    });
    raw.once("close", () => {
      // Once secured, the TLS socket's transport reports its close.
      if (this.#secure !== undefined) return;
      this.#closed = true;
      this.#dropQueued();
      this.#handlers?.close(this.#error);
    });
  }

  /** The TLS handshake is done: from now on this is the TLS socket's transport. */
  secured(socket: tls.TLSSocket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const secure = new SocketTransport(socket, this.remote);
    this.#secure = secure;
    for (const data of this.#queued) secure.write(data);
    this.#dropQueued();
    if (this.#handlers !== undefined) secure.setHandlers(this.#handlers);
  }

  /** The TLS handshake failed: the reason the transport closes with. */
  failed(err: Error): void {
    this.#error = new Error(`TLS handshake failed: ${acceptFailure(err)}`, { cause: err });
  }

  get queuedBytes(): number {
    return this.#secure?.queuedBytes ?? this.#queuedBytes;
  }

  get isClosed(): boolean {
    return this.#secure?.isClosed ?? this.#closed;
  }

  identity(): readonly string[] {
    return this.#secure?.identity() ?? [];
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    if (this.#secure !== undefined) this.#secure.setHandlers(handlers);
    else if (this.#closed) handlers.close(this.#error);
  }

  write(data: Uint8Array): boolean {
    if (this.#secure !== undefined) return this.#secure.write(data);
    if (this.#closed) return false;
    // Kept as given, as a socket keeps what it is given to write.
    this.#queued.push(data);
    this.#queuedBytes += data.length;
    return true;
  }

  /** Before the TLS handshake is done nothing can be flushed: closing then drops what waits. */
  close(): void {
    if (this.#secure !== undefined) this.#secure.close();
    else this.#raw.destroy();
  }

  destroy(): void {
    if (this.#secure !== undefined) this.#secure.destroy();
    else this.#raw.destroy();
  }

  #dropQueued(): void {
    this.#queued = [];
    this.#queuedBytes = 0;
  }
}
