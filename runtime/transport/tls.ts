/**
 * TLS transport: the TCP transport over `tls` sockets, with server and client certificates as configured.
 */
import * as tls from "node:tls";
import type { AddressInfo } from "node:net";
import { describeSocketError } from "./errors.js";
import { SocketTransport } from "./tcp.js";
import type { Listener, Transport } from "./transport.js";

/** Connects with TLS; resolves once the TLS handshake is done and the server's certificate verified. */
export function connectTls(host: string, port: number, options: tls.ConnectionOptions): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const remote = `${host}:${port}`;
    const socket = tls.connect({ ...options, host, port });
    const onError = (err: Error & { code?: string }): void => {
      socket.destroy();
      reject(new Error(`TLS: ${describeSocketError(err, remote)}`, { cause: err }));
    };
    socket.once("error", onError);
    socket.once("secureConnect", () => {
      socket.off("error", onError);
      resolve(new SocketTransport(socket, remote));
    });
  });
}

/** Listens with TLS; connections reach `onTransport` after their TLS handshake (and client certificate check). */
export function listenTls(
  host: string,
  port: number,
  options: tls.TlsOptions,
  handshakeTimeoutMs: number,
  onTransport: (transport: Transport) => void,
  onError: (message: string) => void,
): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = tls.createServer({ handshakeTimeout: handshakeTimeoutMs, ...options }, (socket) =>
      onTransport(new SocketTransport(socket, `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`)),
    );
    // A client that fails the TLS handshake (no or a bad certificate) is refused here; say so, keep serving.
    server.on("tlsClientError", (err: Error & { code?: string }, socket: tls.TLSSocket) =>
      onError(
        `TLS handshake with ${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"} failed: ${err.message}`,
      ),
    );
    server.once("error", (err: Error & { code?: string }) =>
      reject(new Error(describeSocketError(err, `${host}:${port}`), { cause: err })),
    );
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      server.on("error", (err: Error & { code?: string }) =>
        onError(describeSocketError(err, `${host}:${port}`)),
      );
      const address = server.address() as AddressInfo;
      resolve({
        host: address.address,
        port: address.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
