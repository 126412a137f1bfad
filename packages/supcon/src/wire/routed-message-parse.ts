/**
 * The routed messages read from their arrays: CALL, RESULT, ERROR, CANCEL, EVENT, SUBSCRIBE and UNSUBSCRIBE, each
 * `[type, dst, src, hops, ..., mac]` (docs/PROTOCOL.md, "Routed messages"), every field checked. With a MAC, the
 * payload (`args`, `out`, `data`) stays packed, as the binary it came as, for the destination to verify.
 */
import type { Message, PlainMap } from "./messages.js";
import { MessageType } from "./messages.js";
import { MAC_BYTES, field, isUint, payloadProblem } from "./message-fields.js";

/**
 * Reads the fields of a routed message: `a` is its array, of `arity` elements (checked by the caller: the MAC is
 * the last), `type` one of the routed types and `name` its name, for the reasons.
 *
 * @returns the message, or a string saying what is wrong with it.
 */
export function parseRoutedMessage(
  a: readonly unknown[],
  type: number,
  name: string,
  arity: number,
): Message | string {
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
  // Unreachable: every type in TYPE_NAMES is handled here or by parseLinkMessage().
  return `unknown message type ${type}`;
}
