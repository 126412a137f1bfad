/**
 * `Node`: a named participant of the bus. It listens and connects, keeps its links alive, routes messages over
 * the node graph, serves the objects registered on it and makes calls and subscriptions to others.
 */
import { randomBytes } from "node:crypto";
import { Dialer } from "../link/dialer.js";
import type { LinkError, Refusal, RoutedMessage } from "../link/link.js";
import { Link } from "../link/link.js";
import { RoutingTable } from "../routing/table.js";
import type { Advert } from "../routing/table.js";
import type { Listener as TransportListener, Transport } from "../transport/transport.js";
import { connectTcp, listenTcp } from "../transport/tcp.js";
import { connectTls, listenTls } from "../transport/tls.js";
import { callScope } from "../dispatch/call-scope.js";
import { PendingCalls, describeCall } from "../dispatch/pending-calls.js";
import { RelayedCalls } from "../dispatch/relayed-calls.js";
import { ServedCalls, unknownMethodError } from "../dispatch/served-calls.js";
import type { Listener } from "../dispatch/subscriptions.js";
import { Subscribers, Subscriptions } from "../dispatch/subscriptions.js";
import type { CallMessage, EventMessage, Message, SubscribeMessage } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import { packPayload } from "../wire/codec.js";
import { didYouMean } from "../base/did-you-mean.js";
import { ErrorCode, InvalidArgumentError, RemoteError, wireFailure } from "../base/errors.js";
import type { Implementation, ImplementationHost } from "../dispatch/implementation.js";
import { Interface } from "../schema/interface.js";
import { kAttach, kDetach } from "../base/internal.js";
import { INTROSPECTION_PATH, NodeIntrospection } from "./introspection.js";
import type { AccessCheck } from "../dispatch/policy.js";
import { compilePolicy } from "../dispatch/policy.js";
import type {
  ConnectOptions,
  ListenOptions,
  NodeOptions,
  ResolvedNodeOptions,
  WaitForOptions,
} from "./options.js";
import { DEFAULT_MAX_HOPS } from "../base/limits.js";
import { resolveNodeOptions } from "./options.js";
import type { NodeStatus } from "./status.js";
import type { CallOptions, EventSource, Subscription } from "../base/types.js";

/** The bus as one node sees it: node name → object path → interface names. */
export type BusView = Record<string, Record<string, string[]>>;

/** A running `connect()`; `close()` stops reconnecting and closes its link. */
export interface Connection {
  close(): Promise<void>;
}

/** A message with a destination node. */
type AddressedMessage = Exclude<RoutedMessage, { type: typeof MessageType.Advert }>;

const NODE_NAME_MAX = 255;
/** Most nodes one node keeps adverts of: a bound on what peers can make it store. */
const MAX_KNOWN_NODES = 10_000;
/** How long the advert of a node that never became reachable is kept (it may be ahead of the link that will). */
const ADVERT_GRACE_MS = 30_000;
const SWEEP_MS = 5_000;

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
  readonly #instance = randomBytes(8).toString("hex");
  readonly #table: RoutingTable;
  readonly #links = new Map<string, Link[]>();
  readonly #allLinks = new Set<Link>();
  readonly #linkClosed = new Map<Link, Promise<void>>();
  readonly #objects = new Map<string, Map<string, Implementation<object>>>();
  readonly #pending = new PendingCalls((dst, id) => this.#cancelRemote(dst, id));
  readonly #served: ServedCalls;
  readonly #allowed: AccessCheck;
  readonly #relayed = new RelayedCalls();
  readonly #subscriptions = new Subscriptions();
  readonly #subscribers = new Subscribers();
  /** Last event sequence number sent to each node. */
  readonly #seqOut = new Map<string, number>();
  /** Last event sequence number received from each node. */
  readonly #seqIn = new Map<string, number>();
  readonly #listeners: TransportListener[] = [];
  readonly #dialers = new Set<Dialer>();
  readonly #statusListeners = new Set<(status: NodeStatus) => void>();
  readonly #host: ImplementationHost;
  readonly #sweepTimer: NodeJS.Timeout;
  readonly #introspection: NodeIntrospection;
  #advertSeq = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(name: string, options: NodeOptions = {}) {
    if (!isValidNodeName(name)) {
      throw new InvalidArgumentError(
        `Node: name must be a non-empty string of at most ${NODE_NAME_MAX} printable characters, got ${JSON.stringify(name)}`,
      );
    }
    this.name = name;
    this.#options = resolveNodeOptions(options);
    this.#table = new RoutingTable(name, MAX_KNOWN_NODES);
    this.#allowed = compilePolicy(this.#options.policy);
    this.#served = new ServedCalls({
      name,
      objects: this.#objects,
      allowed: this.#allowed,
      maxServingCalls: this.#options.maxServingCalls,
      closing: () => this.#closed,
      route: (reply) => this.#route(reply),
      replyLost: (call) => {
        // The caller is gone or its link is overloaded; it sees a ConnectionLost or a timeout on its side.
        if (this.#table.isKnown(call.src)) {
          this.#warn(`could not send the reply of ${call.intf}.${call.method} to ${call.src}`);
        }
      },
    });
    this.#host = { emitEvent: (path, intf, event, args) => this.#emitEvent(path, intf, event, args) };
    this.#sweepTimer = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#sweepTimer.unref();
    this.#introspection = new NodeIntrospection({ name, objects: () => this.#objects });
    this.register(INTROSPECTION_PATH, this.#introspection);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Endpoints

  /** Listens for other nodes. Resolves with the address actually bound (port 0 picks a free port). */
  async listen(options: ListenOptions = {}): Promise<{ host: string; port: number }> {
    this.#assertOpen("listen");
    const host = options.host ?? "127.0.0.1";
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidArgumentError(`listen: port must be an integer from 0 to 65535, got ${String(port)}`);
    }
    const onTransport = (transport: Transport): void => {
      if (this.#closed) {
        transport.destroy();
      } else if (this.#handshaking() >= this.#options.maxHandshakingLinks) {
        // Many connections that do not complete their handshake: a flood, or a misconfigured peer. Shed them.
        this.#warn(
          `refused a connection from ${transport.remote}: ${this.#options.maxHandshakingLinks} connections are already in their handshake (maxHandshakingLinks)`,
        );
        transport.destroy();
      } else {
        this.#createLink(transport, "acceptor", options.tls?.checkNodeName === true);
      }
    };
    const onError = (message: string): void => this.#warn(message);
    const listener =
      options.tls === undefined
        ? await listenTcp(host, port, onTransport, onError)
        : await listenTls(host, port, options.tls, this.#options.handshakeTimeoutMs, onTransport, onError);
    if (this.#closed) {
      await listener.close();
      throw new RemoteError(ErrorCode.Closed, `node ${this.name} was closed while listening`);
    }
    this.#listeners.push(listener);
    this.#emitStatus({ type: "listening", host: listener.host, port: listener.port });
    return { host: listener.host, port: listener.port };
  }

  /**
   * Connects to a node listening at `host:port`, and keeps connecting: when the connection cannot be made or is
   * lost, the node tries again with exponential backoff and jitter until the returned handle or the node is closed.
   */
  connect(options: ConnectOptions): Connection {
    this.#assertOpen("connect");
    const host = options.host ?? "127.0.0.1";
    const port = options.port;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new InvalidArgumentError(`connect: port must be an integer from 1 to 65535, got ${String(port)}`);
    }
    const endpoint = `${host}:${port}`;
    let current: Link | undefined;
    const dialer = new Dialer(
      {
        dial: (signal) => {
          this.#emitStatus({ type: "connecting", endpoint });
          const limits = { timeoutMs: this.#options.connectTimeoutMs, signal };
          return options.tls === undefined
            ? connectTcp(host, port, limits)
            : connectTls(host, port, options.tls, limits);
        },
        run: async (transport) => {
          const link = this.#createLink(transport, "connector", options.tls?.checkNodeName === true);
          current = link;
          let opened = false;
          const onOpen = (status: NodeStatus): void => {
            if (status.type === "linkUp" && status.link === link) opened = true;
          };
          this.#statusListeners.add(onOpen);
          await this.#linkClosed.get(link);
          this.#statusListeners.delete(onOpen);
          current = undefined;
          return { opened };
        },
        failed: (error, attempt, retryInMs) =>
          this.#emitStatus({ type: "connectFailed", endpoint, error, attempt, retryInMs }),
      },
      {
        minMs: this.#options.reconnectMinMs,
        maxMs: this.#options.reconnectMaxMs,
        jitter: this.#options.reconnectJitter,
      },
    );
    this.#dialers.add(dialer);
    return {
      close: async () => {
        this.#dialers.delete(dialer);
        const done = dialer.close();
        const link = current;
        if (link !== undefined) {
          link.close();
          await this.#linkClosed.get(link);
        }
        await done;
      },
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Objects

  /**
   * Registers `impl` under `path` (`/myTimer`). A path can carry several interfaces, each implemented once.
   * @throws InvalidArgumentError for a malformed path or an interface already registered there.
   */
  register(path: string, impl: Implementation<object>): void {
    this.#assertOpen("register");
    assertPath(path);
    if (typeof impl !== "object" || impl === null || typeof impl[kAttach] !== "function") {
      throw new InvalidArgumentError("register: impl must be an Implementation (or a generated server)");
    }
    let byIntf = this.#objects.get(path);
    if (byIntf === undefined) {
      byIntf = new Map();
      this.#objects.set(path, byIntf);
    }
    const intf = impl.intf.name;
    if (byIntf.has(intf)) {
      throw new InvalidArgumentError(
        `register: ${this.name}:${path} already has an implementation of ${intf}`,
      );
    }
    byIntf.set(intf, impl);
    impl[kAttach](this.#host, path);
    this.#advertise();
    this.#emitStatus({ type: "registered", node: this.name, path, intf });
    this.#introspection.fire("registered", { path, intf });
  }

  /**
   * Unregisters what is registered under `path`: only interface `intf` when given, else everything there.
   * Returns false when nothing was registered.
   */
  unregister(path: string, intf?: string): boolean {
    const byIntf = this.#objects.get(path);
    if (byIntf === undefined) return false;
    const names = (intf === undefined ? [...byIntf.keys()] : byIntf.has(intf) ? [intf] : []).filter(
      // The built-in introspection object stays as long as the node.
      (name) => byIntf.get(name) !== this.#introspection,
    );
    for (const name of names) {
      byIntf.get(name)?.[kDetach](this.#host, path);
      byIntf.delete(name);
    }
    if (byIntf.size === 0) this.#objects.delete(path);
    if (names.length === 0) return false;
    if (!this.#closed) this.#advertise();
    for (const name of names) {
      this.#emitStatus({ type: "unregistered", node: this.name, path, intf: name });
      this.#introspection.fire("unregistered", { path, intf: name });
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Calls

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
    return this.#call(node, path, intf, method, args, options).then(undefined, remadeHere);
  }

  #call(
    node: string,
    path: string,
    intf: string | Interface,
    method: string,
    args: object | undefined,
    options: CallOptions | undefined,
  ): Promise<unknown> {
    const intfName = typeof intf === "string" ? intf : intf.name;
    if (this.#closed)
      return Promise.reject(
        new RemoteError(
          ErrorCode.Closed,
          `${describeCall(node, path, intfName, method)}: node ${this.name} is closed`,
        ),
      );
    if (intf instanceof Interface) {
      const schema = intf.method(method);
      if (schema === undefined) {
        return Promise.reject(unknownMethodError(intf, method));
      }
      const problem = schema.validateIn(args);
      if (problem !== undefined) {
        return Promise.reject(
          new RemoteError(ErrorCode.InvalidArguments, `${intfName}.${method}: ${problem}`),
        );
      }
    }
    let timeoutMs = options?.timeoutMs ?? this.#options.callTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(
        new InvalidArgumentError(`call: timeoutMs must be a positive number, got ${timeoutMs}`),
      );
    }
    let signal = options?.signal;
    // Made while serving a call: inherit what is left of its deadline, and its cancellation.
    const scope = callScope.getStore();
    if (scope !== undefined) {
      const left = scope.deadline - Date.now();
      if (left <= 0) {
        return Promise.reject(
          new RemoteError(
            ErrorCode.Timeout,
            `${describeCall(node, path, intfName, method)}: the deadline of the call being served has passed`,
          ),
        );
      }
      timeoutMs = Math.min(timeoutMs, left);
      signal = signal === undefined ? scope.ctx.signal : AbortSignal.any([signal, scope.ctx.signal]);
    }
    if (signal?.aborted) {
      return Promise.reject(
        new RemoteError(
          ErrorCode.Cancelled,
          `${describeCall(node, path, intfName, method)}: cancelled before it was sent`,
          {
            cause: signal.reason,
          },
        ),
      );
    }
    if (this.#pending.size >= this.#options.maxPendingCalls) {
      return Promise.reject(
        new RemoteError(
          ErrorCode.Overloaded,
          `${describeCall(node, path, intfName, method)}: ${this.#pending.size} calls already in flight from ${this.name}`,
        ),
      );
    }
    let via: string;
    if (node === this.name) {
      via = this.name;
    } else {
      const next = this.#table.nextHop(node);
      if (next === undefined)
        return Promise.reject(this.#unknownNode(node, describeCall(node, path, intfName, method)));
      via = next;
    }
    const { id, promise } = this.#pending.add({
      dst: node,
      via,
      timeoutMs,
      path,
      intf: intfName,
      method,
      signal,
    });
    const message: CallMessage = {
      type: MessageType.Call,
      dst: node,
      src: this.name,
      hops: 0,
      id,
      path,
      intf: intfName,
      method,
      args: (args ?? null) as Record<string, unknown> | null,
      timeoutMs: Math.ceil(timeoutMs),
    };
    if (via === this.name) {
      this.#served.serve(message);
    } else {
      try {
        if (!this.#sendTo(via, message))
          this.#pending.reject(id, this.#sendFailure(via, describeCall(node, path, intfName, method)));
      } catch (err) {
        // The arguments cannot be encoded (too large, or not plain data): fail this call only.
        this.#pending.reject(
          id,
          wireFailure(err, `${describeCall(node, path, intfName, method)}: the arguments cannot be sent`),
        );
      }
    }
    return promise;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Events

  /**
   * Subscribes `cb` to event `event` of interface `intf` on object `path` of node `node`. The subscription holds
   * across reconnection, and a node that is not on the bus yet is subscribed to when it appears.
   */
  on(
    node: string,
    path: string,
    intf: string | Interface,
    event: string,
    cb: (args: never, source: EventSource) => void,
  ): Subscription {
    this.#assertOpen("on");
    if (typeof cb !== "function") throw new InvalidArgumentError("on: cb must be a function");
    if (intf instanceof Interface && intf.event(event) === undefined) {
      const names = (intf.description.events ?? []).map((e) => e.name);
      throw new InvalidArgumentError(`on: ${intf.name} has no event '${event}'${didYouMean(event, names)}`);
    }
    const intfName = typeof intf === "string" ? intf : intf.name;
    if (this.#subscriptions.add(node, path, intfName, event, cb)) {
      this.#sendSubscription(MessageType.Subscribe, node, path, intfName, event);
    }
    let active = true;
    return {
      off: () => {
        if (!active) return;
        active = false;
        this.#off(node, path, intfName, event, cb);
      },
    };
  }

  /** Removes a listener added with `on` (same arguments). */
  off(node: string, path: string, intf: string | Interface, event: string, cb: Listener): void {
    this.#off(node, path, typeof intf === "string" ? intf : intf.name, event, cb);
  }

  #off(node: string, path: string, intf: string, event: string, cb: Listener): void {
    if (this.#subscriptions.remove(node, path, intf, event, cb)) {
      this.#sendSubscription(MessageType.Unsubscribe, node, path, intf, event);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The bus

  /** The bus as this node sees it: every reachable node (this one included) → path → interface names. */
  nodes(): BusView {
    const view: BusView = {};
    for (const node of [this.name, ...this.#table.reachable()]) {
      const objects = this.#table.advert(node)?.objects ?? {};
      const copy: Record<string, string[]> = {};
      for (const path of Object.keys(objects).sort()) copy[path] = [...(objects[path] ?? [])];
      view[node] = copy;
    }
    return view;
  }

  /**
   * Resolves once `node` is on the bus (and, with `path`, has an object there; with `intf` too, one implementing
   * it). Rejects with `supcon.Timeout` after `timeoutMs`.
   */
  waitFor(node: string, options: WaitForOptions = {}): Promise<void> {
    const { path, intf } = options;
    const ready = (): boolean => {
      if (!this.#table.isKnown(node)) return false;
      if (path === undefined) return true;
      const intfs = this.#table.advert(node)?.objects[path];
      return intfs !== undefined && (intf === undefined || intfs.includes(intf));
    };
    if (ready()) return Promise.resolve();
    if (this.#closed) return Promise.reject(new RemoteError(ErrorCode.Closed, `node ${this.name} is closed`));
    const timeoutMs = options.timeoutMs ?? this.#options.callTimeoutMs;
    const what = `${node}${path === undefined ? "" : `:${path}`}${intf === undefined ? "" : ` ${intf}`}`;
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: RemoteError): void => {
        clearTimeout(timer);
        this.#statusListeners.delete(check);
        options.signal?.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (status: NodeStatus): void => {
        if (status.type === "closed") finish(new RemoteError(ErrorCode.Closed, `node ${this.name} closed`));
        else if (ready()) finish();
      };
      const onAbort = (): void =>
        finish(new RemoteError(ErrorCode.Cancelled, `waiting for ${what} was cancelled`));
      const timer = setTimeout(
        () => finish(new RemoteError(ErrorCode.Timeout, `${what} did not appear within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#statusListeners.add(check);
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Observes the node: links up and down, nodes appearing and vanishing, objects registered and unregistered.
   * Returns a subscription whose `off()` stops the callback.
   */
  onStatus(cb: (status: NodeStatus) => void): Subscription {
    const listener = (status: NodeStatus): void => cb(status);
    this.#statusListeners.add(listener);
    return { off: () => this.#statusListeners.delete(listener) };
  }

  /** Links currently open, by peer name (for diagnostics and tests). */
  links(): { peer: string; remote: string }[] {
    const out: { peer: string; remote: string }[] = [];
    for (const [peer, links] of this.#links)
      for (const link of links) out.push({ peer, remote: link.remote });
    return out;
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
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    // A dial loop ends once its link has closed, which happens below: start stopping them, await them last.
    // Likewise a listener reports closed only once its accepted connections have.
    const dialersDone = [...this.#dialers].map((d) => d.close());
    this.#dialers.clear();
    const listenersDone = this.#listeners.map((l) => l.close());
    this.#listeners.length = 0;
    await this.#drainServing();
    this.#pending.rejectAll(
      (dst) => new RemoteError(ErrorCode.Closed, `call to ${dst} failed: node ${this.name} closed`),
    );
    this.#subscriptions.clear();
    const closing = [...this.#allLinks].map((link) => {
      link.close();
      return this.#linkClosed.get(link);
    });
    await Promise.all([...closing, ...dialersDone, ...listenersDone]);
    for (const [path, byIntf] of this.#objects)
      for (const impl of byIntf.values()) impl[kDetach](this.#host, path);
    this.#emitStatus({ type: "closed" });
    this.#statusListeners.clear();
  }

  async #drainServing(): Promise<void> {
    const deadline = Date.now() + this.#options.closeDrainMs;
    while (this.#served.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.#served.cancelAll(new Error(`node ${this.name} closed`));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Links

  #handshaking(): number {
    let n = 0;
    for (const link of this.#allLinks) if (link.state === "handshaking") n++;
    return n;
  }

  #createLink(transport: Transport, role: "connector" | "acceptor", checkNodeName: boolean): Link {
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const link = new Link(
      transport,
      {
        self: this.name,
        instance: this.#instance,
        role,
        maxFrameBytes: this.#options.maxFrameBytes,
        maxQueuedBytes: this.#options.maxQueuedBytes,
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
        heartbeatTimeoutMs: this.#options.heartbeatTimeoutMs,
        handshakeTimeoutMs: this.#options.handshakeTimeoutMs,
        secret: this.#options.secret,
        checkPeer: (name, instance) => {
          const identity = transport.identity();
          if (checkNodeName && !identity.includes(name)) {
            return {
              code: "supcon.PermissionDenied",
              message: `the name '${name}' is not in the peer's certificate (it names: ${identity.join(", ") || "nothing verified"})`,
            };
          }
          return this.#checkPeer(name, instance);
        },
      },
      {
        open: (l) => this.#onLinkOpen(l),
        message: (l, m, payload) => this.#onMessage(l, m, payload),
        closed: (l, error) => {
          this.#onLinkClosed(l, error);
          closed();
        },
      },
    );
    this.#allLinks.add(link);
    this.#linkClosed.set(link, done);
    return link;
  }

  #checkPeer(name: string, instance: string): Refusal | undefined {
    if (this.#closed) return { code: ErrorCode.Closed, message: `node ${this.name} is closing` };
    if (!isValidNodeName(name)) {
      return {
        code: "supcon.InvalidName",
        message: `${JSON.stringify(String(name).slice(0, 64))} is not a node name: 1 to ${NODE_NAME_MAX} characters, no control characters`,
      };
    }
    if (name === this.name) {
      return {
        code: "supcon.NameTaken",
        message: `the name '${name}' is taken: a node cannot link to itself or to another node of the same name`,
      };
    }
    const known = this.#table.advert(name);
    if (this.#table.isKnown(name) && known !== undefined && known.instance !== instance) {
      return {
        code: "supcon.NameTaken",
        message: `the name '${name}' is already taken on the bus (seen by ${this.name}); give each node a unique name`,
      };
    }
    return undefined;
  }

  #onLinkOpen(link: Link): void {
    const peer = link.peer;
    // An advert of an earlier process of the peer (it restarted) describes links that no longer exist.
    if (this.#table.advert(peer)?.instance !== link.peerInstance) this.#table.forget(peer);
    const list = this.#links.get(peer);
    const first = list === undefined;
    if (list === undefined) this.#links.set(peer, [link]);
    else list.push(link);
    this.#emitStatus({ type: "linkUp", peer, remote: link.remote, link });
    if (first) this.#advertise();
    // Our own advert first: it lists the peer, so what follows is reachable when it arrives.
    const own = this.#table.advert(this.name);
    if (own !== undefined) link.send(advertMessage(own));
    for (const advert of this.#table.adverts())
      if (advert.origin !== this.name) link.send(advertMessage(advert));
  }

  #onLinkClosed(link: Link, error: LinkError | undefined): void {
    this.#allLinks.delete(link);
    this.#linkClosed.delete(link);
    const peer = link.peer;
    const list = peer === "" ? undefined : this.#links.get(peer);
    if (list === undefined || !list.includes(link)) {
      // Closed during the handshake: it never carried traffic.
      if (error !== undefined && !this.#closed) {
        this.#warn(error.message);
        this.#emitStatus({ type: "handshakeFailed", remote: link.remote, error });
      }
      return;
    }
    list.splice(list.indexOf(link), 1);
    if (list.length === 0) this.#links.delete(peer);
    this.#emitStatus({ type: "linkDown", peer, remote: link.remote, error });
    if (error !== undefined && !this.#closed) this.#warn(error.message);
    if (list.length > 0) return;
    const lost = (dst: string): RemoteError =>
      new RemoteError(
        ErrorCode.ConnectionLost,
        `call to ${dst} failed: the link to ${peer} was lost${error ? ` (${error.message})` : ""}`,
      );
    this.#pending.rejectWhere((_dst, via) => via === peer, lost);
    for (const relayed of this.#relayed.takeVia(peer)) {
      this.#answerForwarded(
        relayed.caller,
        relayed.id,
        ErrorCode.ConnectionLost,
        `the link from ${this.name} to ${peer} was lost while the call was in flight`,
      );
    }
    if (!this.#closed) {
      this.#table.forgetFrom(peer);
      this.#advertise();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Routing

  /** Publishes this node's advert (after a change of links or objects) and recomputes the routes. */
  #advertise(): void {
    this.#advertSeq = Math.max(this.#advertSeq + 1, Date.now());
    const objects: Record<string, string[]> = {};
    for (const [path, byIntf] of this.#objects) objects[path] = [...byIntf.keys()];
    const advert: Advert = {
      origin: this.name,
      instance: this.#instance,
      seq: this.#advertSeq,
      neighbors: [...this.#links.keys()].sort(),
      objects,
    };
    this.#table.offer(advert);
    this.#flood(advert, undefined);
    this.#recompute();
  }

  #flood(advert: Advert, except: Link | undefined): void {
    const message = advertMessage(advert);
    for (const links of this.#links.values()) {
      for (const link of links) if (link !== except) link.send(message);
    }
  }

  #onAdvert(link: Link, advert: Advert): void {
    if (advert.origin === this.name) return;
    if (!isValidNodeName(advert.origin) || !advert.neighbors.every(isValidNodeName)) {
      this.#warn(`ignored an advert from ${link.peer} naming something that is not a node name`);
      return;
    }
    const before = this.#table.isKnown(advert.origin) ? this.#table.advert(advert.origin) : undefined;
    const outcome = this.#table.offer(advert, link.peer);
    if (outcome === "stale") return;
    if (outcome === "full") {
      this.#warn(
        `ignored the advert of ${advert.origin} from ${link.peer}: ${MAX_KNOWN_NODES} nodes are known already`,
      );
      return;
    }
    this.#flood(advert, link);
    if (before !== undefined && before.instance !== advert.instance) {
      // The node restarted without this node seeing it leave (the restart was quicker than the bus noticed): the
      // old process is gone, with its subscriptions and calls; report it as leaving and the new one as arriving.
      this.#onNodeDown(advert.origin);
      this.#onNodeUp(advert.origin);
    }
    const { up } = this.#recompute();
    // A node that was already reachable may have changed its objects: report the difference.
    if (
      before !== undefined &&
      before.instance === advert.instance &&
      !up.includes(advert.origin) &&
      this.#table.isKnown(advert.origin)
    ) {
      this.#reportObjectChanges(advert.origin, before.objects, advert.objects);
    }
  }

  #recompute(): { up: readonly string[]; down: readonly string[] } {
    const change = this.#table.recompute();
    for (const node of change.down) this.#onNodeDown(node);
    for (const node of change.up) this.#onNodeUp(node);
    return change;
  }

  #onNodeUp(node: string): void {
    this.#seqIn.delete(node);
    this.#seqOut.delete(node);
    this.#emitStatus({ type: "nodeUp", node });
    this.#reportObjectChanges(node, {}, this.#table.advert(node)?.objects ?? {});
    for (const entry of this.#subscriptions.forNode(node)) {
      this.#sendSubscription(MessageType.Subscribe, node, entry.path, entry.intf, entry.event);
    }
  }

  #onNodeDown(node: string): void {
    this.#pending.rejectWhere(
      (dst) => dst === node,
      (dst) => new RemoteError(ErrorCode.ConnectionLost, `call to ${dst} failed: ${dst} left the bus`),
    );
    this.#subscribers.removeNode(node);
    this.#served.cancelFrom(node, new Error(`caller ${node} left the bus`));
    this.#emitStatus({ type: "nodeDown", node });
  }

  #reportObjectChanges(
    node: string,
    before: Readonly<Record<string, readonly string[]>>,
    after: Readonly<Record<string, readonly string[]>>,
  ): void {
    for (const [path, intfs] of Object.entries(before)) {
      for (const intf of intfs) {
        if (!after[path]?.includes(intf)) this.#emitStatus({ type: "unregistered", node, path, intf });
      }
    }
    for (const [path, intfs] of Object.entries(after)) {
      for (const intf of intfs) {
        if (!before[path]?.includes(intf)) this.#emitStatus({ type: "registered", node, path, intf });
      }
    }
  }

  /** Sends a routed message towards its destination; false when there is no route or the link refuses it. */
  #route(message: AddressedMessage): boolean {
    if (message.dst === this.name) {
      this.#deliver(message);
      return true;
    }
    const via = this.#table.nextHop(message.dst);
    return via !== undefined && this.#sendTo(via, message);
  }

  #sendTo(peer: string, message: Message): boolean {
    const link = this.#links.get(peer)?.[0];
    return link !== undefined && link.send(message);
  }

  #sendFailure(via: string, what: string): RemoteError {
    const link = this.#links.get(via)?.[0];
    if (link !== undefined && link.state === "open") {
      return new RemoteError(
        ErrorCode.Overloaded,
        `${what}: the link to ${via} has ${link.queuedBytes} bytes queued (limit ${this.#options.maxQueuedBytes}); the peer does not keep up`,
      );
    }
    return new RemoteError(ErrorCode.ConnectionLost, `${what}: the link to ${via} is gone`);
  }

  #unknownNode(node: string, what: string): RemoteError {
    const known = [this.name, ...this.#table.reachable()];
    return new RemoteError(
      ErrorCode.UnknownNode,
      `${what}: node '${node}' is not on the bus${didYouMean(node, known)} (known: ${known.join(", ")})`,
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Incoming messages

  #onMessage(link: Link, message: RoutedMessage, payload: Uint8Array | undefined): void {
    if (message.type === MessageType.Advert) {
      this.#onAdvert(link, {
        origin: message.origin,
        instance: message.instance,
        seq: message.seq,
        neighbors: message.neighbors,
        objects: message.objects,
      });
      return;
    }
    if (message.dst === this.name) {
      this.#deliver(message);
      return;
    }
    this.#forward(link, message, payload);
  }

  /** `payload`: the packed args or out of a message that came on a channel (see `LinkEvents.message`). */
  #forward(from: Link, message: AddressedMessage, payload: Uint8Array | undefined): void {
    const via = this.#table.nextHop(message.dst);
    if (via === undefined || message.hops + 1 >= DEFAULT_MAX_HOPS || via === from.peer) {
      if (message.type === MessageType.Call) {
        this.#answerForwarded(
          message.src,
          message.id,
          ErrorCode.UnknownNode,
          `${message.dst}:${message.path} ${message.intf}.${message.method}: node '${message.dst}' cannot be reached from ${this.name}`,
        );
      }
      return;
    }
    if (message.type === MessageType.Call) {
      this.#relayed.track({
        caller: message.src,
        id: message.id,
        next: via,
        deadline: Date.now() + message.timeoutMs,
      });
    } else if (message.type === MessageType.Result || message.type === MessageType.Error) {
      this.#relayed.complete(message.dst, message.id);
    }
    let sent: boolean;
    try {
      // The payload goes on as it came, undecoded.
      const link = this.#links.get(via)?.[0];
      sent = link !== undefined && link.send(message, payload, message.hops + 1);
    } catch {
      // Only a frame above this node's maxFrameBytes gets here.
      sent = false;
    }
    if (!sent && message.type === MessageType.Call) {
      this.#relayed.complete(message.src, message.id);
      this.#answerForwarded(
        message.src,
        message.id,
        ErrorCode.Overloaded,
        `${this.name} cannot forward the call to ${via}: its link is overloaded or gone`,
      );
    }
  }

  /** Fails a call this node forwards (or would have) with an ERROR to its caller. */
  #answerForwarded(caller: string, id: number, code: string, message: string): void {
    this.#route({
      type: MessageType.Error,
      dst: caller,
      src: this.name,
      hops: 0,
      id,
      code,
      message,
      data: null,
    });
  }

  /** Periodic housekeeping: forwarded calls past their deadline, adverts of nodes that never joined. */
  #sweep(): void {
    const now = Date.now();
    this.#relayed.sweep(now);
    this.#table.prune(now, ADVERT_GRACE_MS);
  }

  #deliver(message: AddressedMessage): void {
    switch (message.type) {
      case MessageType.Call:
        this.#served.serve(message);
        return;
      case MessageType.Result:
        this.#pending.resolve(message.id, message.out ?? {});
        return;
      case MessageType.Error:
        this.#pending.reject(
          message.id,
          new RemoteError(message.code, message.message, message.data == null ? {} : { data: message.data }),
        );
        return;
      case MessageType.Cancel: {
        this.#served.cancel(message.src, message.id, new Error(`cancelled by ${message.src}`));
        return;
      }
      case MessageType.Event:
        this.#onEvent(message);
        return;
      case MessageType.Subscribe:
        this.#onSubscribe(message);
        return;
      case MessageType.Unsubscribe:
        this.#subscribers.remove(message.src, message.path, message.intf, message.event);
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Serving calls

  #cancelRemote(node: string, id: number): void {
    if (node === this.name) {
      this.#served.cancel(node, id, new Error("cancelled by the caller"));
      return;
    }
    this.#route({ type: MessageType.Cancel, dst: node, src: this.name, hops: 0, id });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Events

  #emitEvent(path: string, intf: string, event: string, args: Record<string, unknown>): void {
    const subscribers = this.#subscribers.of(path, intf, event);
    if (subscribers === undefined) return;
    let payload: Uint8Array | undefined;
    const header = { src: this.name, path, intf, event };
    for (const dst of subscribers) {
      const seq = (this.#seqOut.get(dst) ?? 0) + 1;
      this.#seqOut.set(dst, seq);
      if (dst === this.name) {
        this.#onEvent({ type: MessageType.Event, dst, src: dst, hops: 0, path, intf, event, args, seq });
        continue;
      }
      const via = this.#table.nextHop(dst);
      const link = via === undefined ? undefined : this.#links.get(via)?.[0];
      if (link === undefined) continue;
      // Packed once for all subscribers; throws to fire()'s caller when args are not plain data.
      payload ??= packPayload(args, "EVENT");
      // A subscriber whose link is overloaded misses this event; the gap in `seq` tells it so.
      link.sendEvent(header, dst, seq, payload);
    }
  }

  #onSubscribe(message: SubscribeMessage): void {
    const { src, path, intf, event } = message;
    // A subscriber must be on the bus: the subscription goes when it leaves, and forged names cannot pile up.
    if (!this.#table.isKnown(src)) return;
    if (!this.#allowed({ caller: src, path, intf, member: event })) {
      this.#warn(
        `ignored a subscription of ${src} to ${intf}.${event} at ${path}: the access policy denies it`,
      );
      return;
    }
    if (this.#subscribers.countOf(src) >= this.#options.maxSubscriptionsPerNode) {
      this.#warn(
        `ignored a subscription of ${src} to ${intf}.${event} at ${path}: it holds ${this.#options.maxSubscriptionsPerNode} already (maxSubscriptionsPerNode)`,
      );
      return;
    }
    this.#subscribers.add(src, path, intf, event);
  }

  #onEvent(message: EventMessage): void {
    const entry = this.#subscriptions.get(message.src, message.path, message.intf, message.event);
    const last = this.#seqIn.get(message.src) ?? 0;
    this.#seqIn.set(message.src, message.seq);
    if (last !== 0 && message.seq !== last + 1 && message.seq > last) {
      this.#emitStatus({
        type: "eventGap",
        node: message.src,
        missed: message.seq - last - 1,
      });
    }
    if (entry === undefined) {
      // An event we no longer want (the unsubscription crossed it, or the publisher missed it): say so again.
      this.#sendSubscription(MessageType.Unsubscribe, message.src, message.path, message.intf, message.event);
      return;
    }
    const args = (message.args ?? {}) as never;
    for (const listener of entry.listeners) {
      try {
        listener(args, entry.source);
      } catch (err) {
        this.#warn(
          `an event listener of ${message.src}:${message.path} ${message.intf}.${message.event} threw: ${String(err)}`,
        );
      }
    }
  }

  #sendSubscription(
    type: typeof MessageType.Subscribe | typeof MessageType.Unsubscribe,
    node: string,
    path: string,
    intf: string,
    event: string,
  ): void {
    if (node === this.name) {
      if (type === MessageType.Subscribe) this.#subscribers.add(node, path, intf, event);
      else this.#subscribers.remove(node, path, intf, event);
      return;
    }
    // When the node is not reachable the message is dropped: it is sent again when the node appears.
    this.#route({ type, dst: node, src: this.name, hops: 0, path, intf, event });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  #emitStatus(status: NodeStatus): void {
    for (const listener of [...this.#statusListeners]) {
      try {
        listener(status);
      } catch (err) {
        this.#warn(`a status listener threw: ${String(err)}`);
      }
    }
  }

  #warn(message: string): void {
    this.#options.logger.warn(message);
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new RemoteError(ErrorCode.Closed, `${what}: node ${this.name} is closed`);
  }
}

/** A node name: 1 to 255 characters, none of them a control character. */
function isValidNodeName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > NODE_NAME_MAX) return false;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) < 0x20) return false;
  return true;
}

function advertMessage(advert: Advert): Message {
  return {
    type: MessageType.Advert,
    origin: advert.origin,
    instance: advert.instance,
    seq: advert.seq,
    neighbors: advert.neighbors as string[],
    objects: advert.objects as Record<string, string[]>,
  };
}

function assertPath(path: string): void {
  if (typeof path !== "string" || !/^\/([A-Za-z0-9_.\-~]+(\/[A-Za-z0-9_.\-~]+)*)?$/.test(path)) {
    throw new InvalidArgumentError(
      `register: path must start with '/' and consist of segments of letters, digits, '_', '-', '.' or '~' (like '/myTimer'), got ${JSON.stringify(path)}`,
    );
  }
}

/** The error was made in a socket or timer callback; one made here carries the async stack of the caller. */
function remadeHere(err: unknown): never {
  throw err instanceof RemoteError
    ? new RemoteError(err.code, err.rawMessage, { data: err.data, cause: err.cause })
    : err;
}
