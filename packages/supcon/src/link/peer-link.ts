/**
 * What the node sees of a link to a peer: a way to send routed messages that says what became of each, whatever
 * carries them (a connection, or the loopback to the node itself).
 */
import { SupconError } from "../base/errors.js";
import type { EventHeader } from "../wire/link-codec.js";
import type { Message, MessageType } from "../wire/messages.js";

/**
 * What became of a message given to a link: queued for sending ("sent"), refused because the link is not open
 * ("closed"), or refused because the link's queue is over its limit and the peer does not keep up ("overloaded").
 */
export type SendOutcome = "sent" | "closed" | "overloaded";

/** Messages a link hands to its node: everything after the handshake except link control. */
export type RoutedMessage = Exclude<
  Message,
  {
    type:
      | typeof MessageType.Hello
      | typeof MessageType.Refuse
      | typeof MessageType.Challenge
      | typeof MessageType.Auth
      | typeof MessageType.Bind
      | typeof MessageType.Ping
      | typeof MessageType.Pong
      | typeof MessageType.Bye;
  }
>;

/** A routed message with a destination node (every routed message but ADVERT). */
export type AddressedMessage = Exclude<RoutedMessage, { type: typeof MessageType.Advert }>;

/**
 * An event fired once for all its subscribers. Links that put it on the wire pack `args` into `payload` on first
 * use, so it is packed once whatever the number of subscribers, and not at all when all of them are local.
 */
export interface OutgoingEvent extends EventHeader {
  readonly args: Record<string, unknown>;
  payload: Uint8Array | undefined;
}

/** A refusal of a handshake: a code (`supcon.NameTaken`) and a message for the other side. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
}

/** Why a link closed, when it was not a clean close by this side. */
export class LinkError extends SupconError {
  override name = "LinkError";
}

/**
 * The peer refused this node with REFUSE: in the handshake, or, for an acceptor, right after the HELLO that opened
 * the link on this side (the connector checks it last: `checkNodeName`, credentials). Retrying helps only once
 * something has changed, on either side.
 */
export class PeerRefusal extends LinkError {}

/** A link as routing uses it. */
export interface PeerLink {
  /** The peer's node name once the link is open. */
  readonly peer: string | undefined;
  /** Where the other end is, for messages (`127.0.0.1:7000`, `loopback`). */
  readonly remote: string;
  /** Bytes waiting to be written. */
  readonly queuedBytes: number;
  /**
   * Sends a routed message. `payload` is the still-packed args or out of a message being forwarded, `hops` its new
   * hop count. @throws WireError when the message cannot be encoded.
   */
  send(message: Message, payload?: Uint8Array, hops?: number): SendOutcome;
  /** Sends event `event` to subscriber `dst` with sequence number `seq`. */
  sendEvent(event: OutgoingEvent, dst: string, seq: number): SendOutcome;
}
