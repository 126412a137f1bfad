/**
 * The messages that cross one link only, read from their arrays: the handshake (HELLO, REFUSE, CHALLENGE, AUTH),
 * link state (ADVERT) and link control (BIND, PING, PONG, BYE), every field checked (docs/PROTOCOL.md). The routed
 * messages, which share a header and end in a MAC, are read by `routed-message-parse.ts`.
 */
import type { Message } from "./messages.js";
import { quote } from "./message-names.js";
import { MessageType } from "./messages.js";
import { field, isBinArray, isPlainMap, isStringArray, isUint, kind } from "./message-fields.js";

/**
 * Reads the fields of a link message: `a` is its array, of the arity of its `type` (checked by the caller), and
 * `name` the name of that type, for the reasons.
 *
 * @returns the message, a string saying what is wrong with it, or undefined when `type` is a routed message's.
 */
export function parseLinkMessage(
  a: readonly unknown[],
  type: number,
  name: string,
): Message | string | undefined {
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
  return undefined;
}
