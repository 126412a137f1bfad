/**
 * A transport moves bytes between two processes; it knows nothing of frames or messages.
 *
 * Reading is push-based (a `data` callback per chunk) rather than an async iterator: the read path runs once per
 * socket chunk for every call and event on the bus, and a promise per chunk costs measurably there.
 */
export interface Transport {
  /** Where the other end is, for messages (`127.0.0.1:7000`). */
  readonly remote: string;
  /** Bytes written but not yet handed to the operating system. */
  readonly queuedBytes: number;
  readonly isClosed: boolean;
  /** True when the bytes travel inside TLS (messages about a peer that speaks TLS, or not, depend on it). */
  readonly encrypted?: boolean;
  /**
   * Names the peer proved with a verified TLS certificate (its common name and DNS subject alternative names);
   * empty for plain TCP or an unverified certificate.
   */
  identity(): readonly string[];
  /** Installs the callbacks; chunks that arrive before are kept until then. */
  setHandlers(handlers: TransportHandlers): void;
  /** Queues bytes for sending. Returns false when the OS buffer is full (wait for `drain`). */
  write(data: Uint8Array): boolean;
  /** Flushes what is queued, then closes. */
  close(): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
}

export interface TransportHandlers {
  data(chunk: Uint8Array): void;
  /** Called once, when the transport has closed; `error` says why when it was not a clean close. */
  close(error: Error | undefined): void;
  drain(): void;
}

/** Where a TCP listener is bound: the address and the port actually bound (not 0). */
export interface TcpAddress {
  readonly kind: "tcp";
  readonly host: string;
  readonly port: number;
}

/** Where a TLS listener is bound: the address and the port actually bound (not 0). */
export interface TlsAddress {
  readonly kind: "tls";
  readonly host: string;
  readonly port: number;
}

/** Where a Unix domain socket listener is bound: the absolute path of its socket file. */
export interface UnixAddress {
  readonly kind: "unix";
  readonly path: string;
}

/** What a listener is bound to, one member per kind of endpoint; `kind` tells them apart. */
export type ListenerAddress = TcpAddress | TlsAddress | UnixAddress;

/** A listening endpoint. */
export interface Listener {
  /** What it is bound to; read this. */
  readonly address: ListenerAddress;
  /**
   * TCP and TLS: `address.host`. Unix: `address.path`. Kept until the node reads `address`, then to go.
   * @deprecated read `address`.
   */
  readonly host: string;
  /**
   * TCP and TLS: `address.port`. Unix: 0. Kept until the node reads `address`, then to go.
   * @deprecated read `address`.
   */
  readonly port: number;
  /** Stops accepting; connections already accepted are not affected. */
  close(): Promise<void>;
}

/** A TCP or TLS listener. */
export interface TcpListener extends Listener {
  readonly address: TcpAddress | TlsAddress;
}
