/**
 * `--watch`: regenerates whenever a YAML file below the inputs changes. Bursts of changes (an editor saving, a
 * `git checkout`) are debounced into one run; errors are reported and the watcher keeps running.
 *
 * Watching is chokidar's: `fs.watch` alone follows an inode, so after a save by rename (`sed -i`, and most editors
 * save that way: write a temporary file, rename it over the old one) it watched a file that no longer existed, and
 * every later edit went unnoticed. chokidar re-establishes its watches across renames, deletions and re-creations.
 */
import * as path from "node:path";
import type { FSWatcher } from "chokidar";
import { watch as watchPaths } from "chokidar";
import type { CompileOptions } from "./compile.js";
import { compile } from "./compile.js";
import type { Diagnostic } from "./diagnostics.js";
import { hasErrors } from "./diagnostics.js";
import { isInterfaceFileName, isSearchedDirName } from "./inputs.js";
import { displayPath } from "./paths.js";
import type { OutputDir, WriteSummary } from "./write.js";
import { writeOutput } from "./write.js";

/** Quiet time after the last change before regenerating. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 100;

/** One regeneration. */
export interface WatchRun {
  /** The file whose change started this run (relative to the working directory), or null for the first run. */
  readonly trigger: string | null;
  readonly diagnostics: readonly Diagnostic[];
  /** What was written, or null when nothing was (errors, or a failure). */
  readonly summary: WriteSummary | null;
  /** The folders written to. */
  readonly outputs: readonly OutputDir[];
  /** An unexpected failure (a bug or an I/O error); the watcher keeps running. */
  readonly failure: Error | null;
  readonly durationMs: number;
}

/** Options of `watch()`: those of `compile()` (without `check`), plus where to report runs. */
export interface WatchOptions extends Omit<CompileOptions, "check"> {
  /** Called after every run, the first one included. */
  readonly onRun: (run: WatchRun) => void;
  /**
   * Called when watching itself fails (the system's limit of watched files is reached, a folder cannot be read);
   * the watcher keeps running with what it could watch. Ignored by default.
   */
  readonly onError?: (err: Error) => void;
  /** Quiet time after the last change before regenerating, in milliseconds. @default 100 */
  readonly debounceMs?: number;
}

/** A running watcher. */
export interface Watcher {
  /**
   * Resolves once every input is watched and the first run has been reported: a change made after it is seen.
   * (The first run waits for the watches, so that no change can fall between the two.)
   */
  readonly ready: Promise<void>;
  /** Stops watching; a pending run is dropped. Calling it again does nothing. Resolves once the watches are released. */
  close(): Promise<void>;
}

/** Generates once, then again after every change of a YAML file below `options.inputs`. */
export function watch(options: WatchOptions): Watcher {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  const roots = new Set(options.inputs.map((input) => path.resolve(cwd, input)));
  let timer: NodeJS.Timeout | undefined;
  let trigger: string | null = null;
  let closed = false;

  const run = (): void => {
    const started = performance.now();
    const cause = trigger;
    trigger = null;
    let diagnostics: readonly Diagnostic[] = [];
    let summary: WriteSummary | null = null;
    let outputs: readonly OutputDir[] = [];
    let failure: Error | null = null;
    try {
      const result = compile({ ...options, cwd, check: false });
      diagnostics = result.diagnostics;
      outputs = result.outputs;
      if (!hasErrors(diagnostics)) {
        const written = writeOutput(result.files, result.outputs, cwd);
        diagnostics = [...diagnostics, ...written.diagnostics];
        summary = written.summary;
      }
    } catch (err) {
      failure = toError(err);
    }
    options.onRun({
      trigger: cause,
      diagnostics,
      summary,
      outputs,
      failure,
      durationMs: performance.now() - started,
    });
  };

  const schedule = (file: string): void => {
    if (closed) return;
    trigger ??= displayPath(file, cwd);
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };

  // What `findInputFiles` reads: the inputs themselves, and below input folders the YAML files outside hidden
  // folders and `node_modules`. Without stats (chokidar asks again with them), nothing is ignored yet.
  const ignored = (file: string, stats?: { isFile(): boolean; isDirectory(): boolean }): boolean => {
    if (roots.has(path.resolve(file)) || stats === undefined) return false;
    const name = path.basename(file);
    if (stats.isDirectory()) return !isSearchedDirName(name);
    return stats.isFile() && !isInterfaceFileName(name);
  };
  const watcher: FSWatcher = watchPaths([...roots], { ignoreInitial: true, ignored });
  const onChange = (file: string): void => {
    if (roots.has(path.resolve(file)) || isInterfaceFileName(file)) schedule(file);
  };
  watcher.on("add", onChange).on("change", onChange).on("unlink", onChange);
  // A removed folder takes its interface files with it.
  watcher.on("unlinkDir", (dir) => schedule(dir));
  watcher.on("error", (err) => options.onError?.(toError(err)));

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  watcher.once("ready", () => {
    if (!closed) run();
    markReady();
  });

  let closing: Promise<void> | undefined;
  return {
    ready,
    close(): Promise<void> {
      if (closing !== undefined) return closing;
      closed = true;
      clearTimeout(timer);
      // Closed before its first run, it is as ready as it will ever be.
      markReady();
      closing = watcher.close();
      return closing;
    },
  };
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
