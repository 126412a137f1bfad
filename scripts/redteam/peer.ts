/**
 * A hostile peer: a TCP or TLS socket that completes a valid handshake (with the shared secret, a certificate of its
 * own over TLS, and in trust mode the identity of its `Member`) and then writes whatever it likes, frame by frame or
 * byte by byte. It reads back what the node sends, decoded (channel messages included), or only counts the bytes
 * once told to stop decoding (a flood that makes the node send a lot must not measure its own decoder).
 *
 * As a member (trust mode), what it sends in the member's own name is sealed with the member's MAC, as a node's
 * link would seal it; a message given with a `mac` (null for none) goes with that one: a forgery.
 */
import { createHash } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { Handshake } from "../../packages/supcon/src/link/handshake.js";
import type { HandshakeIdentity } from "../../packages/supcon/src/link/handshake.js";
import { encodeMessage } from "../../packages/supcon/src/wire/codec.js";
import { createFrameDecoder } from "../../packages/supcon/src/wire/frame.js";
import { LinkReader, LinkWriter } from "../../packages/supcon/src/wire/link-codec.js";
import type { ByeMessage, HelloMessage, Message } from "../../packages/supcon/src/wire/messages.js";
import { MessageType } from "../../packages/supcon/src/wire/messages.js";
import type { Member } from "./member.js";
import { isAddressed, macPayload } from "./member.js";

/** The largest frame the attacker writes or reads: far beyond the node's limits, so that those are what is tested. */
const MAX_FRAME = 64 * 1024 * 1024;
const NO_PAYLOAD = new Uint8Array(0);

/** Where to connect: a port of 127.0.0.1, over TLS with these credentials when `tls` is set. */
export interface Endpoint {
  readonly port: number;
  readonly tls?: {
    readonly key: Buffer;
    readonly cert: Buffer;
    readonly ca: Buffer;
    /** The name the node's certificate must carry. */
    readonly servername: string;
  };
}

export interface PeerOptions {
  /** Called for every message decoded. */
  readonly onMessage?: (message: Message) => void;
  /** Most messages kept in `received` (the oldest go first). @default 10,000 */
  readonly keep?: number;
  /** Gives up connecting after this long. @default 5,000 */
  readonly connectTimeoutMs?: number;
}

export interface HandshakeOptions {
  readonly name: string;
  /** The process instance claimed in HELLO. @default one made from the name (`instanceOf()`) */
  readonly instance?: string;
  /** The shared secret; without it, the plain handshake. */
  readonly secret?: string;
  /** Neighbours listed in the ADVERT sent after the handshake (the node's name by default); false to send none. */
  readonly neighbors?: readonly string[] | false;
  readonly timeoutMs?: number;
  /**
   * Trust mode: the member this link belongs to. Its identity proves `name` (which must then be its own), its
   * instance is the one claimed, the ADVERT after the handshake is signed by it, what the link sends in its name is
   * sealed, and what arrives teaches it keys.
   */
  readonly member?: Member;
  /** Credentials the handshake presents in place of the member's (an impersonation: they do not prove `name`). */
  readonly identity?: HandshakeIdentity;
}

/** A process instance id of the attacker's for `name`: 16 hex digits, the same for the same name. */
export function instanceOf(name: string): string {
  return createHash("sha256").update(`redteam ${name}`).digest("hex").slice(0, 16);
}

export class HostilePeer {
  readonly socket: net.Socket;
  /** The last messages received, in order (at most `keep`). */
  readonly received: Message[] = [];
  /** Messages received in all, and bytes. */
  messagesIn = 0;
  bytesIn = 0;
  /** What could not be read back (a framing or decoding problem). */
  readonly problems: string[] = [];
  readonly closed: Promise<void>;
  /** The first BYE the node sent: why it closed the link. */
  bye: ByeMessage | undefined;
  /** Every chunk written while `recording` is true. */
  readonly recorded: Buffer[] = [];
  recording = false;
  #decoding = true;
  #isClosed = false;
  /**
   * Writes CALL, RESULT and EVENT on channels, as a node does (BIND first, then the channel message), sealing the
   * member's own; made when first needed, after the handshake has said whose link this is.
   */
  #writer: LinkWriter | undefined;
  /** The member whose link this is (trust mode). */
  #member: Member | undefined;
  readonly #keep: number;
  readonly #onMessage: ((message: Message) => void) | undefined;
  readonly #taken = new WeakSet<Message>();
  readonly #waiters = new Set<() => void>();
  #keepAlive: NodeJS.Timeout | undefined;

  private constructor(socket: net.Socket, options: PeerOptions) {
    this.socket = socket;
    this.#keep = options.keep ?? 10_000;
    this.#onMessage = options.onMessage;
    const decoder = createFrameDecoder(MAX_FRAME);
    const reader = new LinkReader(undefined);
    socket.on("data", (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (!this.#decoding) return;
      decoder.push(
        chunk,
        (bytes, start, end) => {
          const message = reader.read(bytes, start, end);
          if (typeof message === "string") {
            if (this.problems.length < 100) this.problems.push(message);
            return;
          }
          if (message.type === MessageType.Bind) return;
          if (message.type === MessageType.Bye) this.bye ??= message;
          this.messagesIn++;
          this.#member?.observe(message);
          this.#onMessage?.(message);
          this.received.push(message);
          if (this.received.length > this.#keep) this.received.splice(0, this.received.length - this.#keep);
          this.#wake();
        },
        (problem) => {
          if (this.problems.length < 100) this.problems.push(problem);
        },
      );
    });
    // The node resets connections it refuses: an outcome, not an error of the attacker.
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#isClosed = true;
        clearInterval(this.#keepAlive);
        this.#wake();
        resolve();
      }),
    );
  }

  /** Connects to `endpoint` on 127.0.0.1 (over TLS when it says so: resolves after the TLS handshake). */
  static connect(endpoint: Endpoint, options: PeerOptions = {}): Promise<HostilePeer> {
    const timeoutMs = options.connectTimeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const t = endpoint.tls;
      const socket =
        t === undefined
          ? net.connect({ host: "127.0.0.1", port: endpoint.port })
          : tls.connect({
              host: "127.0.0.1",
              port: endpoint.port,
              key: t.key,
              cert: t.cert,
              ca: t.ca,
              servername: t.servername,
            });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to 127.0.0.1:${endpoint.port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once("error", fail);
      socket.once(t === undefined ? "connect" : "secureConnect", () => {
        clearTimeout(timer);
        socket.off("error", fail);
        socket.setNoDelay(true);
        resolve(new HostilePeer(socket, options));
      });
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Writes bytes; false when the socket's buffer is full (see `drained()`). */
  write(bytes: Uint8Array): boolean {
    if (this.socket.destroyed) return false;
    if (this.recording) this.recorded.push(Buffer.from(bytes));
    return this.socket.write(bytes);
  }

  /**
   * Sends a protocol message in full (which must respect the protocol's name limits: see wire.ts for what does not).
   * A routed message with a MAC (its own `mac`, or the member's seal) carries its payload packed, as a bin.
   */
  send(message: Message): boolean {
    return this.write(this.#full(message));
  }

  /**
   * Sends a CALL, RESULT or EVENT on a channel, as a node does: a BIND of its names first when they are new on this
   * link (whatever names the message claims), then the channel message. Other messages go in full.
   */
  sendOnChannel(message: Message): boolean {
    this.#writer ??= new LinkWriter(MAX_FRAME, undefined, this.#member?.auth);
    this.#writer.write(message);
    const bytes = this.#writer.take();
    return bytes === undefined || this.write(bytes);
  }

  /** The frame of `message` in full form: with the MAC it is given, else the member's seal of its own, else none. */
  #full(message: Message): Uint8Array {
    if (
      !isAddressed(message) ||
      message.mac === null ||
      (message.mac === undefined && this.#member === undefined)
    ) {
      return encodeMessage(message, MAX_FRAME);
    }
    const payload = macPayload(message);
    const mac = message.mac ?? this.#member?.auth.seal(message, payload ?? NO_PAYLOAD);
    if (mac === undefined) return encodeMessage(message, MAX_FRAME);
    return encodeMessage({ ...message, mac }, MAX_FRAME, payload);
  }

  /** Resolves once the socket's buffer has drained (or it closed), or after `timeoutMs`. */
  async drained(timeoutMs = 5_000): Promise<void> {
    if (!this.socket.writableNeedDrain || this.#isClosed) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.socket.once("drain", done);
      this.socket.once("close", done);
    });
  }

  /** From now on, only count what arrives. */
  stopDecoding(): void {
    this.#decoding = false;
  }

  /** Sends PING every `periodMs`, so that the node's heartbeat keeps the link while the peer reads nothing. */
  keepAlive(periodMs = 1_500): void {
    clearInterval(this.#keepAlive);
    const ping = encodeMessage({ type: MessageType.Ping });
    this.#keepAlive = setInterval(() => this.write(ping), periodMs);
    this.#keepAlive.unref();
  }

  /**
   * A valid handshake, made by the runtime's own handshake (link/handshake.ts) as a connector: with the shared
   * secret, HELLO (no name, a nonce), CHALLENGE back, AUTH (name, proof), HELLO back; without, HELLO and HELLO back.
   * Then an ADVERT listing the node, as a node does (without one the node has no route back and drops every reply).
   * With a member or an identity (trust mode) the handshake presents and proves credentials too, and the ADVERT is
   * the member's, signed. Throws when the node refuses or closes.
   */
  async handshake(options: HandshakeOptions): Promise<HelloMessage> {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    const member = options.member;
    const instance = options.instance ?? member?.instance ?? instanceOf(options.name);
    this.#member = member;
    const handshake = new Handshake({
      self: options.name,
      instance,
      role: "connector",
      secret: options.secret === undefined ? undefined : new TextEncoder().encode(options.secret),
      identity: options.identity ?? member?.identity,
    });
    this.send(handshake.hello());
    const isHandshake = (m: Message): boolean =>
      m.type === MessageType.Hello ||
      m.type === MessageType.Refuse ||
      m.type === MessageType.Challenge ||
      m.type === MessageType.Auth;
    for (;;) {
      const message = await this.next(isHandshake, Math.max(1, deadline - Date.now()));
      const step = handshake.receive(message);
      if (step.kind === "send") {
        this.send(step.message);
        continue;
      }
      if (step.kind !== "open" || message.type !== MessageType.Hello) {
        throw new Error(`handshake as ${options.name} failed: ${JSON.stringify(step)}`);
      }
      if (options.neighbors !== false) {
        const neighbors = options.neighbors ?? [message.name];
        this.send(
          member !== undefined
            ? member.advert(neighbors)
            : {
                type: MessageType.Advert,
                origin: options.name,
                instance,
                seq: Date.now(),
                neighbors,
                objects: {},
              },
        );
      }
      return message;
    }
  }

  /**
   * The first message received that matches `predicate` and has not been taken by an earlier `next()`; throws when
   * the connection closes first or after `timeoutMs`.
   */
  async next(predicate: (m: Message) => boolean, timeoutMs = 3_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((m) => !this.#taken.has(m) && predicate(m));
      if (found !== undefined) {
        this.#taken.add(found);
        return found;
      }
      if (this.#isClosed) throw new Error(`connection closed; received ${this.#describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; received ${this.#describe()}`);
      await this.#wait(left);
    }
  }

  /** Resolves once the node has closed the connection, or after `timeoutMs` (false then). */
  async waitClosed(timeoutMs = 3_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.closed.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    clearInterval(this.#keepAlive);
    this.socket.destroy();
  }

  #describe(): string {
    return JSON.stringify(this.received.slice(-20).map((m) => m.type));
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
