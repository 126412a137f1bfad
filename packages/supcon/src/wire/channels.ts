/**
 * Channel tables (docs/PROTOCOL.md, "Channels"). A channel is a number that stands, on one link and in one
 * direction, for the five names a CALL, RESULT or EVENT carries: destination, source, path, interface and member.
 * The sender binds a number with BIND the first time it sends on those names, and its later messages carry only
 * the number; the receiver looks the names up. Both tables are bounded.
 */
import type { BindMessage } from "./messages.js";
import { MessageType } from "./messages.js";

/** Channel numbers are below this on every link and in each direction. */
export const MAX_CHANNELS = 4096;

/** Names longer than this (in UTF-8 bytes) are not bound; messages on them are sent in full. */
export const MAX_CHANNEL_NAME_BYTES = 255;

/** The names a channel stands for. RESULT channels have empty `path`, `intf` and `member`. */
export interface Channel {
  readonly dst: string;
  readonly src: string;
  readonly path: string;
  readonly intf: string;
  readonly member: string;
}

type Tree = Map<string, Map<string, Map<string, Map<string, Map<string, number>>>>>;

/**
 * The sending side's table: which names have a channel number on this link. When all numbers are taken, binding
 * new names takes the numbers over in turn (a clock), so a long-lived link that sees many names keeps working;
 * the peer's table follows, since BIND of a bound number replaces its names.
 */
export class OutboundChannels {
  /** dst → src → path → intf → member → number: lookups by the names, no key string built per message. */
  readonly #numbers: Tree = new Map();
  readonly #bound: Channel[] = [];
  #hand = 0;
  readonly #capacity: number;
  /**
   * The channel found last: consecutive messages on a link mostly go on the same channel (calls of one method, the
   * results back, an event to one subscriber), so one comparison of five strings saves five map lookups.
   */
  #last: Channel | undefined;
  #lastChannel = -1;

  constructor(capacity = MAX_CHANNELS) {
    this.#capacity = capacity;
  }

  /** The number bound to these names, or -1. */
  find(dst: string, src: string, path: string, intf: string, member: string): number {
    const last = this.#last;
    if (
      last !== undefined &&
      last.member === member &&
      last.dst === dst &&
      last.intf === intf &&
      last.path === path &&
      last.src === src
    ) {
      return this.#lastChannel;
    }
    const channel = this.#numbers.get(dst)?.get(src)?.get(path)?.get(intf)?.get(member) ?? -1;
    if (channel >= 0) {
      this.#last = this.#bound[channel];
      this.#lastChannel = channel;
    }
    return channel;
  }

  /**
   * Binds a number to these names (which must not be bound) and returns the BIND message that tells the peer, or
   * undefined when a name is too long to bind.
   */
  bind(dst: string, src: string, path: string, intf: string, member: string): BindMessage | undefined {
    if (!fits(dst) || !fits(src) || !fits(path) || !fits(intf) || !fits(member)) return undefined;
    let channel = this.#bound.length;
    if (channel >= this.#capacity) {
      channel = this.#hand;
      this.#hand = (this.#hand + 1) % this.#capacity;
      this.#forget(this.#bound[channel] as Channel);
      if (this.#lastChannel === channel) {
        this.#last = undefined;
        this.#lastChannel = -1;
      }
    }
    const bind: BindMessage = { type: MessageType.Bind, channel, dst, src, path, intf, member };
    this.#bound[channel] = bind;
    at(at(at(at(this.#numbers, dst), src), path), intf).set(member, channel);
    return bind;
  }

  /** Numbers bound (at most the capacity). */
  get size(): number {
    return this.#bound.length;
  }

  #forget(c: Channel): void {
    const bySrc = this.#numbers.get(c.dst);
    const byPath = bySrc?.get(c.src);
    const byIntf = byPath?.get(c.path);
    const byMember = byIntf?.get(c.intf);
    if (bySrc === undefined || byPath === undefined || byIntf === undefined || byMember === undefined) return;
    byMember.delete(c.member);
    // Empty maps go too, so the tree holds no more than the bound channels.
    if (byMember.size === 0) byIntf.delete(c.intf);
    if (byIntf.size === 0) byPath.delete(c.path);
    if (byPath.size === 0) bySrc.delete(c.src);
    if (bySrc.size === 0) this.#numbers.delete(c.dst);
  }
}

/** The receiving side's table: the names of each channel number the peer has bound. */
export class InboundChannels {
  readonly #channels: (Channel | undefined)[] = [];

  /** Binds (or rebinds) a number; returns what is wrong with the BIND, or undefined. */
  bind(message: BindMessage): string | undefined {
    if (message.channel >= MAX_CHANNELS) {
      return `BIND: channel ${message.channel} is out of range (channels are below ${MAX_CHANNELS})`;
    }
    for (const name of [message.dst, message.src, message.path, message.intf, message.member]) {
      if (!fits(name)) return `BIND: a name is longer than ${MAX_CHANNEL_NAME_BYTES} bytes`;
    }
    this.#channels[message.channel] = message;
    return undefined;
  }

  /** The names bound to `channel`, or undefined when the peer has not bound it. */
  get(channel: number): Channel | undefined {
    return this.#channels[channel];
  }
}

function fits(name: string): boolean {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most names need no count.
  return (
    name.length * 3 <= MAX_CHANNEL_NAME_BYTES || Buffer.byteLength(name, "utf8") <= MAX_CHANNEL_NAME_BYTES
  );
}

function at<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (inner === undefined) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}
