/**
 * What the supcon benchmark processes share: the served object, the names of the bus, and (with
 * BENCH_SUPCON_TRUST=1) the credentials of origin authentication.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Node } from "supcon";
import type { NodeOptions } from "supcon";
import type { BenchEchoIn, BenchEchoOut } from "../generated/com.example.Bench.js";
import { BenchInterface, BenchServer } from "../generated/com.example.Bench.js";

/** Name of the serving (and publishing) node. */
export const SERVER = "server";
/** Path of the benchmark object. */
export const PATH = "/bench";
/** Interface name of the benchmark object. */
export const INTF = BenchInterface.name;

/** The benchmark object, written as users write one: a subclass of the generated server skeleton. */
export class EchoServer extends BenchServer {
  echo(args: BenchEchoIn): BenchEchoOut {
    // The runtime has validated the arguments already; this check keeps the work equal to the peers' servers.
    if (typeof args.timer !== "string") throw new Error("bad request");
    return { ok: true };
  }
}

/**
 * A node that connects to `port` (or the Unix socket `unix`) and waits until the benchmark object on the server
 * node is reachable.
 */
export async function connectedNode(name: string, port: number, unix?: string): Promise<Node> {
  const node = new Node(name, benchNodeOptions(name));
  node.connect(unix === undefined ? { host: "127.0.0.1", port } : { path: unix });
  await node.waitFor(SERVER, { path: PATH, intf: INTF, timeoutMs: 15000 });
  return node;
}

/**
 * The options of a bench node: with BENCH_SUPCON_TRUST=1, an Ed25519 identity and `trust.keys` (origin
 * authentication on). The keys of every name the bench uses are made once, by the first process that needs them,
 * into a temporary file the other processes read (BENCH_SUPCON_TRUST_FILE, default in the temp folder); the file is
 * created with an atomic link, so processes starting at once agree on it.
 */
export function benchNodeOptions(name: string): NodeOptions {
  if (process.env["BENCH_SUPCON_TRUST"] !== "1") return {};
  const file = process.env["BENCH_SUPCON_TRUST_FILE"] ?? path.join(os.tmpdir(), "supcon-bench-trust.json");
  const keyring = readOrMakeKeyring(file);
  const key = keyring.private[name];
  if (key === undefined) throw new Error(`bench trust file ${file} has no key for '${name}'`);
  return { identity: { key }, trust: { keys: keyring.public } };
}

interface Keyring {
  readonly private: Record<string, string>;
  readonly public: Record<string, string>;
}

function readOrMakeKeyring(file: string): Keyring {
  if (!fs.existsSync(file)) {
    const names = ["server", "relay", "client"];
    for (let p = 0; p < 16; p++) for (let i = 0; i < 64; i++) names.push(`sub-${p}-${i}`);
    const keyring: Keyring = { private: {}, public: {} };
    for (const n of names) {
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      keyring.private[n] = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
      keyring.public[n] = publicKey.export({ type: "spki", format: "pem" }) as string;
    }
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(keyring), { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch {
      // Another process made it first: use that one.
    }
    fs.rmSync(tmp, { force: true });
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as Keyring;
}
