/**
 * Frames a well-behaved node would never write: any MessagePack value as a frame body, and any protocol message
 * packed as it stands, checked against nothing (names beyond the protocol's limits, bodies beyond the decoding
 * budget). Messages are laid out by the runtime's own `toWire()`, so that they follow the protocol as it changes.
 */
import { Packr } from "msgpackr";
import type { AdvertMessage, Message } from "../../packages/supcon/src/wire/messages.js";
import { toWire } from "../../packages/supcon/src/wire/message-arrays.js";
import { MessageType } from "../../packages/supcon/src/wire/messages.js";

const packr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true });

/** The MessagePack bytes of `value`, copied out of the packer's buffer. */
export function pack(value: unknown): Buffer {
  return Buffer.from(packr.pack(value));
}

/** Frames a body: its 4-byte big-endian length, then the body. */
export function frame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/** Frames any MessagePack value, checked against nothing. */
export function frameOfValue(value: unknown): Buffer {
  return frame(pack(value));
}

/**
 * Frames a protocol message as it stands, whatever its names and payload hold (encodeMessage() would refuse);
 * `packed`, the payload already packed, goes as a bin in its place (the full form of a message with a MAC).
 */
export function rawFrame(message: Message, packed?: Uint8Array): Buffer {
  return frameOfValue(toWire(message, packed));
}

/** An ADVERT of `origin`. */
export function advert(
  origin: string,
  instance: string,
  seq: number,
  neighbors: readonly string[],
  objects: Record<string, string[]> = {},
): AdvertMessage {
  return { type: MessageType.Advert, origin, instance, seq, neighbors, objects };
}

/** The largest `seq` an ADVERT may carry: no genuine advert of that origin can ever be newer. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** True for a RESULT or ERROR. */
export function isReply(m: Message): boolean {
  return m.type === MessageType.Result || m.type === MessageType.Error;
}
