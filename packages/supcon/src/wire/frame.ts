/**
 * Framing: a link carries frames, each a 4-byte big-endian body length followed by the body (docs/PROTOCOL.md,
 * "Frames"). This module splits a byte stream into frame bodies; it knows nothing about what the bodies hold.
 */
import { InvalidArgumentError } from "../base/errors.js";
import { WireErrorCode } from "./errors.js";

/** Size of the length prefix of every frame, in bytes. */
export const FRAME_HEADER_BYTES = 4;

/** The largest body length the 4-byte header can declare. */
export const MAX_FRAME_LENGTH = 0xffff_ffff;

/**
 * Bodies up to this size are allocated at their declared size as soon as the header is read. A larger declared
 * body grows (doubling) with the bytes that actually arrive, so a peer that declares 16 MiB and then trickles bytes
 * costs memory in proportion to what it sent, not to what it claimed; copies stay linear in the body size.
 */
const PREALLOCATE_LIMIT = 1024 * 1024;

/**
 * Receives one complete frame body: `bytes[start, end)`. `bytes` is the received chunk (or, for a frame that spanned
 * chunks, the body assembled from them), valid only during the call: copy what you keep. Offsets rather than a view
 * per frame: a reader can then decode every frame of a chunk from the same buffer.
 */
export type FrameCallback = (bytes: Uint8Array, start: number, end: number) => void;

/**
 * Receives the one framing error of a stream: `message` says what was wrong, `declaredLength` is the length the
 * offending header declared (its 4 bytes, big-endian: see `foreignProtocol()`).
 */
export type FrameErrorCallback = (
  message: string,
  code: typeof WireErrorCode.ProtocolError | typeof WireErrorCode.FrameTooLarge,
  declaredLength: number,
) => void;

/** Splits a byte stream into frame bodies. Create one per connection with `createFrameDecoder()`. */
export interface FrameDecoder {
  /**
   * Feeds the next chunk of the stream. Calls `onFrame` for each frame it completes, in order, and `onError` at
   * most once over the decoder's life: for a declared length of 0 (`supcon.ProtocolError`) or above
   * `maxFrameBytes` (`supcon.FrameTooLarge`), detected from the 4 header bytes before any of the body is buffered.
   * After an error every further chunk is ignored. If a callback throws, the exception propagates out of `push()`
   * and the decoder is failed as well (it could no longer tell where the next frame starts).
   */
  push(chunk: Uint8Array, onFrame: FrameCallback, onError: FrameErrorCallback): void;
  /** True once the decoder has reported an error (or a callback threw); it then ignores its input. */
  readonly failed: boolean;
  /** Bytes held of an incomplete frame (header included); not 0 when a stream ends here, it ended mid-frame. */
  readonly bufferedBytes: number;
}

/**
 * Creates a decoder that splits a stream into frame bodies of at most `maxFrameBytes` bytes.
 *
 * The common path copies nothing: each body that lies within one chunk is handed out as its offsets in it. Only
 * a frame that spans chunks is assembled, into one buffer allocated once its header is known (see
 * `PREALLOCATE_LIMIT` for large frames), so even 1-byte chunks cost linear time.
 *
 * @param maxFrameBytes Largest body accepted, 1 to 2^32 − 1 bytes.
 * @throws InvalidArgumentError when `maxFrameBytes` is out of range.
 */
export function createFrameDecoder(maxFrameBytes: number): FrameDecoder {
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > MAX_FRAME_LENGTH) {
    throw new InvalidArgumentError(
      `maxFrameBytes must be an integer from 1 to ${MAX_FRAME_LENGTH}, got ${String(maxFrameBytes)}`,
    );
  }
  return new FrameDecoderImpl(maxFrameBytes);
}

/**
 * Prefixes `body` with its frame header, copying it. The codec avoids this copy by packing messages behind
 * reserved header space (`encodeMessage()`); this is for bodies produced elsewhere.
 */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  writeFrameHeader(frame, body.length);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * The protocol a stream speaks instead, when the first 4 bytes it sent, read as a frame header (`declaredLength`),
 * are the start of another one: "TLS" for a TLS record (content type 20 to 23, then version 3.0 to 3.4: a
 * ClientHello `16 03 01 …`, a ServerHello, an alert `15 03 03 …`). Such a header declares more than 335 MB, so a
 * frame decoder refuses it with the default `maxFrameBytes` before this is asked. Only a stream's first header
 * tells: a link asks while its handshake is under way.
 */
export function foreignProtocol(declaredLength: number): "TLS" | undefined {
  const contentType = declaredLength >>> 24;
  const major = (declaredLength >>> 16) & 0xff;
  const minor = (declaredLength >>> 8) & 0xff;
  return contentType >= 0x14 && contentType <= 0x17 && major === 3 && minor <= 4 ? "TLS" : undefined;
}

/** Writes the big-endian length `bodyLength` into the first 4 bytes of `frame`. */
export function writeFrameHeader(frame: Uint8Array, bodyLength: number): void {
  frame[0] = bodyLength >>> 24;
  frame[1] = (bodyLength >>> 16) & 0xff;
  frame[2] = (bodyLength >>> 8) & 0xff;
  frame[3] = bodyLength & 0xff;
}

class FrameDecoderImpl implements FrameDecoder {
  readonly #maxFrameBytes: number;
  /** Header bytes of the next frame when the header itself spans chunks (0 to 3 held). */
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** The body being assembled when a frame spans chunks, else undefined. */
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #bodyLength = 0;
  #failed = false;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get failed(): boolean {
    return this.#failed;
  }

  get bufferedBytes(): number {
    return this.#body === undefined ? this.#headerFill : FRAME_HEADER_BYTES + this.#bodyFill;
  }

  push(chunk: Uint8Array, onFrame: FrameCallback, onError: FrameErrorCallback): void {
    if (this.#failed) return;
    try {
      this.#push(chunk, onFrame, onError);
    } catch (err) {
      // A callback threw somewhere inside the chunk: what remains of it was not consumed, so the stream position is
      // lost. Refuse further input rather than misread the middle of a frame as a header.
      this.#failed = true;
      throw err;
    }
  }

  #push(chunk: Uint8Array, onFrame: FrameCallback, onError: FrameErrorCallback): void {
    const end = chunk.length;
    let pos = 0;

    if (this.#body !== undefined) {
      pos = this.#appendBody(chunk);
      if (this.#bodyFill < this.#bodyLength) return;
      const body = this.#body;
      this.#body = undefined;
      onFrame(body, 0, this.#bodyLength);
    } else if (this.#headerFill > 0) {
      const header = this.#header;
      while (this.#headerFill < FRAME_HEADER_BYTES && pos < end)
        header[this.#headerFill++] = chunk[pos++] as number;
      if (this.#headerFill < FRAME_HEADER_BYTES) return;
      this.#headerFill = 0;
      const length = readLength(header, 0);
      if (!this.#accept(length, onError)) return;
      if (end - pos < length) {
        this.#startBody(length, chunk, pos);
        return;
      }
      pos += length;
      onFrame(chunk, pos - length, pos);
    }

    // The hot loop: whole frames inside this chunk are handed out in place, without copying.
    while (end - pos >= FRAME_HEADER_BYTES) {
      const length = readLength(chunk, pos);
      if (!this.#accept(length, onError)) return;
      pos += FRAME_HEADER_BYTES;
      if (end - pos < length) {
        this.#startBody(length, chunk, pos);
        return;
      }
      pos += length;
      onFrame(chunk, pos - length, pos);
    }
    while (pos < end) this.#header[this.#headerFill++] = chunk[pos++] as number;
  }

  /** Checks a declared length; on a bad one reports the error (once) and stops the decoder. */
  #accept(length: number, onError: FrameErrorCallback): boolean {
    if (length > 0 && length <= this.#maxFrameBytes) return true;
    this.#failed = true;
    if (length === 0) onError("frame with a declared length of 0", WireErrorCode.ProtocolError, 0);
    else
      onError(
        `frame of ${length} bytes exceeds maxFrameBytes (${this.#maxFrameBytes})`,
        WireErrorCode.FrameTooLarge,
        length,
      );
    return false;
  }

  /** Begins assembling a body of `length` bytes from the rest of `chunk` (which holds less than all of it). */
  #startBody(length: number, chunk: Uint8Array, pos: number): void {
    const available = chunk.length - pos;
    const capacity = length <= PREALLOCATE_LIMIT ? length : Math.max(PREALLOCATE_LIMIT, available);
    const body = Buffer.allocUnsafe(capacity);
    body.set(chunk.subarray(pos), 0);
    this.#body = body;
    this.#bodyFill = available;
    this.#bodyLength = length;
  }

  /** Appends the start of `chunk` to the body being assembled; returns how many bytes of `chunk` it took. */
  #appendBody(chunk: Uint8Array): number {
    let body = this.#body as Uint8Array;
    const take = Math.min(this.#bodyLength - this.#bodyFill, chunk.length);
    const fill = this.#bodyFill + take;
    if (fill > body.length) {
      // Only bodies above PREALLOCATE_LIMIT grow; doubling keeps the total copying linear, and the last step lands
      // exactly on the declared length so the finished body needs no trimming.
      const grown = Buffer.allocUnsafe(Math.min(this.#bodyLength, Math.max(body.length * 2, fill)));
      grown.set(body.subarray(0, this.#bodyFill), 0);
      body = grown;
      this.#body = grown;
    }
    body.set(take === chunk.length ? chunk : chunk.subarray(0, take), this.#bodyFill);
    this.#bodyFill = fill;
    return take;
  }
}

function readLength(bytes: Uint8Array, pos: number): number {
  // Multiplying the top byte keeps the result an unsigned 32-bit value (a shift by 24 would go negative).
  return (
    (bytes[pos] as number) * 0x100_0000 +
    (((bytes[pos + 1] as number) << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number))
  );
}
