/**
 * TLS transport: the TCP transport over `tls` sockets, with server and client certificates as configured.
 */
import * as tls from "node:tls";
import type { DialLimits } from "./tcp.js";
import { SocketTransport, startListening, whenReady } from "./tcp.js";
import type { TcpListener, Transport } from "./transport.js";

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

/** Listens with TLS; connections reach `onTransport` after their TLS handshake (and client certificate check). */
export function listenTls(
  host: string,
  port: number,
  options: tls.TlsOptions,
  handshakeTimeoutMs: number,
  onTransport: (transport: Transport) => void,
  onError: (message: string) => void,
): Promise<TcpListener> {
  const server = tls.createServer({ handshakeTimeout: handshakeTimeoutMs, ...options }, (socket) =>
    onTransport(new SocketTransport(socket, `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`)),
  );
  // A client that fails the TLS handshake (no or a bad certificate) is refused here; say so, keep serving.
  server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) =>
    onError(
      `TLS handshake with ${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"} failed: ${err.message}`,
    ),
  );
  return startListening(server, host, port, onError, "tls");
}
