/**
 * A raw peer for protocol tests: a plain TCP socket that speaks the wire format by hand (frames and messages from
 * runtime/wire), so that a test can send what no well-behaved node would, and read what the node answers.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { Packr } from "msgpackr";
import { OriginAuth } from "../../packages/supcon/src/bus/origin-auth";
import { Handshake } from "../../packages/supcon/src/link/handshake";
import type { HandshakeIdentity } from "../../packages/supcon/src/link/handshake";
import { encodeMessage } from "../../packages/supcon/src/wire/codec";
import { createFrameDecoder, encodeFrame } from "../../packages/supcon/src/wire/frame";
import { LinkReader, LinkWriter } from "../../packages/supcon/src/wire/link-codec";
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

/** How a raw peer authenticates (`RawPeer.join()`): as a node with these settings would. */
export interface JoinOptions {
  readonly name: string;
  /** The process instance claimed. @default a fixed one */
  readonly instance?: string;
  readonly secret?: Uint8Array;
  /** Credentials: the peer then signs its advert and seals what it sends in its own name. */
  readonly identity?: HandshakeIdentity;
  /** Neighbours in the advert sent after the handshake (the node's name by default); false for none. */
  readonly neighbors?: readonly string[] | false;
}

export class RawPeer {
  readonly socket: net.Socket;
  /** With credentials (`join()`): signs this peer's advert and seals what it sends as itself. */
  originAuth: OriginAuth | undefined;
  /** Writes CALL, RESULT and EVENT on channels (BIND first), sealed by `originAuth` when `src` is this peer. */
  #writer: LinkWriter | undefined;
  /** Every message received, in order. */
  readonly received: Message[] = [];
  /** What could not be read back (a framing or decoding problem on our side of the stream). */
  readonly problems: string[] = [];
  readonly closed: Promise<void>;
  readonly #taken = new Set<Message>();
  #isClosed = false;
  #waiters = new Set<() => void>();

  private constructor(socket: net.Socket | tls.TLSSocket) {
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

  /** Opens a TLS connection to `port` on 127.0.0.1; resolves after the TLS handshake. */
  static connectTls(port: number, options: tls.ConnectionOptions): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ...options });
      socket.once("error", reject);
      socket.once("secureConnect", () => {
        socket.off("error", reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  /**
   * Runs the handshake of protocol version 3 as a connector with these settings (the runtime's own state machine:
   * the point is what comes after), then sends its ADVERT (signed, with credentials). Throws on REFUSE or close.
   */
  async join(options: JoinOptions): Promise<HelloMessage> {
    const instance = options.instance ?? "00000000feedf00d";
    const handshake = new Handshake({
      self: options.name,
      instance,
      role: "connector",
      secret: options.secret,
      identity: options.identity,
    });
    this.send(handshake.hello());
    for (;;) {
      const reply = await this.next(
        (m) =>
          m.type === MessageType.Hello || m.type === MessageType.Refuse || m.type === MessageType.Challenge,
      );
      const step = handshake.receive(reply);
      if (step.kind === "send") {
        this.send(step.message);
        continue;
      }
      if (step.kind !== "open" || reply.type !== MessageType.Hello) {
        throw new Error(`handshake refused: ${JSON.stringify(step)}`);
      }
      if (options.identity !== undefined) {
        this.originAuth = new OriginAuth({
          self: options.name,
          instance,
          identity: options.identity.local,
          trust: options.identity.trust,
          maxNodes: 1000,
        });
        // Learn the keys of the nodes whose adverts arrive, as a node would: to seal messages to them.
        for (const m of this.received) if (m.type === MessageType.Advert) this.originAuth.verifyAdvert(m);
      }
      this.#writer = new LinkWriter(16 * 1024 * 1024, undefined, this.originAuth);
      if (options.neighbors !== false) {
        const advert = advertOf(options.name, instance, [...(options.neighbors ?? [reply.name])]);
        this.send(this.originAuth === undefined ? advert : this.signed(advert));
      }
      return reply;
    }
  }

  /** `advert` signed with this peer's credentials (its own name only verifies, of course). */
  signed(advert: Message): Message {
    if (advert.type !== MessageType.Advert || this.originAuth === undefined) return advert;
    return { ...advert, ...this.originAuth.signAdvert(advert) } as Message;
  }

  /**
   * Sends a routed message as a node's link would: CALL, RESULT and EVENT on channels, sealed when it is from this
   * peer and it has credentials; a `mac` given in the message goes as it is.
   */
  sendRouted(message: Message): void {
    if (this.#writer === undefined) throw new Error("sendRouted() needs join() first");
    // Adverts that arrived since: their keys seal what goes to their origins.
    for (const m of this.received) if (m.type === MessageType.Advert) this.originAuth?.verifyAdvert(m);
    this.#writer.write(message);
    const bytes = this.#writer.take();
    if (bytes !== undefined) this.write(bytes);
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
