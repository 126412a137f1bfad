/**
 * The messages of the wire protocol (docs/PROTOCOL.md): one interface per message, a union on `type`, and the
 * conversion to and from the positional arrays that go over the wire.
 */
import { NameLimit } from "../base/names.js";

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

const TYPE_NAMES: Readonly<Record<number, string>> = {
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

/**
 * The positional array of a message, as it goes over the wire. Nullable fields given as `undefined` are written as
 * nil by the codec.
 */
export function toWire(m: Message, packed?: Uint8Array): unknown[] {
  // With a MAC, the payload travels packed, as a bin: `packed`, or the one the message came with.
  const mac = "mac" in m ? (m.mac ?? null) : null;
  const payload = packed ?? ("packed" in m ? m.packed : undefined);
  switch (m.type) {
    case MessageType.Hello:
      return [m.type, m.version, m.name, m.info];
    case MessageType.Refuse:
    case MessageType.Bye:
      return [m.type, m.code, m.message];
    case MessageType.Challenge:
      return [m.type, m.nonce, m.proof];
    case MessageType.Auth:
      return [m.type, m.name, m.proof, m.info ?? {}];
    case MessageType.Call:
      return [
        m.type,
        m.dst,
        m.src,
        m.hops,
        m.id,
        m.path,
        m.intf,
        m.method,
        payload ?? m.args,
        m.timeoutMs,
        mac,
      ];
    case MessageType.Result:
      return [m.type, m.dst, m.src, m.hops, m.id, payload ?? m.out, mac];
    case MessageType.Error:
      return [m.type, m.dst, m.src, m.hops, m.id, m.code, m.message, payload ?? m.data, mac];
    case MessageType.Cancel:
      return [m.type, m.dst, m.src, m.hops, m.id, mac];
    case MessageType.Event:
      return [m.type, m.dst, m.src, m.hops, m.path, m.intf, m.event, payload ?? m.args, m.seq, mac];
    case MessageType.Subscribe:
    case MessageType.Unsubscribe:
      return [m.type, m.dst, m.src, m.hops, m.path, m.intf, m.event, mac];
    case MessageType.Advert: {
      const auth = m.auth ?? null;
      return [
        m.type,
        m.origin,
        m.instance,
        m.seq,
        m.neighbors,
        m.objects,
        auth === null ? null : [auth.credential, auth.dhKey, auth.signature],
      ];
    }
    case MessageType.Bind:
      return [m.type, m.channel, m.dst, m.src, m.path, m.intf, m.member];
    case MessageType.Ping:
    case MessageType.Pong:
      return [m.type];
  }
  // Reachable only by bypassing the types; encodeMessage() reports it as supcon.InvalidData.
  throw new TypeError(`not a protocol message: type ${String((m as { type?: unknown }).type)}`);
}

/**
 * Reads a decoded message array into a `Message`, checking its arity and the type of every field: strings,
 * unsigned integers within the safe range, maps that are plain objects (or nil where the protocol allows it),
 * `neighbors` an array of strings, `objects` a map of arrays of strings; and the length of every name
 * (`checkNames()`).
 *
 * The contents of `args`, `out`, `info` and `data` are not inspected here: the decoder has already refused
 * anything but plain data in the whole body, and their meaning is checked against the interface by the node.
 *
 * @returns the message, or a string saying what is wrong with it.
 */
export function parseMessage(value: unknown): Message | string {
  const message = parseFields(value);
  if (typeof message === "string") return message;
  const problem = checkNames(message);
  return problem === undefined ? message : `${messageTypeName(message.type)}: ${problem}`;
}

/** `parseMessage()` without the check of name lengths. */
function parseFields(value: unknown): Message | string {
  if (!Array.isArray(value)) return `a message must be an array, got ${kind(value)}`;
  const a = value as readonly unknown[];
  if (a.length === 0) return "empty message array";
  const type = a[0];
  if (!isUint(type)) return `message type must be an unsigned integer, got ${kind(type)}`;
  const name = TYPE_NAMES[type];
  if (name === undefined) return `unknown message type ${type}`;
  if (
    type === MessageType.ChannelCall ||
    type === MessageType.ChannelResult ||
    type === MessageType.ChannelEvent
  ) {
    return `${name} is read against the link's channels (LinkReader), not as a message by itself`;
  }
  const arity = ARITY[type] as number;
  if (a.length !== arity) return `${name} must have ${arity} elements, got ${a.length}`;

  switch (type) {
    case MessageType.Hello: {
      const version = a[1];
      const helloName = a[2];
      const info = a[3];
      if (!isUint(version)) return field(name, "version", 1, "an unsigned integer", version);
      if (typeof helloName !== "string") return field(name, "name", 2, "a string", helloName);
      if (!isPlainMap(info)) return field(name, "info", 3, "a map", info);
      return { type, version, name: helloName, info };
    }
    case MessageType.Refuse:
    case MessageType.Bye: {
      const code = a[1];
      const message = a[2];
      if (typeof code !== "string") return field(name, "code", 1, "a string", code);
      if (typeof message !== "string") return field(name, "message", 2, "a string", message);
      return { type, code, message };
    }
    case MessageType.Challenge: {
      const nonce = a[1];
      const proof = a[2];
      if (!(nonce instanceof Uint8Array)) return field(name, "nonce", 1, "binary", nonce);
      if (!(proof instanceof Uint8Array)) return field(name, "proof", 2, "binary", proof);
      return { type, nonce, proof };
    }
    case MessageType.Auth: {
      const authName = a[1];
      const proof = a[2];
      const info = a[3] ?? {};
      if (typeof authName !== "string") return field(name, "name", 1, "a string", authName);
      if (!(proof instanceof Uint8Array)) return field(name, "proof", 2, "binary", proof);
      if (!isPlainMap(info)) return field(name, "info", 3, "a map or nil", info);
      return { type, name: authName, proof, info };
    }
    case MessageType.Advert: {
      const origin = a[1];
      const instance = a[2];
      const seq = a[3];
      const neighbors = a[4];
      const objects = a[5];
      if (typeof origin !== "string") return field(name, "origin", 1, "a string", origin);
      if (typeof instance !== "string") return field(name, "instance", 2, "a string", instance);
      if (!isUint(seq)) return field(name, "seq", 3, "an unsigned integer", seq);
      if (!isStringArray(neighbors)) return field(name, "neighbors", 4, "an array of strings", neighbors);
      if (!isPlainMap(objects)) return field(name, "objects", 5, "a map", objects);
      for (const path in objects) {
        if (!isStringArray(objects[path])) {
          return `${name}: objects[${quote(path)}] must be an array of strings, got ${kind(objects[path])}`;
        }
      }
      const auth = a[6];
      if (auth !== null && !isBinArray(auth, 3)) {
        return field(name, "auth", 6, "nil or an array of 3 binaries [credential, dhKey, signature]", auth);
      }
      return {
        type,
        origin,
        instance,
        seq,
        neighbors,
        objects: objects as Readonly<Record<string, readonly string[]>>,
        // No signature is no field, as a message without a MAC has none.
        ...(auth === null
          ? {}
          : {
              auth: {
                credential: auth[0] as Uint8Array,
                dhKey: auth[1] as Uint8Array,
                signature: auth[2] as Uint8Array,
              },
            }),
      };
    }
    case MessageType.Bind: {
      const channel = a[1];
      if (!isUint(channel)) return field(name, "channel", 1, "an unsigned integer", channel);
      const names = ["dst", "src", "path", "intf", "member"];
      for (let i = 2; i < 7; i++) {
        if (typeof a[i] !== "string") return field(name, names[i - 2] as string, i, "a string", a[i]);
      }
      return {
        type,
        channel,
        dst: a[2] as string,
        src: a[3] as string,
        path: a[4] as string,
        intf: a[5] as string,
        member: a[6] as string,
      };
    }
    case MessageType.Ping:
    case MessageType.Pong:
      return { type };
  }

  // Routed messages: [type, dst, src, hops, ...].
  const dst = a[1];
  const src = a[2];
  const hops = a[3];
  if (typeof dst !== "string") return field(name, "dst", 1, "a string", dst);
  if (typeof src !== "string") return field(name, "src", 2, "a string", src);
  if (!isUint(hops)) return field(name, "hops", 3, "an unsigned integer", hops);
  // The MAC is the last element of every routed message: nil, or 16 bytes; with one, the payload comes packed.
  const last = arity - 1;
  const mac = a[last];
  if (mac !== null && !(mac instanceof Uint8Array && mac.length === MAC_BYTES)) {
    return field(name, "mac", last, `nil or ${MAC_BYTES} bytes of binary`, mac);
  }
  // No MAC is no field: a message without one reads as it did before MACs.
  const sealed = mac === null ? undefined : { mac };

  switch (type) {
    case MessageType.Call: {
      const id = a[4];
      const path = a[5];
      const intf = a[6];
      const method = a[7];
      const args = a[8];
      const timeoutMs = a[9];
      if (!isUint(id)) return field(name, "id", 4, "an unsigned integer", id);
      if (typeof path !== "string") return field(name, "path", 5, "a string", path);
      if (typeof intf !== "string") return field(name, "intf", 6, "a string", intf);
      if (typeof method !== "string") return field(name, "method", 7, "a string", method);
      if (!isUint(timeoutMs)) return field(name, "timeoutMs", 9, "an unsigned integer", timeoutMs);
      const problem = payloadProblem(name, "args", 8, args, mac);
      if (problem !== undefined) return problem;
      return mac === null
        ? {
            type,
            dst,
            src,
            hops,
            id,
            path,
            intf,
            method,
            args: args as PlainMap | null,
            timeoutMs,
            ...sealed,
          }
        : {
            type,
            dst,
            src,
            hops,
            id,
            path,
            intf,
            method,
            args: null,
            timeoutMs,
            mac,
            packed: args as Uint8Array,
          };
    }
    case MessageType.Result: {
      const id = a[4];
      const out = a[5];
      if (!isUint(id)) return field(name, "id", 4, "an unsigned integer", id);
      const problem = payloadProblem(name, "out", 5, out, mac);
      if (problem !== undefined) return problem;
      return mac === null
        ? { type, dst, src, hops, id, out: out as PlainMap | null }
        : { type, dst, src, hops, id, out: null, mac, packed: out as Uint8Array };
    }
    case MessageType.Error: {
      const id = a[4];
      const code = a[5];
      const message = a[6];
      if (!isUint(id)) return field(name, "id", 4, "an unsigned integer", id);
      if (typeof code !== "string") return field(name, "code", 5, "a string", code);
      if (typeof message !== "string") return field(name, "message", 6, "a string", message);
      const data = a[7];
      if (mac === null) return { type, dst, src, hops, id, code, message, data };
      if (!(data instanceof Uint8Array))
        return field(name, "data", 7, "binary (packed data) with a MAC", data);
      return { type, dst, src, hops, id, code, message, data: null, mac, packed: data };
    }
    case MessageType.Cancel: {
      const id = a[4];
      if (!isUint(id)) return field(name, "id", 4, "an unsigned integer", id);
      return { type, dst, src, hops, id, ...sealed };
    }
    case MessageType.Event: {
      const path = a[4];
      const intf = a[5];
      const event = a[6];
      const args = a[7];
      const seq = a[8];
      if (typeof path !== "string") return field(name, "path", 4, "a string", path);
      if (typeof intf !== "string") return field(name, "intf", 5, "a string", intf);
      if (typeof event !== "string") return field(name, "event", 6, "a string", event);
      if (!isUint(seq)) return field(name, "seq", 8, "an unsigned integer", seq);
      const problem = payloadProblem(name, "args", 7, args, mac);
      if (problem !== undefined) return problem;
      return mac === null
        ? { type, dst, src, hops, path, intf, event, args: args as PlainMap | null, seq }
        : { type, dst, src, hops, path, intf, event, args: null, seq, mac, packed: args as Uint8Array };
    }
    case MessageType.Subscribe:
    case MessageType.Unsubscribe: {
      const path = a[4];
      const intf = a[5];
      const event = a[6];
      if (typeof path !== "string") return field(name, "path", 4, "a string", path);
      if (typeof intf !== "string") return field(name, "intf", 5, "a string", intf);
      if (typeof event !== "string") return field(name, "event", 6, "a string", event);
      return { type, dst, src, hops, path, intf, event, ...sealed };
    }
  }
  // Unreachable: every type in TYPE_NAMES is handled above.
  return `unknown message type ${type}`;
}

export { NameLimit };

/**
 * What is wrong with the names of a message (the first that is too long, see `NameLimit`), or undefined. The
 * channel messages carry no names: their names come from BIND, checked here like any message.
 */
export function checkNames(m: Message): string | undefined {
  switch (m.type) {
    case MessageType.Hello: {
      const instance = m.info["instance"];
      return (
        limit("name", m.name, NameLimit.node) ??
        (typeof instance === "string" ? limit("info.instance", instance, NameLimit.instance) : undefined)
      );
    }
    case MessageType.Refuse:
    case MessageType.Bye:
      return limit("code", m.code, NameLimit.code);
    case MessageType.Challenge:
    case MessageType.Ping:
    case MessageType.Pong:
      return undefined;
    case MessageType.Auth:
      return limit("name", m.name, NameLimit.node);
    case MessageType.Call:
      return routedNames(m) ?? memberNames(m.path, m.intf, "method", m.method);
    case MessageType.Result:
    case MessageType.Cancel:
      return routedNames(m);
    case MessageType.Error:
      return routedNames(m) ?? limit("code", m.code, NameLimit.code);
    case MessageType.Event:
    case MessageType.Subscribe:
    case MessageType.Unsubscribe:
      return routedNames(m) ?? memberNames(m.path, m.intf, "event", m.event);
    case MessageType.Bind:
      return routedNames(m) ?? memberNames(m.path, m.intf, "member", m.member);
    case MessageType.Advert:
      return advertNames(m);
  }
  // Reachable only by bypassing the types; encodeMessage() refuses such a message when it packs it.
  return undefined;
}

function routedNames(m: { readonly dst: string; readonly src: string }): string | undefined {
  return limit("dst", m.dst, NameLimit.node) ?? limit("src", m.src, NameLimit.node);
}

function memberNames(path: string, intf: string, what: string, member: string): string | undefined {
  return (
    limit("path", path, NameLimit.path) ??
    limit("intf", intf, NameLimit.interface) ??
    limit(what, member, NameLimit.member)
  );
}

function advertNames(m: AdvertMessage): string | undefined {
  const problem =
    limit("origin", m.origin, NameLimit.node) ?? limit("instance", m.instance, NameLimit.instance);
  if (problem !== undefined) return problem;
  const neighbors = m.neighbors;
  for (let i = 0; i < neighbors.length; i++) {
    const neighbor = neighbors[i] as string;
    if (neighbor.length > NameLimit.node) return limit(`neighbors[${i}]`, neighbor, NameLimit.node);
  }
  for (const path in m.objects) {
    if (path.length > NameLimit.path)
      return limit(`the path ${quote(path)} of objects`, path, NameLimit.path);
    const intfs = m.objects[path] as readonly string[];
    for (let i = 0; i < intfs.length; i++) {
      const intf = intfs[i] as string;
      if (intf.length > NameLimit.interface) {
        return limit(`objects[${quote(path)}][${i}]`, intf, NameLimit.interface);
      }
    }
  }
  return undefined;
}

function limit(field: string, name: string, max: number): string | undefined {
  return name.length <= max
    ? undefined
    : `${field} must be at most ${max} characters long, got ${name.length}`;
}

/** A name for an error message, quoted, and cut short when long: it may come from a peer. */
function quote(name: string): string {
  return `'${name.length > 40 ? `${name.slice(0, 40)}…` : name}'`;
}

/** Number of elements of each message array, type included. */
const ARITY: Readonly<Record<number, number>> = {
  0: 4,
  1: 3,
  2: 3,
  3: 4,
  10: 11,
  11: 7,
  12: 9,
  13: 6,
  20: 10,
  21: 8,
  22: 8,
  30: 7,
  40: 1,
  41: 1,
  42: 3,
  43: 7,
};

/** Bytes of a MAC: HMAC-SHA256 cut to 128 bits. */
export const MAC_BYTES = 16;

/** What is wrong with a payload field: a map or nil without a MAC, packed (binary) with one. */
function payloadProblem(
  message: string,
  name: string,
  index: number,
  value: unknown,
  mac: Uint8Array | null,
): string | undefined {
  if (mac === null) return isMapOrNil(value) ? undefined : field(message, name, index, "a map or nil", value);
  return value instanceof Uint8Array
    ? undefined
    : field(message, name, index, "binary (the packed payload) with a MAC", value);
}

function isBinArray(v: unknown, length: number): v is readonly Uint8Array[] {
  return Array.isArray(v) && v.length === length && v.every((item) => item instanceof Uint8Array);
}

function isUint(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isPlainMap(v: unknown): v is PlainMap {
  if (typeof v !== "object" || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isMapOrNil(v: unknown): v is PlainMap | null {
  return v === null || isPlainMap(v);
}

function isStringArray(v: unknown): v is readonly string[] {
  if (!Array.isArray(v)) return false;
  for (const item of v as readonly unknown[]) if (typeof item !== "string") return false;
  return true;
}

function field(message: string, name: string, index: number, expected: string, got: unknown): string {
  return `${message}: ${name} (element ${index}) must be ${expected}, got ${kind(got)}`;
}

/** A short name of what a value is, for error messages. */
function kind(v: unknown): string {
  if (v === null) return "nil";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Uint8Array) return "binary";
  switch (typeof v) {
    case "string":
      return "a string";
    case "number":
      return `the number ${v}`;
    case "boolean":
      return "a boolean";
    case "object":
      return isPlainMap(v)
        ? "a map"
        : `a ${(v as { constructor?: { name?: string } }).constructor?.name ?? "object"}`;
    default:
      return typeof v;
  }
}
