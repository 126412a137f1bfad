/**
 * What an attack is, and what it is given: the victim's endpoints, the attacker's credentials, the scale and the
 * time it has, and a context that keeps every connection it opens (so that all of them are gone when the attack
 * ends) and counts what the victim gave away.
 *
 * Two modes. With the shared secret and mutual TLS only, every holder of the secret may claim any name. In trust
 * mode (origin authentication: `NodeOptions.identity` and `trust` on every node) the attacker is a `Member` with a
 * valid identity for `mallory` alone: its links are mallory's (`linkName()`), what it sends as mallory is sealed, and
 * what it sends in other names carries a forged MAC (`forge()`).
 */
import { MessageType } from "../../packages/supcon/src/wire/messages.js";
import type {
  AdvertMessage,
  CallMessage,
  Message,
  PlainMap,
} from "../../packages/supcon/src/wire/messages.js";
import type { AddressedMessage } from "../../packages/supcon/src/link/peer-link.js";
import type { Member } from "./member.js";
import type { Endpoint, HandshakeOptions, PeerOptions } from "./peer.js";
import { HostilePeer } from "./peer.js";
import { pack, rawFrame } from "./wire.js";

/**
 * `identity`: the attacker pretends to be someone it is not; the goals are 0 handler runs, 0 intercepted messages,
 * 0 routes changed and nothing forged accepted. `flood`: the attacker makes the victim work or hold memory; the
 * goals are about the good client's service during the attack. Both must recover within 2 s and give back their
 * memory.
 */
export type AttackKind = "identity" | "flood";

export interface Attack {
  /** The name `--only` selects and the report shows. */
  readonly name: string;
  readonly kind: AttackKind;
  /** What the attacker does, in one sentence, for the report. */
  readonly summary: string;
  /** What it does in trust mode, where that differs (how it was adapted to an attacker that can prove only its own name). */
  readonly trustSummary?: string;
  /** Also measure newcomers: a fresh node tries to join every 250 ms during the attack. */
  readonly probeJoins?: boolean;
  /** Events the good client missed count as a breach (the attack is about its subscription). */
  readonly missedIsBreach?: boolean;
  /**
   * The attack is known to change routes; what it measures is how soon they are repaired once the attacker has
   * left. Routes changed then do not count against it; recovery does.
   */
  readonly repairOnly?: boolean;
  /** NodeOptions of the victim for this attack, at this scale (limits scaled with the attack, in the short form). */
  victimOptions?(scale: number): Record<string, unknown>;
  /** Attacks until `ctx.deadline` (or until its count is done, then holds until then); must not throw for a refusal. */
  run(ctx: AttackContext): Promise<void>;
}

/** The id of mallory's one genuine call in trust mode, made for a real MAC to copy: far from the attacks' own ids. */
const SAMPLE_CALL_ID = 0x7fff_0000;

/** Names of the nodes of the run. */
export const VICTIM = "victim";
export const GOOD = "good";
export const ATTACKER = "mallory";
/** The only node the victim's access policy lets call /admin; it is never on the bus. */
export const ADMIN = "admin";

export interface AttackSettings {
  /** Port of the victim's TCP listener (shared secret only). */
  readonly tcpPort: number;
  /** Port of the victim's TLS listener (mutual TLS, checkNodeName, and the shared secret). */
  readonly tlsPort: number;
  readonly secret: string;
  /** The attacker's certificate (for `mallory`) and the CA. */
  readonly tlsCredentials: { readonly key: Buffer; readonly cert: Buffer; readonly ca: Buffer };
  /** Multiplies every count of the attack. */
  readonly scale: number;
  /** Trust mode: the attacker's membership of the bus (its identity for `mallory`); undefined with the secret only. */
  readonly member?: Member;
  /** When the attack is to stop (`Date.now()` ms). */
  readonly deadline: number;
}

export class AttackContext {
  readonly settings: AttackSettings;
  readonly started = Date.now();
  /** The victim's TCP endpoint (shared secret only). */
  readonly tcp: Endpoint;
  /** The victim's TLS endpoint, with the attacker's own certificate. */
  readonly tls: Endpoint;
  /** Messages for another real node (the good client or the victim) that reached the attacker. */
  intercepted = 0;
  /** Real nodes whose messages reached the attacker on a link under another name: the victim routes them through it. */
  readonly rerouted = new Set<string>();
  /** Forged things the victim accepted (a link under a name that is not the attacker's, a replayed handshake). */
  accepted = 0;
  readonly notes: string[] = [];
  /** Times the victim closed a link of the attacker's in `persist()`, and the first reason it gave. */
  kicked = 0;
  #kickedFor: string | undefined;
  readonly #peers = new Set<HostilePeer>();
  /** Who waits for the reply of which call id (`reply()`). */
  readonly #replyWaiters = new Map<number, (reply: Message) => void>();
  /** mallory's one call for a real MAC to copy, in trust mode (`#ready()`). */
  #sampled: Promise<Message | undefined> | undefined;
  readonly #sockets = new Set<{ destroy(): void }>();
  /** Set by `teardown()`: an attack still running afterwards (one that overran) may open nothing more. */
  #closed = false;

  constructor(settings: AttackSettings) {
    this.settings = settings;
    this.tcp = { port: settings.tcpPort };
    this.tls = { port: settings.tlsPort, tls: { ...settings.tlsCredentials, servername: VICTIM } };
  }

  get scale(): number {
    return this.settings.scale;
  }

  get deadline(): number {
    return this.settings.deadline;
  }

  /** True in trust mode (origin authentication). */
  get trust(): boolean {
    return this.settings.member !== undefined;
  }

  /**
   * The name a link of the attacker's that wants `name` of its own can have: `name` with the secret only (any name
   * goes), `mallory` in trust mode (the only name it can prove; its parallel links share one process instance).
   */
  linkName(name: string): string {
    return this.trust ? ATTACKER : name;
  }

  /** What a link of the attacker's proves in its handshake: the shared secret, and in trust mode mallory's identity. */
  get proofs(): Pick<HandshakeOptions, "secret" | "member"> {
    const member = this.settings.member;
    return member === undefined ? { secret: this.settings.secret } : { secret: this.settings.secret, member };
  }

  /** `message`, which claims a source other than mallory, with the `i`-th kind of forged MAC in trust mode. */
  forge<M extends AddressedMessage>(message: M, i: number): M {
    return this.settings.member?.forge(message, i) ?? message;
  }

  /**
   * The forms a forged advert of another node goes in: as it is with the secret only; in trust mode unsigned, signed
   * by mallory, with the node's own credential and mallory's signature, and with `genuine`'s signature fields
   * copied (`Member.forgedAdverts()`).
   */
  forgeAdvert(advert: AdvertMessage, genuine?: AdvertMessage): AdvertMessage[] {
    return this.settings.member?.forgedAdverts(advert, genuine) ?? [advert];
  }

  /**
   * The frame of a CALL of mallory's own, checked against nothing (`rawFrame()`): in trust mode with its MAC, and its
   * args packed as a bin, as a member sends it.
   */
  frameOf(message: AddressedMessage & { readonly type: typeof MessageType.Call }): Buffer {
    const member = this.settings.member;
    if (member === undefined) return rawFrame(message);
    const packed = pack(message.args);
    const mac = member.auth.seal(message, packed) ?? null;
    return rawFrame({ ...message, mac }, mac === null ? undefined : packed);
  }

  /** `base` scaled, at least `min`. */
  count(base: number, min = 1): number {
    return Math.max(min, Math.round(base * this.settings.scale));
  }

  /** True once the deadline has passed (or the attack was torn down). */
  get stopped(): boolean {
    return this.#closed || Date.now() >= this.settings.deadline;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /**
   * A watcher for the messages received on a link the attacker holds under `linkName`: one meant for a real node
   * (the good client or the victim) is intercepted, and when that node is not `linkName`, the victim routes its
   * messages through the attacker.
   */
  watch(linkName: string): (message: Message) => void {
    return (message) => {
      if (message.type === MessageType.Result || message.type === MessageType.Error) {
        this.#replyWaiters.get(message.id)?.(message);
      }
      if (!("dst" in message) || (message.dst !== GOOD && message.dst !== VICTIM)) return;
      this.intercepted++;
      if (message.dst !== linkName) this.rerouted.add(message.dst);
    };
  }

  /**
   * Opens a connection the context closes at the end; decoded messages are watched for interception, as received
   * on a link under `linkName`.
   */
  async connect(endpoint: Endpoint, options: PeerOptions = {}, linkName = ATTACKER): Promise<HostilePeer> {
    const peer = await HostilePeer.connect(endpoint, { onMessage: this.watch(linkName), ...options });
    if (this.#closed) {
      peer.destroy();
      throw new Error("the attack is over: no more connections");
    }
    this.#peers.add(peer);
    void peer.closed.then(() => this.#peers.delete(peer));
    return peer;
  }

  /** Keeps any other socket the attack opens, for the end. */
  track(socket: { destroy(): void }): void {
    if (this.#closed) socket.destroy();
    else this.#sockets.add(socket);
  }

  untrack(socket: { destroy(): void }): void {
    this.#sockets.delete(socket);
  }

  /**
   * A link as the attacker itself: `mallory` over mutual TLS with its own certificate and the shared secret (what a
   * compromised member of the bus holds), or over the TCP port with `endpoint: "tcp"`, where the shared secret is
   * all that is checked and `handshake.name` may be any name (one per link: a second link in the name of a node
   * linked already is refused). In trust mode the handshake proves mallory's identity too (another name is
   * refused), and the link is ready to forge once it returns (`#ready()`).
   */
  async member(
    handshake: Partial<HandshakeOptions> = {},
    endpoint: "tls" | "tcp" = "tls",
    options: PeerOptions = {},
  ): Promise<HostilePeer> {
    const name = handshake.name ?? ATTACKER;
    const peer = await this.connect(endpoint === "tls" ? this.tls : this.tcp, options, name);
    try {
      await peer.handshake({ ...this.proofs, ...handshake, name });
      await this.#ready(peer);
    } catch (err) {
      peer.destroy();
      throw err;
    }
    return peer;
  }

  /**
   * In trust mode, once: waits until the member holds the victim's key (from its advert: without it nothing mallory
   * sends to the victim is sealed), and has a real MAC to copy (the victim's RESULT of a call of mallory's own).
   */
  async #ready(peer: HostilePeer): Promise<void> {
    const member = this.settings.member;
    if (member === undefined) return;
    if (!member.knows(VICTIM)) {
      await peer.next((m) => m.type === MessageType.Advert && m.origin === VICTIM, 5_000);
    }
    // One call for all links; its RESULT may come on another link of mallory's (the victim answers on its oldest).
    this.#sampled ??= this.reply(SAMPLE_CALL_ID, 5_000, () =>
      peer.sendOnChannel(calcCall("add", SAMPLE_CALL_ID, { a: 1, b: 2 }, 5_000)),
    );
    await this.#sampled;
  }

  /**
   * Runs `send`, then waits for the RESULT or ERROR of call `id` on any of the attack's links that decode (a node
   * answers a node on one of its links, whichever `send` used: in trust mode mallory's links are parallel links of
   * one node); undefined after `timeoutMs`. Ids waited for at once must differ.
   */
  reply(id: number, timeoutMs: number, send: () => void): Promise<Message | undefined> {
    return new Promise((resolve) => {
      const done = (message: Message | undefined): void => {
        clearTimeout(timer);
        this.#replyWaiters.delete(id);
        resolve(message);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.#replyWaiters.set(id, done);
      send();
    });
  }

  /**
   * Keeps at an attack when the victim closes its link: `work` runs on a new link (from `connect`) until it returns
   * with its link still open, the deadline passes, or the victim has closed `maxLinks` links. Counts the closes.
   */
  async persist(
    connect: () => Promise<HostilePeer>,
    work: (peer: HostilePeer) => Promise<void>,
    maxLinks = 20,
  ): Promise<void> {
    for (let n = 1; !this.stopped; n++) {
      const peer = await connect();
      await work(peer);
      if (!peer.isClosed) return;
      this.kicked++;
      this.#kickedFor ??= peer.bye === undefined ? "no BYE" : `BYE ${peer.bye.code}: ${peer.bye.message}`;
      if (n >= maxLinks) break;
      await sleep(50);
    }
  }

  /** What `persist()` saw of the victim closing the attacker's links, for the notes. */
  get kicks(): string | undefined {
    if (this.kicked === 0) return undefined;
    return `the victim closed the attacker's link ${this.kicked} times (first: ${this.#kickedFor?.slice(0, 200)})`;
  }

  /** Waits until the deadline, or until `peer` closes. */
  async hold(peer: HostilePeer): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      peer.closed,
      new Promise(
        (resolve) => (timer = setTimeout(resolve, Math.max(0, this.settings.deadline - Date.now()))),
      ),
    ]);
    clearTimeout(timer);
  }

  /** Waits until the deadline. */
  async untilDeadline(): Promise<void> {
    const left = this.settings.deadline - Date.now();
    if (left > 0) await sleep(left);
  }

  /** Destroys every connection the attack opened and waits (up to `timeoutMs`) for them to close. */
  async teardown(timeoutMs = 5_000): Promise<void> {
    this.#closed = true;
    const peers = [...this.#peers];
    for (const peer of peers) peer.destroy();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(peers.map((p) => p.closed)),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }
}

/** A CALL of the victim's /calc from mallory itself: `add` or `sleep`. */
export function calcCall(method: string, id: number, args: PlainMap, timeoutMs: number): CallMessage {
  return {
    type: MessageType.Call,
    dst: VICTIM,
    src: ATTACKER,
    hops: 0,
    id,
    path: "/calc",
    intf: "com.example.Calc",
    method,
    args,
    timeoutMs,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `task` for `count` items with at most `parallel` at once (`worker`: which of them runs it, from 0), stopping
 * early once `stop()` says so. Returns how many were started.
 */
export async function pool(
  count: number,
  parallel: number,
  task: (i: number, worker: number) => Promise<void>,
  stop: () => boolean,
): Promise<number> {
  let next = 0;
  const worker = async (w: number): Promise<void> => {
    while (next < count && !stop()) {
      const i = next++;
      await task(i, w).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, (_, w) => worker(w)));
  return next;
}
