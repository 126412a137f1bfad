/**
 * The certificates of a red-team run, made with openssl in a temporary folder (test/helpers/certs.ts) and written
 * to files for the child processes: one CA, and a certificate for each node that has one. The attacker holds a
 * valid certificate for its own name, `mallory`, and none for anybody else's.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KeyPair } from "../../test/helpers/certs.js";
import { createTestPki } from "../../test/helpers/certs.js";

/** Files of one node's key and certificate, and of the CA, for a fixture's config. */
export interface CertFiles {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

export interface RedTeamPki {
  readonly ca: Buffer;
  readonly victim: CertFiles;
  readonly good: CertFiles;
  /** The attacker's own certificate, as it would hold one as a member of the bus. */
  readonly mallory: KeyPair;
  dispose(): void;
}

export function createRedTeamPki(): RedTeamPki {
  const pki = createTestPki();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-redteam-"));
  const caFile = path.join(dir, "ca.crt");
  fs.writeFileSync(caFile, pki.ca);
  const files = (name: string): CertFiles => {
    const pair = pki.issue(name);
    const key = path.join(dir, `${name}.key`);
    const cert = path.join(dir, `${name}.crt`);
    fs.writeFileSync(key, pair.key);
    fs.writeFileSync(cert, pair.cert);
    return { key, cert, ca: caFile };
  };
  const victim = files("victim");
  const good = files("good");
  const mallory = pki.issue("mallory");
  return {
    ca: pki.ca,
    victim,
    good,
    mallory,
    dispose: () => {
      pki.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
