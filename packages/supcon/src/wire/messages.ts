/**
 * The messages of the wire protocol (docs/PROTOCOL.md): one interface per message, a union on `type`, and the
 * conversion to and from the positional arrays that go over the wire.
 */

/** The protocol version this runtime speaks, sent in HELLO. */
export const PROTOCOL_VERSION = 3;

/** Message type numbers, the first element of every message array. */
export const MessageType = {
  Hello: 0,
  Refuse: 1,
  Challenge: 2,
  Auth: 3,
  Call: 10,
  Result: 11,
  Error: 12,
  Cancel: 13,
  /** CALL on a channel (runtime/wire/compact.ts); read and written by the link, never a `Message`. */
  ChannelCall: 14,
  /** RESULT on a channel. */
  ChannelResult: 15,
  Event: 20,
  Subscribe: 21,
  Unsubscribe: 22,
  /** EVENT on a channel. */
  ChannelEvent: 23,
  Advert: 30,
  Ping: 40,
  Pong: 41,
  Bye: 42,
  Bind: 43,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** A map of plain data (string keys), as carried by `args`, `out` and `info`. */
export type PlainMap = Readonly<Record<string, unknown>>;

/** `[0, version, name, info]`: the first message on a link, from each side. */
export interface HelloMessage {
  readonly type: typeof MessageType.Hello;
  readonly version: number;
  readonly name: string;
  /** Reserved for extensions; unknown keys are ignored. */
  readonly info: PlainMap;
}

/** `[1, code, message]`: the handshake is refused; the sender closes. */
export interface RefuseMessage {
  readonly type: typeof MessageType.Refuse;
  readonly code: string;
  readonly message: string;
}

/**
 * `[2, nonce, proof]`: on a link with a shared secret or credentials, the accepting side's answer to HELLO: its own
 * fresh nonce. `proof` is empty: the acceptor proves itself in its HELLO, after the connector has (docs/PROTOCOL.md).
 */
export interface ChallengeMessage {
  readonly type: typeof MessageType.Challenge;
  readonly nonce: Uint8Array;
  readonly proof: Uint8Array;
}

/**
 * `[3, name, proof, info]`: the connecting side's name, its proof of the secret (empty without one), and in `info`
 * its `credential` and `signature` of the handshake transcript (with credentials).
 */
export interface AuthMessage {
  readonly type: typeof MessageType.Auth;
  readonly name: string;
  readonly proof: Uint8Array;
  /** Sent as `{}` when absent; read as `{}` from nil. */
  readonly info?: PlainMap;
}

/** The fields every routed message starts with. */
export interface RoutedFields {
  /** Destination node. */
  readonly dst: string;
  /** Source node. */
  readonly src: string;
  /** Links crossed so far. */
  readonly hops: number;
  /**
   * The source's MAC (origin authentication, 16 bytes), or null for none; undefined on a message this node makes,
   * which the link seals as it sends it.
   */
  readonly mac?: Uint8Array | null;
}

/**
 * A message's payload as packed bytes, when it came in full form with a MAC (its args, out or data then travel as
 * bin): the link decodes it into the message and keeps the bytes for the MAC check and for forwarding.
 */
export interface PackedPayload {
  readonly packed?: Uint8Array;
}

/** The fields of a routed message that its MAC covers (besides the payload); see bus/origin-auth.ts. */
export interface MacFields {
  readonly type: number;
  readonly dst: string;
  readonly src: string;
  readonly id?: number;
  readonly timeoutMs?: number;
  readonly seq?: number;
  readonly path?: string;
  readonly intf?: string;
  readonly method?: string;
  readonly event?: string;
  readonly code?: string;
  readonly message?: string;
}

/** `[10, dst, src, hops, id, path, intf, method, args?, timeoutMs]` */
export interface CallMessage extends RoutedFields, PackedPayload {
  readonly type: typeof MessageType.Call;
  /** Chosen by the caller, unique among its calls in flight. */
  readonly id: number;
  readonly path: string;
  readonly intf: string;
  readonly method: string;
  readonly args: PlainMap | null;
  /** Time left until the caller's deadline when the call was sent, in milliseconds. */
  readonly timeoutMs: number;
}

/** `[11, dst, src, hops, id, out?]` */
export interface ResultMessage extends RoutedFields, PackedPayload {
  readonly type: typeof MessageType.Result;
  readonly id: number;
  readonly out: PlainMap | null;
}

/** `[12, dst, src, hops, id, code, message, data?]` */
export interface ErrorMessage extends RoutedFields, PackedPayload {
  readonly type: typeof MessageType.Error;
  readonly id: number;
  readonly code: string;
  readonly message: string;
  /** Structured detail, plain data; null when there is none. */
  readonly data: unknown;
}

/** `[13, dst, src, hops, id]` */
export interface CancelMessage extends RoutedFields {
  readonly type: typeof MessageType.Cancel;
  readonly id: number;
}

/** `[20, dst, src, hops, path, intf, event, args?, seq]` */
export interface EventMessage extends RoutedFields, PackedPayload {
  readonly type: typeof MessageType.Event;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
  readonly args: PlainMap | null;
  /** Numbers the events from `src` to `dst`, from 1 upwards. */
  readonly seq: number;
}

/** `[21, dst, src, hops, path, intf, event]` */
export interface SubscribeMessage extends RoutedFields {
  readonly type: typeof MessageType.Subscribe;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
}

/** `[22, dst, src, hops, path, intf, event]` */
export interface UnsubscribeMessage extends RoutedFields {
  readonly type: typeof MessageType.Unsubscribe;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
}

/** `[30, origin, instance, seq, neighbors, objects]`: link state of `origin`, flooded over the bus. */
export interface AdvertMessage {
  readonly type: typeof MessageType.Advert;
  readonly origin: string;
  /** Random id of the origin's process: a restarted node, or another node of the same name, has another. */
  readonly instance: string;
  /** Higher is newer, per origin. */
  readonly seq: number;
  /** Nodes directly linked to `origin`. */
  readonly neighbors: readonly string[];
  /** Registered objects of `origin`: path → interface names. */
  readonly objects: Readonly<Record<string, readonly string[]>>;
  /** The origin's signature (origin authentication), or null / absent for none. */
  readonly auth?: AdvertAuth | null;
}

/** `[credential, dhKey, signature]`: what makes an ADVERT its origin's (docs/PROTOCOL.md, "Origin authentication"). */
export interface AdvertAuth {
  /** The origin's credential: a kind byte, then DER (link/identity.ts). */
  readonly credential: Uint8Array;
  /** The origin process's X25519 public key, 32 bytes: the pair keys of its messages' MACs come from it. */
  readonly dhKey: Uint8Array;
  /** The origin's signature of the advert's canonical encoding. */
  readonly signature: Uint8Array;
}

/**
 * `[43, channel, dst, src, path, intf, member]`: from now on, on this link and in this direction, channel number
 * `channel` stands for these five names (docs/PROTOCOL.md, "Channels"). RESULT channels have empty `path`, `intf`
 * and `member`.
 */
export interface BindMessage {
  readonly type: typeof MessageType.Bind;
  readonly channel: number;
  readonly dst: string;
  readonly src: string;
  readonly path: string;
  readonly intf: string;
  readonly member: string;
}

/** `[40]` */
export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

/** `[41]` */
export interface PongMessage {
  readonly type: typeof MessageType.Pong;
}

/** `[42, code, message]`: the sender closes the link, saying why. */
export interface ByeMessage {
  readonly type: typeof MessageType.Bye;
  readonly code: string;
  readonly message: string;
}

/** Any message of the protocol, discriminated on `type`. */
export type Message =
  | HelloMessage
  | RefuseMessage
  | ChallengeMessage
  | AuthMessage
  | CallMessage
  | ResultMessage
  | ErrorMessage
  | CancelMessage
  | EventMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | AdvertMessage
  | BindMessage
  | PingMessage
  | PongMessage
  | ByeMessage;

export const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "HELLO",
  1: "REFUSE",
  2: "CHALLENGE",
  3: "AUTH",
  10: "CALL",
  11: "RESULT",
  12: "ERROR",
  13: "CANCEL",
  14: "CHANNEL CALL",
  15: "CHANNEL RESULT",
  20: "EVENT",
  21: "SUBSCRIBE",
  22: "UNSUBSCRIBE",
  23: "CHANNEL EVENT",
  30: "ADVERT",
  40: "PING",
  41: "PONG",
  42: "BYE",
  43: "BIND",
};

/** The protocol's name of a message type (`CALL`), or `type N` for a number it does not define. */
export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

export { NameLimit } from "../base/names.js";
