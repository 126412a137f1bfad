/**
 * The loopback link: the link from a node to itself. It carries messages without bytes, handing each to the node's
 * delivery at once, so that a call, a cancellation, a subscription or an event addressed to the node itself takes
 * the same path through routing as one addressed to any other node.
 */
import type { AddressedMessage, OutgoingEvent, PeerLink, SendOutcome } from "./peer-link.js";
import { MessageType } from "../wire/messages.js";
import type { Message } from "../wire/messages.js";

export class LoopbackLink implements PeerLink {
  readonly peer: string;
  readonly remote = "loopback";
  readonly queuedBytes = 0;
  readonly #deliver: (message: AddressedMessage) => void;
  #open = true;

  /** @param deliver hands a message to the node as if it had arrived on a link. */
  constructor(self: string, deliver: (message: AddressedMessage) => void) {
    this.peer = self;
    this.#deliver = deliver;
  }

  /** Only addressed messages are routed to oneself; the node never floods adverts to itself. */
  send(message: Message): SendOutcome {
    if (!this.#open) return "closed";
    this.#deliver(message as AddressedMessage);
    return "sent";
  }

  sendEvent(event: OutgoingEvent, dst: string, seq: number): SendOutcome {
    if (!this.#open) return "closed";
    const { src, path, intf, args } = event;
    this.#deliver({ type: MessageType.Event, dst, src, hops: 0, path, intf, event: event.event, args, seq });
    return "sent";
  }

  /** After `close()` the node's messages to itself are refused, as on a closed link. */
  close(): void {
    this.#open = false;
  }
}
