/**
 * The frames a link has queued for its next socket write, assembled in one buffer. Encoders write frames straight
 * into it, so a frame's bytes are copied once, here, instead of being allocated on their own and then concatenated
 * when the link flushes.
 *
 * The buffer is kept from one write to the next. A small write is copied out of it into a buffer from Node's pool
 * (a copy of a few hundred bytes costs less than allocating a buffer of its own per write, which mattered for one
 * call at a time); a large one is handed over as it is, and the next write starts a new buffer.
 */

/** Capacity of the first buffer, and the least of any later one. */
const INITIAL_BYTES = 8 * 1024;

/** Writes smaller than this are copied into a buffer of Node's pool (which serves allocations below 4 KiB). */
const COPY_BELOW = Buffer.poolSize >>> 1;

/** A frame at least this large is queued as it is, not copied into the buffer. */
const OWN_CHUNK_BYTES = 64 * 1024;

export class FrameOutput {
  /** The buffer being filled; undefined at first, and after a large write was handed over. */
  #buffer: Buffer | undefined;
  #length = 0;
  /** Earlier pieces, in order, when a large frame was queued as a chunk of its own. */
  #chunks: Uint8Array[] = [];
  #chunkBytes = 0;
  #nextCapacity = INITIAL_BYTES;

  /** Bytes queued. */
  get bytes(): number {
    return this.#chunkBytes + this.#length;
  }

  /**
   * Reserves the next `n` bytes and returns the position of the first in `buffer`; the caller must write all `n`
   * before anything else is reserved or appended.
   */
  reserve(n: number): number {
    const buffer = this.#buffer;
    const at = this.#length;
    if (buffer === undefined || at + n > buffer.length) this.#grow(at + n);
    this.#length = at + n;
    return at;
  }

  /** The buffer `reserve()` returned a position in. */
  get buffer(): Buffer {
    return this.#buffer as Buffer;
  }

  /** Queues a frame encoded elsewhere. A large one is kept as it is, so the caller must not change it later. */
  append(frame: Uint8Array): void {
    if (frame.length < OWN_CHUNK_BYTES) {
      const at = this.reserve(frame.length);
      (this.#buffer as Buffer).set(frame, at);
      return;
    }
    this.#seal();
    this.#chunks.push(frame);
    this.#chunkBytes += frame.length;
  }

  /**
   * Queues a frame that other links send too (`SharedFrames`): unless it is small, it is queued by reference, so
   * that a frame fanned out to many links (an advert to each neighbour) is held in memory once, not once per link.
   * The caller must not change it later.
   */
  appendShared(frame: Uint8Array): void {
    if (frame.length < COPY_BELOW) {
      this.append(frame);
      return;
    }
    this.#seal();
    this.#chunks.push(frame);
    this.#chunkBytes += frame.length;
  }

  /** Everything queued, as one buffer, and starts afresh; undefined when nothing is queued. */
  take(): Uint8Array | undefined {
    this.#seal();
    const chunks = this.#chunks;
    if (chunks.length === 0) return undefined;
    this.#chunks = [];
    this.#chunkBytes = 0;
    return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
  }

  /** Drops everything queued. */
  clear(): void {
    this.#buffer = undefined;
    this.#length = 0;
    this.#chunks = [];
    this.#chunkBytes = 0;
  }

  /** Moves the filled part of the buffer to the chunks. */
  #seal(): void {
    const length = this.#length;
    if (length === 0) return;
    const buffer = this.#buffer as Buffer;
    let filled: Buffer;
    if (length < COPY_BELOW) {
      filled = Buffer.allocUnsafe(length);
      buffer.copy(filled, 0, 0, length);
    } else {
      // The socket keeps these bytes until it has written them, so the buffer goes with them. The next one is sized
      // for a write like this one (up to the size above which frames go as chunks of their own).
      filled = buffer.subarray(0, length);
      this.#nextCapacity = Math.max(INITIAL_BYTES, Math.min(length, OWN_CHUNK_BYTES * 2));
      this.#buffer = undefined;
    }
    this.#chunks.push(filled);
    this.#chunkBytes += length;
    this.#length = 0;
  }

  /** Replaces the buffer with one that has room for `needed` bytes and holds what has been written so far. */
  #grow(needed: number): void {
    const old = this.#buffer;
    const capacity = Math.max(needed, old === undefined ? this.#nextCapacity : old.length * 2);
    const buffer = Buffer.allocUnsafe(capacity);
    if (old !== undefined) old.copy(buffer, 0, 0, this.#length);
    this.#buffer = buffer;
  }
}
