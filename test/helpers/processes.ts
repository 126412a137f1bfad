/**
 * Child processes for tests: start a fixture, wait for its READY line, and make sure it is gone afterwards.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");

export interface Child {
  readonly process: ChildProcess;
  /** The port the child listens on (0 when it does not). */
  readonly port: number;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Children started by `startFixture` and not yet stopped: `stopAll()` ends them. */
const running = new Set<ChildProcess>();

/**
 * Starts `test/fixtures/<script>` (or a script at an absolute path) with `args`, in `cwd` if given, and waits for
 * nothing; `stopAll()` ends it if it is still running. `exited` resolves with its exit code.
 */
export function startProcess(
  script: string,
  args: string[],
  cwd?: string,
): { child: ChildProcess; exited: Promise<number | null> } {
  const file = path.isAbsolute(script) ? script : path.join(root, "test/fixtures", script);
  const child = spawn(process.execPath, [file, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd === undefined ? {} : { cwd }),
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, exited };
}

/**
 * Runs `test/fixtures/<script>` (or a script at an absolute path) with `args` until it exits, killing it (by its
 * pid) after `timeoutMs`; resolves with what it printed and its exit code.
 */
export async function runFixture(
  script: string,
  args: string[],
  timeoutMs = 20_000,
  cwd?: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const { child, exited } = startProcess(script, args, cwd);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return { stdout, stderr, code };
}

/** Starts `test/fixtures/<script>` (or a script at an absolute path) with `args`; resolves once it prints `READY <port>`. */
export function startFixture(script: string, args: string[], timeoutMs = 10_000): Promise<Child> {
  const { child, exited: exitCode } = startProcess(script, args);
  const exited = exitCode.then(() => undefined);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not get ready within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({
        process: child,
        port: Number(m[1]),
        stop: async (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready: ${stderr}`));
    });
  });
}

/** Kills every fixture still running. */
export async function stopAll(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}
