/**
 * `Node`: a named participant of the bus. This class is the public façade; the work is done by the modules of
 * `bus/` (see docs/ARCHITECTURE.md): endpoints and links, topology and routing, outgoing and served calls, events
 * and the object registry, each told by this class what the others need of it.
 */
import { didYouMean } from "../base/did-you-mean.js";
import { ErrorCode, InvalidArgumentError, RemoteError } from "../base/errors.js";
import { DEFAULT_MAX_HOPS } from "../base/limits.js";
import { NODE_NAME_MAX, isValidNodeName } from "../base/names.js";
import type { CallOptions, EventSource, Subscription } from "../base/types.js";
import type { Implementation } from "../dispatch/implementation.js";
import type { Listener } from "../dispatch/subscriptions.js";
import { Interface } from "../schema/interface.js";
import { NodeCore } from "../bus/core.js";
import type { Connection } from "../bus/endpoints.js";
import type { NodeStatus } from "../bus/status.js";
import type { BusView } from "../bus/topology.js";
import { listenedAddress, resolveConnect, resolveListen, transports } from "./endpoint-options.js";
import type {
  ConnectOptions,
  DialSpec,
  ListenAddress,
  ListenOptions,
  ListenSpec,
} from "./endpoint-options.js";
import { INTROSPECTION_PATH, NodeIntrospection } from "./introspection.js";
import type { NodeOptions, ResolvedNodeOptions, WaitForOptions } from "./options.js";
import { resolveNodeOptions, waitForOptionsError } from "./options.js";

export type { BusView, Connection };

/** Most nodes one node keeps adverts of: a bound on what peers can make it store. */
const MAX_KNOWN_NODES = 10_000;
/** How long the advert of a node that never became reachable is kept (it may be ahead of the link that will). */
const ADVERT_GRACE_MS = 30_000;
const SWEEP_MS = 5_000;
/** Most nodes `waitFor`'s timeout names (a did-you-mean looks at all of them). */
const NODES_NAMED = 10;

/**
 * A node of the bus.
 *
 * ```ts
 * const node = new Node("my-unique-server");
 * const { port } = await node.listen({ port: 7000 });
 * node.register("/myTimer", impl);
 * ```
 */
export class Node {
  /** The node's name, unique on the bus. */
  readonly name: string;
  readonly #options: ResolvedNodeOptions;
  readonly #core: NodeCore<ListenSpec, DialSpec>;
  readonly #introspection: NodeIntrospection;
  readonly #sweepTimer: NodeJS.Timeout;
  #closing: Promise<void> | undefined;

  constructor(name: string, options: NodeOptions = {}) {
    if (!isValidNodeName(name)) {
      throw new InvalidArgumentError(
        `Node: name must be a non-empty string of at most ${NODE_NAME_MAX} printable characters, got ${JSON.stringify(name)}`,
      );
    }
    this.name = name;
    this.#options = resolveNodeOptions(options);
    const core = (this.#core = new NodeCore(
      name,
      this.#options,
      { maxKnownNodes: MAX_KNOWN_NODES, advertGraceMs: ADVERT_GRACE_MS, maxHops: DEFAULT_MAX_HOPS },
      transports,
    ));
    this.#sweepTimer = setInterval(() => core.sweep(), SWEEP_MS);
    this.#sweepTimer.unref();
    this.#introspection = new NodeIntrospection({ name, objects: () => core.registry.objects });
    core.registry.register(INTROSPECTION_PATH, this.#introspection, true);
    core.topology.advertise();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Endpoints

  /**
   * Listens for other nodes: on TCP (`{ host, port }`, port 0 picks a free port), with TLS (`tls`), or on a Unix
   * domain socket (`{ path }`). Resolves with the address actually bound.
   */
  listen(options: { readonly path: string; readonly mode?: number }): Promise<{ path: string }>;
  listen(options?: ListenOptions): Promise<{ host: string; port: number }>;
  async listen(options: ListenOptions = {}): Promise<ListenAddress> {
    this.#assertOpen("listen");
    const { spec, requireCertifiedName } = resolveListen(options, this.#options.handshakeTimeoutMs);
    const listener = await this.#core.endpoints.listen(spec, requireCertifiedName);
    const address = listenedAddress(listener);
    this.#core.status.emit({ type: "listening", ...address });
    return address;
  }

  /**
   * Connects to a node listening at `{ host, port }` (with `tls`: over TLS) or at a Unix socket `{ path }`, and
   * keeps connecting: when the connection cannot be made or is lost, the node tries again with exponential backoff
   * and jitter until the returned handle or the node is closed. `await` it to wait for the first link.
   */
  connect(options: ConnectOptions): Connection {
    this.#assertOpen("connect");
    const { spec, requireCertifiedName } = resolveConnect(options);
    return this.#core.endpoints.connect(spec, requireCertifiedName);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Objects

  /**
   * Registers `impl` under `path` (`/myTimer`). A path can carry several interfaces, each implemented once.
   * @throws InvalidArgumentError for a malformed path or an interface already registered there.
   */
  register(path: string, impl: Implementation<object>): void {
    this.#assertOpen("register");
    this.#core.registry.register(path, impl);
    this.#core.topology.advertise();
    this.#core.status.emit({ type: "registered", node: this.name, path, intf: impl.intf.name });
    this.#introspection.fire("registered", { path, intf: impl.intf.name });
  }

  /**
   * Unregisters what is registered under `path`: only interface `intf` when given, else everything there.
   * Returns false when nothing was registered.
   */
  unregister(path: string, intf?: string): boolean {
    const removed = this.#core.registry.unregister(path, intf);
    if (removed.length === 0) return false;
    if (!this.#core.closed) this.#core.topology.advertise();
    for (const name of removed) {
      this.#core.status.emit({ type: "unregistered", node: this.name, path, intf: name });
      this.#introspection.fire("unregistered", { path, intf: name });
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Calls and events

  /**
   * Calls `method` of interface `intf` on object `path` of node `node`, with the in-args object `args`; resolves to
   * the out-args object. Given an `Interface` rather than its name, the arguments are checked before sending.
   * Fails with a `RemoteError` whose `code` names the cause (`supcon.UnknownNode`, `supcon.Timeout`, …).
   */
  call(
    node: string,
    path: string,
    intf: string | Interface,
    method: string,
    args?: object,
    options?: CallOptions,
  ): Promise<unknown> {
    return this.#core.calls.call(node, path, intf, method, args, options).then(undefined, remadeHere);
  }

  /**
   * Subscribes `cb` to event `event` of interface `intf` on object `path` of node `node`. The subscription holds
   * across reconnection, and a node that is not on the bus yet is subscribed to when it appears. `cb` receives the
   * event's args object (`Record<string, unknown>` unless `cb` declares its parameter's type, e.g. a generated
   * `TimerTimeoutEvent`; only a generated client checks that the type is the event's).
   */
  on<A = Record<string, unknown>>(
    node: string,
    path: string,
    intf: string | Interface,
    event: string,
    cb: (args: A, source: EventSource) => void,
  ): Subscription {
    this.#assertOpen("on");
    if (typeof cb !== "function") throw new InvalidArgumentError("on: cb must be a function");
    if (intf instanceof Interface && intf.event(event) === undefined) {
      const names = (intf.description.events ?? []).map((e) => e.name);
      throw new InvalidArgumentError(`on: ${intf.name} has no event '${event}'${didYouMean(event, names)}`);
    }
    const intfName = typeof intf === "string" ? intf : intf.name;
    this.#core.events.on(node, path, intfName, event, cb);
    let active = true;
    return {
      off: () => {
        if (!active) return;
        active = false;
        this.#core.events.off(node, path, intfName, event, cb);
      },
    };
  }

  /** Removes a listener added with `on` (same arguments). */
  off(node: string, path: string, intf: string | Interface, event: string, cb: Listener): void {
    this.#core.events.off(node, path, typeof intf === "string" ? intf : intf.name, event, cb);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The bus

  /** The bus as this node sees it: every reachable node (this one included) → path → interface names. */
  nodes(): BusView {
    return this.#core.topology.view();
  }

  /**
   * Resolves once `node` is on the bus (and, with `path`, has an object there; with `intf` too, one implementing
   * it). Rejects with `supcon.Timeout` after `timeoutMs`, saying what this node sees: the nodes on the bus (or
   * what the node has, when it is there without the object), and each `connect()` with its peer or its last
   * failure (`connection to 127.0.0.1:7001 refused (ECONNREFUSED)`, `supcon.AuthFailed: …`).
   */
  waitFor(node: string, options: WaitForOptions = {}): Promise<void> {
    const misuse = waitForOptionsError(options);
    if (misuse !== undefined) return Promise.reject(misuse);
    const { path, intf } = options;
    const ready = (): boolean => this.#core.topology.has(node, path, intf);
    if (ready()) return Promise.resolve();
    if (this.#core.closed)
      return Promise.reject(new RemoteError(ErrorCode.Closed, `node ${this.name} is closed`));
    const timeoutMs = options.timeoutMs ?? this.#options.callTimeoutMs;
    const what = `${node}${path === undefined ? "" : `:${path}`}${intf === undefined ? "" : ` ${intf}`}`;
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: RemoteError): void => {
        clearTimeout(timer);
        off();
        options.signal?.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const off = this.#core.status.listen((status) => {
        if (status.type === "closed") finish(new RemoteError(ErrorCode.Closed, `node ${this.name} closed`));
        else if (ready()) finish();
      });
      const onAbort = (): void =>
        finish(new RemoteError(ErrorCode.Cancelled, `waiting for ${what} was cancelled`));
      const timer = setTimeout(
        () =>
          finish(
            new RemoteError(
              ErrorCode.Timeout,
              `${what} did not appear within ${timeoutMs} ms${this.#whyAbsent(node, path, intf)}`,
            ),
          ),
        timeoutMs,
      );
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Observes the node: links up and down, nodes appearing and vanishing, objects registered and unregistered.
   * Returns a subscription whose `off()` stops the callback.
   */
  onStatus(cb: (status: NodeStatus) => void): Subscription {
    const off = this.#core.status.listen((status) => cb(status));
    return { off };
  }

  /** Links currently open to other nodes, by peer name (for diagnostics and tests). */
  links(): { peer: string; remote: string }[] {
    return this.#core.links.describe();
  }

  /**
   * Closes the node: stops listening and reconnecting, lets calls being served finish (up to `closeDrainMs`),
   * fails its own calls in flight with `supcon.Closed`, says goodbye to its peers and releases every socket and
   * timer. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    await this.#core.close();
  }

  /**
   * For `waitFor`'s timeout: what this node sees that may tell why `node` (with `path` and `intf`) is not there:
   * the node without that object, a name close to it, and each `connect()` with its peer or its last failure.
   */
  #whyAbsent(node: string, path: string | undefined, intf: string | undefined): string {
    const view = this.#core.topology.view();
    const objects = view[node];
    const parts: string[] = [];
    if (objects !== undefined) {
      const wanted = `${path ?? "an object"}${intf === undefined ? "" : ` implementing ${intf}`}`;
      const held = Object.entries(objects).map(([p, intfs]) => `${p} (${intfs.join(", ")})`);
      parts.push(`${node} is on the bus without ${wanted}; it has ${held.join(", ")}`);
    } else {
      const others = Object.keys(view).filter((n) => n !== this.name);
      const shown = others.slice(0, NODES_NAMED);
      const more = others.length > shown.length ? `, and ${others.length - shown.length} more` : "";
      parts.push(
        others.length === 0
          ? "no other node is on the bus"
          : `on the bus: ${shown.join(", ")}${more}${didYouMean(node, others)}`,
      );
    }
    const connections = this.#core.endpoints.connections();
    for (const c of connections) {
      const state =
        c.linkedTo !== undefined
          ? `linked to ${c.linkedTo}`
          : (c.lastFailure ?? "no link yet, no failure either (still connecting)");
      parts.push(`connect ${c.endpoint}: ${state}`);
    }
    if (connections.length === 0 && this.#core.links.describe().length === 0) {
      parts.push(`this node has no link: connect() it to a node of the bus, or have one connect to it`);
    }
    return `; ${parts.join("; ")}`;
  }

  #assertOpen(what: string): void {
    if (this.#core.closed) throw new RemoteError(ErrorCode.Closed, `${what}: node ${this.name} is closed`);
  }
}

/** The error was made in a socket or timer callback; one made here carries the async stack of the caller. */
function remadeHere(err: unknown): never {
  throw err instanceof RemoteError
    ? new RemoteError(err.code, err.rawMessage, { data: err.data, cause: err.cause })
    : err;
}
