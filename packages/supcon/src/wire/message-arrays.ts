/**
 * Messages to and from the positional arrays that go over the wire (docs/PROTOCOL.md), every field checked on the
 * way in: what a peer sends becomes a `Message` or a readable reason why not. The entry point: the array form out
 * (`toWire()`), and the checks every array in shares (type, arity, names); the fields of link messages are read by
 * `link-message-parse.ts`, those of routed messages by `routed-message-parse.ts`.
 */
import type { Message } from "./messages.js";
import { checkNames } from "./message-names.js";
import { MessageType, TYPE_NAMES, messageTypeName } from "./messages.js";
import { isUint, kind } from "./message-fields.js";
import { parseLinkMessage } from "./link-message-parse.js";
import { parseRoutedMessage } from "./routed-message-parse.js";

export { MAC_BYTES } from "./message-fields.js";

/**
 * The positional array of a message, as it goes over the wire. Nullable fields given as `undefined` are written as
 * nil by the codec.
 *
 * @param payload What goes in the payload's place (CALL and EVENT `args`, RESULT `out`, ERROR `data`): the payload
 *   packed, as a bin (with a MAC); null for nil, to splice the packed payload in later; undefined for the message's
 *   own value (or the bin it came with).
 * @throws TypeError when an unsigned field is not an unsigned integer within 2^53 − 1, or `m` is no message.
 */
export function toWire(m: Message, payload?: Uint8Array | null): unknown[] {
  // With a MAC, the payload travels packed, as a bin: `payload`, or the one the message came with.
  const mac = "mac" in m ? (m.mac ?? null) : null;
  const slot = payload !== undefined ? payload : "packed" in m ? m.packed : undefined;
  // The unsigned fields every routed message, or every call message, has.
  const hops = "hops" in m ? uint(m.hops, "hops") : 0;
  const id = "id" in m ? uint(m.id, "id") : 0;
  switch (m.type) {
    case MessageType.Hello:
      return [m.type, uint(m.version, "version"), m.name, m.info];
    case MessageType.Refuse:
    case MessageType.Bye:
      return [m.type, m.code, m.message];
    case MessageType.Challenge:
      return [m.type, m.nonce, m.proof];
    case MessageType.Auth:
      return [m.type, m.name, m.proof, m.info ?? {}];
    case MessageType.Call: {
      const timeoutMs = uint(m.timeoutMs, "timeoutMs");
      return [m.type, m.dst, m.src, hops, id, m.path, m.intf, m.method, or(slot, m.args), timeoutMs, mac];
    }
    case MessageType.Result:
      return [m.type, m.dst, m.src, hops, id, or(slot, m.out), mac];
    case MessageType.Error:
      return [m.type, m.dst, m.src, hops, id, m.code, m.message, or(slot, m.data), mac];
    case MessageType.Cancel:
      return [m.type, m.dst, m.src, hops, id, mac];
    case MessageType.Event:
      return [m.type, m.dst, m.src, hops, m.path, m.intf, m.event, or(slot, m.args), uint(m.seq, "seq"), mac];
    case MessageType.Subscribe:
    case MessageType.Unsubscribe:
      return [m.type, m.dst, m.src, hops, m.path, m.intf, m.event, mac];
    case MessageType.Advert: {
      const auth = m.auth ?? null;
      return [
        m.type,
        m.origin,
        m.instance,
        uint(m.seq, "seq"),
        m.neighbors,
        m.objects,
        auth === null ? null : [auth.credential, auth.dhKey, auth.signature],
      ];
    }
    case MessageType.Bind:
      return [m.type, uint(m.channel, "channel"), m.dst, m.src, m.path, m.intf, m.member];
    case MessageType.Ping:
    case MessageType.Pong:
      return [m.type];
  }
  // Reachable only by bypassing the types; encodeMessage() reports it as supcon.InvalidData.
  throw new TypeError(`not a protocol message: type ${String((m as { type?: unknown }).type)}`);
}

/** What goes in the payload's place: `slot` (a bin, or nil to splice into) when given, else the message's own value. */
function or(slot: Uint8Array | null | undefined, value: unknown): unknown {
  return slot === undefined ? value : slot;
}

/** `n`, an unsigned field of a message: the protocol sends only unsigned integers within 2^53 − 1 there. */
function uint(n: number, name: string): number {
  if (isUint(n)) return n;
  throw new TypeError(`${name} must be an unsigned integer within 2^53 - 1, got ${kind(n)}`);
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

  return parseLinkMessage(a, type, name) ?? parseRoutedMessage(a, type, name, arity);
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
