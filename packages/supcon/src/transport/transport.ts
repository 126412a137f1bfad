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

/** A listening endpoint. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting; connections already accepted are not affected. */
  close(): Promise<void>;
}
