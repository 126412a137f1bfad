/**
 * TLS transport: the TCP transport over `tls` sockets, with server and client certificates as configured.
 */
import type * as net from "node:net";
import * as tls from "node:tls";
import type { DialLimits } from "./tcp.js";
import { SocketTransport, startListening, whenReady } from "./tcp.js";
import type { TcpListener, Transport, TransportHandlers } from "./transport.js";

/** Connects with TLS; resolves once the TLS handshake is done and the server's certificate verified. */
export function connectTls(
  host: string,
  port: number,
  options: tls.ConnectionOptions,
  limits: DialLimits,
): Promise<Transport> {
  return whenReady(
    tls.connect({ ...options, host, port }),
    "secureConnect",
    `${host}:${port}`,
    "TLS: ",
    limits,
  );
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
    else onError(`TLS handshake with ${remoteOf(socket)} failed: ${err.message}`);
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
    this.#error = new Error(`TLS handshake failed: ${err.message}`, { cause: err });
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
