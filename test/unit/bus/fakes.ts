/**
 * Fakes shared by the unit tests of the bus modules: a link to a peer that records what it is given, and a pair of
 * in-memory transports joined back to back.
 */
import type { OutgoingEvent, PeerLink, SendOutcome } from "../../../packages/supcon/src/link/peer-link";
import type { Transport, TransportHandlers } from "../../../packages/supcon/src/transport/transport";
import { encodeMessage } from "../../../packages/supcon/src/wire/codec";
import type { Message } from "../../../packages/supcon/src/wire/messages";

/** One message given to a `FakePeerLink`. */
export interface Sent {
  readonly message: Message;
  readonly payload: Uint8Array | undefined;
  readonly hops: number | undefined;
}

/**
 * A link to `peer` that records what it sends. `outcome` says what becomes of the next messages; a message that is
 * sent is encoded first, so unencodable content throws as on a real link.
 */
export class FakePeerLink implements PeerLink {
  readonly peer: string;
  readonly remote: string;
  queuedBytes = 0;
  outcome: SendOutcome = "sent";
  readonly sent: Sent[] = [];
  readonly events: { event: OutgoingEvent; dst: string; seq: number }[] = [];
  /** Called with each event sent, after it is recorded. */
  onEvent: ((event: OutgoingEvent, dst: string, seq: number) => void) | undefined;

  constructor(peer: string, remote = `${peer}.test:7000`) {
    this.peer = peer;
    this.remote = remote;
  }

  send(message: Message, payload?: Uint8Array, hops?: number): SendOutcome {
    if (this.outcome !== "sent") return this.outcome;
    encodeMessage(message);
    this.sent.push({ message, payload, hops });
    return "sent";
  }

  sendEvent(event: OutgoingEvent, dst: string, seq: number): SendOutcome {
    if (this.outcome !== "sent") return this.outcome;
    this.events.push({ event, dst, seq });
    this.onEvent?.(event, dst, seq);
    return "sent";
  }

  /** The messages sent, without payload and hops. */
  messages(): Message[] {
    return this.sent.map((s) => s.message);
  }
}

/**
 * One end of an in-memory connection (see `pipe()`). What it writes reaches the other end on a later turn of the event
 * loop, in order; closing it (or the other end) closes both, after what was written before.
 */
export class PipeEnd implements Transport {
  readonly remote: string;
  readonly queuedBytes = 0;
  isClosed = false;
  /** The other end; none for a connection whose peer never answers. */
  other: PipeEnd | undefined;
  /** Every chunk written, for inspection. */
  readonly written: Uint8Array[] = [];
  #handlers: TransportHandlers | undefined;
  readonly #early: Uint8Array[] = [];
  #closeReported = false;

  constructor(remote: string) {
    this.remote = remote;
  }

  identity(): readonly string[] {
    return [];
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    for (const chunk of this.#early.splice(0)) handlers.data(chunk);
  }

  write(data: Uint8Array): boolean {
    if (this.isClosed) return false;
    const copy = Uint8Array.from(data);
    this.written.push(copy);
    const other = this.other;
    if (other !== undefined) setImmediate(() => other.#receive(copy));
    return true;
  }

  close(): void {
    this.#end();
  }

  destroy(): void {
    this.#end();
  }

  #end(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    setImmediate(() => {
      this.#reportClose();
      if (this.other === undefined) return;
      this.other.isClosed = true;
      this.other.#reportClose();
    });
  }

  #receive(chunk: Uint8Array): void {
    if (this.#closeReported) return;
    if (this.#handlers === undefined) this.#early.push(chunk);
    else this.#handlers.data(chunk);
  }

  #reportClose(): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.#handlers?.close(undefined);
  }
}

/** Two transports joined back to back: what one writes, the other reads. */
export function pipe(remoteA = "b.test:7000", remoteB = "a.test:50000"): [PipeEnd, PipeEnd] {
  const a = new PipeEnd(remoteA);
  const b = new PipeEnd(remoteB);
  a.other = b;
  b.other = a;
  return [a, b];
}

/** Lets pending immediates (pipe traffic) and ticks run, `rounds` times. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
