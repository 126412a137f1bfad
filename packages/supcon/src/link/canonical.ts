/**
 * The canonical byte encoding that signatures and MACs are computed over (docs/PROTOCOL.md, "Canonical encoding"):
 * fixed-width big-endian integers and length-prefixed byte strings, so that any implementation gets the same bytes
 * from the same fields without depending on how a MessagePack encoder chose to write them.
 */

const encoder = new TextEncoder();

export class CanonicalWriter {
  #buf: Buffer;
  readonly #start: number;
  #at: number;

  /** @param prefix Bytes kept at the start of the buffer, before what is written (`reset()` keeps them too). */
  constructor(initialBytes = 256, prefix = 0) {
    this.#buf = Buffer.allocUnsafe(Math.max(initialBytes, prefix));
    this.#start = this.#at = prefix;
  }

  /** The whole buffer, the prefix included: a view, valid until the next write. */
  get buffer(): Buffer {
    return this.#buf;
  }

  /** Starts over, keeping the buffer. */
  reset(): this {
    this.#at = this.#start;
    return this;
  }

  /** Raw bytes, no length (the fixed labels that start each encoding). */
  raw(bytes: Uint8Array | string): this {
    const b = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
    this.#room(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
    return this;
  }

  /** `u32be(length) ‖ bytes`; a string as its UTF-8 bytes. */
  bytes(bytes: Uint8Array | string): this {
    if (typeof bytes !== "string") {
      this.u32(bytes.length);
      return this.raw(bytes);
    }
    // Straight into the buffer (at most 3 bytes per UTF-16 unit), the length written after: no copy per string.
    this.#room(4 + 3 * bytes.length);
    const n = this.#buf.write(bytes, this.#at + 4, "utf8");
    this.#buf.writeUInt32BE(n, this.#at);
    this.#at += 4 + n;
    return this;
  }

  u8(n: number): this {
    this.#room(1);
    this.#buf[this.#at++] = n;
    return this;
  }

  u32(n: number): this {
    this.#room(4);
    this.#buf.writeUInt32BE(n >>> 0, this.#at);
    this.#at += 4;
    return this;
  }

  /** An unsigned integer below 2^53 as 8 bytes, big-endian. */
  u64(n: number): this {
    this.#room(8);
    this.#buf.writeUInt32BE(Math.floor(n / 0x1_0000_0000), this.#at);
    this.#buf.writeUInt32BE(n >>> 0, this.#at + 4);
    this.#at += 8;
    return this;
  }

  /** The bytes written; a view, valid until the next write. */
  finish(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#at);
  }

  /** Bytes written, the prefix included. */
  get end(): number {
    return this.#at;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + n));
    this.#buf.copy(next, 0, 0, this.#at);
    this.#buf = next;
  }
}

/** Compares the UTF-8 bytes of two strings: the order canonical encodings list names in. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
