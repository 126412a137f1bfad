/**
 * The certificates of a red-team run, made with openssl in a temporary folder (test/helpers/certs.ts) and written
 * to files for the child processes: one CA, and a certificate for each node that has one. The attacker holds a
 * valid certificate for its own name, `mallory`, and none for anybody else's.
 *
 * In the suite's trust mode (origin authentication, `--trust`) each node's certificate is also its identity
 * (`NodeOptions.identity`), and the CA is the bus's trust (`NodeOptions.trust.ca`): one PKI for TLS and for names, as
 * a deployment would have it. The newcomers that try to join during the connection floods then need one too.
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
  /** The certificate of the newcomers (node `newcomer`): their identity in trust mode. */
  readonly newcomer: KeyPair;
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
  const newcomer = pki.issue("newcomer");
  return {
    ca: pki.ca,
    victim,
    good,
    mallory,
    newcomer,
    dispose: () => {
      pki.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
