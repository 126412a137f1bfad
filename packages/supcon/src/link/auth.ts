/**
 * The handshake's cryptography (docs/PROTOCOL.md, "Handshake"): fresh nonces, the transcript both sides sign, and
 * the shared-secret proofs.
 *
 * The shared secret is never used as it is: it is stretched once per process with scrypt (`SCRYPT`), and the proofs
 * are HMAC-SHA256 keyed by the stretched key. The connector proves first and the acceptor reveals nothing before
 * that proof checks out, so a peer that connects learns nothing to test guesses against; only an acceptor the node
 * chose to dial sees a proof, and each guess then costs an scrypt, on a secret that `secretStrengthProblem()` made
 * sure is not guessable. Proofs bind both sides' fresh nonces (no replay) and carry their role (no reflection).
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { CanonicalWriter } from "./canonical.js";

export const NONCE_BYTES = 32;

/** The stretching of the shared secret: scrypt with these parameters and this fixed salt, 32 bytes out. */
export const SCRYPT = {
  N: 2 ** 15,
  r: 8,
  p: 1,
  keyBytes: 32,
  salt: "supcon/3 shared secret",
} as const;

/** The least strength of a shared secret, in bits by `estimateSecretBits()`. */
export const MIN_SECRET_BITS = 80;
/** The least length of a shared secret: characters of a string, bytes of binary. */
export const MIN_SECRET_LENGTH = 16;

export function createNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

/** Checks a nonce received from a peer. */
export function isNonce(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === NONCE_BYTES;
}

/**
 * A simple, documented estimate of the strength of a secret given as text: n × log2(A) bits, where A adds up the
 * character classes the text uses (26 lowercase letters, 26 uppercase, 10 digits, 33 other ASCII, 100 for anything
 * beyond ASCII) and n is its length in characters, each distinct character counted at most 3 times (so that
 * "abababab…" is not worth its length). It errs towards too high for text made by people: it is a floor against
 * short and tiny-alphabet secrets, not a measure of randomness.
 */
export function estimateSecretBits(text: string): number {
  const chars = [...text];
  let lower = false;
  let upper = false;
  let digit = false;
  let other = false;
  let wide = false;
  const counts = new Map<string, number>();
  for (const c of chars) {
    counts.set(c, (counts.get(c) ?? 0) + 1);
    if (c >= "a" && c <= "z") lower = true;
    else if (c >= "A" && c <= "Z") upper = true;
    else if (c >= "0" && c <= "9") digit = true;
    else if ((c.codePointAt(0) as number) < 0x80) other = true;
    else wide = true;
  }
  const alphabet =
    (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0) + (wide ? 100 : 0);
  let n = 0;
  for (const count of counts.values()) n += Math.min(count, 3);
  return alphabet === 0 ? 0 : n * Math.log2(alphabet);
}

/**
 * Why `secret` is too weak to use, or undefined: binary secrets need at least 16 bytes; text at least 16 characters
 * and 80 bits by `estimateSecretBits()`. The message never repeats the secret.
 */
export function secretStrengthProblem(secret: string | Uint8Array): string | undefined {
  const advice = `use ${MIN_SECRET_LENGTH} random bytes or more (crypto.randomBytes(32)), or text such as crypto.randomBytes(24).toString("base64")`;
  if (typeof secret !== "string") {
    return secret.length >= MIN_SECRET_LENGTH
      ? undefined
      : `it is ${secret.length} bytes long, and binary secrets need at least ${MIN_SECRET_LENGTH}; ${advice}`;
  }
  const length = [...secret].length;
  const bits = estimateSecretBits(secret);
  if (length >= MIN_SECRET_LENGTH && bits >= MIN_SECRET_BITS) return undefined;
  return `it is ${length} characters long and worth about ${Math.floor(bits)} bits (supcon's estimate: length × log2 of the character classes used, repeats counted at most 3 times); text secrets need at least ${MIN_SECRET_LENGTH} characters and ${MIN_SECRET_BITS} bits; ${advice}`;
}

/** Stretched keys by a hash of their secret: each secret is stretched once per process. */
const stretched = new Map<string, Uint8Array>();

/** The key proofs are made with: scrypt of the secret (`SCRYPT`); computed once per process and secret. */
export function stretchSecret(secret: Uint8Array): Uint8Array {
  const id = createHash("sha256").update(secret).digest("base64");
  let key = stretched.get(id);
  if (key === undefined) {
    key = scryptSync(secret, SCRYPT.salt, SCRYPT.keyBytes, {
      N: SCRYPT.N,
      r: SCRYPT.r,
      p: SCRYPT.p,
      maxmem: 256 * SCRYPT.N * SCRYPT.r,
    });
    if (stretched.size >= 64) stretched.clear();
    stretched.set(id, key);
  }
  return key;
}

/** What the two sides of one handshake said: the fields of its transcript. */
export interface Transcript {
  readonly connectorNonce: Uint8Array;
  readonly acceptorNonce: Uint8Array;
  readonly connectorName: string;
  readonly connectorInstance: string;
  /** Known to the connector only once the acceptor answers: absent from the connector's own proof. */
  readonly acceptorName?: string;
  readonly acceptorInstance?: string;
}

/**
 * The bytes a side signs (followed by its credential): `"supcon/3 handshake\0"`, then length-prefixed the role,
 * both nonces, the connector's name and instance, and for the acceptor its own name and instance.
 */
export function transcriptBytes(
  role: "connector" | "acceptor",
  t: Transcript,
  credential: Uint8Array,
): Uint8Array {
  const w = new CanonicalWriter(256 + credential.length)
    .raw("supcon/3 handshake\0")
    .bytes(role)
    .bytes(t.connectorNonce)
    .bytes(t.acceptorNonce)
    .bytes(t.connectorName)
    .bytes(t.connectorInstance);
  if (role === "acceptor") w.bytes(t.acceptorName ?? "").bytes(t.acceptorInstance ?? "");
  return w.bytes(credential).finish();
}

/**
 * The connecting side's proof of the secret: HMAC(K, "supcon/3 connector\0" ‖ lp(Na) ‖ lp(Nc) ‖ lp(its name)),
 * K = `stretchSecret(secret)`.
 */
export function connectorProof(
  secret: Uint8Array,
  acceptorNonce: Uint8Array,
  connectorNonce: Uint8Array,
  name: string,
): Uint8Array {
  const data = new CanonicalWriter()
    .raw("supcon/3 connector\0")
    .bytes(acceptorNonce)
    .bytes(connectorNonce)
    .bytes(name)
    .finish();
  return createHmac("sha256", stretchSecret(secret)).update(data).digest();
}

/**
 * The accepting side's proof, made only after the connector's checked out: HMAC(K, "supcon/3 acceptor\0" ‖ lp(Nc) ‖
 * lp(Na) ‖ lp(connector name) ‖ lp(its own name) ‖ lp(its instance)).
 */
export function acceptorProof(
  secret: Uint8Array,
  t: Required<
    Pick<
      Transcript,
      "connectorNonce" | "acceptorNonce" | "connectorName" | "acceptorName" | "acceptorInstance"
    >
  >,
): Uint8Array {
  const data = new CanonicalWriter()
    .raw("supcon/3 acceptor\0")
    .bytes(t.connectorNonce)
    .bytes(t.acceptorNonce)
    .bytes(t.connectorName)
    .bytes(t.acceptorName)
    .bytes(t.acceptorInstance)
    .finish();
  return createHmac("sha256", stretchSecret(secret)).update(data).digest();
}

/** Compares a received proof with the expected one in constant time. */
export function proofMatches(received: unknown, expected: Uint8Array): boolean {
  return (
    received instanceof Uint8Array &&
    received.length === expected.length &&
    timingSafeEqual(received, expected)
  );
}
