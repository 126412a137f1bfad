/**
 * A link: one connection to a peer node, after and during the handshake. It turns bytes into messages and back,
 * coalesces writes made in the same tick into one socket write, bounds what it queues, and watches liveness.
 */
import { WireErrorCode } from "../wire/errors.js";
import type { FrameCallback, FrameErrorCallback } from "../wire/frame.js";
import { createFrameDecoder, foreignProtocol } from "../wire/frame.js";
import { packPayload } from "../wire/codec.js";
import type { MessageSealer, SharedFrames } from "../wire/link-codec.js";
import { LinkReader, LinkWriter } from "../wire/link-codec.js";
import type { Message, PlainMap } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import type { Transport } from "../transport/transport.js";
import type { HandshakeIdentity } from "./handshake.js";
import { Handshake } from "./handshake.js";
import { Heartbeat } from "./heartbeat.js";
import { LinkError, PeerRefusal } from "./peer-link.js";
import type { OutgoingEvent, PeerLink, Refusal, RoutedMessage, SendOutcome } from "./peer-link.js";

/** Queued bytes that make a link write before the end of the tick (once per tick); see `Link#scheduleFlush()`. */
export const EARLY_WRITE_BYTES = 1024;

/**
 * Where a link is in its life. The peer is known from `open` on; `closed` keeps it (undefined when the link closed
 * during its handshake) and says why, when it was not a clean close.
 */
export type LinkState =
  | { readonly phase: "handshaking" }
  | { readonly phase: "open"; readonly peer: string; readonly peerInstance: string }
  | {
      readonly phase: "closed";
      readonly peer: string | undefined;
      readonly error: LinkError | undefined;
    };

const HANDSHAKING: LinkState = { phase: "handshaking" };

export interface LinkOptions {
  readonly self: string;
  readonly instance: string;
  /** The connecting side speaks first. */
  readonly role: "connector" | "acceptor";
  readonly maxFrameBytes: number;
  readonly maxQueuedBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  /** Shared secret both sides must prove they know, or undefined for none. */
  readonly secret: Uint8Array | undefined;
  /**
   * Credentials (`NodeOptions.identity` and `trust`): this node's, presented and proved in the handshake, and the
   * trust the peer's are checked against. Undefined for none.
   */
  readonly credentials?: HandshakeIdentity | undefined;
  /** Computes the MAC of each routed message this node sends (origin authentication), when that is on. */
  readonly sealer?: MessageSealer | undefined;
  /** Frames the node's links send alike, encoded once for all of them (`SharedFrames`). */
  readonly sharedFrames?: SharedFrames | undefined;
  /**
   * With TLS and `checkNodeName`: the peer's name must be one its verified certificate names (`Transport.identity()`),
   * checked before `checkPeer`.
   */
  readonly requireCertifiedName: boolean;
  /** Decides whether a peer may join: undefined to accept, or why not. */
  readonly checkPeer: (name: string, instance: string) => Refusal | undefined;
}

/** What a link tells its node. */
export interface LinkEvents {
  /** The handshake is done: the link is open to node `peer`, whose process instance is `instance`. */
  open(link: Link, peer: string, instance: string): void;
  /**
   * A message for this node or to forward. A CALL, RESULT or EVENT addressed to another node comes with its args or
   * out still packed, in `payload` (valid only during the call), and null in the message; see `send()`.
   */
  message(link: Link, message: RoutedMessage, payload: Uint8Array | undefined): void;
  /** Called once. `error` is undefined for a clean close by either side. */
  closed(link: Link, error: LinkError | undefined): void;
}

export class Link implements PeerLink {
  readonly #transport: Transport;
  readonly #options: LinkOptions;
  readonly #events: LinkEvents;
  #state: LinkState = HANDSHAKING;
  readonly #writer: LinkWriter;
  readonly #reader: LinkReader;
  #flushScheduled = false;
  /** True once this tick's early write is done (see `#scheduleFlush()`). */
  #wroteEarly = false;
  #lastSent = Date.now();
  #lastReceived = Date.now();
  #heartbeat: Heartbeat | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  readonly #handshake: Handshake;
  readonly #decoder;

  constructor(transport: Transport, options: LinkOptions, events: LinkEvents) {
    this.#transport = transport;
    this.#options = options;
    this.#events = events;
    this.#decoder = createFrameDecoder(options.maxFrameBytes);
    // Named fields only: the options object may carry more than the handshake should see.
    this.#handshake = new Handshake({
      self: options.self,
      instance: options.instance,
      role: options.role,
      secret: options.secret,
      identity: options.credentials,
    });
    this.#writer = new LinkWriter(options.maxFrameBytes, undefined, options.sealer, options.sharedFrames);
    this.#reader = new LinkReader(options.self);
    this.#handshakeTimer = setTimeout(
      () =>
        this.#fail(
          new LinkError(
            "supcon.HandshakeTimeout",
            `${transport.remote}: handshake not complete after ${options.handshakeTimeoutMs} ms`,
          ),
        ),
      options.handshakeTimeoutMs,
    );
    this.#handshakeTimer.unref();
    transport.setHandlers({
      data: (chunk) => this.#onData(chunk),
      close: (error) => this.#onTransportClosed(error),
      drain: () => undefined,
    });
    if (options.role === "connector") this.#enqueue(this.#handshake.hello());
  }

  /** The peer's node name, from the end of the handshake on; undefined before. */
  get peer(): string | undefined {
    return this.#state.phase === "handshaking" ? undefined : this.#state.peer;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Whether this side dialed (and spoke first) or accepted. */
  get role(): "connector" | "acceptor" {
    return this.#options.role;
  }

  get remote(): string {
    return this.#transport.remote;
  }

  /** Bytes waiting to be written, in this link and in the socket. */
  get queuedBytes(): number {
    return this.#writer.bytes + this.#transport.queuedBytes;
  }

  /**
   * Queues a message; it is written with everything else sent in the same tick. Sends nothing and says why when
   * the link is not open ("closed") or its queue is over `maxQueuedBytes` ("overloaded": the peer does not keep
   * up). `payload` is the packed args or out of a CALL, RESULT or EVENT being forwarded (`LinkEvents.message`), sent
   * as it is; `hops` replaces the message's hop count (a relay sends one more).
   * @throws WireError when the message cannot be encoded (too large, or not plain data).
   */
  send(message: Message, payload?: Uint8Array, hops?: number): SendOutcome {
    if (this.#state.phase !== "open") return "closed";
    if (this.queuedBytes > this.#options.maxQueuedBytes) return "overloaded";
    this.#writer.write(message, payload, hops);
    this.#scheduleFlush();
    return "sent";
  }

  /** Queues an EVENT fired once for all its subscribers, packed on first use; on the same terms as `send()`. */
  sendEvent(event: OutgoingEvent, dst: string, seq: number): SendOutcome {
    if (this.#state.phase !== "open") return "closed";
    if (this.queuedBytes > this.#options.maxQueuedBytes) return "overloaded";
    this.#writer.writeEvent(event, dst, seq, (event.payload ??= packPayload(event.args, "EVENT")));
    this.#scheduleFlush();
    return "sent";
  }

  /** Says goodbye to the peer (when open) and closes. */
  close(code = "supcon.Closed", message = "node closed"): void {
    if (this.#state.phase === "closed") return;
    if (this.#state.phase === "open") this.#enqueue({ type: MessageType.Bye, code, message });
    this.#flush();
    this.#shutdown(undefined);
    this.#transport.close();
  }

  /**
   * Encodes and queues a link message. Throws `WireError` (`supcon.FrameTooLarge`, `supcon.InvalidData`) for a
   * message that cannot be sent; that fails the message, not the link.
   */
  #enqueue(message: Message): void {
    this.#writer.write(message);
    this.#scheduleFlush();
  }

  /**
   * Writes are coalesced per tick: what is queued in one tick goes out in one write at its end. Except that once
   * `EARLY_WRITE_BYTES` are queued, what is queued so far is written at once (once per tick), so the peer starts
   * on the first messages while this side still produces the rest. Under a steady stream of calls this turns two
   * processes taking turns into two working at once: pipelined calls/s doubled on two cores (bench/README.md),
   * for one more write per tick at most.
   */
  #scheduleFlush(): void {
    if (!this.#wroteEarly && this.#writer.bytes >= EARLY_WRITE_BYTES) {
      this.#wroteEarly = true;
      this.#write();
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flushLater);
    }
  }

  readonly #flushLater = (): void => this.#flush();

  #flush(): void {
    this.#flushScheduled = false;
    this.#wroteEarly = false;
    this.#write();
  }

  #write(): void {
    const data = this.#writer.take();
    if (data === undefined) return;
    this.#lastSent = Date.now();
    this.#transport.write(data);
  }

  #onData(chunk: Uint8Array): void {
    if (this.#state.phase === "closed") return;
    this.#lastReceived = Date.now();
    this.#decoder.push(chunk, this.#onFrame, this.#onFrameError);
  }

  readonly #onFrameError: FrameErrorCallback = (message, code, declaredLength) => {
    // Not an oversized frame: no frame at all (the code says so too).
    const foreign = this.#state.phase === "handshaking" ? foreignProtocol(declaredLength) : undefined;
    this.#fail(
      foreign === undefined
        ? new LinkError(code, `${this.#who()}: ${message}`)
        : new LinkError(WireErrorCode.ProtocolError, `${this.#who()}: ${this.#speaksTls(declaredLength)}`),
    );
  };

  /**
   * What to say when the first bytes of the peer are a TLS record: a TLS client met this plain listener, or this
   * plain connector met a TLS listener that answered (one that closes without a word: `#onTransportClosed()`).
   */
  #speaksTls(declaredLength: number): string {
    const bytes = [24, 16, 8, 0].map((shift) =>
      ((declaredLength >>> shift) & 0xff).toString(16).padStart(2, "0"),
    );
    const record = `its first bytes, ${bytes.join(" ")}, are a TLS record, not a frame`;
    return this.#options.role === "acceptor"
      ? `the peer speaks TLS and this listener does not (${record}): connect without tls there, or listen with tls here`
      : `expected TLS: the peer answered in TLS (${record}); connect with tls`;
  }

  readonly #onFrame: FrameCallback = (bytes, start, end) => {
    if (this.#state.phase === "closed") return;
    const message = this.#reader.read(bytes, start, end);
    if (typeof message === "string") {
      this.#fail(new LinkError(WireErrorCode.ProtocolError, `${this.#who()}: ${message}`));
      return;
    }
    if (this.#state.phase === "handshaking") {
      this.#onHandshake(message);
      return;
    }
    switch (message.type) {
      case MessageType.Ping:
        this.#enqueue({ type: MessageType.Pong });
        return;
      case MessageType.Pong:
      case MessageType.Bind: // applied by the reader
        return;
      case MessageType.Bye:
        this.#shutdown(
          message.code === "supcon.Closed"
            ? undefined
            : new LinkError(message.code, `${this.#who()} closed the link: ${message.message}`),
        );
        this.#transport.close();
        return;
      case MessageType.Refuse:
        // The connector checks the acceptor's HELLO last (checkNodeName, credentials): the link is open here already.
        this.#shutdown(new PeerRefusal(message.code, `${this.#who()} refused this node: ${message.message}`));
        this.#transport.close();
        return;
      case MessageType.Hello:
      case MessageType.Challenge:
      case MessageType.Auth:
        this.#fail(
          new LinkError("supcon.ProtocolError", `${this.#who()}: handshake message after the handshake`),
        );
        return;
      default:
        this.#events.message(this, message, this.#reader.payload);
    }
  };

  /** Carries out what the handshake says to do with `message` (link/handshake.ts). */
  #onHandshake(message: Message): void {
    const step = this.#handshake.receive(message);
    switch (step.kind) {
      case "send":
        this.#enqueue(step.message);
        return;
      case "open":
        this.#open(step.name, step.info);
        return;
      case "refuse":
        this.#refuse(step.refusal);
        return;
      case "refused":
        this.#shutdown(new PeerRefusal(step.code, `${this.#transport.remote} refused us: ${step.message}`));
        this.#transport.destroy();
        return;
      case "fail":
        this.#fail(new LinkError(step.code, `${this.#transport.remote}: ${step.message}`));
        return;
    }
  }

  /** The peer is who it says: check it may join, answer its HELLO (as acceptor), and open the link. */
  #open(name: string, info: PlainMap): void {
    const instance = typeof info["instance"] === "string" ? info["instance"] : "";
    const refusal = this.#certifiedNameRefusal(name) ?? this.#options.checkPeer(name, instance);
    if (refusal !== undefined) {
      this.#refuse(refusal);
      return;
    }
    if (this.#options.role === "acceptor") this.#enqueue(this.#handshake.hello());
    clearTimeout(this.#handshakeTimer);
    this.#state = { phase: "open", peer: name, peerInstance: instance };
    this.#heartbeat = new Heartbeat(
      {
        idleSendMs: (now) => now - this.#lastSent,
        idleReceiveMs: (now) => now - this.#lastReceived,
        sendPing: () => this.#enqueue({ type: MessageType.Ping }),
        timedOut: (silentMs) =>
          this.#fail(new LinkError("supcon.HeartbeatTimeout", `${this.#who()} silent for ${silentMs} ms`)),
      },
      { intervalMs: this.#options.heartbeatIntervalMs, timeoutMs: this.#options.heartbeatTimeoutMs },
    );
    this.#events.open(this, name, instance);
  }

  /** With `requireCertifiedName`: why `name` may not be used by this peer, if it may not. */
  #certifiedNameRefusal(name: string): Refusal | undefined {
    if (!this.#options.requireCertifiedName) return undefined;
    const identity = this.#transport.identity();
    if (identity.includes(name)) return undefined;
    return {
      code: "supcon.PermissionDenied",
      message: `the name '${name}' is not in the peer's certificate (it names: ${identity.join(", ") || "nothing verified"}), and checkNodeName requires it`,
    };
  }

  #refuse(refusal: Refusal): void {
    this.#enqueue({ type: MessageType.Refuse, code: refusal.code, message: refusal.message });
    this.#flush();
    this.#shutdown(new LinkError(refusal.code, `refused ${this.#transport.remote}: ${refusal.message}`));
    this.#transport.close();
  }

  /** Ends the link after a protocol or liveness failure: tells the peer why, then drops the connection. */
  #fail(error: LinkError): void {
    if (this.#state.phase === "closed") return;
    if (this.#state.phase === "open")
      this.#enqueue({ type: MessageType.Bye, code: error.code, message: error.message });
    this.#flush();
    this.#shutdown(error);
    this.#transport.destroy();
  }

  #onTransportClosed(error: Error | undefined): void {
    this.#shutdown(
      new LinkError(
        "supcon.ConnectionLost",
        `${this.#who()}: connection lost${this.#unansweredHint(error)}${error ? `: ${error.message.trim()}` : ""}`,
        { cause: error },
      ),
    );
  }

  /**
   * What a connection that closed in the handshake before the peer said anything may mean. A TLS listener closes a
   * plain connection, whose HELLO it cannot read, without a word (it has no alert for a peer that speaks no TLS);
   * a TLS client that refuses this node's certificate hangs up before its HELLO, and a TLS listener that refuses the
   * client's (or wants one) may close after its TLS handshake, before the HELLO is answered.
   */
  #unansweredHint(error: Error | undefined): string {
    if (this.#state.phase !== "handshaking" || this.#handshake.heard || this.#decoder.bufferedBytes > 0)
      return "";
    const encrypted = this.#transport.encrypted === true;
    if (this.#options.role === "acceptor") {
      return encrypted && error === undefined
        ? " before the peer's HELLO, after the TLS handshake (did it refuse this node's certificate? Its log says)"
        : "";
    }
    if (!encrypted) {
      return " before the peer answered this node's HELLO (expected TLS? A TLS listener closes a plain connection so, without a word: if it listens with tls, connect with tls)";
    }
    // With an error, the error says what the listener did (its TLS alert).
    return error === undefined
      ? " before the peer answered this node's HELLO (over TLS: did it refuse this node's certificate, or want one? Its log says)"
      : " before the peer answered this node's HELLO";
  }

  #shutdown(error: LinkError | undefined): void {
    if (this.#state.phase === "closed") return;
    this.#state = { phase: "closed", peer: this.peer, error };
    clearTimeout(this.#handshakeTimer);
    this.#heartbeat?.stop();
    this.#writer.clear();
    this.#events.closed(this, error);
  }

  #who(): string {
    const peer = this.peer;
    return peer === undefined ? this.#transport.remote : `${peer} (${this.#transport.remote})`;
  }
}
