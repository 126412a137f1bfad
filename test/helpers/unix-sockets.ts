/**
 * For the Unix socket tests: temporary directories, processes that hold a socket (stopped by pid), transports read
 * into a buffer, and the transport modules transpiled to JavaScript for a child process that runs as another user.
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import type { DialLimits } from "../../packages/supcon/src/transport/tcp";
import type { Transport } from "../../packages/supcon/src/transport/transport";

const sourceRoot = path.resolve(__dirname, "../../packages/supcon/src");

/** Temporary directories made by `makeTempDir`; `removeTempDirs` removes them. */
const tempDirs = new Set<string>();

/** A fresh directory under the OS temp directory, with a short path (socket paths are limited). */
export function makeTempDir(mode = 0o700): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ux-"));
  fs.chmodSync(dir, mode);
  tempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Limits for a dial in a test. */
export function dialLimits(timeoutMs = 5_000): DialLimits {
  return { timeoutMs, signal: new AbortController().signal };
}

/** What a transport received and how it closed. */
export interface Collected {
  text(): string;
  /** Resolves when `text()` includes `expected`. */
  received(expected: string): Promise<void>;
  readonly closed: Promise<Error | undefined>;
}

export function collect(transport: Transport): Collected {
  let text = "";
  const waiting = new Set<() => void>();
  let onClose: (error: Error | undefined) => void = () => undefined;
  const closed = new Promise<Error | undefined>((resolve) => (onClose = resolve));
  transport.setHandlers({
    data: (chunk) => {
      text += Buffer.from(chunk).toString();
      for (const check of waiting) check();
    },
    close: (error) => onClose(error),
    drain: () => undefined,
  });
  return {
    text: () => text,
    received: (expected) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (!text.includes(expected)) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      }),
    closed,
  };
}

/** A process a test started; `stop` ends it by its pid. */
export interface TestProcess {
  readonly pid: number;
  /** Lines it printed on stdout so far. */
  output(): string;
  /** Resolves when stdout includes `expected`. */
  printed(expected: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` to its pid and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<number | null>;
}

const running = new Map<number, TestProcess>();

/** Runs `script` (JavaScript) in a new Node.js process with `args`. */
export function startNode(script: string, args: string[], options: SpawnOptions = {}): TestProcess {
  const child: ChildProcess = spawn(process.execPath, ["-e", script, ...args], {
    ...options,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("the child process did not start");
  const pid = child.pid;
  let out = "";
  let err = "";
  const waiting = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of waiting) check();
  });
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(pid);
      for (const check of waiting) check();
      resolve(code);
    }),
  );
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const handle: TestProcess = {
    pid,
    output: () => out,
    printed: (expected, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`the child did not print ${JSON.stringify(expected)} in time; stderr: ${err}`));
        }, timeoutMs);
        const check = (): void => {
          if (out.includes(expected)) {
            clearTimeout(timer);
            waiting.delete(check);
            resolve();
          } else if (!isRunning()) {
            clearTimeout(timer);
            waiting.delete(check);
            reject(new Error(`the child exited before printing ${JSON.stringify(expected)}; stderr: ${err}`));
          }
        };
        waiting.add(check);
        check();
      }),
    stop: async (signal = "SIGTERM") => {
      if (isRunning()) process.kill(pid, signal);
      await exited;
    },
    exited,
  };
  running.set(pid, handle);
  return handle;
}

/** Stops, by pid, every process `startNode` started that is still running. */
export async function stopProcesses(): Promise<void> {
  await Promise.all([...running.values()].map((p) => p.stop("SIGKILL")));
}

/**
 * Transpiles `packages/supcon/src/<entry>.ts` and the modules it imports (relative imports only) to CommonJS under
 * `outDir`, for a plain `node` process. Returns the path of the entry's `.js` file. Every file is world-readable.
 */
export function transpileForChild(entry: string, outDir: string): string {
  const pending = [path.join(sourceRoot, `${entry}.ts`)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = fs.readFileSync(file, "utf8");
    for (const m of source.matchAll(/from "(\.{1,2}\/[^"]+)\.js"/g)) {
      pending.push(path.resolve(path.dirname(file), `${m[1] as string}.ts`));
    }
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const out = path.join(outDir, path.relative(sourceRoot, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(out), { recursive: true, mode: 0o755 });
    fs.writeFileSync(out, outputText, { mode: 0o644 });
  }
  // Whatever the umask: the other user must read them.
  fs.chmodSync(outDir, 0o755);
  for (const name of fs.readdirSync(outDir, { recursive: true }) as string[]) {
    const file = path.join(outDir, name);
    fs.chmodSync(file, fs.statSync(file).isDirectory() ? 0o755 : 0o644);
  }
  return path.join(outDir, `${entry}.js`);
}
