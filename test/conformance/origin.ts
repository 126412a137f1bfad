/**
 * The byte layouts of docs/PROTOCOL.md that are signed or MACed ("Origin authentication"), written from the document
 * for the conformance tests: `lp`, `u32`, `u64`, the advert's signed bytes, the pair key and the MAC of a message.
 */
import { createHmac, createPublicKey, diffieHellman, hkdfSync } from "node:crypto";
import type { KeyObject } from "node:crypto";

/** `lp(x)`: the 4-byte big-endian length of `x`, then `x` (strings as UTF-8). */
export function lp(x: Uint8Array | string): Buffer {
  const bytes = Buffer.from(x);
  return Buffer.concat([u32(bytes.length), bytes]);
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Strings sorted by their UTF-8 bytes. */
function sorted(strings: readonly string[]): string[] {
  return [...strings].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** `A`, the bytes an advert's signature covers. */
export function advertBytes(
  origin: string,
  instance: string,
  seq: number,
  neighbors: readonly string[],
  objects: Readonly<Record<string, readonly string[]>>,
  dhKey: Uint8Array,
  credential: Uint8Array,
): Buffer {
  const parts = [Buffer.from("supcon/3 advert\0"), lp(origin), lp(instance), u64(seq)];
  parts.push(u32(neighbors.length), ...sorted(neighbors).map(lp));
  const paths = sorted(Object.keys(objects));
  parts.push(u32(paths.length));
  for (const path of paths) {
    const intfs = sorted(objects[path] ?? []);
    parts.push(lp(path), u32(intfs.length), ...intfs.map(lp));
  }
  parts.push(lp(dhKey), lp(credential));
  return Buffer.concat(parts);
}

/** The raw 32 bytes of an X25519 public key (the end of its SubjectPublicKeyInfo DER). */
export function rawX25519(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" }).subarray(-32);
}

/** An X25519 public key from its raw 32 bytes. */
function x25519Key(raw: Uint8Array): KeyObject {
  const prefix = Buffer.from("302a300506032b656e032100", "hex");
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: "der", type: "spki" });
}

/** A node as its pair key sees it: name, instance and X25519 public key. */
export interface PairSide {
  readonly name: string;
  readonly instance: string;
  readonly dhKey: Uint8Array;
}

/** `K_XY`: HKDF-SHA256 of the X25519 shared secret, X the side whose name sorts first. */
export function pairKey(own: PairSide & { readonly privateKey: KeyObject }, other: PairSide): Buffer {
  const shared = diffieHellman({ privateKey: own.privateKey, publicKey: x25519Key(other.dhKey) });
  const [x, y] =
    Buffer.compare(Buffer.from(own.name), Buffer.from(other.name)) <= 0 ? [own, other] : [other, own];
  const info = Buffer.concat([x, y].flatMap((s) => [lp(s.name), lp(s.instance), lp(s.dhKey)]));
  return Buffer.from(hkdfSync("sha256", shared, "supcon/3 pair key", info, 32));
}

/** The fields a MAC covers, by the full form's type. */
export interface Sealed {
  readonly type: number;
  readonly dst: string;
  readonly src: string;
  readonly id?: number;
  readonly path?: string;
  readonly intf?: string;
  readonly member?: string;
  readonly timeoutMs?: number;
  readonly seq?: number;
  readonly code?: string;
  readonly message?: string;
}

/** `mac = HMAC-SHA256(K, M)` cut to 16 bytes, `M` as the table of "MACs" lays it out, then `lp(payload)`. */
export function macOf(key: Buffer, m: Sealed, payload: Uint8Array): Buffer {
  const parts = [Uint8Array.of(m.type), lp(m.dst), lp(m.src)];
  switch (m.type) {
    case 10: // CALL
      parts.push(
        u64(m.id ?? 0),
        lp(m.path ?? ""),
        lp(m.intf ?? ""),
        lp(m.member ?? ""),
        u64(m.timeoutMs ?? 0),
      );
      break;
    case 11: // RESULT
    case 13: // CANCEL
      parts.push(u64(m.id ?? 0));
      break;
    case 12: // ERROR
      parts.push(u64(m.id ?? 0), lp(m.code ?? ""), lp(m.message ?? ""));
      break;
    case 20: // EVENT
      parts.push(lp(m.path ?? ""), lp(m.intf ?? ""), lp(m.member ?? ""), u64(m.seq ?? 0));
      break;
    default: // SUBSCRIBE, UNSUBSCRIBE
      parts.push(lp(m.path ?? ""), lp(m.intf ?? ""), lp(m.member ?? ""));
  }
  parts.push(lp(payload));
  return createHmac("sha256", key).update(Buffer.concat(parts)).digest().subarray(0, 16);
}
