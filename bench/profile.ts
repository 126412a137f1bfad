/**
 * `npm run bench:profile`: runs the supcon pipelined-calls, two-hop pipelined and fan-out scenarios once with
 * `node --cpu-prof` on every supcon process (server, relay and client; publisher and subscribers), writes the
 * profiles to bench/out/profiles/, and prints the top self-time functions of each (bench/profile-summary.js).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { benchDir, outDir } from "./lib/common.js";
import { stopAllOnExit } from "./lib/procs.js";
import type { BenchConfig } from "./lib/scenarios.js";
import { fanoutRun, rpcRun, twoHopRun } from "./lib/scenarios.js";

async function main(): Promise<void> {
  stopAllOnExit();
  const dir = path.join(outDir(), "profiles");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const cfg: BenchConfig = {
    rounds: 1,
    warmup: 0,
    iters: 1,
    inflight: 64,
    pipeSeconds: Number(process.env["PIPE_SECONDS"] ?? 5),
    pipeWarmup: 0.5,
    fanoutEvents: Number(process.env["FANOUT_EVENTS"] ?? 200000),
    fanoutConns: 10,
    fanoutSubProcs: 2,
    fanoutBurst: 1000,
    idleSettleMs: 0,
    codegenCount: 0,
    soakSeconds: 0,
  };
  const pipe = await rpcRun("supcon", cfg, { dir, prefix: "pipelined" });
  console.log(`pipelined (profiled): ${String(pipe["pipe_calls_per_s"])} calls/s`);
  const hop = await twoHopRun("supcon", cfg, { dir, prefix: "twohop" });
  console.log(`two-hop pipelined (profiled): ${String(hop["pipe_calls_per_s"])} calls/s`);
  const fan = await fanoutRun("supcon", cfg, { dir, prefix: "fanout" });
  console.log(
    `fan-out (profiled): ${String(fan["deliveries_per_s"])} deliveries/s, lost ${String(fan["lost"])}, publisher loop ${String(fan["publish_loop_s"])} s`,
  );
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort()
    .map((f) => path.join(dir, f));
  const summary = execFileSync(
    process.execPath,
    [path.join(benchDir(), "profile-summary.js"), ...files, `--top=${process.env["TOP"] ?? 25}`],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  fs.writeFileSync(path.join(dir, "summary.txt"), summary);
  console.log(summary);
  console.log(`profiles and summary.txt in ${dir}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
