/**
 * The benchmark driver (`npm run bench`): runs supcon and its peers (raw msgpack-over-TCP floor, gRPC, NATS) as
 * separate processes on 127.0.0.1, interleaved round by round, and writes bench/results.json and the generated
 * section of bench/README.md. Settings come from the environment (README "Settings").
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isNativeAccelerationEnabled } from "msgpackr";
import { generateSyntheticInterfaces } from "./codegen.js";
import { benchDir, repoRoot } from "./lib/common.js";
import { killAll, liveCount, stopAllOnExit } from "./lib/procs.js";
import type { Meta, Run, Suite } from "./lib/report.js";
import { markdown, replaceSection, scenarios, summarize } from "./lib/report.js";
import type { BenchConfig, FanoutPeer, Metrics, RpcPeer, TwoHopPeer } from "./lib/scenarios.js";
import {
  FANOUT_PEERS,
  RPC_PEERS,
  TWO_HOP_PEERS,
  codegenRun,
  ensureNatsServer,
  fanoutRun,
  rpcRun,
  soakRun,
  twoHopRun,
} from "./lib/scenarios.js";

const env = (key: string, fallback: string): string => {
  const v = process.env[key];
  return v === undefined || v === "" ? fallback : v;
};
const num = (key: string, fallback: number): number => {
  const v = Number(env(key, String(fallback)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`${key} must be a non-negative number`);
  return v;
};
const list = <T extends string>(key: string, all: readonly T[]): T[] => {
  const names = env(key, all.join(","))
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const n of names) if (!all.includes(n as T)) throw new Error(`${key}: unknown name ${n}`);
  return names as T[];
};

const SUITES: readonly Suite[] = ["rpc", "two_hop", "fanout", "codegen"];

function config(): BenchConfig {
  return {
    rounds: num("ROUNDS", 3),
    warmup: num("WARMUP", 2000),
    iters: num("ITERS", 20000),
    inflight: num("INFLIGHT", 64),
    pipeSeconds: num("PIPE_SECONDS", 5),
    pipeWarmup: num("PIPE_WARMUP", 0.5),
    fanoutEvents: num("FANOUT_EVENTS", 200000),
    fanoutConns: num("FANOUT_CONNS", 10),
    fanoutSubProcs: num("FANOUT_SUB_PROCS", 2),
    fanoutBurst: num("FANOUT_BURST", 1000),
    idleSettleMs: num("IDLE_SETTLE_MS", 1000),
    codegenCount: num("CODEGEN_COUNT", 1000),
    soakSeconds: num("SOAK_SECONDS", 60),
  };
}

function versionOf(pkg: string): string {
  try {
    const file = path.join(repoRoot(), "node_modules", pkg, "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "n/a";
  }
}

function describeMetrics(m: Metrics): string {
  const pick = (k: string): string => (m[k] === undefined ? "" : `${k}=${String(m[k])}`);
  return [
    "seq_p50_us",
    "seq_p99_us",
    "pipe_calls_per_s",
    "server_idle_rss_mib",
    "deliveries_per_s",
    "lost",
    "out_of_order",
    "sub_finish",
    "generate_s",
    "check_s",
    "generate_peak_rss_mib",
    "calls_per_s",
    "server_flat",
    "client_flat",
  ]
    .map(pick)
    .filter((s) => s !== "")
    .join(" ");
}

async function main(): Promise<void> {
  stopAllOnExit();
  const cfg = config();
  const suites = list("SCENARIOS", SUITES);
  const rpcPeers = list<RpcPeer>("RPC_PEERS", RPC_PEERS);
  const fanoutPeers = list<FanoutPeer>("FANOUT_PEERS", FANOUT_PEERS);
  const twoHopPeers = list<TwoHopPeer>("TWO_HOP_PEERS", TWO_HOP_PEERS);
  const soak = env("BENCH_SOAK", "0") === "1";
  const outJson = env("OUT", path.join(benchDir(), "results.json"));
  const outReadme = env("OUT_README", path.join(benchDir(), "README.md"));
  const tStart = Date.now();
  const loadStart = os.loadavg();

  const natsVersion =
    rpcPeers.includes("nats") || fanoutPeers.includes("nats") ? ensureNatsServer() : undefined;
  const skip = (peer: string): boolean => peer === "nats" && natsVersion === undefined;
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  const versions: Record<string, string> = {
    supcon: (
      JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as { version: string }
    ).version,
    msgpackr: versionOf("msgpackr"),
    "msgpackr native": String(isNativeAccelerationEnabled),
    "@grpc/grpc-js": versionOf("@grpc/grpc-js"),
    "@grpc/proto-loader": versionOf("@grpc/proto-loader"),
    nats: versionOf("nats"),
    "nats-server": natsVersion ?? "n/a",
  };
  console.log(
    `node ${process.version}, ${cpu}, ${os.cpus().length} cores, load ${loadStart.map((x) => x.toFixed(2)).join(" ")}; ${cfg.rounds} rounds of ${suites.join(", ")}`,
  );

  // Synthetic interfaces for the code generation scenario, written once for all rounds.
  let codegenDir: string | undefined;
  if (suites.includes("codegen")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-bench-codegen-"));
    codegenDir = dir;
    // Also when the run is interrupted (the signal handlers of stopAllOnExit() exit the process).
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    generateSyntheticInterfaces(cfg.codegenCount, path.join(codegenDir, "interfaces"));
  }

  const runs: Run[] = [];
  const record = async (
    suite: Suite,
    peer: string,
    round: number,
    fn: () => Promise<Metrics>,
  ): Promise<void> => {
    const t = Date.now();
    try {
      const metrics = await fn();
      runs.push({ suite, peer, round, metrics });
      console.log(
        `[${((Date.now() - tStart) / 1000).toFixed(0)}s] round ${round} ${suite} ${peer} (${((Date.now() - t) / 1000).toFixed(1)}s): ${describeMetrics(metrics)}`,
      );
    } catch (err) {
      const error = err instanceof Error && err.stack !== undefined ? err.stack : String(err);
      runs.push({ suite, peer, round, error });
      console.log(`round ${round} ${suite} ${peer} FAILED: ${error.split("\n")[0] ?? ""}`);
    }
  };

  try {
    for (let round = 1; round <= cfg.rounds; round++) {
      if (suites.includes("rpc")) {
        for (const peer of rpcPeers)
          if (!skip(peer)) await record("rpc", peer, round, () => rpcRun(peer, cfg));
      }
      if (suites.includes("two_hop")) {
        for (const peer of twoHopPeers) await record("two_hop", peer, round, () => twoHopRun(peer, cfg));
      }
      if (suites.includes("fanout")) {
        for (const peer of fanoutPeers) {
          if (!skip(peer)) await record("fanout", peer, round, () => fanoutRun(peer, cfg));
        }
      }
      if (codegenDir !== undefined) {
        const dir = codegenDir;
        await record("codegen", "supcon", round, () => codegenRun(dir));
      }
    }
    if (soak) await record("soak", "supcon", 1, () => soakRun(cfg));
  } finally {
    if (codegenDir !== undefined) fs.rmSync(codegenDir, { recursive: true, force: true });
  }

  const meta: Meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu_model: cpu,
    nproc: os.cpus().length,
    kernel: os.release(),
    mem_gib: Math.round(os.totalmem() / 2 ** 30),
    loadavg_start: loadStart.map((x) => Math.round(x * 100) / 100),
    loadavg_end: os.loadavg().map((x) => Math.round(x * 100) / 100),
    versions,
    config: cfg,
    command: "npm run bench",
    total_wall_s: Math.round((Date.now() - tStart) / 1000),
  };
  const summary = summarize(runs);
  const results = { scenarios: scenarios(summary), meta, detail: { summary, runs } };
  fs.writeFileSync(outJson, JSON.stringify(results, null, 2) + "\n");
  const section = markdown(meta, summary, runs);
  const readme = fs.existsSync(outReadme) ? fs.readFileSync(outReadme, "utf8") : "# supcon benchmarks\n";
  fs.writeFileSync(outReadme, replaceSection(readme, section));
  try {
    // Keep both files in the repository's style (Markdown tables aligned, short JSON arrays on one line), so that
    // `npm run lint` (prettier --check) passes on what the benchmark wrote.
    execFileSync(
      process.execPath,
      [
        path.join(repoRoot(), "node_modules", "prettier", "bin", "prettier.cjs"),
        "--write",
        outReadme,
        outJson,
      ],
      {
        stdio: "ignore",
      },
    );
  } catch {
    // Formatting is cosmetic; the figures are written either way.
  }
  console.log(section);
  console.log(`wrote ${outJson} and ${outReadme} in ${meta.total_wall_s} s`);
  if (liveCount() > 0) console.log(`warning: ${liveCount()} processes still alive; killing them`);
  killAll();
  const failures = runs.filter((r) => r.error !== undefined).length;
  if (failures > 0) {
    console.log(`${failures} run(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});
