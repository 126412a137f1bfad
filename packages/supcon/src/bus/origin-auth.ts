/**
 * Origin authentication (docs/PROTOCOL.md, "Origin authentication"), on when `NodeOptions.trust` is set: every
 * ADVERT is signed by its origin, and every routed message carries a MAC by its source that only its destination
 * can check. Relays forward both unchanged, so a node believes what a message says of its source only when the
 * source itself vouched for it, however many nodes it crossed.
 *
 * - Adverts: the origin signs a canonical encoding of the advert, its per-process X25519 public key and its
 *   credential with its identity key. Receivers check the credential against their trust and the signature before
 *   the advert is stored or flooded.
 * - Messages: each pair of nodes derives a key from X25519 (the keys in their signed adverts) and HKDF-SHA256, bound
 *   to both names and process instances. A message's MAC is HMAC-SHA256 under that key, cut to 16 bytes, over its
 *   header fields and its payload bytes as its source packed them.
 */
import * as crypto from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, timingSafeEqual } from "node:crypto";
import { CanonicalWriter, compareUtf8 } from "../link/canonical.js";
import type { LocalIdentity, Trust } from "../link/identity.js";
import { verifyWith } from "../link/identity.js";
import type { Advert } from "../routing/table.js";
import type { AdvertAuth, MacFields } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";

/** Bytes of a MAC on the wire: HMAC-SHA256 cut to 128 bits. */
export const MAC_BYTES = 16;
/** The DER prefix of an X25519 SubjectPublicKeyInfo, before the 32 bytes of the key. */
const X25519_SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");
const EMPTY = new Uint8Array(0);

/** An advert with its signature fields (wire/messages.ts `AdvertAuth`), as stored and flooded. */
export type SignedAdvert = Advert & { readonly auth?: AdvertAuth | null };

/** What is known of another node's keys: from its last verified advert. */
interface PeerKeys {
  readonly instance: string;
  readonly seq: number;
  readonly dhKey: Uint8Array;
  /** The pair key with this node as HMAC pads, derived when first needed. */
  pads: HmacPads | undefined;
}

/** An HMAC-SHA256 key as its two padded blocks: K ⊕ ipad and K ⊕ opad (RFC 2104), 64 bytes each. */
interface HmacPads {
  readonly inner: Buffer;
  readonly outer: Buffer;
}

function padsOf(key: Uint8Array): HmacPads {
  const inner = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (inner[i] as number) ^ (key[i] as number);
    outer[i] = (outer[i] as number) ^ (key[i] as number);
  }
  return { inner, outer };
}

/**
 * SHA-256 in one call where node:crypto has it (`crypto.hash`, Node 20.12): HMAC done by hand with two of those
 * costs a third less than `createHmac()` per message, which makes an object each time.
 */
const sha256: (data: Uint8Array) => Buffer =
  typeof crypto.hash === "function"
    ? (data) => crypto.hash("sha256", data, "buffer") as unknown as Buffer
    : (data) => crypto.createHash("sha256").update(data).digest();

export interface OriginAuthSettings {
  readonly self: string;
  readonly instance: string;
  readonly identity: LocalIdentity;
  readonly trust: Trust;
  /** Most nodes whose keys are kept (`maxKnownNodes`). */
  readonly maxNodes: number;
}

/**
 * The canonical bytes an advert's signature covers: "supcon/3 advert\0", lp(origin), lp(instance), u64(seq),
 * u32(count) and lp(name) of each neighbour, u32(count) and for each path lp(path), u32(count) and lp(interface) of
 * each of its interfaces, then lp(X25519 key) and lp(credential). Neighbours, paths and interfaces are sorted by
 * their UTF-8 bytes, so the bytes do not depend on the order a map was sent in.
 */
export function advertSigningBytes(advert: Advert, dhKey: Uint8Array, credential: Uint8Array): Uint8Array {
  const w = new CanonicalWriter(512)
    .raw("supcon/3 advert\0")
    .bytes(advert.origin)
    .bytes(advert.instance)
    .u64(advert.seq);
  const neighbors = [...advert.neighbors].sort(compareUtf8);
  w.u32(neighbors.length);
  for (const n of neighbors) w.bytes(n);
  const paths = Object.keys(advert.objects).sort(compareUtf8);
  w.u32(paths.length);
  for (const path of paths) {
    const intfs = [...(advert.objects[path] ?? [])].sort(compareUtf8);
    w.bytes(path).u32(intfs.length);
    for (const intf of intfs) w.bytes(intf);
  }
  return w.bytes(dhKey).bytes(credential).finish();
}

/**
 * The canonical bytes a message's MAC covers: u8(type), lp(dst), lp(src), then by type: CALL u64(id) lp(path)
 * lp(intf) lp(method) u64(timeoutMs); RESULT and CANCEL u64(id); ERROR u64(id) lp(code) lp(message); EVENT lp(path)
 * lp(intf) lp(event) u64(seq); SUBSCRIBE and UNSUBSCRIBE lp(path) lp(intf) lp(event); and last lp(payload): the
 * packed args, out or data as sent (empty for CANCEL, SUBSCRIBE, UNSUBSCRIBE). `hops` is left out: relays change it.
 */
export function macInput(m: MacFields, payload: Uint8Array, w = new CanonicalWriter()): Uint8Array {
  w.u8(m.type).bytes(m.dst).bytes(m.src);
  switch (m.type) {
    case MessageType.Call:
      w.u64(m.id ?? 0)
        .bytes(m.path ?? "")
        .bytes(m.intf ?? "")
        .bytes(m.method ?? "")
        .u64(m.timeoutMs ?? 0);
      break;
    case MessageType.Result:
    case MessageType.Cancel:
      w.u64(m.id ?? 0);
      break;
    case MessageType.Error:
      w.u64(m.id ?? 0)
        .bytes(m.code ?? "")
        .bytes(m.message ?? "");
      break;
    case MessageType.Event:
      w.bytes(m.path ?? "")
        .bytes(m.intf ?? "")
        .bytes(m.event ?? "")
        .u64(m.seq ?? 0);
      break;
    default:
      w.bytes(m.path ?? "")
        .bytes(m.intf ?? "")
        .bytes(m.event ?? "");
  }
  return w.bytes(payload).finish();
}

/**
 * The pair key of two nodes: HKDF-SHA256 of their X25519 shared secret, salt "supcon/3 pair key", info lp(name),
 * lp(instance), lp(X25519 key) of the node whose name sorts first (UTF-8 bytes), then the same of the other; 32 bytes.
 */
export function pairKey(
  shared: Uint8Array,
  a: { name: string; instance: string; dhKey: Uint8Array },
  b: { name: string; instance: string; dhKey: Uint8Array },
): Buffer {
  const [lo, hi] = compareUtf8(a.name, b.name) <= 0 ? [a, b] : [b, a];
  const info = new CanonicalWriter()
    .bytes(lo.name)
    .bytes(lo.instance)
    .bytes(lo.dhKey)
    .bytes(hi.name)
    .bytes(hi.instance)
    .bytes(hi.dhKey)
    .finish();
  return Buffer.from(hkdfSync("sha256", shared, "supcon/3 pair key", info, 32));
}

/** Rejections of one kind are warned about at most this often. */
export const REJECTION_WARNING_MS = 10_000;

/** Warnings about rejected adverts and messages, at most one per kind per `REJECTION_WARNING_MS`, with a count. */
export class RejectionWarnings {
  readonly #kinds = new Map<string, { count: number; warnedAt: number }>();
  readonly #intervalMs: number;

  constructor(intervalMs = REJECTION_WARNING_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Counts one rejection of kind `kind`; returns the warning to give now, if one is due. */
  note(text: string, kind: string, now: number = Date.now()): string | undefined {
    let state = this.#kinds.get(kind);
    if (state === undefined)
      this.#kinds.set(kind, (state = { count: 0, warnedAt: Number.NEGATIVE_INFINITY }));
    state.count++;
    if (now - state.warnedAt < this.#intervalMs) return undefined;
    const count = state.count;
    state.count = 0;
    state.warnedAt = now;
    return count > 1 ? `${text} (${count} ${kind} since the last such warning)` : text;
  }
}

/** What became of a message's MAC check. */
export type MacVerdict = "ok" | "missing" | "unknown-source" | "bad";

export class OriginAuth {
  readonly #settings: OriginAuthSettings;
  readonly #dhPrivate: KeyObject;
  /** This process's X25519 public key, raw (32 bytes): in every advert it signs. */
  readonly dhKey: Uint8Array;
  readonly #peers = new Map<string, PeerKeys>();
  /** Writes what a MAC covers after 64 bytes left for the inner HMAC pad. */
  readonly #writer = new CanonicalWriter(1024, 64);
  readonly #outer = Buffer.alloc(96);
  /** Adverts and messages refused, for diagnostics and tests. */
  readonly rejected = { adverts: 0, messages: 0 };
  readonly warnings = new RejectionWarnings();

  constructor(settings: OriginAuthSettings) {
    this.#settings = settings;
    const { privateKey, publicKey } = generateKeyPairSync("x25519");
    this.#dhPrivate = privateKey;
    this.dhKey = new Uint8Array(
      publicKey.export({ type: "spki", format: "der" }).subarray(X25519_SPKI_PREFIX.length),
    );
  }

  /** This node's advert with its signature fields. */
  signAdvert(advert: Advert): SignedAdvert {
    const { identity } = this.#settings;
    const signature = identity.sign(advertSigningBytes(advert, this.dhKey, identity.credential));
    return { ...advert, auth: { credential: identity.credential, dhKey: this.dhKey, signature } };
  }

  /**
   * Checks an advert that arrived: its origin's credential under this node's trust, and its signature. Returns what
   * is wrong (the advert is then dropped), or undefined; a good advert's key is kept for the origin's messages.
   */
  verifyAdvert(advert: SignedAdvert, now: number = Date.now()): string | undefined {
    const auth = advert.auth;
    if (auth === undefined || auth === null) {
      this.rejected.adverts++;
      return "it is not signed, and this node requires signed adverts (NodeOptions.trust)";
    }
    const key = this.#settings.trust.verify(advert.origin, auth.credential, now);
    if (typeof key === "string") {
      this.rejected.adverts++;
      return key;
    }
    if (
      auth.dhKey.length !== 32 ||
      !verifyWith(key, advertSigningBytes(advert, auth.dhKey, auth.credential), auth.signature)
    ) {
      this.rejected.adverts++;
      return "its signature does not verify with its origin's key";
    }
    if (advert.origin !== this.#settings.self)
      this.#learn(advert.origin, advert.instance, advert.seq, auth.dhKey);
    return undefined;
  }

  /** The MAC of a message this node sends, or undefined when it is not from this node or its destination's key is unknown. */
  seal(message: MacFields, payload: Uint8Array): Uint8Array | undefined {
    if (message.src !== this.#settings.self) return undefined;
    const key = this.#pairKeyWith(message.dst);
    return key === undefined ? undefined : this.#mac(key, message, payload);
  }

  /** Checks the MAC of a message for this node; `payload` as it arrived (undefined for none). */
  verify(
    message: MacFields & { readonly mac?: Uint8Array | null },
    payload: Uint8Array | undefined,
  ): MacVerdict {
    const mac = message.mac;
    if (mac === undefined || mac === null) return this.#reject("missing");
    const key = this.#pairKeyWith(message.src);
    if (key === undefined) return this.#reject("unknown-source");
    const expected = this.#mac(key, message, payload ?? EMPTY);
    return mac.length === MAC_BYTES && timingSafeEqual(mac, expected) ? "ok" : this.#reject("bad");
  }

  /** Forgets what is known of `node`'s keys (it left the bus). */
  forget(node: string): void {
    this.#peers.delete(node);
  }

  #reject(verdict: Exclude<MacVerdict, "ok">): MacVerdict {
    this.rejected.messages++;
    return verdict;
  }

  /** HMAC-SHA256(pair key, macInput()) cut to `MAC_BYTES`: H(K⊕opad ‖ H(K⊕ipad ‖ M)), without a copy of M. */
  #mac(pads: HmacPads, message: MacFields, payload: Uint8Array): Uint8Array {
    const w = this.#writer;
    macInput(message, payload, w.reset());
    const buf = w.buffer;
    pads.inner.copy(buf, 0);
    const inner = sha256(buf.subarray(0, w.end));
    pads.outer.copy(this.#outer, 0);
    inner.copy(this.#outer, 64);
    // A new buffer each time: the view may be kept (it goes into a frame, or is compared at once).
    return sha256(this.#outer).subarray(0, MAC_BYTES);
  }

  #learn(node: string, instance: string, seq: number, dhKey: Uint8Array): void {
    const held = this.#peers.get(node);
    if (held !== undefined && held.seq >= seq) return;
    if (held !== undefined && held.instance === instance && Buffer.compare(held.dhKey, dhKey) === 0) {
      this.#peers.set(node, { ...held, seq });
      return;
    }
    if (held === undefined && this.#peers.size >= this.#settings.maxNodes) {
      this.#peers.delete(this.#peers.keys().next().value as string);
    }
    this.#peers.set(node, { instance, seq, dhKey: new Uint8Array(dhKey), pads: undefined });
  }

  #pairKeyWith(node: string): HmacPads | undefined {
    const peer = this.#peers.get(node);
    if (peer === undefined) return undefined;
    if (peer.pads === undefined) {
      let shared: Buffer;
      try {
        const publicKey = createPublicKey({
          key: Buffer.concat([X25519_SPKI_PREFIX, peer.dhKey]),
          format: "der",
          type: "spki",
        });
        shared = diffieHellman({ privateKey: this.#dhPrivate, publicKey });
      } catch {
        return undefined;
      }
      // A low-order point gives an all-zero secret anyone could compute: no key.
      if (shared.every((b) => b === 0)) return undefined;
      const { self, instance } = this.#settings;
      peer.pads = padsOf(
        pairKey(
          shared,
          { name: self, instance, dhKey: this.dhKey },
          { name: node, instance: peer.instance, dhKey: peer.dhKey },
        ),
      );
    }
    return peer.pads;
  }
}
