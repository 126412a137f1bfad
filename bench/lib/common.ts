/**
 * Helpers shared by every benchmark process (adapted from the peer benchmarks in shared/bench-peers/lib/common.js,
 * keeping their methodology): the payloads, cross-process timestamps, /proc memory readings, latency statistics and
 * the one-line stdout protocol between a child process and the driver.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The request every RPC peer sends: `{ timer: "abc", seconds: 1.5 }`. */
export interface EchoRequest {
  timer: string;
  seconds: number;
}

/** The reply every RPC peer returns: `{ ok: true }`. */
export interface EchoReply {
  ok: boolean;
}

/** One event of the fan-out scenario; `seq` -1 is the end marker. */
export interface TickEvent {
  seq: number;
  timer: string;
  seconds: number;
}

export const makeRequest = (): EchoRequest => ({ timer: "abc", seconds: 1.5 });
export const makeReply = (): EchoReply => ({ ok: true });
export const makeEvent = (seq: number): TickEvent => ({ seq, timer: "abc", seconds: 1.5 });

/** Sequence number of the end marker each subscriber gets after the last event. */
export const END = -1;

/**
 * CLOCK_MONOTONIC in nanoseconds (process.hrtime on Linux), shared by every process of the machine, so timestamps
 * taken in different processes can be subtracted. Sent between processes as decimal strings.
 */
export const monoNs = (): bigint => process.hrtime.bigint();

/** VmRSS (now) and VmHWM (peak) of a process, in KiB, from /proc/<pid>/status. */
export interface StatusKb {
  VmRSS: number;
  VmHWM: number;
}

export function readStatusKb(pid?: number): StatusKb {
  const out: StatusKb = { VmRSS: NaN, VmHWM: NaN };
  const text = fs.readFileSync(`/proc/${pid === undefined ? "self" : String(pid)}/status`, "utf8");
  for (const line of text.split("\n")) {
    const m = /^(VmRSS|VmHWM):\s+(\d+)\s+kB/.exec(line);
    if (m !== null) out[m[1] as keyof StatusKb] = Number(m[2]);
  }
  return out;
}

/** CPU time (user + system) of another process so far, in seconds, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces), counted from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** USER_HZ: the unit of /proc/<pid>/stat times (100 on Linux on every architecture Node runs on). */
const CLOCK_TICKS_PER_S = 100;

/** KiB to MiB, one decimal. */
export const mib = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

/** CPU time (user + system) of this process so far, in seconds. */
export function cpuSeconds(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1e6;
}

/** Nearest-rank percentile of a sorted array. */
export function pct(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] as number;
}

export interface LatencyStats {
  n: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
  mean_us: number;
}

/** Percentiles of latencies given in milliseconds, reported in microseconds. */
export function latencyStats(ms: ArrayLike<number>): LatencyStats {
  const a = Float64Array.from(ms).sort();
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] as number;
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    n: a.length,
    p50_us: r3(pct(a, 0.5) * 1000),
    p90_us: r3(pct(a, 0.9) * 1000),
    p99_us: r3(pct(a, 0.99) * 1000),
    max_us: r3((a[a.length - 1] ?? NaN) * 1000),
    mean_us: r3((sum / a.length) * 1000),
  };
}

/** Reports to the driver: one line `TAG {json}` on stdout. */
export function say(tag: string, value?: unknown): void {
  process.stdout.write(value === undefined ? `${tag}\n` : `${tag} ${JSON.stringify(value)}\n`);
}

/** `--key=value` and `--flag` arguments. */
export function argMap(argv: readonly string[] = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m !== null) out[m[1] as string] = m[2] as string;
    else if (a.startsWith("--")) out[a.slice(2)] = "true";
  }
  return out;
}

/** A numeric argument, or `fallback` when absent. */
export function numArg(args: Record<string, string>, key: string, fallback: number): number {
  const raw = args[key];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${key}: not a number: ${raw}`);
  return n;
}

/** Prints the error and exits with status 1 (a child process reports failure to the driver this way). */
export function die(err: unknown): never {
  process.stderr.write(
    `FATAL ${err instanceof Error && err.stack !== undefined ? err.stack : String(err)}\n`,
  );
  process.exit(1);
}

/** Exits at once on SIGTERM (the driver stops its children that way). */
export function exitOnSigterm(): void {
  process.on("SIGTERM", () => process.exit(0));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The repository root: the nearest folder above this file whose package.json is the workspace's. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown };
      if (pkg.name === "supcon-workspace") return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no supcon-workspace package.json above ${__dirname}`);
  }
}

/** The bench/ folder of the repository (sources, interfaces, README). */
export const benchDir = (): string => path.join(repoRoot(), "bench");

/** Where the compiled benchmark lives (`bench/out/`, from `tsc -p bench`). */
export const outDir = (): string => path.join(benchDir(), "out");
