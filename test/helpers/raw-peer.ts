/**
 * A raw peer for protocol tests: a plain TCP socket that speaks the wire format by hand (frames and messages from
 * runtime/wire), so that a test can send what no well-behaved node would, and read what the node answers.
 */
import * as net from "node:net";
import { Packr } from "msgpackr";
import { encodeMessage } from "../../packages/supcon/src/wire/codec";
import { createFrameDecoder, encodeFrame } from "../../packages/supcon/src/wire/frame";
import { LinkReader } from "../../packages/supcon/src/wire/link-codec";
import type { HelloMessage, Message } from "../../packages/supcon/src/wire/messages";
import { MessageType, PROTOCOL_VERSION } from "../../packages/supcon/src/wire/messages";

/** Packs any value, protocol message or not, as a frame body. */
const anyPackr = new Packr({ useRecords: false, moreTypes: false });

/** Frames any msgpack-encodable value (an unknown message type, a wrong arity, …). */
export function frameOf(value: unknown): Buffer {
  return Buffer.from(encodeFrame(anyPackr.pack(value)));
}

/** Frames a protocol message. */
export function frameOfMessage(message: Message): Buffer {
  return Buffer.from(encodeMessage(message));
}

/** An ADVERT of `origin` linked to `neighbors`, newer than any earlier one. */
export function advertOf(origin: string, instance: string, neighbors: string[]): Message {
  return { type: MessageType.Advert, origin, instance, seq: Date.now(), neighbors, objects: {} };
}

export class RawPeer {
  readonly socket: net.Socket;
  /** Every message received, in order. */
  readonly received: Message[] = [];
  /** What could not be read back (a framing or decoding problem on our side of the stream). */
  readonly problems: string[] = [];
  readonly closed: Promise<void>;
  readonly #taken = new Set<Message>();
  #isClosed = false;
  #waiters = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const decoder = createFrameDecoder(64 * 1024 * 1024);
    // Reads channel messages too: a node sends CALL, RESULT and EVENT on channels.
    const reader = new LinkReader(undefined);
    socket.on("data", (chunk: Buffer) =>
      decoder.push(
        chunk,
        (bytes, start, end) => {
          const message = reader.read(bytes, start, end);
          if (typeof message === "string") this.problems.push(message);
          else if (message.type !== MessageType.Bind) this.received.push(message);
          this.#wake();
        },
        (message) => this.problems.push(message),
      ),
    );
    // The node may reset the connection; that is an outcome the tests look at, not an error of the test.
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#isClosed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  /** Opens a connection to `port` on 127.0.0.1. */
  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.setNoDelay(true);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  send(message: Message): void {
    this.write(frameOfMessage(message));
  }

  /**
   * Sends HELLO as `name` and waits for the node's HELLO (or throws on REFUSE / close). Then, as a node does,
   * sends an ADVERT listing the node as neighbour: without it the node has no route back to `name` and drops
   * every reply.
   */
  async handshake(name: string, version = PROTOCOL_VERSION): Promise<HelloMessage> {
    const instance = "00000000feedf00d";
    this.send({ type: MessageType.Hello, version, name, info: { instance } });
    const reply = await this.next((m) => m.type === MessageType.Hello || m.type === MessageType.Refuse);
    if (reply.type !== MessageType.Hello) throw new Error(`handshake refused: ${JSON.stringify(reply)}`);
    this.send(advertOf(name, instance, [reply.name]));
    return reply;
  }

  /**
   * Waits for the first message received (from the beginning) that matches `predicate` and has not been taken by an
   * earlier `next()`; throws when the connection closes first or after `timeoutMs`.
   */
  async next(predicate: (m: Message) => boolean, timeoutMs = 3_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex((m) => !this.#taken.has(m) && predicate(m));
      if (i >= 0) {
        const m = this.received[i] as Message;
        this.#taken.add(m);
        return m;
      }
      if (this.#isClosed) throw new Error(`connection closed; received ${this.#describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; received ${this.#describe()}`);
      await this.#wait(left);
    }
  }

  /** Waits until the node has closed the connection; throws after `timeoutMs`. Resolves with the time it took. */
  async waitClosed(timeoutMs = 3_000): Promise<number> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still open after ${timeoutMs} ms; received ${this.#describe()}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return Date.now() - started;
  }

  /** Closes our side and releases the socket. */
  destroy(): void {
    this.socket.destroy();
  }

  #describe(): string {
    return JSON.stringify(this.received.map((m) => m.type));
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }
}
