/**
 * The router: sends each addressed message to the link of its next hop (the loopback link for the node itself),
 * forwards what arrives for other nodes, keeps track of the calls it forwards so that a broken next link fails
 * them at once, and turns a message that could not be sent into the error its sender sees.
 */
import { didYouMean } from "../base/did-you-mean.js";
import { ErrorCode, RemoteError } from "../base/errors.js";
import type { RelayedCalls } from "../dispatch/relayed-calls.js";
import type { AddressedMessage, PeerLink, SendOutcome } from "../link/peer-link.js";
import { MessageType } from "../wire/messages.js";

/** What became of a routed message: a link's outcome, or "unreachable" when no route leads to its node. */
export type RouteOutcome = SendOutcome | "unreachable";

/** What the router reads from its node. */
export interface RouterHost {
  readonly self: string;
  readonly maxHops: number;
  readonly maxQueuedBytes: number;
  /** The neighbour to send through towards `node` (this node itself for its own name), if any. */
  nextHop(node: string): string | undefined;
  /** The link to `peer`, if one is open. */
  link(peer: string): PeerLink | undefined;
  /** Every node on the bus, this one first: for the hint of an unknown node. */
  known(): readonly string[];
  /**
   * Hands a message addressed to this node to the module that handles it; `from` is the neighbour it came from
   * (undefined for this node's own messages, through the loopback link), `payload` its packed args, out or data
   * as they arrived, when the link kept them.
   */
  deliver(message: AddressedMessage, from?: string, payload?: Uint8Array): void;
  warn(message: string): void;
}

export class Router {
  readonly #host: RouterHost;
  readonly #relayed: RelayedCalls;

  constructor(host: RouterHost, relayed: RelayedCalls) {
    this.#host = host;
    this.#relayed = relayed;
  }

  /** Sends a message this node makes towards its destination. @throws WireError for unencodable content. */
  route(message: AddressedMessage): RouteOutcome {
    const via = this.#host.nextHop(message.dst);
    if (via === undefined) return "unreachable";
    const link = this.#host.link(via);
    return link === undefined ? "closed" : link.send(message);
  }

  /**
   * A message arrived on the link from `from`: delivered when it is addressed to this node, otherwise forwarded.
   * `payload`: the still-packed args or out of a message for another node (see `LinkEvents.message`).
   */
  receive(from: string, message: AddressedMessage, payload: Uint8Array | undefined): void {
    const self = this.#host.self;
    if (message.src === self) {
      // This node's own messages reach it only through its loopback link: one that arrives on a link in its name is
      // forged (it would otherwise pass as the node calling itself, which its access policy always allows).
      this.#host.warn(`dropped a message from ${from} in this node's own name (${self}): forged`);
      return;
    }
    // `payload`: the bytes a MAC covers, for origin authentication (bus/origin-auth.ts).
    if (message.dst === self) this.#host.deliver(message, from, payload);
    else this.#forward(from, message, payload);
  }

  #forward(from: string, message: AddressedMessage, payload: Uint8Array | undefined): void {
    const host = this.#host;
    // An answer passing back ends the call here, whether or not it can go on.
    if (message.type === MessageType.Result || message.type === MessageType.Error) {
      this.#relayed.complete(message.dst, message.id);
    }
    const via = host.nextHop(message.dst);
    if (via === undefined || message.hops + 1 >= host.maxHops || via === from) {
      if (message.type === MessageType.Call) {
        this.answer(
          message.src,
          message.id,
          ErrorCode.UnknownNode,
          `${message.dst}:${message.path} ${message.intf}.${message.method}: node '${message.dst}' cannot be reached from ${host.self}`,
        );
      }
      return;
    }
    if (message.type === MessageType.Call) {
      // Bounded per link, per caller and in all: a flood of calls through this node cannot grow it without end.
      const refusal = this.#relayed.refusal(message.src, message.id, from);
      if (refusal !== undefined) {
        this.answer(
          message.src,
          message.id,
          ErrorCode.Overloaded,
          `${host.self} cannot forward the call to ${message.dst}:${message.path} ${message.intf}.${message.method}: ${refusal}; retry when some finish`,
        );
        return;
      }
      this.#relayed.track({
        caller: message.src,
        id: message.id,
        from,
        next: via,
        deadline: Date.now() + message.timeoutMs,
      });
    }
    let outcome: SendOutcome | "too large";
    try {
      // The payload goes on as it came, undecoded.
      outcome = host.link(via)?.send(message, payload, message.hops + 1) ?? "closed";
    } catch {
      // Only a frame above this node's maxFrameBytes gets here.
      outcome = "too large";
    }
    if (outcome !== "sent" && message.type === MessageType.Call) {
      this.#relayed.complete(message.src, message.id);
      const [code, why] =
        outcome === "closed"
          ? [ErrorCode.ConnectionLost, "its link is gone"]
          : outcome === "overloaded"
            ? [ErrorCode.Overloaded, "its link is overloaded"]
            : [ErrorCode.FrameTooLarge, "the call is larger than this node's maxFrameBytes"];
      this.answer(message.src, message.id, code, `${host.self} cannot forward the call to ${via}: ${why}`);
    }
  }

  /** Fails call `id` of `caller`, which this node forwards (or would have), with an ERROR from this node. */
  answer(caller: string, id: number, code: string, message: string): void {
    this.route({
      type: MessageType.Error,
      dst: caller,
      src: this.#host.self,
      hops: 0,
      id,
      code,
      message,
      data: null,
    });
  }

  /** The link to `peer` is gone: fails every call forwarded through it. */
  linkLost(peer: string): void {
    for (const relayed of this.#relayed.takeVia(peer)) {
      this.answer(
        relayed.caller,
        relayed.id,
        ErrorCode.ConnectionLost,
        `the link from ${this.#host.self} to ${peer} was lost while the call was in flight`,
      );
    }
  }

  /** Forgets forwarded calls whose callers stopped waiting before `now`. */
  sweep(now: number): void {
    this.#relayed.sweep(now);
  }

  /** The error of a message to `node` (described by `what`) that could not be sent: why, and what to do. */
  failure(node: string, outcome: Exclude<RouteOutcome, "sent">, what: string): RemoteError {
    const host = this.#host;
    switch (outcome) {
      case "unreachable": {
        const known = host.known();
        return new RemoteError(
          ErrorCode.UnknownNode,
          `${what}: node '${node}' is not on the bus${didYouMean(node, known)} (known: ${known.join(", ")})`,
        );
      }
      case "overloaded": {
        const via = host.nextHop(node) ?? node;
        return new RemoteError(
          ErrorCode.Overloaded,
          `${what}: the link to ${via} has ${host.link(via)?.queuedBytes ?? 0} bytes queued (limit ${host.maxQueuedBytes}); the peer does not keep up`,
        );
      }
      case "closed":
        return new RemoteError(
          ErrorCode.ConnectionLost,
          `${what}: the link to ${host.nextHop(node) ?? node} is gone`,
        );
    }
  }
}
