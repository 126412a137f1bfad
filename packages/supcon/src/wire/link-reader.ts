/**
 * Reads the frame bodies of one link (see `link-codec.ts`), channel messages and full ones.
 */
import { InboundChannels } from "./channels.js";
import { readMessage, readPayload } from "./codec.js";
import type { Message } from "./messages.js";
import { MAC_BYTES } from "./message-arrays.js";
import { MessageType, messageTypeName } from "./messages.js";
import { MAX_NESTING_DEPTH, createPlainDecoder } from "./plain-decoder.js";
import { CALL_ARRAY, RESULT_OR_EVENT_ARRAY, NIL, BIN8 } from "./channel-format.js";

/** Where the payload is in the full form of the messages that have one (`args`, `out`, `data`). */
const PAYLOAD_INDEX: Readonly<Partial<Record<number, number>>> = {
  [MessageType.Call]: 8,
  [MessageType.Result]: 5,
  [MessageType.Error]: 7,
  [MessageType.Event]: 7,
};

/** Reads the frame bodies of one link; see the module comment. */
export class LinkReader {
  readonly #channels = new InboundChannels();
  readonly #self: string | undefined;
  /** The link's decoder: its key cache holds the keys of this link's messages. */
  readonly #decoder = createPlainDecoder();
  #payload: Uint8Array | undefined;
  /** Where the integer `#uint()` read last ends. */
  #uintEnd = 0;

  /**
   * @param self This node's name. The payload of a channel message addressed to another node is not decoded: it
   *   is checked, and left in `payload` for forwarding. Undefined to decode every payload.
   */
  constructor(self: string | undefined) {
    this.#self = self;
  }

  /**
   * The packed payload (`args`, `out`, ERROR `data`) of the message `read()` returned last, when it was addressed
   * to another node (a channel message's `args`/`out` is then null, not decoded) or carried a MAC (which covers
   * these bytes): a view of the body, valid as long as the body is. A relay sends it on as it is.
   */
  get payload(): Uint8Array | undefined {
    return this.#payload;
  }

  /**
   * Reads one frame body, `bytes[start, end)`: a message, or what is wrong with the body (the link then closes
   * with `supcon.ProtocolError`). BIND is applied to the channel table here, and returned as well.
   */
  read(bytes: Uint8Array, start = 0, end = bytes.length): Message | string {
    this.#payload = undefined;
    const type = start + 1 < end ? bytes[start + 1] : undefined;
    if (
      type === MessageType.ChannelCall ||
      type === MessageType.ChannelResult ||
      type === MessageType.ChannelEvent
    ) {
      return this.#readChannelMessage(bytes, start, end, type);
    }
    const message = readMessage(this.#decoder, bytes, start, end);
    if (typeof message === "string") return message;
    if (message.type === MessageType.Bind) {
      const problem = this.#channels.bind(message);
      if (problem !== undefined) return problem;
    }
    if ("packed" in message && message.packed !== undefined) return this.#unpackFull(message, message.packed);
    const index = PAYLOAD_INDEX[message.type];
    if (index !== undefined && this.#self !== undefined && (message as { dst: string }).dst !== this.#self) {
      // To forward: the payload goes on as the bytes it came as (its numbers keep their kind), not packed again.
      this.#payload = this.#element(bytes, start, end, index);
    }
    return message;
  }

  /** The bytes of element `index` of the message array `bytes[start, end)`, which has been read already. */
  #element(bytes: Uint8Array, start: number, end: number, index: number): Uint8Array | undefined {
    const header = bytes[start] as number;
    let pos = start + (header === 0xdc ? 3 : header === 0xdd ? 5 : 1);
    for (let i = 0; i < index && pos >= 0; i++) pos = this.#decoder.skip(bytes, pos, end);
    const next = pos < 0 ? -1 : this.#decoder.skip(bytes, pos, end);
    return next < 0 ? undefined : bytes.subarray(pos, next);
  }

  /** A full message with a MAC, whose payload came packed: decoded (or, to forward, checked), the bytes kept. */
  #unpackFull(
    message: Extract<Message, { readonly packed?: Uint8Array }>,
    packed: Uint8Array,
  ): Message | string {
    const name = messageTypeName(message.type);
    const forward = this.#self !== undefined && message.dst !== this.#self;
    this.#payload = packed;
    if (message.type === MessageType.Error) {
      const depth = MAX_NESTING_DEPTH - 1;
      if (forward) {
        const problem = this.#decoder.check(packed, 0, packed.length, depth);
        return problem === undefined ? message : `${name}: data ${problem}`;
      }
      const data = this.#decoder.decode(packed, 0, packed.length, depth);
      return data === undefined ? `${name}: data ${this.#decoder.error}` : { ...message, data };
    }
    const value = readPayload(this.#decoder, packed, 0, packed.length, !forward);
    if (typeof value === "string") return `${name}: the packed payload ${value}`;
    return message.type === MessageType.Result ? { ...message, out: value } : { ...message, args: value };
  }

  #readChannelMessage(
    body: Uint8Array,
    start: number,
    end: number,
    type: typeof MessageType.ChannelCall | typeof MessageType.ChannelResult | typeof MessageType.ChannelEvent,
  ): Message | string {
    const name = messageTypeName(type);
    const header = type === MessageType.ChannelCall ? CALL_ARRAY : RESULT_OR_EVENT_ARRAY;
    if (body[start] !== header) return `${name} must be an array of ${header & 0x0f} elements`;
    let pos = start + 2;
    const channel = this.#uint(body, pos, end);
    pos = this.#uintEnd;
    const names = channel < 0 ? undefined : this.#channels.get(channel);
    if (names === undefined) {
      return channel < 0
        ? `${name}: channel (element 1) must be an unsigned integer`
        : `${name} on channel ${channel}, which the peer has not bound`;
    }
    const hops = this.#uint(body, pos, end);
    pos = this.#uintEnd;
    const n = this.#uint(body, pos, end);
    pos = this.#uintEnd;
    let timeoutMs = 0;
    if (type === MessageType.ChannelCall) {
      timeoutMs = this.#uint(body, pos, end);
      pos = this.#uintEnd;
    }
    if (hops < 0 || n < 0 || timeoutMs < 0) return `${name}: elements 2 to 4 must be unsigned integers`;
    let mac: Uint8Array | null = null;
    if (body[pos] === NIL) pos++;
    else if (body[pos] === BIN8 && body[pos + 1] === MAC_BYTES && pos + 2 + MAC_BYTES <= end) {
      mac = body.slice(pos + 2, pos + 2 + MAC_BYTES);
      pos += 2 + MAC_BYTES;
    } else
      return `${name}: the MAC (the element before the payload) must be nil or ${MAC_BYTES} bytes of binary`;
    // A payload for this node is decoded; one to forward is only checked, and forwarded as it came.
    const forward = this.#self !== undefined && names.dst !== this.#self;
    const payload = readPayload(this.#decoder, body, pos, end, !forward);
    if (typeof payload === "string") return `${name}: the last element ${payload}`;
    if (forward || mac !== null) this.#payload = body.subarray(pos, end);
    // No MAC is no field, as in the full form.
    const sealed = mac === null ? undefined : { mac };
    const { dst, src } = names;
    switch (type) {
      case MessageType.ChannelCall: {
        const { path, intf, member: method } = names;
        return {
          type: MessageType.Call,
          dst,
          src,
          hops,
          id: n,
          path,
          intf,
          method,
          args: payload,
          timeoutMs,
          ...sealed,
        };
      }
      case MessageType.ChannelResult:
        return { type: MessageType.Result, dst, src, hops, id: n, out: payload, ...sealed };
      case MessageType.ChannelEvent: {
        const { path, intf, member: event } = names;
        return {
          type: MessageType.Event,
          dst,
          src,
          hops,
          path,
          intf,
          event,
          args: payload,
          seq: n,
          ...sealed,
        };
      }
    }
  }

  /**
   * Reads a MessagePack integer of any format and width whose value is within [0, 2^53 − 1] at `at`, before `end`,
   * and sets `#uintEnd`; -1 when there is none there. (A signed format holding a value that is not negative is an
   * unsigned integer all the same: some encoders write every integer so.)
   */
  #uint(b: Uint8Array, at: number, end: number): number {
    if (at >= end) return -1;
    const token = b[at] as number;
    if (token < 0x80) {
      this.#uintEnd = at + 1;
      return token;
    }
    // uint 8, 16, 32, 64 are 0xcc to 0xcf; int 8, 16, 32, 64 are 0xd0 to 0xd3.
    if (token < 0xcc || token > 0xd3) return -1;
    const width = 1 << (token & 0x03);
    if (at + width >= end) return -1;
    // A signed format with its sign bit set is negative.
    if (token >= 0xd0 && (b[at + 1] as number) >= 0x80) return -1;
    let n = 0;
    for (let i = 1; i <= width; i++) n = n * 256 + (b[at + i] as number);
    if (!Number.isSafeInteger(n)) return -1;
    this.#uintEnd = at + 1 + width;
    return n;
  }
}
