/**
 * The node's core: its modules, made and wired together, and what they tell each other when links and nodes come
 * and go. `Node` (api/node.ts) is the public façade over it. Each module has one job and is tested with fakes of
 * what it is told here (docs/ARCHITECTURE.md).
 */
import type { Logger } from "../base/types.js";
import type { AccessPolicy } from "../dispatch/policy.js";
import { compilePolicy } from "../dispatch/policy.js";
import { RelayedCalls } from "../dispatch/relayed-calls.js";
import { ServedCalls } from "../dispatch/served-calls.js";
import type { Link } from "../link/link.js";
import type { ResolvedIdentity, Trust } from "../link/identity.js";
import { createLocalIdentity } from "../link/identity.js";
import { LoopbackLink } from "../link/loopback.js";
import type { AddressedMessage, LinkError, RoutedMessage } from "../link/peer-link.js";
import { PeerRefusal } from "../link/peer-link.js";
import { ErrorCode } from "../base/errors.js";
import type { AdvertMessage } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import { admissionRefusal } from "./admission.js";
import { OriginAuth } from "./origin-auth.js";
import type { MacVerdict } from "./origin-auth.js";
import { OutgoingCalls } from "./calls.js";
import type { Transports } from "./endpoints.js";
import { Endpoints, addressOf } from "./endpoints.js";
import { Events } from "./events.js";
import { createInbox } from "./inbox.js";
import { LinkSet } from "./links.js";
import { ObjectRegistry } from "./registry.js";
import { Router } from "./router.js";
import { StatusReports } from "./status.js";
import { Topology } from "./topology.js";

/** The settings of a node the core uses (`ResolvedNodeOptions`). */
export interface CoreOptions {
  readonly callTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly reconnectJitter: number;
  readonly maxPendingCalls: number;
  readonly maxServingCalls: number;
  readonly maxQueuedBytes: number;
  readonly maxHandshakingLinks: number;
  readonly maxSubscriptionsPerNode: number;
  readonly maxSubscriptionsPerLink: number;
  readonly maxRelayedCalls: number;
  readonly closeDrainMs: number;
  readonly logger: Logger;
  readonly secret: Uint8Array | undefined;
  readonly policy: AccessPolicy | undefined;
  /** With `trust`: origin authentication is on (bus/origin-auth.ts). */
  readonly identity?: ResolvedIdentity | undefined;
  readonly trust?: Trust | undefined;
}

/** Bounds of the core that are not options. */
export interface CoreLimits {
  /** Most nodes one node keeps adverts of: a bound on what peers can make it store. */
  readonly maxKnownNodes: number;
  /** How long the advert of a node that never became reachable is kept (it may be ahead of its link). */
  readonly advertGraceMs: number;
  /** Routed messages that have crossed this many links are dropped. */
  readonly maxHops: number;
}

export class NodeCore<ListenSpec, DialSpec> {
  readonly self: string;
  readonly status: StatusReports;
  readonly topology: Topology;
  readonly links: LinkSet;
  readonly router: Router;
  readonly registry: ObjectRegistry;
  readonly served: ServedCalls;
  readonly calls: OutgoingCalls;
  readonly events: Events;
  readonly endpoints: Endpoints<ListenSpec, DialSpec>;
  /** Origin authentication, when `trust` is set. */
  readonly originAuth: OriginAuth | undefined;
  readonly #options: CoreOptions;
  #closed = false;

  constructor(
    self: string,
    o: CoreOptions,
    limits: CoreLimits,
    transports: Transports<ListenSpec, DialSpec>,
  ) {
    this.self = self;
    this.#options = o;
    const status = (this.status = new StatusReports(o.logger));
    const warn = (message: string): void => status.warn(message);
    const allowed = compilePolicy(o.policy, self);
    const credentials =
      o.identity !== undefined && o.trust !== undefined
        ? { local: createLocalIdentity(self, o.identity, o.trust), trust: o.trust }
        : undefined;
    let originAuth: OriginAuth | undefined;
    const topology: Topology = (this.topology = new Topology(
      { self, maxKnownNodes: limits.maxKnownNodes, advertGraceMs: limits.advertGraceMs },
      {
        objects: () => registry.summary(),
        broadcast: (message, except) => links.broadcast(message, except),
        sendTo: (peer, message, except) => links.sendTo(peer, message, except),
        nodeUp: (node) => this.#nodeUp(node),
        nodeDown: (node) => this.#nodeDown(node),
        objectsChanged: (node, before, after) => this.#reportObjectChanges(node, before, after),
        warn,
        ...(credentials === undefined
          ? {}
          : { sign: (advert) => (originAuth as OriginAuth).signAdvert(advert) }),
      },
    ));
    this.originAuth = originAuth =
      credentials === undefined
        ? undefined
        : new OriginAuth({
            self,
            instance: topology.instance,
            identity: credentials.local,
            trust: credentials.trust,
            maxNodes: limits.maxKnownNodes,
          });
    const deliver = (message: AddressedMessage, from?: string, payload?: Uint8Array): void => {
      // Messages from links are checked against their source's MAC; this node's own (the loopback) are not.
      const verdict = from === undefined ? "ok" : (originAuth?.verify(message, payload) ?? "ok");
      if (verdict === "ok") inbox(message, from);
      else this.#unverified(message, from as string, verdict);
    };
    const links: LinkSet = (this.links = new LinkSet(
      {
        ...o,
        self,
        instance: topology.instance,
        credentials,
        sealer: originAuth,
        sharedFrames: new WeakMap(),
      },
      {
        admit: (name, instance) =>
          admissionRefusal(name, instance, {
            self,
            closing: this.#closed,
            instanceOf: (node) => topology.instanceOf(node),
            linked: (node) => links.get(node) !== undefined,
            authenticated: credentials !== undefined,
          }),
        opened: (link, peer, instance, first) => {
          status.emit({ type: "linkUp", peer, remote: link.remote, link });
          topology.linkOpened(link, peer, instance, first);
        },
        message: (link, message, payload) => this.#onMessage(link, message, payload),
        lost: (link, peer, error, last) => this.#linkLost(link, peer, error, last),
        refused: (link, error) => {
          if (error === undefined || this.#closed) return;
          // Once per remote address and kind of failure; a connect()'s own are logged by its endpoint.
          if (link.role === "acceptor") status.failed(acceptedFrom(link), error.message, KINDS_PER_ADDRESS);
          status.emit({ type: "handshakeFailed", remote: link.remote, error });
        },
      },
      new LoopbackLink(self, deliver),
    ));
    const router: Router = (this.router = new Router(
      {
        self,
        maxHops: limits.maxHops,
        maxQueuedBytes: o.maxQueuedBytes,
        nextHop: (node) => topology.nextHop(node),
        link: (peer) => links.get(peer),
        known: () => topology.known(),
        deliver,
        warn,
      },
      new RelayedCalls(o.maxRelayedCalls),
    ));
    const registry: ObjectRegistry = (this.registry = new ObjectRegistry(self, {
      emitEvent: (path, intf, event, args) => events.emit(path, intf, event, args),
    }));
    const served = (this.served = new ServedCalls({
      name: self,
      objects: registry.objects,
      allowed,
      maxServingCalls: o.maxServingCalls,
      closing: () => this.#closed,
      route: (reply) => router.route(reply) === "sent",
      replyLost: (call) => {
        // The caller is gone or its link is overloaded; it sees a ConnectionLost or a timeout on its side.
        if (topology.isKnown(call.src))
          warn(`could not send the reply of ${call.intf}.${call.method} to ${call.src}`);
      },
    }));
    const calls = (this.calls = new OutgoingCalls(
      { self, callTimeoutMs: o.callTimeoutMs, maxPendingCalls: o.maxPendingCalls },
      { isClosed: () => this.#closed, nextHop: (node) => topology.nextHop(node) },
      router,
    ));
    const events: Events = (this.events = new Events(
      {
        self,
        maxSubscriptionsPerNode: o.maxSubscriptionsPerNode,
        maxSubscriptionsPerLink: o.maxSubscriptionsPerLink,
      },
      {
        allowed,
        isKnown: (node) => topology.isKnown(node),
        nextHop: (node) => topology.nextHop(node),
        link: (peer) => links.get(peer),
        route: (message) => router.route(message),
        status: (s) => status.emit(s),
        warn,
      },
    ));
    const inbox = createInbox(served, calls, events);
    this.endpoints = new Endpoints(
      {
        self,
        connectTimeoutMs: o.connectTimeoutMs,
        maxHandshakingLinks: o.maxHandshakingLinks,
        backoff: { minMs: o.reconnectMinMs, maxMs: o.reconnectMaxMs, jitter: o.reconnectJitter },
        readyTimeoutMs: o.callTimeoutMs,
      },
      {
        isClosed: () => this.#closed,
        isFull: () => links.full,
        attach: (transport, role, requireCertifiedName, opened) =>
          links.attach(transport, role, requireCertifiedName, opened),
        status: (s) => status.emit(s),
        warn,
        failed: (source, message) => status.failed(source, message),
        succeeded: (source) => status.succeeded(source),
      },
      transports,
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Periodic housekeeping: forwarded calls past their deadline, adverts of nodes that never joined. */
  sweep(now: number = Date.now()): void {
    this.router.sweep(now);
    this.topology.sweep(now);
  }

  /**
   * Closes: stops listening and reconnecting, lets calls being served finish (up to `closeDrainMs`), fails this
   * node's calls in flight, says goodbye on every link and waits until all have closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.topology.close();
    // Dial loops end once their links have closed, and listeners once their accepted connections have: start
    // stopping them, await them last.
    const endpointsDone = this.endpoints.close();
    const drainUntil = Date.now() + this.#options.closeDrainMs;
    while (this.served.size > 0 && Date.now() < drainUntil) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.served.cancelAll();
    this.calls.close();
    this.events.clear();
    await this.links.closeAll();
    await endpointsDone;
    this.registry.detachAll();
    this.status.emit({ type: "closed" });
    this.status.clear();
  }

  #onMessage(link: Link, message: RoutedMessage, payload: Uint8Array | undefined): void {
    const peer = link.peer as string;
    if (message.type === MessageType.Advert) {
      if (this.originAuth === undefined || this.#advertVerified(peer, message)) {
        this.topology.onAdvert(link, peer, message);
      }
    } else this.router.receive(peer, message, payload);
  }

  /** With origin authentication: true when the advert's signature holds; otherwise it is dropped, and said so. */
  #advertVerified(from: string, advert: AdvertMessage): boolean {
    const auth = this.originAuth as OriginAuth;
    const problem = auth.verifyAdvert(advert);
    if (problem === undefined) return true;
    const warning = auth.warnings.note(
      `dropped an advert of '${advert.origin}' from ${from}: ${problem}`,
      "adverts failed verification",
    );
    if (warning !== undefined) this.status.warn(warning);
    return false;
  }

  /**
   * A message whose MAC does not verify: dropped, counted and warned about. A CALL that came on its source's own
   * link (a name the handshake proved) is answered with supcon.PermissionDenied, so that a genuine caller whose
   * key this node does not know yet sees why. One that came by another way is not: the answer, sealed by this
   * node, would go to a node that may never have sent it, and fail that node's own call of the same id to this one
   * (a member that learns a node's call ids, as any node it calls does, could fail its calls at will).
   */
  #unverified(message: AddressedMessage, from: string, verdict: Exclude<MacVerdict, "ok">): void {
    const auth = this.originAuth as OriginAuth;
    const why =
      verdict === "missing"
        ? "it carries no MAC"
        : verdict === "unknown-source"
          ? `this node has no verified advert of '${message.src}'`
          : "its MAC is wrong";
    const warning = auth.warnings.note(
      `dropped a message claiming to come from '${message.src}' (type ${message.type}, via ${from}): ${why}`,
      "messages failed verification",
    );
    if (warning !== undefined) this.status.warn(warning);
    if (message.type === MessageType.Call && from === message.src) {
      this.router.answer(
        message.src,
        message.id,
        ErrorCode.PermissionDenied,
        `${this.self}: the source could not be verified (${why}); ${message.intf}.${message.method} was not run`,
      );
    }
  }

  #linkLost(link: Link, peer: string, error: LinkError | undefined, last: boolean): void {
    this.status.emit({ type: "linkDown", peer, remote: link.remote, error });
    // A connector that refuses this node's HELLO (it checks it last) does so on every retry: logged as a failure of
    // its address, once. Any other accepted link that opened worked: what fails from there afterwards is news.
    const refused = error instanceof PeerRefusal;
    if (link.role === "acceptor" && !refused) this.status.succeeded(acceptedFrom(link));
    if (error !== undefined && !this.#closed) {
      if (link.role === "acceptor" && refused)
        this.status.failed(acceptedFrom(link), error.message, KINDS_PER_ADDRESS);
      else this.status.warn(error.message);
    }
    if (!last) return;
    this.calls.linkLost(peer, error ? ` (${error.message})` : "");
    this.router.linkLost(peer);
    if (!this.#closed) this.topology.linkLost(peer);
  }

  #nodeUp(node: string): void {
    this.status.emit({ type: "nodeUp", node });
    this.#reportObjectChanges(node, {}, this.topology.objectsOf(node));
    this.events.nodeUp(node);
  }

  #nodeDown(node: string): void {
    this.calls.nodeDown(node);
    this.events.nodeDown(node);
    this.served.cancelFrom(node);
    this.status.emit({ type: "nodeDown", node });
  }

  #reportObjectChanges(
    node: string,
    before: Readonly<Record<string, readonly string[]>>,
    after: Readonly<Record<string, readonly string[]>>,
  ): void {
    for (const [path, intfs] of Object.entries(before)) {
      for (const intf of intfs) {
        if (!after[path]?.includes(intf)) this.status.emit({ type: "unregistered", node, path, intf });
      }
    }
    for (const [path, intfs] of Object.entries(after)) {
      for (const intf of intfs) {
        if (!before[path]?.includes(intf)) this.status.emit({ type: "registered", node, path, intf });
      }
    }
  }
}

/**
 * Kinds of failure remembered per remote address: the peers behind one address (a host, a NAT) fail each in its
 * own way, and each way is logged once.
 */
const KINDS_PER_ADDRESS = 8;

/** What the failures of the connections accepted from the address of `link` are logged under (once each). */
function acceptedFrom(link: Link): string {
  return `accepted from ${addressOf(link.remote)}`;
}
