/**
 * Messages to and from the positional arrays that go over the wire (docs/PROTOCOL.md), every field checked on the
 * way in: what a peer sends becomes a `Message` or a readable reason why not.
 */
import type { Message, PlainMap } from "./messages.js";
import { checkNames, quote } from "./message-names.js";
import { MessageType, TYPE_NAMES, messageTypeName } from "./messages.js";

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
