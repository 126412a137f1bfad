/**
 * Test certificates, made with openssl at test time in a temporary folder (never checked in): a CA, certificates
 * it signs for named nodes (EC P-256 keys, or Ed25519 for node identities), and a second, untrusted CA. Key pairs
 * for `trust.keys` come from crypto.generateKeyPairSync, without openssl.
 */
import { generateKeyPairSync } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface KeyPair {
  readonly key: Buffer;
  readonly cert: Buffer;
}

export interface TestPki {
  readonly ca: Buffer;
  /** A certificate for `name` (CN and DNS SAN), signed by the CA; with `ed25519`, for an Ed25519 key. */
  issue(name: string, keyType?: "ec" | "ed25519"): KeyPair;
  /** A CA nobody trusts, and a certificate it signs. */
  rogue(name: string): KeyPair;
  dispose(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function makeCa(dir: string, prefix: string): void {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${prefix}-ca.key`,
    "-out",
    `${prefix}-ca.crt`,
    "-days",
    "2",
    "-subj",
    `/CN=${prefix} test CA`,
  ]);
}

function sign(
  dir: string,
  ca: string,
  name: string,
  file: string,
  keyType: "ec" | "ed25519" = "ec",
): KeyPair {
  fs.writeFileSync(path.join(dir, `${file}.ext`), `subjectAltName=DNS:${name}\n`);
  openssl(dir, [
    "req",
    ...(keyType === "ed25519"
      ? ["-newkey", "ed25519"]
      : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
    "-nodes",
    "-keyout",
    `${file}.key`,
    "-out",
    `${file}.csr`,
    "-subj",
    `/CN=${name}`,
  ]);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${file}.csr`,
    "-CA",
    `${ca}-ca.crt`,
    "-CAkey",
    `${ca}-ca.key`,
    "-CAcreateserial",
    "-out",
    `${file}.crt`,
    "-days",
    "2",
    "-extfile",
    `${file}.ext`,
  ]);
  return {
    key: fs.readFileSync(path.join(dir, `${file}.key`)),
    cert: fs.readFileSync(path.join(dir, `${file}.crt`)),
  };
}

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-pki-"));
  makeCa(dir, "trusted");
  let rogueMade = false;
  let n = 0;
  return {
    ca: fs.readFileSync(path.join(dir, "trusted-ca.crt")),
    issue: (name, keyType) => sign(dir, "trusted", name, `cert-${n++}`, keyType),
    rogue: (name) => {
      if (!rogueMade) makeCa(dir, "rogue");
      rogueMade = true;
      return sign(dir, "rogue", name, `rogue-${n++}`);
    },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** An Ed25519 key pair as PEM: a node's `identity.key`, and the public key to list under `trust.keys`. */
export interface TestKeys {
  readonly key: string;
  readonly publicKey: string;
}

export function createTestKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKey: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

/** Keys for each of `names`, and the trust file (name → public key) that lists them all. */
export function createTestKeyring(names: readonly string[]): {
  readonly keys: Record<string, TestKeys>;
  readonly trust: { readonly keys: Record<string, string> };
} {
  const keys: Record<string, TestKeys> = {};
  const trusted: Record<string, string> = {};
  for (const name of names) {
    keys[name] = createTestKeys();
    trusted[name] = (keys[name] as TestKeys).publicKey;
  }
  return { keys, trust: { keys: trusted } };
}
