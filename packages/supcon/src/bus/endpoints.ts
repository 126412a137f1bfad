/**
 * Endpoints: the node's listeners and dial loops, for every kind of transport. A listener hands each accepted
 * connection to the link set; a `connect()` keeps one link to its endpoint up, reconnecting with backoff, and can
 * be awaited until that link first opens.
 *
 * Handshake slots (`maxHandshakingLinks`) are shared between remote addresses: the accepted connections still in
 * their handshake are counted per address, and when every slot is taken a new connection takes the slot of the
 * oldest one of the address that holds the most. So a flood from one address sheds its own connections, not those
 * of others, and a newcomer from the same address still gets a slot for as long as the flood takes to fill them.
 */
import { ErrorCode, RemoteError } from "../base/errors.js";
import type { BackoffOptions } from "../link/backoff.js";
import { Dialer } from "../link/dialer.js";
import type { Link } from "../link/link.js";
import type { LinkError } from "../link/peer-link.js";
import type { DialLimits } from "../transport/tcp.js";
import type { Listener, Transport } from "../transport/transport.js";
import type { NodeStatus } from "./status.js";

/** The transports, by the kind of endpoint a spec names (`transport/endpoints.ts`; fakes in tests). */
export interface Transports<ListenSpec, DialSpec> {
  listen(
    spec: ListenSpec,
    accept: (transport: Transport) => void,
    onError: (message: string) => void,
  ): Promise<Listener>;
  dial(spec: DialSpec, limits: DialLimits): Promise<Transport>;
  describe(spec: ListenSpec | DialSpec): string;
}

/** What endpoints need from their node. */
export interface EndpointsHost {
  isClosed(): boolean;
  /** True when another connection in its handshake would be one too many (it is shed). */
  isFull(): boolean;
  /** Runs a link over `transport`; `opened` is called when its handshake completes. */
  attach(
    transport: Transport,
    role: "connector" | "acceptor",
    requireCertifiedName: boolean,
    opened?: () => void,
  ): { link: Link; closed: Promise<void> };
  status(status: NodeStatus): void;
  warn(message: string): void;
  /**
   * Logs a failure of `source` unless the one last logged for it was of the same kind (`StatusReports.failed()`);
   * true when logged.
   */
  failed(source: string, message: string): boolean;
  /** `source` works again; true when a failure of it had been logged (`StatusReports.succeeded()`). */
  succeeded(source: string): boolean;
}

export interface EndpointSettings {
  readonly self: string;
  readonly connectTimeoutMs: number;
  readonly maxHandshakingLinks: number;
  readonly backoff: BackoffOptions;
  /** How long `await connect()` waits for the first link before it rejects. */
  readonly readyTimeoutMs: number;
}

/** What a `connect()` is doing, for messages (`waitFor`'s timeout): its link's peer, or why it has none. */
export interface ConnectionState {
  /** The endpoint, as in messages (`127.0.0.1:7000`, `tls://127.0.0.1:7000`, `unix:/run/bus.sock`). */
  readonly endpoint: string;
  /** The node its link is open to; undefined while it has no open link. */
  readonly linkedTo: string | undefined;
  /** Why its last attempt failed or its last link closed, with the code when there is one; undefined if none did. */
  readonly lastFailure: string | undefined;
}

/** A link that is up: the handle `await node.connect(...)` resolves to. */
export interface LinkedConnection {
  /** The endpoint, as in messages (`127.0.0.1:7000`, `unix:/run/bus.sock`). */
  readonly endpoint: string;
  /** Stops reconnecting and closes the link. */
  close(): Promise<void>;
}

/**
 * A running `connect()`. `close()` stops reconnecting and closes its link. Awaiting it waits until the first link
 * is up; it rejects when that link is refused for good (a wrong secret, a name taken) or does not come up within
 * the node's `callTimeoutMs`. Reconnecting goes on either way until `close()`.
 */
export interface Connection extends LinkedConnection, PromiseLike<LinkedConnection> {}

/** Handshake refusals that retrying cannot mend: `await connect()` rejects with them at once. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.AuthFailed,
  ErrorCode.AuthRequired,
  ErrorCode.NameTaken,
  ErrorCode.InvalidName,
  ErrorCode.VersionMismatch,
  ErrorCode.PermissionDenied,
]);

/** An accepted connection in its handshake. */
interface Handshaking {
  readonly address: string;
  readonly transport: Transport;
  /** Order of acceptance: the oldest of an address gives way first. */
  readonly order: number;
  link: Link | undefined;
  /** Opened, closed or shed: it holds no slot. */
  done: boolean;
}

export class Endpoints<ListenSpec, DialSpec> {
  readonly #settings: EndpointSettings;
  readonly #host: EndpointsHost;
  readonly #transports: Transports<ListenSpec, DialSpec>;
  readonly #listeners: Listener[] = [];
  readonly #connections = new Set<DialedConnection>();
  /** Accepted connections in their handshake, by remote address, oldest first. */
  readonly #handshaking = new Map<string, Set<Handshaking>>();
  #accepted = 0;
  #order = 0;

  constructor(settings: EndpointSettings, host: EndpointsHost, transports: Transports<ListenSpec, DialSpec>) {
    this.#settings = settings;
    this.#host = host;
    this.#transports = transports;
  }

  /** Listens on `spec`; resolves with the listener once it is bound. */
  async listen(spec: ListenSpec, requireCertifiedName: boolean): Promise<Listener> {
    const host = this.#host;
    const accept = (transport: Transport): void => {
      if (host.isClosed()) {
        transport.destroy();
      } else if (host.isFull() && !this.#makeRoom(transport)) {
        // Every slot is held by this node's own connection attempts: nothing to shed but the newcomer.
        host.warn(
          `refused a connection from ${transport.remote}: ${this.#settings.maxHandshakingLinks} connections are already in their handshake (maxHandshakingLinks)`,
        );
        transport.destroy();
      } else {
        this.#attachAccepted(transport, requireCertifiedName);
      }
    };
    const listener = await this.#transports.listen(spec, accept, (message) => host.warn(message));
    if (host.isClosed()) {
      await listener.close();
      throw new RemoteError(ErrorCode.Closed, `node ${this.#settings.self} was closed while listening`);
    }
    this.#listeners.push(listener);
    return listener;
  }

  /** Accepted connections still in their handshake, from `address` (all of them when undefined). */
  handshaking(address?: string): number {
    return address === undefined ? this.#accepted : (this.#handshaking.get(address)?.size ?? 0);
  }

  #attachAccepted(transport: Transport, requireCertifiedName: boolean): void {
    const entry: Handshaking = {
      address: addressOf(transport.remote),
      transport,
      order: this.#order++,
      link: undefined,
      done: false,
    };
    const release = (): void => this.#release(entry);
    const { link, closed } = this.#host.attach(transport, "acceptor", requireCertifiedName, release);
    entry.link = link;
    if (entry.done) return;
    let held = this.#handshaking.get(entry.address);
    if (held === undefined) {
      held = new Set();
      this.#handshaking.set(entry.address, held);
    }
    held.add(entry);
    this.#accepted++;
    void closed.then(release);
  }

  #release(entry: Handshaking): void {
    if (entry.done) return;
    entry.done = true;
    const held = this.#handshaking.get(entry.address);
    if (held === undefined || !held.delete(entry)) return;
    this.#accepted--;
    if (held.size === 0) this.#handshaking.delete(entry.address);
  }

  /**
   * Every handshake slot is taken and `newcomer` wants one: closes the oldest accepted connection still in its
   * handshake of the address that holds the most (of those, the one holding its oldest longest). False when no
   * accepted connection holds a slot (this node's own connection attempts hold them all).
   */
  #makeRoom(newcomer: Transport): boolean {
    let victim: Handshaking | undefined;
    let most = 0;
    for (const held of this.#handshaking.values()) {
      const oldest = held.values().next().value as Handshaking;
      if (held.size > most || (held.size === most && victim !== undefined && oldest.order < victim.order)) {
        most = held.size;
        victim = oldest;
      }
    }
    if (victim === undefined) return false;
    this.#release(victim);
    // Closing it frees its slot at once (the link set counts it closed), destroying it frees its socket.
    victim.link?.close();
    victim.transport.destroy();
    this.#host.warn(
      `closed a connection from ${victim.transport.remote} still in its handshake to make room for one from ${newcomer.remote}: ${this.#settings.maxHandshakingLinks} connections are in their handshake (maxHandshakingLinks), ${most} of them from ${victim.address}`,
    );
    return true;
  }

  /** Connects to `spec` and keeps connecting; see `Connection`. */
  connect(spec: DialSpec, requireCertifiedName: boolean): Connection {
    const host = this.#host;
    const connection = new DialedConnection(
      this.#transports.describe(spec),
      this.#settings.readyTimeoutMs,
      host,
      () => {
        this.#connections.delete(connection);
      },
    );
    const endpoint = connection.endpoint;
    const dialer = new Dialer(
      {
        dial: (signal) => {
          host.status({ type: "connecting", endpoint });
          return this.#transports.dial(spec, { timeoutMs: this.#settings.connectTimeoutMs, signal });
        },
        run: async (transport) => {
          const { link, closed } = host.attach(transport, "connector", requireCertifiedName, () =>
            connection.up(),
          );
          connection.current = link;
          await closed;
          connection.current = undefined;
          const state = link.state;
          const opened = state.phase === "closed" && state.peer !== undefined;
          if (state.phase === "closed" && state.error !== undefined) {
            if (opened) connection.lost(state.error);
            else connection.refused(state.error);
          }
          return { opened };
        },
        failed: (error, attempt, retryInMs) => {
          connection.failed(error);
          host.status({ type: "connectFailed", endpoint, error, attempt, retryInMs });
        },
      },
      this.#settings.backoff,
    );
    connection.dialer = dialer;
    this.#connections.add(connection);
    return connection;
  }

  /** What each running `connect()` is doing, in the order they were made. */
  connections(): ConnectionState[] {
    return [...this.#connections].map((c) => c.describe());
  }

  /** Stops every listener and dial loop; resolves once they have ended (dial loops end when their links close). */
  close(): Promise<void> {
    const listeners = this.#listeners.splice(0).map((l) => l.close());
    const dialers = [...this.#connections].map((c) => c.stop());
    this.#connections.clear();
    return Promise.all([...listeners, ...dialers]).then(() => undefined);
  }
}

/** An error for messages: its code first when it has one (`supcon.AuthFailed: …`), else its message alone. */
function describeFailure(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("supcon.") && !error.message.startsWith(code)
    ? `${code}: ${error.message}`
    : error.message;
}

/** The address part of a remote endpoint (`10.0.0.2` of `10.0.0.2:50000`): what handshake slots are shared by. */
export function addressOf(remote: string): string {
  const colon = remote.lastIndexOf(":");
  return colon > 0 && /^\d+$/.test(remote.slice(colon + 1)) ? remote.slice(0, colon) : remote;
}

/**
 * The handle of one `connect()`: its dial loop, its current link, the first-link promise made on demand, and the
 * failures of its attempts, logged once each (again when they change, and after a link came up).
 */
class DialedConnection implements Connection {
  readonly endpoint: string;
  dialer: Dialer | undefined;
  current: Link | undefined;
  readonly #readyTimeoutMs: number;
  readonly #host: EndpointsHost;
  readonly #forget: () => void;
  #up = false;
  #lastFailure: Error | undefined;
  /** Attempts failed since the last link came up (or since the start). */
  #failedAttempts = 0;
  /** A refusal that retrying cannot mend, while no link has come up: awaits reject with it at once. */
  #finalRefusal: RemoteError | undefined;
  #closing: Promise<void> | undefined;
  /** Awaits waiting for the first link, each with its own deadline. */
  readonly #waiting = new Set<(error?: Error) => void>();

  constructor(endpoint: string, readyTimeoutMs: number, host: EndpointsHost, forget: () => void) {
    this.endpoint = endpoint;
    this.#readyTimeoutMs = readyTimeoutMs;
    this.#host = host;
    this.#forget = forget;
  }

  /** What the failures of this endpoint are logged under: one source per endpoint. */
  get #source(): string {
    return `connect ${this.endpoint}`;
  }

  then<R1 = LinkedConnection, R2 = never>(
    onfulfilled?: ((value: LinkedConnection) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const linked: LinkedConnection = { endpoint: this.endpoint, close: () => this.close() };
    return this.#whenReady()
      .then(() => linked)
      .then(onfulfilled, onrejected);
  }

  /**
   * The outcome of one await: made only when somebody awaits (nobody gets an unhandled rejection), and made anew
   * for each await, so that a later await sees the connection as it is then.
   */
  #whenReady(): Promise<void> {
    if (this.#up) return Promise.resolve();
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    if (this.#finalRefusal !== undefined) return Promise.reject(this.#finalRefusal);
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.#waiting.delete(settle);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(
        () =>
          settle(
            new RemoteError(
              ErrorCode.Timeout,
              `connect ${this.endpoint}: no link within ${this.#readyTimeoutMs} ms${this.#lastFailure ? ` (last failure: ${this.#lastFailure.message})` : ""}; still trying`,
            ),
          ),
        this.#readyTimeoutMs,
      );
      timer.unref();
      this.#waiting.add(settle);
    });
  }

  #settleAll(error?: Error): void {
    for (const settle of [...this.#waiting]) settle(error);
  }

  /** A link opened. */
  up(): void {
    this.#up = true;
    this.#lastFailure = undefined;
    this.#finalRefusal = undefined;
    if (this.#host.succeeded(this.#source)) {
      const peer = this.current?.peer ?? "its node";
      const attempts = this.#failedAttempts;
      const after = attempts === 0 ? "" : ` after ${attempts} failed attempt${attempts === 1 ? "" : "s"}`;
      this.#host.warn(`${this.#source}: linked to ${peer}${after}`);
    }
    this.#failedAttempts = 0;
    this.#settleAll();
  }

  /** An attempt failed before a link could be made. */
  failed(error: Error): void {
    this.#report(error);
  }

  /** A link that was open closed, with `error`: the node has logged it; it is the last failure from now on. */
  lost(error: LinkError): void {
    this.#lastFailure = error;
  }

  /** Logs the failure of an attempt, once for each kind of failure in a row (`StatusReports.failed()`). */
  #report(error: Error): void {
    this.#lastFailure = error;
    this.#failedAttempts++;
    this.#host.failed(
      this.#source,
      `${this.#source}: ${describeFailure(error)} (the node keeps trying; this is logged again when the failure changes)`,
    );
  }

  describe(): ConnectionState {
    const linkedTo = this.current?.state.phase === "open" ? this.current.peer : undefined;
    return {
      endpoint: this.endpoint,
      linkedTo,
      lastFailure: this.#lastFailure === undefined ? undefined : describeFailure(this.#lastFailure),
    };
  }

  /** A link was refused in its handshake. */
  refused(error: LinkError): void {
    this.#report(error);
    if (!this.#up && FINAL_REFUSALS.has(error.code)) {
      this.#finalRefusal = new RemoteError(error.code, `connect ${this.endpoint}: ${error.message}`);
      this.#settleAll(this.#finalRefusal);
    }
  }

  #closedError(): RemoteError {
    return new RemoteError(ErrorCode.Closed, `connect ${this.endpoint}: closed before a link came up`);
  }

  /** Stops the dial loop; resolves once it has ended (after the current link, closed by the node, is gone). */
  stop(): Promise<void> {
    this.#closing ??= this.dialer?.close() ?? Promise.resolve();
    this.#settleAll(this.#closedError());
    return this.#closing;
  }

  async close(): Promise<void> {
    this.#forget();
    // A later connect() to the same endpoint is a new story: its failures are told from the start.
    this.#host.succeeded(this.#source);
    const done = this.stop();
    this.current?.close();
    await done;
  }
}
