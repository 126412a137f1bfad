/**
 * The raw floor's wire format, the same as supcon's: a 4-byte big-endian length, then a msgpackr body of plain maps
 * (`useRecords: false`). The 4 prefix bytes are reserved inside msgpackr's own output buffer, so framing costs no
 * copy. Copied from shared/bench-peers/lib/frame.js.
 */
import { Packr, RESERVE_START_SPACE, Unpackr } from "msgpackr";

export const packr = new Packr({ useRecords: false });
export const unpackr = new Unpackr({ useRecords: false });

/** One frame: length prefix plus body. */
export function encodeFrame(value: unknown): Buffer {
  const buf = packr.pack(value, RESERVE_START_SPACE | 4);
  buf.writeUInt32BE(buf.length - 4, 0);
  return buf;
}

export const decode = (body: Uint8Array): unknown => unpackr.unpack(body);

/** Calls `onFrame(body)` for every complete frame; keeps partial tails. */
export class FrameDecoder {
  #tail: Buffer | null = null;
  readonly #onFrame: (body: Buffer) => void;

  constructor(onFrame: (body: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    const buf = this.#tail === null ? chunk : Buffer.concat([this.#tail, chunk]);
    let off = 0;
    const n = buf.length;
    while (n - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (n - off - 4 < len) break;
      this.#onFrame(buf.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    this.#tail = off < n ? buf.subarray(off) : null;
  }
}
