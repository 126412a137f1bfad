/**
 * One run of each scenario, for one peer: starts the processes, collects what they report, stops them (always, in
 * a `finally`), and returns flat numeric metrics. The driver (run.ts) interleaves these round by round.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { mib, processCpuSeconds, readStatusKb, repoRoot, sleep } from "./common.js";
import type { PublisherResult, SubscriberResult } from "./fanout.js";
import type { Proc } from "./procs.js";
import { sendGo, start, startScript, stop, waitExit, waitFor } from "./procs.js";
import type { PipelinedResult, RpcClientResult } from "./rpc-harness.js";

/** Settings of a benchmark run; every one has an environment variable (see README). */
export interface BenchConfig {
  rounds: number;
  warmup: number;
  iters: number;
  inflight: number;
  pipeSeconds: number;
  pipeWarmup: number;
  fanoutEvents: number;
  fanoutConns: number;
  fanoutSubProcs: number;
  fanoutBurst: number;
  idleSettleMs: number;
  codegenCount: number;
  soakSeconds: number;
}

export type Metrics = Record<string, number | string | boolean>;

/** Where and how to CPU-profile the supcon processes of a run (`npm run bench:profile`). */
export interface ProfileOptions {
  dir: string;
  /** Prefix of the profile file names, e.g. `pipelined`. */
  prefix: string;
}

export const RPC_PEERS = ["supcon", "supcon-unix", "raw-perframe", "raw-coalesced", "grpc", "nats"] as const;
export const FANOUT_PEERS = ["supcon", "raw-perframe", "raw-coalesced", "nats"] as const;
export type RpcPeer = (typeof RPC_PEERS)[number];
export type FanoutPeer = (typeof FANOUT_PEERS)[number];
export const TWO_HOP_PEERS = ["supcon", "raw-coalesced"] as const;
/** Peers of the two-hop scenario: supcon, and the raw floor with a relay that forwards frames undecoded. */
export type TwoHopPeer = (typeof TWO_HOP_PEERS)[number];

const READY_MS = 20_000;
const RESULT_MS = 180_000;

function profileArgs(profile: ProfileOptions | undefined, role: string): string[] {
  if (profile === undefined) return [];
  return [
    "--cpu-prof",
    "--cpu-prof-interval=250",
    `--cpu-prof-dir=${profile.dir}`,
    `--cpu-prof-name=${profile.prefix}-${role}.cpuprofile`,
  ];
}

/** A profiled process writes its profile when it exits: give it time to. */
const graceMs = (profile: ProfileOptions | undefined): number => (profile === undefined ? 3000 : 20000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Installs nats-server from Debian when it is missing (as the peers' run.sh does). */
export function ensureNatsServer(): string | undefined {
  const version = (): string =>
    execFileSync("nats-server", ["--version"], { encoding: "utf8" })
      .trim()
      .replace(/^nats-server:\s*/, "");
  try {
    return version();
  } catch {
    console.log("installing nats-server (Debian package)...");
    try {
      execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
      execFileSync("apt-get", ["install", "-y", "-qq", "nats-server"], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
      return version();
    } catch (err) {
      console.log(`could not install nats-server: ${String(err)}; the nats peer is skipped`);
      return undefined;
    }
  }
}

async function startNatsServer(): Promise<{ p: Proc; port: number }> {
  const port = await freePort();
  const p = start("nats-server", "nats-server", ["-a", "127.0.0.1", "-p", String(port)]);
  await waitFor(p, "__never__", 10_000, { stderrRe: /Server is ready/ });
  return { p, port };
}

const clientArgs = (cfg: BenchConfig): string[] => [
  `--warmup=${cfg.warmup}`,
  `--iters=${cfg.iters}`,
  `--inflight=${cfg.inflight}`,
  `--pipeSeconds=${cfg.pipeSeconds}`,
  `--pipeWarmup=${cfg.pipeWarmup}`,
];

function rpcMetrics(res: RpcClientResult): Metrics {
  return {
    seq_p50_us: res.seq.p50_us,
    seq_p99_us: res.seq.p99_us,
    seq_calls_per_s: res.seq.calls_per_s,
    seq_mean_us: res.seq.mean_us,
    seq_max_us: res.seq.max_us,
    pipe_calls_per_s: res.pipe.calls_per_s,
    pipe_p50_us: res.pipe.p50_us,
    pipe_p99_us: res.pipe.p99_us,
    seq_client_cpu_us_per_call: res.seq.cpu_us_per_call,
    pipe_client_cpu_us_per_call: res.pipe.cpu_us_per_call,
    client_peak_rss_mib: mib(res.client_hwm_kb),
  };
}

const SERVER_SCRIPT: Record<RpcPeer, string> = {
  supcon: "supcon/server.js",
  "supcon-unix": "supcon/server.js",
  "raw-perframe": "peers/raw/server.js",
  "raw-coalesced": "peers/raw/server.js",
  grpc: "peers/grpc/server.js",
  nats: "peers/nats/responder.js",
};

const CLIENT_SCRIPT: Record<RpcPeer, string> = {
  supcon: "supcon/client.js",
  "supcon-unix": "supcon/client.js",
  "raw-perframe": "peers/raw/client.js",
  "raw-coalesced": "peers/raw/client.js",
  grpc: "peers/grpc/client.js",
  nats: "peers/nats/client.js",
};

const modeArgs = (peer: string): string[] => (peer.startsWith("raw-") ? [`--mode=${peer.slice(4)}`] : []);

/** supcon over a Unix domain socket (peer `supcon-unix`): the socket file of one run. */
const unixSocketPath = (): string => path.join(os.tmpdir(), `supcon-bench-${process.pid}-${Date.now()}.sock`);

/**
 * RPC, direct: a server process and a client process; the client runs the sequential and then the pipelined
 * measurement. Also reads the server's idle RSS (after `idleSettleMs`, before the client connects) and peak RSS.
 */
export async function rpcRun(
  peer: RpcPeer,
  cfg: BenchConfig,
  profile?: ProfileOptions,
  extraClientArgs: readonly string[] = [],
): Promise<Metrics> {
  const procs: { role: string; p: Proc }[] = [];
  try {
    let port: number;
    /** Where the client connects instead of `--port`, for supcon over a Unix socket. */
    let endpoint: string[] = [];
    if (peer === "nats") {
      const broker = await startNatsServer();
      procs.push({ role: "broker", p: broker.p });
      port = broker.port;
      const r = startScript("nats-responder", SERVER_SCRIPT.nats, [`--port=${port}`]);
      procs.push({ role: "server", p: r });
      await waitFor(r, "READY", READY_MS);
    } else {
      const unix = peer === "supcon-unix" ? [`--unix=${unixSocketPath()}`] : [];
      const s = startScript(`${peer}-server`, SERVER_SCRIPT[peer], [...modeArgs(peer), ...unix], {
        nodeArgs: profileArgs(profile, "server"),
      });
      procs.push({ role: "server", p: s });
      port = (await waitFor<{ port: number }>(s, "READY", READY_MS)).port;
      endpoint = unix;
    }
    await sleep(cfg.idleSettleMs);
    const idle: Record<string, number> = {};
    const cpu0: Record<string, number> = {};
    for (const { role, p } of procs) {
      idle[role] = readStatusKb(p.pid).VmRSS;
      cpu0[role] = processCpuSeconds(p.pid);
    }

    const c = startScript(
      `${peer}-client`,
      CLIENT_SCRIPT[peer],
      [`--port=${port}`, ...endpoint, ...modeArgs(peer), ...clientArgs(cfg), ...extraClientArgs],
      { nodeArgs: profileArgs(profile, "client") },
    );
    procs.push({ role: "client", p: c });
    const res = await waitFor<RpcClientResult>(c, "RESULT", RESULT_MS);
    const out: Metrics = rpcMetrics(res);
    for (const { role, p } of procs) {
      if (role === "client") continue;
      // Every call of the run, warm-ups included, over the server's CPU time while the client ran.
      const cpu = processCpuSeconds(p.pid) - (cpu0[role] as number);
      out[`${role}_cpu_us_per_call`] = Math.round((cpu / res.total_calls) * 1e7) / 10;
      out[`${role}_idle_rss_mib`] = mib(idle[role] as number);
      out[`${role}_peak_rss_mib`] = mib(readStatusKb(p.pid).VmHWM);
    }
    await waitExit(c, graceMs(profile));
    return out;
  } finally {
    for (const { p } of procs.reverse()) await stop(p, graceMs(profile));
  }
}

const RELAY_SCRIPT: Record<TwoHopPeer, string> = {
  supcon: "supcon/relay.js",
  "raw-coalesced": "peers/raw/relay.js",
};

/** RPC over two hops: client → relay → server, three processes; the same client measurement as direct RPC. */
export async function twoHopRun(
  peer: TwoHopPeer,
  cfg: BenchConfig,
  profile?: ProfileOptions,
  extraClientArgs: readonly string[] = [],
): Promise<Metrics> {
  const procs: Proc[] = [];
  try {
    const server = startScript(`${peer}-server`, SERVER_SCRIPT[peer], modeArgs(peer), {
      nodeArgs: profileArgs(profile, "server"),
    });
    procs.push(server);
    const serverPort = (await waitFor<{ port: number }>(server, "READY", READY_MS)).port;
    const relay = startScript(`${peer}-relay`, RELAY_SCRIPT[peer], [`--port=${serverPort}`], {
      nodeArgs: profileArgs(profile, "relay"),
    });
    procs.push(relay);
    const relayPort = (await waitFor<{ port: number }>(relay, "READY", READY_MS)).port;
    const cpu0 = { server: processCpuSeconds(server.pid), relay: processCpuSeconds(relay.pid) };
    const c = startScript(
      `${peer}-client`,
      CLIENT_SCRIPT[peer],
      [`--port=${relayPort}`, ...modeArgs(peer), ...clientArgs(cfg), ...extraClientArgs],
      { nodeArgs: profileArgs(profile, "client") },
    );
    procs.push(c);
    const res = await waitFor<RpcClientResult>(c, "RESULT", RESULT_MS);
    const perCall = (pid: number, before: number): number =>
      Math.round(((processCpuSeconds(pid) - before) / res.total_calls) * 1e7) / 10;
    const out: Metrics = {
      ...rpcMetrics(res),
      server_cpu_us_per_call: perCall(server.pid, cpu0.server),
      relay_cpu_us_per_call: perCall(relay.pid, cpu0.relay),
      server_peak_rss_mib: mib(readStatusKb(server.pid).VmHWM),
      relay_peak_rss_mib: mib(readStatusKb(relay.pid).VmHWM),
    };
    await waitExit(c, graceMs(profile));
    return out;
  } finally {
    for (const p of procs.reverse()) await stop(p, graceMs(profile));
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Event fan-out: one publisher, `fanoutConns` subscribing connections (supcon: nodes) over `fanoutSubProcs`
 * subscriber processes; `fanoutEvents` events with seq; deliveries/s = delivered ÷ (last delivery − first publish).
 */
export async function fanoutRun(
  peer: FanoutPeer,
  cfg: BenchConfig,
  profile?: ProfileOptions,
): Promise<Metrics> {
  const all: Proc[] = [];
  let broker: Proc | undefined;
  try {
    const n = cfg.fanoutEvents;
    const perProc: number[] = [];
    for (let i = 0; i < cfg.fanoutSubProcs; i++) {
      const share = Math.floor(cfg.fanoutConns / cfg.fanoutSubProcs);
      perProc.push(share + (i < cfg.fanoutConns % cfg.fanoutSubProcs ? 1 : 0));
    }
    let pub: Proc | undefined;
    let port: number;
    let subScript: string;
    const pubArgs = [`--n=${n}`, `--burst=${cfg.fanoutBurst}`];
    if (peer === "nats") {
      const b = await startNatsServer();
      broker = b.p;
      all.push(broker);
      port = b.port;
      subScript = "peers/nats/subscriber.js";
    } else {
      const script = peer === "supcon" ? "supcon/publisher.js" : "peers/raw/publisher.js";
      pub = startScript(
        `${peer}-publisher`,
        script,
        [...modeArgs(peer), ...pubArgs, `--conns=${cfg.fanoutConns}`],
        {
          nodeArgs: profileArgs(profile, "publisher"),
        },
      );
      all.push(pub);
      port = (await waitFor<{ port: number }>(pub, "READY", READY_MS)).port;
      subScript = peer === "supcon" ? "supcon/subscriber.js" : "peers/raw/subscriber.js";
    }
    const subs = perProc.map((k, i) =>
      startScript(
        `${peer}-sub${i}`,
        subScript,
        [`--port=${port}`, `--n=${n}`, `--conns=${k}`, `--proc=${i}`],
        {
          nodeArgs: profileArgs(profile, `subscriber${i}`),
        },
      ),
    );
    all.push(...subs);
    for (const s of subs) await waitFor(s, "READY", READY_MS * 2);
    if (pub === undefined) {
      pub = startScript("nats-publisher", "peers/nats/publisher.js", [`--port=${port}`, ...pubArgs]);
      all.push(pub);
      await waitFor(pub, "READY", READY_MS);
    }
    await sleep(300);
    sendGo(pub);
    const pubRes = await waitFor<PublisherResult>(pub, "RESULT", RESULT_MS);
    const subRes: SubscriberResult[] = [];
    for (const s of subs) subRes.push(await waitFor<SubscriberResult>(s, "RESULT", RESULT_MS));
    for (const s of subs) await waitExit(s, graceMs(profile));
    const conns = subRes.flatMap((r) => r.conns);
    const t0 = BigInt(pubRes.t0);
    const tLast = conns.reduce((m, c) => (BigInt(c.t_last) > m ? BigInt(c.t_last) : m), 0n);
    const delivered = conns.reduce((a, c) => a + c.received, 0);
    const expected = n * cfg.fanoutConns;
    const elapsedS = Number(tLast - t0) / 1e9;
    const out: Metrics = {
      deliveries_per_s: Math.round(delivered / elapsedS),
      delivered,
      expected,
      lost: expected - delivered,
      out_of_order: conns.reduce((a, c) => a + c.out_of_order, 0),
      all_got_end_marker: conns.every((c) => c.got_end),
      sub_finish: subRes.map((r) => r.reason).join(","),
      elapsed_s: round3(elapsedS),
      publish_loop_s: round3(Number(BigInt(pubRes.t_loop_done) - t0) / 1e9),
      publisher_peak_rss_mib: mib(pubRes.hwm_kb),
      subscriber_peak_rss_mib_max: mib(Math.max(...subRes.map((r) => r.hwm_kb))),
      publisher_cpu_s: round2(pubRes.cpu_s),
      subscribers_cpu_s: round2(subRes.reduce((a, r) => a + r.cpu_s, 0)),
    };
    if (broker !== undefined) out["broker_peak_rss_mib"] = mib(readStatusKb(broker.pid).VmHWM);
    return out;
  } finally {
    for (const p of all.reverse()) await stop(p, graceMs(profile));
  }
}

/** Runs `supcon-gen` as users do (a process of its own); returns its wall time, peak RSS and output. */
async function runGenerator(
  args: readonly string[],
  cwd: string,
): Promise<{ seconds: number; peakKb: number; code: number | null; output: string }> {
  const peakFile = path.join(cwd, `peak-rss-${process.pid}.txt`);
  fs.rmSync(peakFile, { force: true });
  const started = process.hrtime.bigint();
  const p = start(
    "supcon-gen",
    process.execPath,
    [
      "-r",
      path.join(__dirname, "peak-rss-hook.js"),
      path.join(repoRoot(), "packages", "supcon-gen", "dist", "cli.js"),
      ...args.map((a) => (a.startsWith("--") ? a : path.join(cwd, a))),
    ],
    { ...process.env, BENCH_PEAK_RSS_FILE: peakFile },
  );
  await waitExit(p, RESULT_MS);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakKb = fs.existsSync(peakFile) ? Number(fs.readFileSync(peakFile, "utf8")) : NaN;
  fs.rmSync(peakFile, { force: true });
  const output = [...p.lines, p.stderr.trim()].filter((l) => l !== "").join("\n");
  return { seconds, peakKb, code: p.exited?.code ?? null, output };
}

/**
 * Code generation: `supcon-gen` on `codegenCount` synthetic interfaces in `dir/interfaces`: a full generation into an
 * empty folder, then `--check` of the result (which must pass).
 */
export async function codegenRun(dir: string): Promise<Metrics> {
  const out = path.join(dir, "generated");
  fs.rmSync(out, { recursive: true, force: true });
  const args = ["interfaces", "--out", "generated", "--runtime-import", "supcon"];
  const gen = await runGenerator(args, dir);
  if (gen.code !== 0) throw new Error(`supcon-gen exited ${String(gen.code)}: ${gen.output.slice(-2000)}`);
  const check = await runGenerator([...args, "--check"], dir);
  if (check.code !== 0) throw new Error(`supcon-gen --check exited ${String(check.code)}: ${check.output}`);
  return {
    generate_s: round3(gen.seconds),
    check_s: round3(check.seconds),
    generate_peak_rss_mib: mib(gen.peakKb),
    check_peak_rss_mib: mib(check.peakKb),
    files: fs.readdirSync(out).length,
  };
}

/**
 * Memory soak (opt-in, BENCH_SOAK=1): a supcon server and client, pipelined calls plus 10,000 events/s to the client,
 * for `soakSeconds`; both processes' RSS sampled every second. Flat: RSS over the last half within 10% (and 8 MiB)
 * of the first half's maximum.
 */
export async function soakRun(cfg: BenchConfig): Promise<Metrics> {
  const procs: Proc[] = [];
  try {
    const server = startScript("supcon-server", "supcon/server.js", ["--soakEvents"]);
    procs.push(server);
    const port = (await waitFor<{ port: number }>(server, "READY", READY_MS)).port;
    const c = startScript("supcon-client", "supcon/client.js", [
      `--port=${port}`,
      `--soak=${cfg.soakSeconds}`,
      `--inflight=${cfg.inflight}`,
    ]);
    procs.push(c);
    const samples: { t: number; server: number; client: number }[] = [];
    const t0 = Date.now();
    const done = waitFor<{ pipe: PipelinedResult; events: number }>(
      c,
      "RESULT",
      (cfg.soakSeconds + 60) * 1000,
    );
    let finished = false;
    void done.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished && Date.now() - t0 < (cfg.soakSeconds + 60) * 1000) {
      await sleep(1000);
      if (finished || c.exited !== undefined) break;
      samples.push({
        t: (Date.now() - t0) / 1000,
        server: readStatusKb(server.pid).VmRSS,
        client: readStatusKb(c.pid).VmRSS,
      });
    }
    const res = await done;
    const half = Math.floor(samples.length / 2);
    const verdict = (key: "server" | "client"): Metrics => {
      const first = samples.slice(0, half).map((s) => s[key]);
      const last = samples.slice(half).map((s) => s[key]);
      const firstMax = Math.max(...first);
      const lastMax = Math.max(...last);
      const growthKb = lastMax - firstMax;
      return {
        [`${key}_rss_first_half_max_mib`]: mib(firstMax),
        [`${key}_rss_last_half_max_mib`]: mib(lastMax),
        [`${key}_rss_end_mib`]: mib(last[last.length - 1] ?? NaN),
        [`${key}_flat`]: growthKb <= Math.max(firstMax * 0.1, 8 * 1024),
      };
    };
    return {
      seconds: cfg.soakSeconds,
      samples: samples.length,
      calls_per_s: res.pipe.calls_per_s,
      events_received: res.events,
      ...verdict("server"),
      ...verdict("client"),
      rss_samples_mib: samples.map((s) => `${s.t.toFixed(0)}:${mib(s.server)}/${mib(s.client)}`).join(" "),
    };
  } finally {
    for (const p of procs.reverse()) await stop(p);
  }
}
