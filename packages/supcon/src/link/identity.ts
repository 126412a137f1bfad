/**
 * Node credentials and the trust that checks them (docs/PROTOCOL.md, "Trust model"). A node proves its name with a
 * private key: its credential is either its public key (trusted by name in `trust.keys`) or an X.509 certificate
 * naming it (trusted when a CA of `trust.ca` issued it). Only node:crypto is used.
 *
 * A credential travels as one byte string: a kind byte, then DER (1: the SubjectPublicKeyInfo of the public key,
 * 2: the X.509 certificate).
 */
import type { KeyObject } from "node:crypto";
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { InvalidArgumentError } from "../base/errors.js";

/** What a private or public key may be given as: PEM text (string or bytes), or a `KeyObject`. */
export type KeyInput = string | Uint8Array | KeyObject;

/** `NodeOptions.identity`: this node's private key, and optionally its certificate. */
export interface IdentityOptions {
  /** The node's private key (Ed25519 recommended; ECDSA P-256/P-384 and RSA of 2048 bits or more also do). */
  readonly key: KeyInput;
  /**
   * The node's X.509 certificate (PEM), whose subject common name or one of whose DNS subject alternative names is
   * the node's name; needed with `trust.ca`, not used with `trust.keys`.
   */
  readonly cert?: string | Uint8Array;
}

/** `NodeOptions.trust`: who may be on the bus, and with which credential. */
export type TrustOptions =
  | {
      /** CA certificate(s), PEM (several may be concatenated), that issue node certificates. */
      readonly ca: string | Uint8Array | readonly (string | Uint8Array)[];
      readonly keys?: undefined;
    }
  | {
      /** Node name → its public key (PEM, or a `KeyObject`): the content of a trust file. */
      readonly keys: Readonly<Record<string, KeyInput>>;
      readonly ca?: undefined;
    };

export const CredentialKind = { PublicKey: 1, Certificate: 2 } as const;

/** Key types a node's key may have, and the digest each signs with (null: the algorithm has its own). */
const SIGNING: Readonly<Record<string, string | null>> = {
  ed25519: null,
  ed448: null,
  ec: "sha256",
  rsa: "sha256",
};

/** Signs `data` with `key` (Ed25519/Ed448 as they are; ECDSA and RSA PKCS#1 v1.5 over SHA-256). */
export function signWith(key: KeyObject, data: Uint8Array): Uint8Array {
  return sign(SIGNING[key.asymmetricKeyType ?? ""] ?? null, data, key);
}

/** Checks a signature made by `signWith()`; false for anything malformed. */
export function verifyWith(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const digest = SIGNING[publicKey.asymmetricKeyType ?? ""];
  if (digest === undefined) return false;
  try {
    return verify(digest, data, publicKey, signature);
  } catch {
    return false;
  }
}

/** This node's credential and key: what it presents in handshakes and signs its adverts with. */
export class LocalIdentity {
  readonly name: string;
  /** The credential as it travels (see the module comment). */
  readonly credential: Uint8Array;
  readonly publicKey: KeyObject;
  readonly #key: KeyObject;

  constructor(name: string, key: KeyObject, cert: X509Certificate | undefined) {
    this.name = name;
    this.#key = key;
    this.publicKey = createPublicKey(key);
    this.credential =
      cert === undefined
        ? credentialOf(CredentialKind.PublicKey, this.publicKey.export({ type: "spki", format: "der" }))
        : credentialOf(CredentialKind.Certificate, cert.raw);
  }

  sign(data: Uint8Array): Uint8Array {
    return signWith(this.#key, data);
  }
}

function credentialOf(kind: number, der: Uint8Array): Uint8Array {
  const out = new Uint8Array(der.length + 1);
  out[0] = kind;
  out.set(der, 1);
  return out;
}

/** `NodeOptions.identity` checked: a private key of a type that can sign, and the certificate if given. */
export interface ResolvedIdentity {
  readonly key: KeyObject;
  readonly cert: X509Certificate | undefined;
}

/** Checks `NodeOptions.identity`; throws `InvalidArgumentError` saying what is wrong and what to do. */
export function resolveIdentity(options: IdentityOptions, what = "NodeOptions.identity"): ResolvedIdentity {
  if (typeof options !== "object" || options === null || options.key === undefined) {
    throw new InvalidArgumentError(
      `${what} must be { key, cert? } with the node's private key (PEM or KeyObject)`,
    );
  }
  let key: KeyObject;
  try {
    key = isKeyObject(options.key) ? options.key : createPrivateKey(pemInput(options.key));
  } catch (err) {
    throw new InvalidArgumentError(
      `${what}.key is not a private key (${(err as Error).message}); give a PEM private key, e.g. from crypto.generateKeyPairSync("ed25519")`,
      { cause: err },
    );
  }
  if (key.type !== "private") {
    throw new InvalidArgumentError(`${what}.key is a ${key.type} key; it must be the node's private key`);
  }
  checkKeyType(key, `${what}.key`);
  let cert: X509Certificate | undefined;
  if (options.cert !== undefined) {
    cert = parseCertificate(options.cert, `${what}.cert`);
    const certKey = cert.publicKey.export({ type: "spki", format: "der" });
    const ownKey = createPublicKey(key).export({ type: "spki", format: "der" });
    if (!certKey.equals(ownKey)) {
      throw new InvalidArgumentError(
        `${what}.cert is not the certificate of ${what}.key (its public key differs); give the certificate issued for this key`,
      );
    }
  }
  return { key, cert };
}

function checkKeyType(key: KeyObject, what: string): void {
  const type = key.asymmetricKeyType ?? "unknown";
  if (!(type in SIGNING)) {
    throw new InvalidArgumentError(`${what} is a ${type} key; use Ed25519 (recommended), ECDSA or RSA`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (type === "rsa" && (bits === undefined || bits < 2048)) {
    throw new InvalidArgumentError(
      `${what} is an RSA key of ${bits ?? "unknown"} bits; use 2048 bits or more`,
    );
  }
}

function isKeyObject(value: unknown): value is KeyObject {
  return typeof value === "object" && value !== null && "asymmetricKeyType" in value && "export" in value;
}

function pemInput(value: string | Uint8Array): string | Buffer {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new TypeError(`expected PEM text, got ${typeof value}`);
}

function parseCertificate(pem: string | Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(pemInput(pem));
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not an X.509 certificate in PEM: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The names a certificate gives its subject: its common name(s) and DNS subject alternative names. */
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const line of cert.subject.split("\n")) {
    if (line.startsWith("CN=")) names.push(line.slice(3));
  }
  for (const entry of (cert.subjectAltName ?? "").split(",")) {
    const item = entry.trim();
    if (item.startsWith("DNS:")) names.push(item.slice(4));
  }
  return names;
}

/** A credential checked against the trust: the key that proves the name, and until when. */
interface Verified {
  readonly publicKey: KeyObject;
  /** Milliseconds since the epoch after which the credential no longer holds (Infinity for trusted keys). */
  readonly notAfter: number;
  readonly notBefore: number;
}

/** Verified credentials kept, so that the adverts of the same nodes are not checked against the CA again. */
const MAX_CACHED = 4096;

/** Who may be on the bus, with which credential: checks the credential a peer or an advert presents for a name. */
export class Trust {
  readonly #keys: ReadonlyMap<string, KeyObject> | undefined;
  readonly #cas: readonly X509Certificate[];
  readonly #cache = new Map<string, Verified>();

  private constructor(keys: ReadonlyMap<string, KeyObject> | undefined, cas: readonly X509Certificate[]) {
    this.#keys = keys;
    this.#cas = cas;
  }

  /** Checks `NodeOptions.trust`; throws `InvalidArgumentError` saying what is wrong and what to do. */
  static from(options: TrustOptions, what = "NodeOptions.trust"): Trust {
    if (
      typeof options !== "object" ||
      options === null ||
      (options.ca === undefined) === (options.keys === undefined)
    ) {
      throw new InvalidArgumentError(
        `${what} must be either { ca } (CA certificates, PEM) or { keys } (node name → public key PEM), not both`,
      );
    }
    if (options.keys !== undefined) {
      if (typeof options.keys !== "object" || options.keys === null) {
        throw new InvalidArgumentError(`${what}.keys must map node names to public keys (PEM)`);
      }
      const keys = new Map<string, KeyObject>();
      for (const [name, input] of Object.entries(options.keys)) {
        let key: KeyObject;
        try {
          key = isKeyObject(input) ? input : createPublicKey(pemInput(input));
        } catch (err) {
          throw new InvalidArgumentError(
            `${what}.keys['${name}'] is not a public key in PEM: ${(err as Error).message}`,
            { cause: err },
          );
        }
        if (key.type === "private") key = createPublicKey(key);
        if (key.type !== "public")
          throw new InvalidArgumentError(`${what}.keys['${name}'] must be a public key`);
        checkKeyType(key, `${what}.keys['${name}']`);
        keys.set(name, key);
      }
      if (keys.size === 0) throw new InvalidArgumentError(`${what}.keys is empty: no node could join`);
      return new Trust(keys, []);
    }
    const inputs = Array.isArray(options.ca) ? options.ca : [options.ca];
    const cas: X509Certificate[] = [];
    for (const [i, input] of (inputs as readonly (string | Uint8Array)[]).entries()) {
      const text = typeof input === "string" ? input : Buffer.from(input as Uint8Array).toString("latin1");
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) {
        throw new InvalidArgumentError(
          `${what}.ca[${i}] holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
        );
      }
      for (const block of blocks) {
        const ca = parseCertificate(block, `${what}.ca[${i}]`);
        if (!ca.ca) {
          throw new InvalidArgumentError(
            `${what}.ca[${i}] (${ca.subject.replace(/\n/g, ", ")}) is not a CA certificate (basicConstraints CA:TRUE)`,
          );
        }
        cas.push(ca);
      }
    }
    return new Trust(undefined, cas);
  }

  /** True for `{ keys }` trust: credentials are public keys, not certificates. */
  get byKeys(): boolean {
    return this.#keys !== undefined;
  }

  /**
   * The public key that `credential` proves for node `name`, or what is wrong with it (a sentence for a REFUSE or
   * a warning). Results are cached per name and credential; validity dates are checked every time.
   */
  verify(name: string, credential: Uint8Array, now: number = Date.now()): KeyObject | string {
    const cacheKey = `${name}\0${Buffer.from(credential).toString("base64")}`;
    let verified = this.#cache.get(cacheKey);
    if (verified === undefined) {
      const result = this.#check(name, credential);
      if (typeof result === "string") return result;
      verified = result;
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(cacheKey, verified);
    }
    if (now > verified.notAfter) return `the certificate of '${name}' expired`;
    if (now < verified.notBefore) return `the certificate of '${name}' is not valid yet`;
    return verified.publicKey;
  }

  #check(name: string, credential: Uint8Array): Verified | string {
    const kind = credential[0];
    const der = Buffer.from(credential.subarray(1));
    if (this.#keys !== undefined) {
      const trusted = this.#keys.get(name);
      if (trusted === undefined) return `'${name}' is not in this node's trust (NodeOptions.trust.keys)`;
      if (kind !== CredentialKind.PublicKey)
        return `'${name}' presented a certificate; this node trusts keys`;
      if (!trusted.export({ type: "spki", format: "der" }).equals(der)) {
        return `'${name}' presented a key other than the one this node trusts for it`;
      }
      return { publicKey: trusted, notBefore: Number.NEGATIVE_INFINITY, notAfter: Number.POSITIVE_INFINITY };
    }
    if (kind !== CredentialKind.Certificate)
      return `'${name}' presented a bare key; this node trusts certificates`;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return `'${name}' presented a credential that is not an X.509 certificate`;
    }
    // The names first: comparing them is cheap, checking the signature is not (about 0.3 ms), and a member that
    // floods adverts of made-up nodes with its own certificate is refused here for each of them.
    if (!certificateNames(cert).includes(name)) {
      return `the certificate presented for '${name}' names ${certificateNames(cert).join(", ") || "nothing"}`;
    }
    const issuer = this.#cas.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
    if (issuer === undefined) return `the certificate of '${name}' was not issued by a CA this node trusts`;
    try {
      checkKeyType(cert.publicKey, "key");
    } catch (err) {
      return `the certificate of '${name}' has an unusable ${(err as Error).message}`;
    }
    const notBefore = Math.max(Date.parse(cert.validFrom), Date.parse(issuer.validFrom));
    const notAfter = Math.min(Date.parse(cert.validTo), Date.parse(issuer.validTo));
    if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter)) {
      return `the certificate of '${name}' has validity dates this node cannot read`;
    }
    return { publicKey: cert.publicKey, notBefore, notAfter };
  }
}

/**
 * This node's identity for `name`, checked against its own trust: a node that others would refuse is refused at
 * once, with what to change. @throws InvalidArgumentError
 */
export function createLocalIdentity(name: string, identity: ResolvedIdentity, trust: Trust): LocalIdentity {
  if (identity.cert === undefined && !trust.byKeys) {
    throw new InvalidArgumentError(
      "NodeOptions.identity.cert is missing: with NodeOptions.trust.ca every node presents a certificate its CA issued",
    );
  }
  const local = new LocalIdentity(name, identity.key, trust.byKeys ? undefined : identity.cert);
  const problem = trust.verify(name, local.credential);
  if (typeof problem === "string") {
    throw new InvalidArgumentError(
      `NodeOptions.identity does not prove the name '${name}' under NodeOptions.trust: ${problem}; ${trust.byKeys ? `put this node's public key under trust.keys['${name}']` : `use a certificate for '${name}' issued by a CA of trust.ca`}`,
    );
  }
  return local;
}
