/**
 * Splits the compiler's independent work (parsing files, emitting modules) between this thread and one worker
 * thread, while keeping `compile()` synchronous: the worker signals completion through a shared `Int32Array`,
 * this thread blocks on it with `Atomics.wait` after doing its own share, then takes the result with
 * `receiveMessageOnPort`.
 *
 * Parsing YAML dominates the run time for many files, and the `yaml` package does about 2 MB/s; a second thread
 * takes about half of it on a two-core machine. Small inputs stay on one thread (see `PARALLEL_MIN_BYTES`), and so
 * does code run from TypeScript sources (tests), where there is no compiled worker to start.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { InternalCompilerError } from "./diagnostics.js";
import type { SourceFile } from "./load.js";
import { withPlainEnv } from "./load.js";
import type { ModelInterface } from "./model/model.js";
import type { FileAnalysis } from "./stages.js";
import { analyzeFile, emitModule } from "./stages.js";

/**
 * Below this many bytes of YAML, everything runs on the calling thread: a worker needs about 100 ms to start and
 * load the compiler, which pays off only when each thread then has a few hundred milliseconds of parsing to do.
 */
export const PARALLEL_MIN_BYTES = 512 * 1024;

/** How long to wait for the worker before declaring it lost. */
const WORKER_TIMEOUT_MS = 120_000;

/** A job for the worker, and what it answers. */
export type WorkerJob =
  | { readonly kind: "analyze"; readonly sources: readonly SourceFile[] }
  | { readonly kind: "emit"; readonly interfaces: readonly ModelInterface[]; readonly runtimeImport: string };

export type WorkerAnswer =
  | { readonly ok: true; readonly analyses?: readonly FileAnalysis[]; readonly modules?: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** A message to the worker: the job, where to answer, and the flag to raise when done. */
export interface WorkerRequest {
  readonly job: WorkerJob;
  readonly port: MessagePort;
  readonly done: Int32Array;
}

const WORKER_FILE = path.join(__dirname, "worker.js");

/** A worker thread that runs one job at a time, while the calling thread does its own share. */
export interface CompilerWorker {
  /** Runs `job` on the worker while `own()` runs here; returns both results. */
  run<T>(job: WorkerJob, own: () => T): { readonly own: T; readonly answer: WorkerAnswer & { ok: true } };
  /** Stops the worker. */
  close(): void;
}

/**
 * Starts a worker now (so that its start-up overlaps the caller's work), or returns null where none can run:
 * in code run from TypeScript sources (tests), where there is no compiled worker, or on a single core.
 */
export function createCompilerWorker(): CompilerWorker | null {
  const available = __filename.endsWith(".js") && fs.existsSync(WORKER_FILE) && os.availableParallelism() > 1;
  return available ? new CompilerWorkerImpl() : null;
}

class CompilerWorkerImpl implements CompilerWorker {
  readonly #worker: Worker;

  constructor() {
    this.#worker = new Worker(WORKER_FILE);
    this.#worker.unref();
  }

  run<T>(job: WorkerJob, own: () => T): { readonly own: T; readonly answer: WorkerAnswer & { ok: true } } {
    const done = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const request: WorkerRequest = { job, port: port2, done };
    this.#worker.postMessage(request, [port2]);
    try {
      const mine = own();
      if (Atomics.wait(done, 0, 0, WORKER_TIMEOUT_MS) === "timed-out") {
        throw new InternalCompilerError("the compiler's worker thread did not answer");
      }
      const message = receiveMessageOnPort(port1)?.message as WorkerAnswer | undefined;
      if (message === undefined)
        throw new InternalCompilerError("the compiler's worker thread sent no answer");
      if (!message.ok)
        throw new InternalCompilerError(`the compiler's worker thread failed: ${message.error}`);
      return { own: mine, answer: message };
    } finally {
      port1.close();
    }
  }

  close(): void {
    void this.#worker.terminate();
  }
}

/** Runs a job on the current thread (the worker calls this too). */
export function runJob(job: WorkerJob): WorkerAnswer & { ok: true } {
  if (job.kind === "analyze") return { ok: true, analyses: withPlainEnv(() => job.sources.map(analyzeFile)) };
  return { ok: true, modules: job.interfaces.map((i) => emitModule(i, job.runtimeImport)) };
}

/** Analyzes files, on two threads when a `worker` is given. */
export function analyzeFiles(sources: readonly SourceFile[], worker: CompilerWorker | null): FileAnalysis[] {
  if (worker === null || sources.length < 2) return withPlainEnv(() => sources.map(analyzeFile));
  // This thread takes a little more: the worker starts later (it loads the compiler first).
  const [mine, theirs] = split(sources, 0.52);
  const { own, answer } = worker.run({ kind: "analyze", sources: theirs }, () =>
    withPlainEnv(() => mine.map(analyzeFile)),
  );
  return [...own, ...(answer.analyses ?? [])];
}

/** Emits modules, on two threads when a `worker` is given. */
export function emitModules(
  interfaces: readonly ModelInterface[],
  runtimeImport: string,
  worker: CompilerWorker | null,
): string[] {
  if (worker === null || interfaces.length < 2) {
    return interfaces.map((i) => emitModule(i, runtimeImport));
  }
  const [mine, theirs] = split(interfaces, 0.52);
  const { own, answer } = worker.run({ kind: "emit", interfaces: theirs, runtimeImport }, () =>
    mine.map((i) => emitModule(i, runtimeImport)),
  );
  return [...own, ...(answer.modules ?? [])];
}

/** This thread's share (the first `share` of the items) and the worker's (the rest). */
function split<T>(items: readonly T[], share: number): [readonly T[], readonly T[]] {
  const cut = Math.round(items.length * share);
  return [items.slice(0, cut), items.slice(cut)];
}
