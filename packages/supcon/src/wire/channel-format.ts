/**
 * The fixed layout of the channel messages (docs/PROTOCOL.md, "Channels"), shared by `LinkWriter` and
 * `LinkReader`: array headers, the MAC slot, and unsigned integers in their shortest MessagePack form.
 */
import type { MacFields } from "./messages.js";

/** Computes the MAC of the routed messages this node makes (bus/origin-auth.ts). */
export interface MessageSealer {
  /**
   * The MAC of `message` over its fields and `payload` (the packed args, out or data; empty for none), or undefined
   * when it gets none (it is not from this node, or its destination's key is unknown).
   */
  seal(message: MacFields, payload: Uint8Array): Uint8Array | undefined;
}

export const NO_PAYLOAD = new Uint8Array(0);

/** The part of an EVENT that is the same for all the subscribers of one firing. */
export interface EventHeader {
  readonly src: string;
  readonly path: string;
  readonly intf: string;
  readonly event: string;
}

/** fixarray headers of the channel messages: 7 elements for CALL, 6 for RESULT and EVENT. */
export const CALL_ARRAY = 0x97;
export const RESULT_OR_EVENT_ARRAY = 0x96;
/** MessagePack nil, and the header of a bin 8 of `MAC_BYTES`. */
export const NIL = 0xc0;
export const BIN8 = 0xc4;

/** Bytes the MAC element takes: nil, or a bin 8 of 16 bytes. */
export function macBytes(mac: Uint8Array | null): number {
  return mac === null ? 1 : 2 + mac.length;
}

/** Bytes of `n` as a MessagePack unsigned integer in its shortest form. */
export function uintBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffff_ffff ? 5 : 9;
}

/** Writes an unsigned integer in its shortest MessagePack form; returns the position after it. */
export function writeUint(buf: Buffer, at: number, n: number): number {
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
