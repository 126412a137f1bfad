/**
 * Events, both sides. As subscriber: the listeners of this node by (node, path, interface, event), one
 * subscription on the wire per key, sent again whenever the publisher (re)appears, and gaps in the publisher's
 * sequence numbers reported. As publisher: which nodes subscribed to what, within the access policy and a limit
 * per node, and firing an event to each of them with its own sequence number.
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
  /** Last event sequence number sent to each node. */
  readonly #seqOut = new Map<string, number>();
  /** Last event sequence number received from each node. */
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

  /** A node asks for an event of this node. */
  onSubscribe(message: SubscribeMessage): void {
    const { src, path, intf, event } = message;
    // A subscriber must be on the bus: the subscription goes when it leaves, and forged names cannot pile up.
    if (!this.#host.isKnown(src)) return;
    if (!this.#host.allowed({ caller: src, path, intf, member: event })) {
      this.#host.warn(
        `ignored a subscription of ${src} to ${intf}.${event} at ${path}: the access policy denies it`,
      );
      return;
    }
    const limit = this.#settings.maxSubscriptionsPerNode;
    if (this.#subscribers.has(src, path, intf, event)) return;
    if (this.#subscribers.countOf(src) >= limit) {
      this.#host.warn(
        `ignored a subscription of ${src} to ${intf}.${event} at ${path}: it holds ${limit} already (maxSubscriptionsPerNode)`,
      );
      return;
    }
    this.#subscribers.add(src, path, intf, event);
  }

  onUnsubscribe(message: UnsubscribeMessage): void {
    this.#subscribers.remove(message.src, message.path, message.intf, message.event);
  }

  /** An event arrived for this node's listeners. */
  onEvent(message: EventMessage): void {
    const entry = this.#subscriptions.get(message.src, message.path, message.intf, message.event);
    const last = this.#seqIn.get(message.src) ?? 0;
    // A late event (lower than one seen) counts neither as a gap nor as the new last.
    if (message.seq > last) {
      this.#seqIn.set(message.src, message.seq);
      if (last !== 0 && message.seq !== last + 1) {
        this.#host.status({ type: "eventGap", node: message.src, missed: message.seq - last - 1 });
      }
    }
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

  /** `node` left: its subscriptions to this node go. */
  nodeDown(node: string): void {
    this.#subscribers.removeNode(node);
  }

  /** The node closes: its listeners go. */
  clear(): void {
    this.#subscriptions.clear();
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
