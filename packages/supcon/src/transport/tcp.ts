/**
 * TCP transport: `net` sockets with Nagle's algorithm off (the link layer coalesces writes itself).
 */
import * as net from "node:net";
import { TLSSocket } from "node:tls";
import { describeSocketError } from "./socket-errors.js";
import type { TcpListener, Transport, TransportHandlers } from "./transport.js";

/** TCP keep-alive probes start after this long idle; heartbeats detect dead peers sooner, this frees OS state. */
const KEEPALIVE_INITIAL_DELAY_MS = 30_000;

/**
 * A socket that has delivered this many bytes pauses until the event loop's next turn. Without it, a peer that
 * keeps its socket full is read up to 32 times (2 MiB) per turn before any other socket is, and everything the node
 * does for its other peers waits behind the handling of all of it. Each pause costs one `setImmediate()`, once per
 * 64 KiB read: nothing a link that carries less than megabytes a second ever notices.
 */
const READ_SLICE_BYTES = 64 * 1024;

/** A transport over a connected `net.Socket`, or a `tls.TLSSocket` (which is one). */
export class SocketTransport implements Transport {
  readonly remote: string;
  readonly encrypted: boolean;
  #socket: net.Socket;
  #handlers: TransportHandlers | undefined;
  #early: Uint8Array[] = [];
  #closed = false;
  #error: Error | undefined;
  /** Bytes delivered since the socket last paused (`READ_SLICE_BYTES`). */
  #sliceBytes = 0;
  readonly #resume = (): void => {
    this.#sliceBytes = 0;
    if (!this.#socket.destroyed) this.#socket.resume();
  };

  constructor(socket: net.Socket, remote: string) {
    this.#socket = socket;
    this.remote = remote;
    this.encrypted = socket instanceof TLSSocket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
    socket.on("data", (chunk: Buffer) => {
      if (this.#handlers === undefined) this.#early.push(chunk);
      else this.#handlers.data(chunk);
      this.#sliceBytes += chunk.length;
      if (this.#sliceBytes >= READ_SLICE_BYTES && !socket.isPaused()) {
        // Let the other sockets and timers have their turn; what this one has sent waits in the kernel meanwhile.
        socket.pause();
        setImmediate(this.#resume);
      }
    });
    socket.on("drain", () => this.#handlers?.drain());
    socket.on("error", (err: Error & { code?: string }) => {
      this.#error ??= new Error(describeSocketError(err, remote), { cause: err });
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#handlers?.close(this.#error);
    });
  }

  get queuedBytes(): number {
    return this.#socket.writableLength;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  identity(): readonly string[] {
    const socket = this.#socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return [];
    const cert = socket.getPeerCertificate();
    const names: string[] = [];
    const cn = cert.subject?.CN;
    if (typeof cn === "string") names.push(cn);
    for (const entry of (cert.subjectaltname ?? "").split(",")) {
      const m = /^\s*DNS:(.+?)\s*$/.exec(entry);
      if (m?.[1] !== undefined && !names.includes(m[1])) names.push(m[1]);
    }
    return names;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) handlers.data(chunk);
    if (this.#closed) handlers.close(this.#error);
  }

  write(data: Uint8Array): boolean {
    if (this.#closed || this.#socket.destroyed) return false;
    return this.#socket.write(data);
  }

  close(): void {
    if (!this.#socket.destroyed) this.#socket.end();
    // A peer that never reads would keep a half-closed socket forever; make sure it goes.
    setTimeout(() => this.#socket.destroy(), 2_000).unref();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Wraps an accepted or connected socket. */
export function createTcpTransport(socket: net.Socket): Transport {
  return new SocketTransport(socket, `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`);
}

/** How a connection attempt is bounded. */
export interface DialLimits {
  /** Give up after this many milliseconds (a host that drops SYNs would otherwise take minutes). */
  readonly timeoutMs: number;
  /** Aborting it gives up at once. */
  readonly signal: AbortSignal;
}

/** Connects to `host:port`; rejects with a readable error when the connection cannot be made. */
export function connectTcp(host: string, port: number, limits: DialLimits): Promise<Transport> {
  return whenReady(net.connect({ host, port }), "connect", `${host}:${port}`, "", limits);
}

/**
 * Resolves with a transport over `socket` once it emits `readyEvent` (`connect`, or `secureConnect` for TLS);
 * rejects with a readable error, prefixed with `prefix`, when it fails first.
 * @internal shared by the TCP and TLS transports.
 */
export function whenReady(
  socket: net.Socket,
  readyEvent: string,
  remote: string,
  prefix: string,
  limits: DialLimits,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      limits.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(error);
    };
    const onError = (err: Error & { code?: string }): void =>
      fail(new Error(`${prefix}${describeSocketError(err, remote)}`, { cause: err }));
    const onAbort = (): void =>
      fail(new Error(`${prefix}connection to ${remote} abandoned: the node is closing`));
    const timer = setTimeout(
      () => fail(new Error(`${prefix}connection to ${remote} timed out after ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    if (limits.signal.aborted) {
      onAbort();
      return;
    }
    limits.signal.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      limits.signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      resolve(new SocketTransport(socket, remote));
    });
  });
}

/** Listens on `host:port` (port 0: any free port) and hands every accepted connection to `onTransport`. */
export function listenTcp(
  host: string,
  port: number,
  onTransport: (transport: Transport) => void,
  onError: (message: string) => void,
): Promise<TcpListener> {
  return startListening(
    net.createServer((socket) => onTransport(createTcpTransport(socket))),
    host,
    port,
    onError,
  );
}

/**
 * Starts `server` on `host:port`; rejects when it cannot listen, and afterwards reports its errors to `onError`.
 * `kind` goes into the listener's `address`.
 * @internal shared by the TCP and TLS transports.
 */
export function startListening(
  server: net.Server,
  host: string,
  port: number,
  onError: (message: string) => void,
  kind: TcpListener["address"]["kind"] = "tcp",
): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    server.once("error", (err: Error & { code?: string }) =>
      reject(new Error(describeSocketError(err, `${host}:${port}`), { cause: err })),
    );
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      // Accept errors (EMFILE, ...) must not crash the process: report them and keep listening.
      server.on("error", (err: Error & { code?: string }) =>
        onError(describeSocketError(err, `${host}:${port}`)),
      );
      const address = server.address() as net.AddressInfo;
      resolve({
        address: { kind, host: address.address, port: address.port },
        host: address.address,
        port: address.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
