/**
 * The set of links of a node: every connection from its transport to its close, the open ones by peer, the
 * loopback link to the node itself, and how many are still in their handshake (new connections beyond
 * `maxHandshakingLinks` are shed).
 */
import type { Transport } from "../transport/transport.js";
import { Link } from "../link/link.js";
import type { LinkOptions } from "../link/link.js";
import type { LinkError, PeerLink, Refusal, RoutedMessage } from "../link/peer-link.js";
import type { LoopbackLink } from "../link/loopback.js";
import type { Message } from "../wire/messages.js";

/** The settings every link of the node shares. */
export interface LinkSettings {
  readonly self: string;
  readonly instance: string;
  readonly maxFrameBytes: number;
  readonly maxQueuedBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxHandshakingLinks: number;
  readonly secret: Uint8Array | undefined;
  /** With origin authentication: this node's credential for the handshake (link/handshake.ts). */
  readonly credentials?: LinkOptions["credentials"];
  /** With origin authentication: seals what each link sends (bus/origin-auth.ts). */
  readonly sealer?: LinkOptions["sealer"];
  /** Frames every link sends alike (adverts), encoded once for all. */
  readonly sharedFrames?: LinkOptions["sharedFrames"];
}

/** What the link set tells its node. */
export interface LinkSetEvents {
  /** May a peer of this name and process instance join? Undefined to accept, or why not. */
  admit(name: string, instance: string): Refusal | undefined;
  /** A link completed its handshake; `first` when no other link to `peer` is open. */
  opened(link: Link, peer: string, instance: string, first: boolean): void;
  message(link: Link, message: RoutedMessage, payload: Uint8Array | undefined): void;
  /** An open link closed; `last` when no other link to `peer` remains. */
  lost(link: Link, peer: string, error: LinkError | undefined, last: boolean): void;
  /** A link closed before its handshake completed. */
  refused(link: Link, error: LinkError | undefined): void;
}

export class LinkSet {
  readonly #settings: LinkSettings;
  readonly #events: LinkSetEvents;
  /** Open links by peer; the node's own name maps to the loopback link. */
  readonly #byPeer = new Map<string, PeerLink[]>();
  readonly #loopback: LoopbackLink;
  /** Every link not closed yet, with the promise of its close. */
  readonly #closing = new Map<Link, Promise<void>>();
  #handshaking = 0;

  constructor(settings: LinkSettings, events: LinkSetEvents, loopback: LoopbackLink) {
    this.#settings = settings;
    this.#events = events;
    this.#loopback = loopback;
    this.#byPeer.set(settings.self, [loopback]);
  }

  /** Links still in their handshake. */
  get handshaking(): number {
    return this.#handshaking;
  }

  /** True when another connection would exceed `maxHandshakingLinks`. */
  get full(): boolean {
    return this.#handshaking >= this.#settings.maxHandshakingLinks;
  }

  /**
   * Runs a link over `transport`. `requireCertifiedName`: the peer's name must be in its verified certificate.
   * `opened` is called when its handshake completes. Returns the link and a promise that resolves once it has
   * closed.
   */
  attach(
    transport: Transport,
    role: "connector" | "acceptor",
    requireCertifiedName: boolean,
    opened?: () => void,
  ): { link: Link; closed: Promise<void> } {
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const settings = this.#settings;
    this.#handshaking++;
    const link = new Link(
      transport,
      {
        ...settings,
        role,
        requireCertifiedName,
        checkPeer: (name, instance) => this.#events.admit(name, instance),
      },
      {
        open: (l, peer, instance) => {
          this.#handshaking--;
          const list = this.#byPeer.get(peer);
          if (list === undefined) this.#byPeer.set(peer, [l]);
          else list.push(l);
          this.#events.opened(l, peer, instance, list === undefined);
          opened?.();
        },
        message: (l, message, payload) => this.#events.message(l, message, payload),
        closed: (l, error) => {
          this.#closing.delete(l);
          this.#onClosed(l, error);
          resolveClosed();
        },
      },
    );
    this.#closing.set(link, closed);
    return { link, closed };
  }

  #onClosed(link: Link, error: LinkError | undefined): void {
    const peer = link.peer;
    const list = peer === undefined ? undefined : this.#byPeer.get(peer);
    const at = list === undefined ? -1 : list.indexOf(link);
    if (peer === undefined || list === undefined || at < 0) {
      this.#handshaking--;
      this.#events.refused(link, error);
      return;
    }
    list.splice(at, 1);
    if (list.length === 0) this.#byPeer.delete(peer);
    this.#events.lost(link, peer, error, list.length === 0);
  }

  /** The link to send to `peer` through (the loopback for this node's own name), if one is open. */
  get(peer: string): PeerLink | undefined {
    return this.#byPeer.get(peer)?.[0];
  }

  /** The peers this node has an open link to, sorted: its neighbours in the node graph. */
  neighbours(): string[] {
    return [...this.#byPeer.keys()].filter((peer) => peer !== this.#settings.self).sort();
  }

  /**
   * Floods `message` to every peer but those of `except` (one link, or a set of them): once per peer, on the first
   * of its links that takes it. What a flood carries is the peer's as a node, not a link's, so a peer with many
   * links (both sides dialled, or a member that opens thousands) is sent it once, not once per link.
   */
  broadcast(message: Message, except?: PeerLink | ReadonlySet<PeerLink>): void {
    const skip = except instanceof Set ? (except as ReadonlySet<PeerLink>) : undefined;
    for (const [peer, links] of this.#byPeer) {
      if (peer === this.#settings.self) continue;
      if (links.some((link) => link === except || skip?.has(link) === true)) continue;
      sendOnOne(links, message);
    }
  }

  /** Sends `message` to `peer` once, on the first of its links that takes it, unless `except` is one of them. */
  sendTo(peer: string, message: Message, except?: PeerLink): void {
    const links = this.#byPeer.get(peer);
    if (links === undefined || peer === this.#settings.self) return;
    if (except !== undefined && links.includes(except)) return;
    sendOnOne(links, message);
  }

  /** Open links to other nodes, for diagnostics. */
  describe(): { peer: string; remote: string }[] {
    const out: { peer: string; remote: string }[] = [];
    for (const [peer, links] of this.#byPeer) {
      if (peer === this.#settings.self) continue;
      for (const link of links) out.push({ peer, remote: link.remote });
    }
    return out;
  }

  /** Closes every link (saying goodbye on open ones) and the loopback; resolves once all have closed. */
  async closeAll(): Promise<void> {
    const closing = [...this.#closing].map(([link, closed]) => {
      link.close();
      return closed;
    });
    this.#loopback.close();
    await Promise.all(closing);
  }
}

/** Sends `message` on the first of `links` that takes it (a link may be closing, or overloaded). */
function sendOnOne(links: readonly PeerLink[], message: Message): void {
  for (const link of links) if (link.send(message) === "sent") return;
}
