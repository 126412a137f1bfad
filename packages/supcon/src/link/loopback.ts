/**
 * The loopback link: the link from a node to itself. It carries messages without a socket, handing each to the
 * node's delivery at once, so that a call, a cancellation, a subscription or an event addressed to the node itself
 * takes the same path through routing as one addressed to any other node.
 *
 * What a message carries (a call's args, a result's out, an event's args, an error's data) is packed and decoded as
 * on any link: the receiver gets its own copy, and what cannot travel (a `Date`, a class instance, a cycle) fails
 * here exactly as it would on the way to another node, with `supcon.InvalidData`.
 */
import { packPayload } from "../wire/codec.js";
import { WireError, WireErrorCode } from "../wire/errors.js";
import type { PlainMap } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import type { Message } from "../wire/messages.js";
import type { PlainDecoder } from "../wire/plain-decoder.js";
import { createPlainDecoder } from "../wire/plain-decoder.js";
import type { AddressedMessage, OutgoingEvent, PeerLink, SendOutcome } from "./peer-link.js";

export class LoopbackLink implements PeerLink {
  readonly peer: string;
  readonly remote = "loopback";
  readonly queuedBytes = 0;
  readonly #deliver: (message: AddressedMessage) => void;
  readonly #decoder: PlainDecoder = createPlainDecoder();
  #open = true;

  /** @param deliver hands a message to the node as if it had arrived on a link. */
  constructor(self: string, deliver: (message: AddressedMessage) => void) {
    this.peer = self;
    this.#deliver = deliver;
  }

  /**
   * Only addressed messages are routed to oneself; the node never floods adverts to itself.
   * @throws WireError when what the message carries cannot travel, as `Link.send()` does.
   */
  send(message: Message): SendOutcome {
    if (!this.#open) return "closed";
    const m = message as AddressedMessage;
    switch (m.type) {
      case MessageType.Call:
        this.#deliver({ ...m, args: this.#copy(m.args, "CALL") });
        break;
      case MessageType.Result:
        this.#deliver({ ...m, out: this.#copy(m.out, "RESULT") });
        break;
      case MessageType.Error:
        this.#deliver({ ...m, data: this.#copy(m.data, "ERROR") });
        break;
      default:
        this.#deliver(m);
    }
    return "sent";
  }

  sendEvent(event: OutgoingEvent, dst: string, seq: number): SendOutcome {
    if (!this.#open) return "closed";
    const { src, path, intf } = event;
    const packed = (event.payload ??= packPayload(event.args, "EVENT"));
    const args = this.#decode(packed) as PlainMap | null;
    this.#deliver({ type: MessageType.Event, dst, src, hops: 0, path, intf, event: event.event, args, seq });
    return "sent";
  }

  /** After `close()` the node's messages to itself are refused, as on a closed link. */
  close(): void {
    this.#open = false;
  }

  #copy<T>(value: T, what: string): T {
    if (value === null || value === undefined) return value;
    return this.#decode(packPayload(value, what)) as T;
  }

  #decode(packed: Uint8Array): unknown {
    const value = this.#decoder.decode(packed, 0, packed.length);
    if (value === undefined) throw new WireError(WireErrorCode.InvalidData, this.#decoder.error);
    return value;
  }
}
