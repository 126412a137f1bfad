/**
 * `--watch`: regenerates whenever a YAML file below the inputs changes. Bursts of changes (an editor saving, a
 * `git checkout`) are debounced into one run; errors are reported and the watcher keeps running.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CompileOptions } from "./compile.js";
import { compile } from "./compile.js";
import type { Diagnostic } from "./diagnostics.js";
import { hasErrors } from "./diagnostics.js";
import type { OutputDir, WriteSummary } from "./write.js";
import { writeOutput } from "./write.js";

/** Quiet time after the last change before regenerating. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 100;

/** One regeneration. */
export interface WatchRun {
  /** The file whose change started this run (relative to the input), or null for the first run. */
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
  /** Quiet time after the last change before regenerating, in milliseconds. @default 100 */
  readonly debounceMs?: number;
}

/** A running watcher. */
export interface Watcher {
  /** Stops watching; a pending run is dropped. Calling it again does nothing. */
  close(): void;
}

const YAML_FILE = /\.ya?ml$/;

/** Generates once, then again after every change of a YAML file below `options.inputs`. */
export function watch(options: WatchOptions): Watcher {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  const watchers: fs.FSWatcher[] = [];
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
      failure = err instanceof Error ? err : new Error(String(err));
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
    trigger ??= file;
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };

  for (const input of options.inputs) {
    const abs = path.resolve(cwd, input);
    let isDir: boolean;
    try {
      isDir = fs.statSync(abs).isDirectory();
    } catch {
      continue; // The first run reports the missing input.
    }
    const dir = isDir ? abs : path.dirname(abs);
    const w = fs.watch(dir, { recursive: isDir }, (_event, filename) => {
      if (filename === null) return;
      const name = filename.toString();
      if (isDir ? YAML_FILE.test(name) : name === path.basename(abs)) schedule(name);
    });
    w.on("error", () => undefined); // A watched folder that disappears must not crash the process.
    watchers.push(w);
  }
  run();

  return {
    close(): void {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
