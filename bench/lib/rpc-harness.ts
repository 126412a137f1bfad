/**
 * The client-side measurement loop of every RPC peer, identical for all of them (shared/bench-peers/lib/
 * rpc-harness.js). `call()` resolves once the reply has been received and decoded, and rejects on any error; every
 * call is awaited the way an application awaits it.
 */
import { performance } from "node:perf_hooks";
import type { LatencyStats } from "./common.js";
import { cpuSeconds, latencyStats, readStatusKb } from "./common.js";

export type Call = () => Promise<unknown>;

export interface SequentialResult extends LatencyStats {
  calls_per_s: number;
  elapsed_s: number;
  /** CPU time (user + system) of this client process per measured call. */
  cpu_us_per_call: number;
}

export interface PipelinedResult {
  calls_per_s: number;
  completed: number;
  window_s: number;
  inflight: number;
  p50_us: number;
  p99_us: number;
  /** CPU time (user + system) of this client process per completed call. */
  cpu_us_per_call: number;
}

export interface RpcClientResult {
  seq: SequentialResult;
  pipe: PipelinedResult;
  client_hwm_kb: number;
  /** Every call made, warm-ups included (the server's CPU time is divided by this). */
  total_calls: number;
}

export interface RpcClientOptions {
  warmup: number;
  iters: number;
  inflight: number;
  pipeSeconds: number;
  pipeWarmup: number;
}

/** Most latencies a pipelined run keeps (a uniform sample of all its calls). */
const LATENCY_SAMPLE = 200_000;

/** `iters` awaited calls, one at a time, after `warmup` unmeasured ones. */
export async function sequential(call: Call, warmup: number, iters: number): Promise<SequentialResult> {
  for (let i = 0; i < warmup; i++) await call();
  const lat = new Float64Array(iters);
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    const s = performance.now();
    await call();
    lat[i] = performance.now() - s;
  }
  const elapsedMs = performance.now() - t0;
  const cpu = cpuSeconds() - cpu0;
  return {
    ...latencyStats(lat),
    calls_per_s: Math.round(iters / (elapsedMs / 1000)),
    elapsed_s: elapsedMs / 1000,
    cpu_us_per_call: Math.round((cpu / iters) * 1e7) / 10,
  };
}

/**
 * `inflight` workers, each issuing its next call as soon as its previous one completes, so exactly `inflight` calls
 * are outstanding at all times. Only calls that complete inside the window count.
 */
export async function pipelined(call: Call, inflight: number, seconds: number): Promise<PipelinedResult> {
  // Latencies are kept as a uniform sample of at most LATENCY_SAMPLE calls (reservoir sampling), so that memory
  // stays flat however long the run: at 450,000 calls/s, keeping every latency of a 60 s soak took 500 MiB.
  const lat = new Float64Array(LATENCY_SAMPLE);
  let completed = 0;
  const cpu0 = cpuSeconds();
  const tEnd = performance.now() + seconds * 1000;
  async function worker(): Promise<void> {
    for (;;) {
      const s = performance.now();
      if (s >= tEnd) return;
      await call();
      const e = performance.now();
      if (e <= tEnd) {
        if (completed < LATENCY_SAMPLE) lat[completed] = e - s;
        else {
          const slot = Math.floor(Math.random() * (completed + 1));
          if (slot < LATENCY_SAMPLE) lat[slot] = e - s;
        }
        completed++;
      }
    }
  }
  const workers: Promise<void>[] = [];
  for (let i = 0; i < inflight; i++) workers.push(worker());
  await Promise.all(workers);
  const cpu = cpuSeconds() - cpu0;
  const st = latencyStats(lat.subarray(0, Math.min(completed, LATENCY_SAMPLE)));
  return {
    calls_per_s: Math.round(completed / seconds),
    completed,
    window_s: seconds,
    inflight,
    p50_us: st.p50_us,
    p99_us: st.p99_us,
    cpu_us_per_call: Math.round((cpu / completed) * 1e7) / 10,
  };
}

/** Sequential, then an unmeasured pipelined warm-up, then the measured pipelined window. */
export async function runRpcClient(call: Call, opts: RpcClientOptions): Promise<RpcClientResult> {
  let total = 0;
  const counted: Call = () => {
    total++;
    return call();
  };
  const seq = await sequential(counted, opts.warmup, opts.iters);
  if (opts.pipeWarmup > 0) await pipelined(counted, opts.inflight, opts.pipeWarmup);
  const pipe = await pipelined(counted, opts.inflight, opts.pipeSeconds);
  return { seq, pipe, client_hwm_kb: readStatusKb().VmHWM, total_calls: total };
}

/** The harness options from `--warmup= --iters= --inflight= --pipeSeconds= --pipeWarmup=`. */
export function rpcOptions(args: Record<string, string>): RpcClientOptions {
  const n = (k: string, d: number): number => (args[k] === undefined ? d : Number(args[k]));
  return {
    warmup: n("warmup", 2000),
    iters: n("iters", 20000),
    inflight: n("inflight", 64),
    pipeSeconds: n("pipeSeconds", 5),
    pipeWarmup: n("pipeWarmup", 0.5),
  };
}
