/**
 * The shared-secret handshake's cryptography: fresh nonces and HMAC-SHA256 proofs, compared in constant time.
 * The secret itself never goes on the wire; each proof binds both sides' fresh nonces, so a recorded proof is
 * worthless on another connection, and each side's proof carries its role, so one cannot be reflected as the other.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const NONCE_BYTES = 32;

export function createNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

/** The accepting side's proof: HMAC(secret, "supcon/1 acceptor" | connector nonce | acceptor nonce). */
export function acceptorProof(
  secret: Uint8Array,
  connectorNonce: Uint8Array,
  acceptorNonce: Uint8Array,
): Uint8Array {
  return createHmac("sha256", secret)
    .update("supcon/1 acceptor\0")
    .update(connectorNonce)
    .update(acceptorNonce)
    .digest();
}

/** The connecting side's proof: HMAC(secret, "supcon/1 connector" | acceptor nonce | connector nonce | its name). */
export function connectorProof(
  secret: Uint8Array,
  acceptorNonce: Uint8Array,
  connectorNonce: Uint8Array,
  name: string,
): Uint8Array {
  return createHmac("sha256", secret)
    .update("supcon/1 connector\0")
    .update(acceptorNonce)
    .update(connectorNonce)
    .update(name, "utf8")
    .digest();
}

/** Compares a received proof with the expected one in constant time. */
export function proofMatches(received: Uint8Array, expected: Uint8Array): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** Checks a nonce received from a peer. */
export function isNonce(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === NONCE_BYTES;
}
