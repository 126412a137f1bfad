/**
 * Child processes of the driver (shared/bench-peers/bench.js): each reports with `TAG {json}` lines on stdout. Every
 * process started here is stopped by its pid: by the scenario that started it (in a `finally`), and, should the
 * driver itself fail or be interrupted, by the exit handler installed with `stopAllOnExit()`.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import * as readline from "node:readline";
import { outDir, sleep } from "./common.js";
import * as path from "node:path";

export interface Proc {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  readonly lines: string[];
  waiters: (() => void)[];
  stderr: string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

const live = new Map<number, Proc>();

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every child still running (SIGKILL); used on the way out. */
export function killAll(): void {
  for (const pid of live.keys()) killPid(pid, "SIGKILL");
}

/** Makes sure no child outlives the driver, whatever way it ends. */
export function stopAllOnExit(): void {
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** How many children are running. */
export const liveCount = (): number => live.size;

export interface StartOptions {
  /** Options for node itself (`--cpu-prof`, `-r hook`), before the script. */
  nodeArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** Starts a compiled benchmark script (path relative to bench/out/) with `node`. */
export function startScript(
  name: string,
  script: string,
  args: readonly string[],
  opts: StartOptions = {},
): Proc {
  return start(
    name,
    process.execPath,
    [...(opts.nodeArgs ?? []), path.join(outDir(), script), ...args],
    opts.env,
  );
}

/** Starts any program. */
export function start(name: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: env ?? process.env });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const p: Proc = { name, child, pid: child.pid, lines: [], waiters: [], stderr: "", exited: undefined };
  live.set(child.pid, p);
  const wake = (): void => {
    for (const w of p.waiters.slice()) w();
  };
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    p.lines.push(line);
    wake();
  });
  child.stderr.on("data", (d: Buffer) => {
    p.stderr = (p.stderr + d.toString()).slice(-8000);
    wake();
  });
  child.stdin.on("error", () => undefined);
  child.on("error", (err) => {
    p.stderr += `\nspawn error: ${err.message}`;
    p.exited ??= { code: null, signal: null };
    live.delete(p.pid);
    wake();
  });
  child.on("exit", (code, signal) => {
    p.exited = { code, signal };
    live.delete(p.pid);
    wake();
  });
  return p;
}

/**
 * Waits for a stdout line `TAG` or `TAG {json}` and returns the parsed JSON (true without one); with `stderrRe`,
 * a match in stderr also counts. Rejects when the process exits first or after `timeoutMs`.
 */
export function waitFor<T = unknown>(
  p: Proc,
  tag: string,
  timeoutMs: number,
  { stderrRe }: { stderrRe?: RegExp } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${p.name}: timeout waiting for ${tag}; stderr: ${p.stderr.slice(-2000)}`)),
      timeoutMs,
    );
    const check = (): void => {
      if (stderrRe !== undefined && stderrRe.test(p.stderr)) return done(undefined, true as T);
      const i = p.lines.findIndex((l) => l === tag || l.startsWith(`${tag} `));
      if (i >= 0) {
        const line = p.lines.splice(i, 1)[0] as string;
        const rest = line.slice(tag.length).trim();
        return done(undefined, (rest === "" ? true : JSON.parse(rest)) as T);
      }
      if (p.exited !== undefined) {
        done(
          new Error(
            `${p.name} exited (${JSON.stringify(p.exited)}) before ${tag}; stderr: ${p.stderr.slice(-2000)}`,
          ),
        );
      }
    };
    function done(err: Error | undefined, value?: T): void {
      clearTimeout(timer);
      p.waiters = p.waiters.filter((w) => w !== check);
      if (err !== undefined) reject(err);
      else resolve(value as T);
    }
    p.waiters.push(check);
    check();
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stop(p: Proc | undefined, graceMs = 3000): Promise<void> {
  if (p === undefined || p.exited !== undefined) return;
  killPid(p.pid, "SIGTERM");
  const t = Date.now();
  while (p.exited === undefined && Date.now() - t < graceMs) await sleep(20);
  if (p.exited !== undefined) return;
  killPid(p.pid, "SIGKILL");
  const t2 = Date.now();
  while (p.exited === undefined && Date.now() - t2 < 5000) await sleep(20);
}

/** Waits up to `timeoutMs` for the process to exit by itself, then stops it. */
export async function waitExit(p: Proc, timeoutMs: number): Promise<void> {
  const t = Date.now();
  while (p.exited === undefined && Date.now() - t < timeoutMs) await sleep(20);
  if (p.exited === undefined) await stop(p);
}

/** Writes `go` to the process's stdin (the start signal of the fan-out publishers). */
export function sendGo(p: Proc): void {
  p.child.stdin.write("go\n");
}
