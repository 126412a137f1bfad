/**
 * The bounds on the names a message carries (`NameLimit`, docs/PROTOCOL.md "Limits"), for every message type, on
 * receipt and before sending.
 */
import { NameLimit } from "../base/names.js";
import type { AdvertMessage, Message } from "./messages.js";
import { MessageType } from "./messages.js";

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
export function quote(name: string): string {
  return `'${name.length > 40 ? `${name.slice(0, 40)}…` : name}'`;
}
