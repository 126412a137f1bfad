/**
 * Events, both sides. As subscriber: the listeners of this node by (node, path, interface, event), one
 * subscription on the wire per key, sent again whenever the publisher (re)appears, and gaps in the publisher's
 * sequence numbers reported. As publisher: which nodes subscribed to what, within the access policy, a limit per
 * node and a limit per link, and firing an event to each of them with its own sequence number.
 *
 * Nothing here grows with what peers choose to send: sequence numbers are kept only for the publishers this node
 * has listeners on (in) and for the nodes holding subscriptions (out), and subscriptions are bounded per node and
 * per link they came over.
 */
import type { AccessCheck } from "../dispatch/policy.js";
import type { Listener } from "../dispatch/subscriptions.js";
import { Subscribers, Subscriptions } from "../dispatch/subscriptions.js";
import type { OutgoingEvent, PeerLink } from "../link/peer-link.js";
import type { EventMessage, SubscribeMessage, UnsubscribeMessage } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import type { RouteOutcome } from "./router.js";
import type { NodeStatus } from "./status.js";

export interface EventSettings {
  readonly self: string;
  readonly maxSubscriptionsPerNode: number;
  /** Most subscriptions the SUBSCRIBEs that came over one link may hold, whatever nodes they name. */
  readonly maxSubscriptionsPerLink: number;
}

/** What events read from and tell their node. */
export interface EventsHost {
  readonly allowed: AccessCheck;
  isKnown(node: string): boolean;
  nextHop(node: string): string | undefined;
  link(peer: string): PeerLink | undefined;
  route(message: SubscribeMessage | UnsubscribeMessage): RouteOutcome;
  status(status: NodeStatus): void;
  warn(message: string): void;
}

export class Events {
  readonly #settings: EventSettings;
  readonly #host: EventsHost;
  readonly #subscriptions = new Subscriptions();
  readonly #subscribers = new Subscribers();
  /** Last event sequence number sent to each node; only nodes holding subscriptions are here. */
  readonly #seqOut = new Map<string, number>();
  /** Last event sequence number received from each node; only nodes this node has listeners on are here. */
  readonly #seqIn = new Map<string, number>();

  constructor(settings: EventSettings, host: EventsHost) {
    this.#settings = settings;
    this.#host = host;
  }

  /** Adds a listener; the first one of a key subscribes on the wire (now, or when the node appears). */
  on(node: string, path: string, intf: string, event: string, listener: Listener): void {
    if (this.#subscriptions.add(node, path, intf, event, listener)) {
      this.#send(MessageType.Subscribe, node, path, intf, event);
    }
  }

  /** Removes a listener; the last one of a key unsubscribes. */
  off(node: string, path: string, intf: string, event: string, listener: Listener): void {
    if (this.#subscriptions.remove(node, path, intf, event, listener)) {
      this.#send(MessageType.Unsubscribe, node, path, intf, event);
      if (!this.#subscriptions.hasNode(node)) this.#seqIn.delete(node);
    }
  }

  /** Fires an event of this node's object at `path` to every subscriber. */
  emit(path: string, intf: string, event: string, args: Record<string, unknown>): void {
    const subscribers = this.#subscribers.of(path, intf, event);
    if (subscribers === undefined) return;
    // Packed once for all subscribers, by the first link that needs it; throws to fire()'s caller when `args` are
    // not plain data.
    const outgoing: OutgoingEvent = { src: this.#settings.self, path, intf, event, args, payload: undefined };
    for (const dst of subscribers) {
      const seq = (this.#seqOut.get(dst) ?? 0) + 1;
      this.#seqOut.set(dst, seq);
      const via = this.#host.nextHop(dst);
      // A subscriber whose link is overloaded misses this event; the gap in `seq` tells it so.
      if (via !== undefined) this.#host.link(via)?.sendEvent(outgoing, dst, seq);
    }
  }

  /**
   * A node asks for an event of this node. `from`: the neighbour the SUBSCRIBE came from; this node's own name
   * (the default) for its own subscriptions, through the loopback link.
   */
  onSubscribe(message: SubscribeMessage, from: string = this.#settings.self): void {
    const { src, path, intf, event } = message;
    const { self, maxSubscriptionsPerNode, maxSubscriptionsPerLink } = this.#settings;
    const host = this.#host;
    // A subscriber must be on the bus: the subscription goes when it leaves, and forged names cannot pile up.
    if (!host.isKnown(src)) return;
    const what = `a subscription of ${src} to ${intf}.${event} at ${path}`;
    if (!host.allowed({ caller: src, path, intf, member: event })) {
      host.warn(`ignored ${what}: the access policy denies it`);
      return;
    }
    const subscribers = this.#subscribers;
    if (subscribers.has(src, path, intf, event)) return;
    if (subscribers.countOf(src) >= maxSubscriptionsPerNode) {
      host.warn(`ignored ${what}: it holds ${maxSubscriptionsPerNode} already (maxSubscriptionsPerNode)`);
      return;
    }
    // What comes over a link counts against that link, whatever nodes it names. The SUBSCRIBE is not refused for
    // coming over another link than the events will go back by: between two nodes with several shortest paths
    // each end breaks the tie on its own, so the two directions may differ, and while routes change a legitimate
    // SUBSCRIBE may arrive over any link. One forged in the name of another node costs that node one unwanted
    // EVENT, which it answers with UNSUBSCRIBE. The node's own subscriptions are bounded by
    // maxSubscriptionsPerNode alone: the link budget is for peers.
    if (from !== self && subscribers.countVia(from) >= maxSubscriptionsPerLink) {
      host.warn(
        `ignored ${what}: the subscriptions that came from ${from} hold ${maxSubscriptionsPerLink} already (maxSubscriptionsPerLink)`,
      );
      return;
    }
    subscribers.add(src, path, intf, event, from);
  }

  onUnsubscribe(message: UnsubscribeMessage): void {
    this.#subscribers.remove(message.src, message.path, message.intf, message.event);
    if (this.#subscribers.countOf(message.src) === 0) this.#seqOut.delete(message.src);
  }

  /** An event arrived for this node's listeners. */
  onEvent(message: EventMessage): void {
    // Sequence numbers are kept only for the publishers this node has listeners on, whatever sources peers make up.
    if (this.#subscriptions.hasNode(message.src)) {
      const last = this.#seqIn.get(message.src) ?? 0;
      // A late event (lower than one seen) counts neither as a gap nor as the new last.
      if (message.seq > last) {
        this.#seqIn.set(message.src, message.seq);
        if (last !== 0 && message.seq !== last + 1) {
          this.#host.status({ type: "eventGap", node: message.src, missed: message.seq - last - 1 });
        }
      }
    }
    const entry = this.#subscriptions.get(message.src, message.path, message.intf, message.event);
    if (entry === undefined) {
      // An event we no longer want (the unsubscription crossed it, or the publisher missed it): say so again.
      this.#send(MessageType.Unsubscribe, message.src, message.path, message.intf, message.event);
      return;
    }
    const args = (message.args ?? {}) as never;
    for (const listener of entry.listeners) {
      try {
        listener(args, entry.source);
      } catch (err) {
        this.#host.warn(
          `an event listener of ${message.src}:${message.path} ${message.intf}.${message.event} threw: ${String(err)}`,
        );
      }
    }
  }

  /** `node` (re)appeared: sequence numbers start again, and this node's subscriptions to it are sent. */
  nodeUp(node: string): void {
    this.#seqIn.delete(node);
    this.#seqOut.delete(node);
    for (const entry of this.#subscriptions.forNode(node)) {
      this.#send(MessageType.Subscribe, node, entry.path, entry.intf, entry.event);
    }
  }

  /** `node` left: its subscriptions to this node go, and the sequence numbers of both directions. */
  nodeDown(node: string): void {
    this.#subscribers.removeNode(node);
    this.#seqIn.delete(node);
    this.#seqOut.delete(node);
  }

  /** The node closes: its listeners go. */
  clear(): void {
    this.#subscriptions.clear();
    this.#seqIn.clear();
  }

  #send(
    type: typeof MessageType.Subscribe | typeof MessageType.Unsubscribe,
    node: string,
    path: string,
    intf: string,
    event: string,
  ): void {
    // When the node is not reachable the message is dropped: it is sent again when the node appears.
    this.#host.route({ type, dst: node, src: this.#settings.self, hops: 0, path, intf, event });
  }
}
