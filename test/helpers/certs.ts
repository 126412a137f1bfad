/**
 * Test certificates, made with openssl at test time in a temporary folder (never checked in): a CA, certificates
 * it signs for named nodes, and a second, untrusted CA.
 */
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
  /** A certificate for `name` (CN and DNS SAN), signed by the CA. */
  issue(name: string): KeyPair;
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

function sign(dir: string, ca: string, name: string, file: string): KeyPair {
  fs.writeFileSync(path.join(dir, `${file}.ext`), `subjectAltName=DNS:${name}\n`);
  openssl(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
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
    issue: (name) => sign(dir, "trusted", name, `cert-${n++}`),
    rogue: (name) => {
      if (!rogueMade) makeCa(dir, "rogue");
      rogueMade = true;
      return sign(dir, "rogue", name, `rogue-${n++}`);
    },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
