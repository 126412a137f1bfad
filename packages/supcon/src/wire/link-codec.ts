/**
 * The codec of one link, with the link's state: its channel tables (docs/PROTOCOL.md, "Channels") and the frames
 * queued for its next write. `LinkWriter` sends CALL, RESULT and EVENT on channels, and everything else in full;
 * `LinkReader` reads both. Pure logic: the link does the I/O.
 *
 * A channel message is `[type, channel, hops, (id | seq), (timeoutMs,) mac, payload]`, the payload (args or out)
 * last, so the fixed part before it is read and written here byte by byte: only the payload is packed by msgpackr,
 * and read by the link's `PlainDecoder`. `mac` is nil, or the 16-byte MAC of the message's source (origin
 * authentication): the writer seals the messages this node makes with its `MessageSealer` and sends those it
 * forwards with the MAC they came with; with a MAC, the full forms carry their payload packed, as a bin.
 */
import { InboundChannels, OutboundChannels } from "./channels.js";
import { encodeMessage, packPayload, readMessage, readPayload } from "./codec.js";
import { WireError, WireErrorCode } from "./errors.js";
import { FRAME_HEADER_BYTES, MAX_FRAME_LENGTH } from "./frame.js";
import { FrameOutput } from "./frame-output.js";
import type { CallMessage, EventMessage, MacFields, Message, PlainMap, ResultMessage } from "./messages.js";
import { MAC_BYTES } from "./message-arrays.js";
import { MessageType, messageTypeName } from "./messages.js";
import type { PlainDecoder } from "./plain-decoder.js";
import { MAX_NESTING_DEPTH, createPlainDecoder } from "./plain-decoder.js";

/** Computes the MAC of the routed messages this node makes (bus/origin-auth.ts). */
export interface MessageSealer {
  /**
   * The MAC of `message` over its fields and `payload` (the packed args, out or data; empty for none), or undefined
   * when it gets none (it is not from this node, or its destination's key is unknown).
   */
  seal(message: MacFields, payload: Uint8Array): Uint8Array | undefined;
}

const NO_PAYLOAD = new Uint8Array(0);

/** The part of an EVENT that is the same for all the subscribers of one firing. */
export interface EventHeader {
  readonly src: string;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
}

/** fixarray headers of the channel messages: 7 elements for CALL, 6 for RESULT and EVENT. */
const CALL_ARRAY = 0x97;
const RESULT_OR_EVENT_ARRAY = 0x96;
/** MessagePack nil, and the header of a bin 8 of `MAC_BYTES`. */
const NIL = 0xc0;
const BIN8 = 0xc4;

/** Bytes the MAC element takes: nil, or a bin 8 of 16 bytes. */
function macBytes(mac: Uint8Array | null): number {
  return mac === null ? 1 : 2 + mac.length;
}

/** Writes the frames of one link into its output; see the module comment. */
export class LinkWriter {
  readonly #out = new FrameOutput();
  readonly #channels: OutboundChannels;
  readonly #maxFrameBytes: number;
  /** Decodes the payloads of messages that go in full (names too long for a channel); made when first needed. */
  #decoder: PlainDecoder | undefined;
  readonly #sealer: MessageSealer | undefined;

  constructor(maxFrameBytes: number, channels = new OutboundChannels(), sealer?: MessageSealer) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#channels = channels;
    this.#sealer = sealer;
  }

  /**
   * The MAC a message goes with: the one it came with when it is forwarded (`hops` given), never one of this node's
   * (a relay vouches for nothing it passes on); else this node's seal, or none.
   */
  #macOf(
    message: MacFields & { readonly mac?: Uint8Array | null },
    payload: Uint8Array,
    hops: number | undefined,
  ): Uint8Array | null {
    if (hops !== undefined || message.mac !== undefined) return message.mac ?? null;
    return this.#sealer?.seal(message, payload) ?? null;
  }

  /** Bytes queued. */
  get bytes(): number {
    return this.#out.bytes;
  }

  /**
   * Queues a message. `payload`, when given, is the packed args (CALL, EVENT) or out (RESULT) of a message being
   * forwarded, already checked; the message's own `args`/`out` is then not read. `hops`, when given, is sent in
   * place of the message's own (a relay sends one more).
   * @throws WireError `supcon.FrameTooLarge`, `supcon.InvalidData`: nothing is queued.
   */
  write(message: Message, payload?: Uint8Array, hops?: number): void {
    switch (message.type) {
      case MessageType.Call: {
        const packed = payload ?? packPayload(message.args, "CALL");
        this.#writeCall(message, packed, hops ?? message.hops, this.#macOf(message, packed, hops));
        return;
      }
      case MessageType.Result: {
        const packed = payload ?? packPayload(message.out, "RESULT");
        this.#writeResult(message, packed, hops ?? message.hops, this.#macOf(message, packed, hops));
        return;
      }
      case MessageType.Event: {
        const packed = payload ?? packPayload(message.args, "EVENT");
        const mac = this.#macOf(message, packed, hops);
        this.#writeEvent(message, message.dst, hops ?? message.hops, message.seq, packed, mac);
        return;
      }
      case MessageType.Error: {
        // With a MAC, `data` travels packed: the bytes the MAC covers.
        const forwarded = hops !== undefined || message.mac !== undefined;
        const packed = payload ?? message.packed ?? (forwarded ? undefined : this.#sealable(message.data));
        const mac = forwarded
          ? (message.mac ?? null)
          : packed === undefined
            ? null
            : this.#macOf(message, packed, hops);
        this.#out.append(
          encodeMessage(
            { ...message, hops: hops ?? message.hops, mac },
            this.#maxFrameBytes,
            mac === null ? undefined : packed,
          ),
        );
        return;
      }
      case MessageType.Cancel:
      case MessageType.Subscribe:
      case MessageType.Unsubscribe: {
        const mac = this.#macOf(message, NO_PAYLOAD, hops);
        this.#out.append(encodeMessage({ ...message, hops: hops ?? message.hops, mac }, this.#maxFrameBytes));
        return;
      }
      default:
        this.#out.append(encodeMessage(message, this.#maxFrameBytes));
    }
  }

  /** ERROR `data` packed for a MAC, when this link seals messages; undefined when it does not. */
  #sealable(data: unknown): Uint8Array | undefined {
    return this.#sealer === undefined ? undefined : packPayload(data, "ERROR");
  }

  /**
   * Queues an EVENT to `dst` whose args are packed already (`packPayload()`): a publisher packs them once for all
   * its subscribers, and gives the same `header` for each.
   */
  writeEvent(header: EventHeader, dst: string, seq: number, payload: Uint8Array): void {
    const { src, path, intf, event } = header;
    const mac =
      this.#sealer?.seal({ type: MessageType.Event, dst, src, path, intf, event, seq }, payload) ?? null;
    this.#writeEvent(header, dst, 0, seq, payload, mac);
  }

  #writeEvent(
    header: EventHeader,
    dst: string,
    hops: number,
    seq: number,
    payload: Uint8Array,
    mac: Uint8Array | null,
  ): void {
    const length = 2 + uintBytes(hops) + uintBytes(seq) + macBytes(mac) + payload.length;
    const { src, path, intf, event } = header;
    const channel = this.#channel(dst, src, path, intf, event, length);
    if (channel < 0) {
      const args = mac === null ? this.#unpack(payload, "EVENT") : null;
      const message: EventMessage = {
        type: MessageType.Event,
        dst,
        src,
        hops,
        path,
        intf,
        event,
        args,
        seq,
        mac,
      };
      this.#out.append(encodeMessage(message, this.#maxFrameBytes, mac === null ? undefined : payload));
      return;
    }
    this.#writeChannelMessage(MessageType.ChannelEvent, channel, hops, seq, -1, mac, payload, length);
  }

  /** Takes everything queued, for one socket write; undefined when nothing is. */
  take(): Uint8Array | undefined {
    return this.#out.take();
  }

  /** Drops everything queued. */
  clear(): void {
    this.#out.clear();
  }

  #writeCall(m: CallMessage, payload: Uint8Array, hops: number, mac: Uint8Array | null): void {
    const length =
      2 + uintBytes(hops) + uintBytes(m.id) + uintBytes(m.timeoutMs) + macBytes(mac) + payload.length;
    const channel = this.#channel(m.dst, m.src, m.path, m.intf, m.method, length);
    if (channel < 0) {
      this.#out.append(
        mac === null
          ? encodeMessage({ ...m, hops, mac, args: this.#unpack(payload, "CALL") }, this.#maxFrameBytes)
          : encodeMessage({ ...m, hops, mac }, this.#maxFrameBytes, payload),
      );
      return;
    }
    this.#writeChannelMessage(
      MessageType.ChannelCall,
      channel,
      hops,
      m.id,
      m.timeoutMs,
      mac,
      payload,
      length,
    );
  }

  #writeResult(m: ResultMessage, payload: Uint8Array, hops: number, mac: Uint8Array | null): void {
    const length = 2 + uintBytes(hops) + uintBytes(m.id) + macBytes(mac) + payload.length;
    const channel = this.#channel(m.dst, m.src, "", "", "", length);
    if (channel < 0) {
      this.#out.append(
        mac === null
          ? encodeMessage({ ...m, hops, mac, out: this.#unpack(payload, "RESULT") }, this.#maxFrameBytes)
          : encodeMessage({ ...m, hops, mac }, this.#maxFrameBytes, payload),
      );
      return;
    }
    this.#writeChannelMessage(MessageType.ChannelResult, channel, hops, m.id, -1, mac, payload, length);
  }

  /** The args or out of a packed payload, for a message that goes in full. */
  #unpack(payload: Uint8Array, what: string): PlainMap | null {
    this.#decoder ??= createPlainDecoder();
    const value = readPayload(this.#decoder, payload, 0, payload.length, true);
    // Not expected: payloads are checked when they are packed or received.
    if (typeof value === "string") {
      throw new WireError(WireErrorCode.InvalidData, `cannot encode ${what} message: the payload ${value}`);
    }
    return value;
  }

  /**
   * Queues `[type, channel, hops, first, (second,) mac, payload]` as a frame (`second` is -1 for RESULT and EVENT,
   * which have one integer after the hop count); `length` is the body's length without the channel number.
   */
  #writeChannelMessage(
    type: number,
    channel: number,
    hops: number,
    first: number,
    second: number,
    mac: Uint8Array | null,
    payload: Uint8Array,
    length: number,
  ): void {
    const at = this.#frame(length + uintBytes(channel));
    const buf = this.#out.buffer;
    buf[at] = second < 0 ? RESULT_OR_EVENT_ARRAY : CALL_ARRAY;
    buf[at + 1] = type;
    let pos = writeUint(buf, at + 2, channel);
    pos = writeUint(buf, pos, hops);
    pos = writeUint(buf, pos, first);
    if (second >= 0) pos = writeUint(buf, pos, second);
    if (mac === null) buf[pos++] = NIL;
    else {
      buf[pos] = BIN8;
      buf[pos + 1] = mac.length;
      buf.set(mac, pos + 2);
      pos += 2 + mac.length;
    }
    buf.set(payload, pos);
  }

  /**
   * The channel of these names, bound (and BIND queued) if it is not yet; -1 when the names cannot be bound and
   * the message goes in full. Checks the size first (`length` without the channel number), so that nothing is
   * queued for a message that cannot be sent.
   */
  #channel(dst: string, src: string, path: string, intf: string, member: string, length: number): number {
    if (length + 3 > this.#maxFrameBytes || length + 3 > MAX_FRAME_LENGTH) {
      throw new WireError(
        WireErrorCode.FrameTooLarge,
        `a message of ${length} bytes exceeds maxFrameBytes (${this.#maxFrameBytes})`,
      );
    }
    const channel = this.#channels.find(dst, src, path, intf, member);
    if (channel >= 0) return channel;
    const bind = this.#channels.bind(dst, src, path, intf, member);
    if (bind === undefined) return -1;
    this.#out.append(encodeMessage(bind, this.#maxFrameBytes));
    return bind.channel;
  }

  /** Reserves a frame with a body of `length` bytes and writes its header; returns where the body starts. */
  #frame(length: number): number {
    const at = this.#out.reserve(FRAME_HEADER_BYTES + length);
    this.#out.buffer.writeUInt32BE(length, at);
    return at + FRAME_HEADER_BYTES;
  }
}

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
   * The packed payload of the message `read()` returned last, when it was addressed to another node (its
   * `args`/`out` is then null) or carried a MAC (which covers these bytes): a view of the body, valid as long as the
   * body is.
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
    return message;
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
   * Reads a MessagePack unsigned integer (any width, up to 2^53 − 1) at `at`, before `end`, and sets `#uintEnd`; -1
   * when there is none there.
   */
  #uint(b: Uint8Array, at: number, end: number): number {
    if (at >= end) return -1;
    const token = b[at] as number;
    if (token < 0x80) {
      this.#uintEnd = at + 1;
      return token;
    }
    const width = token === 0xcc ? 1 : token === 0xcd ? 2 : token === 0xce ? 4 : token === 0xcf ? 8 : 0;
    if (width === 0 || at + width >= end) return -1;
    let n = 0;
    for (let i = 1; i <= width; i++) n = n * 256 + (b[at + i] as number);
    if (!Number.isSafeInteger(n)) return -1;
    this.#uintEnd = at + 1 + width;
    return n;
  }
}

/** Bytes of `n` as a MessagePack unsigned integer in its shortest form. */
function uintBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffff_ffff ? 5 : 9;
}

/** Writes an unsigned integer in its shortest MessagePack form; returns the position after it. */
function writeUint(buf: Buffer, at: number, n: number): number {
  if (n < 0x80) {
    buf[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    buf[at] = 0xcc;
    buf[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    buf[at] = 0xcd;
    buf.writeUInt16BE(n, at + 1);
    return at + 3;
  }
  if (n <= 0xffff_ffff) {
    buf[at] = 0xce;
    buf.writeUInt32BE(n, at + 1);
    return at + 5;
  }
  buf[at] = 0xcf;
  buf.writeUInt32BE(Math.floor(n / 0x1_0000_0000), at + 1);
  buf.writeUInt32BE(n >>> 0, at + 5);
  return at + 9;
}
