/**
 * The attacker as a member of a bus with origin authentication (the suite's trust mode; docs/PROTOCOL.md, "Origin
 * authentication"): it holds a valid identity for its own name, `mallory`, and for no other. Its process has one
 * `OriginAuth`, the runtime's own (bus/origin-auth.ts), as a node has: it signs mallory's adverts, seals what mallory
 * sends in its own name, and learns the keys of the nodes whose adverts reach it. A full, legitimate member of the
 * bus, that then lies: what it sends in another node's name goes with the best MAC it can come by (`Forgery`), and
 * the adverts it forges for other nodes are signed with what it holds.
 */
import type { KeyObject } from "node:crypto";
import { X509Certificate, randomBytes } from "node:crypto";
import { OriginAuth, advertSigningBytes } from "../../packages/supcon/src/bus/origin-auth.js";
import type { HandshakeIdentity } from "../../packages/supcon/src/link/handshake.js";
import type { Trust } from "../../packages/supcon/src/link/identity.js";
import {
  CredentialKind,
  LocalIdentity,
  createLocalIdentity,
  resolveIdentity,
  signWith,
} from "../../packages/supcon/src/link/identity.js";
import { packPayload } from "../../packages/supcon/src/wire/codec.js";
import type { AddressedMessage } from "../../packages/supcon/src/link/peer-link.js";
import type { AdvertMessage, Message } from "../../packages/supcon/src/wire/messages.js";
import { MessageType } from "../../packages/supcon/src/wire/messages.js";
import type { KeyPair } from "../../test/helpers/certs.js";

/** True for the messages that carry a MAC of their source: those routed by `dst` (every one with `hops`). */
export function isAddressed(m: Message): m is AddressedMessage {
  return "hops" in m;
}

/**
 * The payload a message's MAC covers, packed as a link packs it: args, out or ERROR data; undefined for CANCEL,
 * SUBSCRIBE and UNSUBSCRIBE, which have none. With a MAC, the full form sends these bytes as a bin.
 */
export function macPayload(m: AddressedMessage): Uint8Array | undefined {
  switch (m.type) {
    case MessageType.Call:
      return packPayload(m.args, "CALL");
    case MessageType.Result:
      return packPayload(m.out, "RESULT");
    case MessageType.Event:
      return packPayload(m.args, "EVENT");
    case MessageType.Error:
      return packPayload(m.data, "ERROR");
    default:
      return undefined;
  }
}

/**
 * The MACs a member can give a message it forges in another node's name, used in turn: `none`, no MAC at all;
 * `own`, the MAC of the same message from mallory, made under mallory's own pair key with the destination (the
 * only one it has with that node); `copied`, the MAC of a real message it received (another node's, over other
 * fields).
 */
export const FORGERIES = ["none", "own", "copied"] as const;
export type Forgery = (typeof FORGERIES)[number];

const EMPTY = new Uint8Array(0);

export class Member {
  readonly name: string;
  readonly instance: string;
  /** What its handshakes prove: its certificate and key, under the bus's trust. */
  readonly identity: HandshakeIdentity;
  /** Its process's origin authentication: signs its adverts, seals its messages, holds the keys it has learnt. */
  readonly auth: OriginAuth;
  /** MACs made up because there was none to use (no key for `own`, nothing received for `copied`). */
  madeUp = 0;
  readonly #key: KeyObject;
  /** The newest seq of each origin whose advert was checked, so that each advert is verified once. */
  readonly #checked = new Map<string, number>();
  /** Nodes whose keys it holds, and the credentials their adverts carry. */
  readonly #credentials = new Map<string, Uint8Array>();
  /** The MAC of the last real message received. */
  #copied: Uint8Array | undefined;
  #seq = 0;

  constructor(name: string, pair: KeyPair, trust: Trust, instance: string) {
    this.name = name;
    this.instance = instance;
    const resolved = resolveIdentity(pair);
    this.#key = resolved.key;
    this.identity = { local: createLocalIdentity(name, resolved, trust), trust };
    this.auth = new OriginAuth({
      self: name,
      instance,
      identity: this.identity.local,
      trust,
      maxNodes: 10_000,
    });
  }

  /** Takes in a message one of its links received: adverts teach it keys, MACs are kept to be copied. */
  observe(message: Message): void {
    if (message.type === MessageType.Advert) this.#learn(message);
    else if (isAddressed(message) && message.mac instanceof Uint8Array) this.#copied = message.mac;
  }

  /** True once it holds `node`'s key (from a verified advert). */
  knows(node: string): boolean {
    return this.#credentials.has(node);
  }

  /** The credential `node`'s adverts carry: its certificate, public, which the attacker may copy. */
  credentialOf(node: string): Uint8Array | undefined {
    return this.#credentials.get(node);
  }

  /** The MAC of a real message received, if any was. */
  get copiedMac(): Uint8Array | undefined {
    return this.#copied;
  }

  /** A seq newer than any of its adverts so far. */
  nextSeq(): number {
    this.#seq = Math.max(Date.now(), this.#seq + 1);
    return this.#seq;
  }

  /** Its own advert, listing `neighbors`, newer than the last, signed: genuine. */
  advert(neighbors: readonly string[]): AdvertMessage {
    return this.sign({
      type: MessageType.Advert,
      origin: this.name,
      instance: this.instance,
      seq: this.nextSeq(),
      neighbors,
      objects: {},
    });
  }

  /** `advert` signed with its own key and credential (whatever its origin: for another node's, a forgery). */
  sign(advert: AdvertMessage): AdvertMessage {
    return { ...advert, auth: this.auth.signAdvert(advert).auth ?? null };
  }

  /**
   * Forgeries of `advert`, an advert of another node: unsigned; signed with mallory's own credential (which names
   * mallory); with that node's credential (copied from its advert) and mallory's signature; and with the signature
   * fields of `genuine`, that node's real advert, copied as they are (they cover other contents).
   */
  forgedAdverts(advert: AdvertMessage, genuine: AdvertMessage | undefined): AdvertMessage[] {
    const forged: AdvertMessage[] = [{ ...advert, auth: null }, this.sign(advert)];
    const credential = genuine?.auth?.credential ?? this.credentialOf(advert.origin);
    if (credential !== undefined) {
      const dhKey = this.auth.dhKey;
      const signature = signWith(this.#key, advertSigningBytes(advert, dhKey, credential));
      forged.push({ ...advert, auth: { credential, dhKey, signature } });
    }
    if (genuine?.auth !== undefined && genuine.auth !== null) forged.push({ ...advert, auth: genuine.auth });
    return forged;
  }

  /**
   * A handshake identity that presents `credential` (another node's certificate, copied from its advert) for
   * `name`, and signs with mallory's key: the credential proves the name, the signature does not.
   */
  impersonating(name: string, credential: Uint8Array): HandshakeIdentity {
    const cert =
      credential[0] === CredentialKind.Certificate
        ? new X509Certificate(Buffer.from(credential.subarray(1)))
        : undefined;
    return { local: new LocalIdentity(name, this.#key, cert), trust: this.identity.trust };
  }

  /** The MAC of kind `kind` for `message`, which claims another source; null for `none`. */
  mac(message: AddressedMessage, kind: Forgery): Uint8Array | null {
    if (kind === "none") return null;
    const mac =
      kind === "own"
        ? this.auth.seal({ ...message, src: this.name }, macPayload(message) ?? EMPTY)
        : this.#copied;
    if (mac !== undefined) return mac;
    this.madeUp++;
    return randomBytes(16);
  }

  /** `message` with the `i`-th kind of forged MAC, in turn (`FORGERIES`). */
  forge<M extends AddressedMessage>(message: M, i: number): M {
    return { ...message, mac: this.mac(message, FORGERIES[i % FORGERIES.length] as Forgery) };
  }

  #learn(advert: AdvertMessage): void {
    if (advert.origin === this.name || (this.#checked.get(advert.origin) ?? -1) >= advert.seq) return;
    this.#checked.set(advert.origin, advert.seq);
    if (this.auth.verifyAdvert(advert) === undefined && advert.auth !== undefined && advert.auth !== null) {
      this.#credentials.set(advert.origin, advert.auth.credential);
    }
  }
}
