/**
 * Writes the frames of one link (see `link-codec.ts`): CALL, RESULT and EVENT on channels, everything else in
 * full, into the link's output buffer.
 */
import { OutboundChannels } from "./channels.js";
import { encodeMessage, packPayload } from "./codec.js";
import { WireError, WireErrorCode } from "./errors.js";
import { FRAME_HEADER_BYTES, MAX_FRAME_LENGTH } from "./frame.js";
import { FrameOutput } from "./frame-output.js";
import type { CallMessage, EventMessage, MacFields, Message, ResultMessage } from "./messages.js";
import { isUint } from "./message-fields.js";
import { MessageType } from "./messages.js";
import type { MessageSealer, EventHeader } from "./channel-format.js";
import {
  NO_PAYLOAD,
  CALL_ARRAY,
  RESULT_OR_EVENT_ARRAY,
  NIL,
  BIN8,
  macBytes,
  uintBytes,
  writeUint,
} from "./channel-format.js";

/**
 * Frames of messages that every link of a node sends alike, by message: an ADVERT goes to each neighbour as the
 * same bytes (it names no channel and carries its origin's signature, not a link's MAC), so a node encodes it once
 * for all its links rather than once per link. Held weakly: a frame goes with its message.
 */
export type SharedFrames = WeakMap<Message, Uint8Array>;

/** Writes the frames of one link into its output; see the module comment. */
export class LinkWriter {
  readonly #out = new FrameOutput();
  readonly #channels: OutboundChannels;
  readonly #maxFrameBytes: number;
  readonly #sealer: MessageSealer | undefined;
  readonly #shared: SharedFrames | undefined;

  /**
   * @param shared Frames shared with the node's other links (`SharedFrames`), all of the same `maxFrameBytes`.
   */
  constructor(
    maxFrameBytes: number,
    channels = new OutboundChannels(),
    sealer?: MessageSealer,
    shared?: SharedFrames,
  ) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#channels = channels;
    this.#sealer = sealer;
    this.#shared = shared;
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
          encodeMessage({ ...message, hops: hops ?? message.hops, mac }, this.#maxFrameBytes, packed),
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
      case MessageType.Advert: {
        const shared = this.#shared;
        let frame = shared?.get(message);
        if (frame === undefined) {
          frame = encodeMessage(message, this.#maxFrameBytes);
          shared?.set(message, frame);
        }
        if (shared === undefined) this.#out.append(frame);
        else this.#out.appendShared(frame);
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
    checkUints("EVENT", hops, seq);
    const length = 2 + uintBytes(hops) + uintBytes(seq) + macBytes(mac) + payload.length;
    const { src, path, intf, event } = header;
    const channel = this.#channel(dst, src, path, intf, event, length);
    if (channel < 0) {
      const message: EventMessage = {
        type: MessageType.Event,
        dst,
        src,
        hops,
        path,
        intf,
        event,
        args: null,
        seq,
        mac,
      };
      this.#out.append(encodeMessage(message, this.#maxFrameBytes, payload));
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
    checkUints("CALL", hops, m.id, m.timeoutMs);
    const length =
      2 + uintBytes(hops) + uintBytes(m.id) + uintBytes(m.timeoutMs) + macBytes(mac) + payload.length;
    const channel = this.#channel(m.dst, m.src, m.path, m.intf, m.method, length);
    if (channel < 0) {
      this.#out.append(encodeMessage({ ...m, hops, mac }, this.#maxFrameBytes, payload));
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
    checkUints("RESULT", hops, m.id);
    const length = 2 + uintBytes(hops) + uintBytes(m.id) + macBytes(mac) + payload.length;
    const channel = this.#channel(m.dst, m.src, "", "", "", length);
    if (channel < 0) {
      this.#out.append(encodeMessage({ ...m, hops, mac }, this.#maxFrameBytes, payload));
      return;
    }
    this.#writeChannelMessage(MessageType.ChannelResult, channel, hops, m.id, -1, mac, payload, length);
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

/**
 * Refuses a message whose unsigned fields (`hops`, `id`, `seq`, `timeoutMs`) are not all unsigned integers within
 * 2^53 − 1, the only numbers the protocol sends there.
 * @throws WireError `supcon.InvalidData`.
 */
function checkUints(what: string, a: number, b: number, c = 0): void {
  if (isUint(a) && isUint(b) && isUint(c)) return;
  throw new WireError(
    WireErrorCode.InvalidData,
    `cannot encode ${what} message: hops, id, seq and timeoutMs must be unsigned integers within 2^53 - 1, got ${a}, ${b}, ${c}`,
  );
}
