#!/usr/bin/env node
/**
 * `supcon-gen <dir-or-file>... --out <dir> [--check] [--watch] [--runtime-import <module>] [--docs <dir>]`
 *
 * Parses the command line, calls `compile()`, prints diagnostics to stderr, and exits 0 (success), 1 (`--check`
 * found differences) or 2 (invalid input or usage). Option defaults may come from the `"supcon-gen"` key of the
 * nearest package.json (camelCase keys: `{ "runtimeImport": "../core.js" }`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import type { CompileOptions, CompileResult } from "./compile.js";
import { DEFAULT_RUNTIME_IMPORT, compile } from "./compile.js";
import type { Diagnostic } from "./diagnostics.js";
import { InternalCompilerError, formatDiagnostic, hasErrors } from "./diagnostics.js";
import { compareStrings } from "./paths.js";
import type { WatchRun } from "./watch.js";
import { watch } from "./watch.js";
import type { OutputDir, WriteSummary } from "./write.js";
import { writeOutput } from "./write.js";

/** Exit statuses. */
export const ExitCode = { Ok: 0, CheckFailed: 1, Invalid: 2 } as const;

/** Where the CLI prints and what it runs in; the process's by default. */
export interface CliEnvironment {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface CliOptions {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly check: boolean;
  readonly watch: boolean;
  readonly runtimeImport: string;
  readonly docs: string | undefined;
}

/**
 * Runs the CLI on `args` (without `node` and the script); resolves to the exit status. A failure that is not the
 * input's fault (a compiler bug, a file that cannot be written) is printed and exits 2 too: never 1, which CI reads
 * as "generated code out of date".
 */
export async function runCli(args: readonly string[], env: CliEnvironment): Promise<number> {
  try {
    return await run(args, env);
  } catch (err) {
    if (err instanceof InternalCompilerError) {
      env.stderr(`supcon-gen: internal error (please report it): ${err.stack ?? err.message}\n`);
    } else {
      env.stderr(`supcon-gen: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return ExitCode.Invalid;
  }
}

async function run(args: readonly string[], env: CliEnvironment): Promise<number> {
  const parsed = await parseArgs(args, env.cwd);
  if ("exit" in parsed) {
    if (parsed.exit === ExitCode.Ok) env.stdout(parsed.output);
    else env.stderr(parsed.output);
    return parsed.exit;
  }
  const options: CompileOptions = {
    inputs: parsed.inputs,
    out: parsed.out,
    check: parsed.check,
    runtimeImport: parsed.runtimeImport,
    cwd: env.cwd,
    ...(parsed.docs === undefined ? {} : { docs: parsed.docs }),
  };
  if (parsed.watch) return runWatch(options, env);

  const result = compile(options);
  printDiagnostics(result.diagnostics, env);
  if (hasErrors(result.diagnostics)) return ExitCode.Invalid;
  if (result.check !== null) return reportCheck(result, parsed, env);

  const written = writeOutput(result.files, result.outputs, env.cwd);
  printDiagnostics(written.diagnostics, env);
  if (written.summary === null) return ExitCode.Invalid;
  for (const line of summaryLines(written.summary, result.outputs)) env.stdout(line + "\n");
  return ExitCode.Ok;
}

type Parsed = CliOptions | { readonly exit: number; readonly output: string };

async function parseArgs(args: readonly string[], cwd: string): Promise<Parsed> {
  const parser = yargs([...args])
    .scriptName("supcon-gen")
    .usage(
      "$0 <dir-or-file>... --out <dir> [options]\n\n" +
        "Generates typed TypeScript (descriptor, argument types, client, server skeleton) from supcon interface\n" +
        "files: every *.yaml and *.yml below the given folders.",
    )
    .command("$0 <inputs..>", false, (y) =>
      y.positional("inputs", {
        describe: "Folders (searched recursively) and YAML files",
        type: "string",
        array: true,
      }),
    )
    .option("out", {
      type: "string",
      describe: "Folder of the generated modules",
      demandOption: true,
      requiresArg: true,
    })
    .option("check", {
      type: "boolean",
      describe: "Write nothing; exit 1 naming each stale, missing or extra file",
    })
    .option("watch", { type: "boolean", describe: "Regenerate whenever a YAML file changes" })
    .option("runtime-import", {
      type: "string",
      default: DEFAULT_RUNTIME_IMPORT,
      requiresArg: true,
      describe: "Module the generated code imports the runtime from",
    })
    .option("docs", {
      type: "string",
      requiresArg: true,
      describe: "Also write Markdown reference pages to this folder",
    })
    .conflicts("check", "watch")
    .pkgConf("supcon-gen", cwd)
    .example("$0 interfaces --out src/generated", "Generate one module per interface, plus index.ts")
    .example(
      "$0 interfaces --out src/generated --check",
      "In CI: fail when the generated code is out of date",
    )
    .example("$0 interfaces --out src/generated --watch", "Regenerate on every change until Ctrl-C")
    .example("$0 interfaces --out generated --runtime-import ./runtime.js", "Import the runtime by a path")
    .example("$0 interfaces --out src/generated --docs docs/api", "Also write Markdown docs")
    .epilogue(
      'Defaults can be set in package.json: "supcon-gen": { "runtimeImport": "..." }.\n' +
        "Exit status: 0 success, 1 --check found differences, 2 invalid input or usage.",
    )
    .version(packageVersion())
    .help()
    .alias("h", "help")
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 110));

  return new Promise((resolve) => {
    void parser.parse([...args], {}, (err, argv, output) => {
      if (err) {
        resolve({ exit: ExitCode.Invalid, output: `${output || err.message}\n` });
        return;
      }
      if (output !== "") {
        resolve({ exit: ExitCode.Ok, output: output.endsWith("\n") ? output : `${output}\n` });
        return;
      }
      const runtimeImport = String(argv["runtime-import"]);
      if (runtimeImport.trim() === "") {
        resolve({ exit: ExitCode.Invalid, output: "supcon-gen: --runtime-import must not be empty\n" });
        return;
      }
      resolve({
        inputs: (argv.inputs as string[] | undefined) ?? [],
        out: String(argv.out),
        check: argv.check === true,
        watch: argv.watch === true,
        runtimeImport,
        docs: typeof argv.docs === "string" ? argv.docs : undefined,
      });
    });
  });
}

function printDiagnostics(diagnostics: readonly Diagnostic[], env: CliEnvironment): void {
  if (diagnostics.length === 0) return;
  env.stderr(diagnostics.map((d) => formatDiagnostic(d) + "\n").join(""));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) env.stderr(`supcon-gen: ${errors} error${errors === 1 ? "" : "s"}; nothing was written\n`);
}

function reportCheck(result: CompileResult, cli: CliOptions, env: CliEnvironment): number {
  const check = result.check;
  const dirs = result.outputs.map((o) => `${o.relativePath}/`).join(" and ");
  if (check === null || check.upToDate) {
    env.stdout(
      `${dirs} ${result.outputs.length > 1 ? "are" : "is"} up to date (${result.files.length} files)\n`,
    );
    return ExitCode.Ok;
  }
  const lines: string[] = [];
  for (const s of check.stale) lines.push(`stale: ${s.path}`, s.diff.trimEnd());
  for (const m of check.missing) lines.push(`missing: ${m}`);
  for (const e of check.extra) lines.push(`extra: ${e} (generated earlier; no interface produces it now)`);
  const counts = [
    `${check.stale.length} stale`,
    `${check.missing.length} missing`,
    `${check.extra.length} extra`,
  ].join(", ");
  const regenerate = [
    "supcon-gen",
    ...cli.inputs,
    "--out",
    cli.out,
    ...(cli.docs === undefined ? [] : ["--docs", cli.docs]),
  ].join(" ");
  lines.push(`supcon-gen: ${dirs} out of date (${counts}); run \`${regenerate}\` to update`);
  env.stderr(lines.join("\n") + "\n");
  return ExitCode.CheckFailed;
}

/** Most file names listed per part of a summary line; the rest are counted. */
const MAX_LISTED_FILES = 5;

/**
 * What a run wrote, one line per output folder: the files written, removed and already up to date, by name
 * (`wrote 1 file to generated/ (com.example.Timer.ts); 1 up to date (index.ts)`, or
 * `2 files up to date in generated/ (com.example.Timer.ts, index.ts)` when nothing had to change).
 */
export function summaryLines(summary: WriteSummary, outputs: readonly OutputDir[]): string[] {
  return outputs.map((out) => {
    const dir = `${out.relativePath}/`;
    // Generated files sit directly in their folder; a docs folder may be inside the code's, hence the extension.
    const mine = (files: readonly string[]): string[] =>
      files.filter((f) => f.endsWith(out.extension) && path.posix.dirname(f) === out.relativePath);
    const written = mine(summary.written);
    const removed = mine(summary.removed);
    const unchanged = mine(summary.unchanged);
    if (written.length === 0 && removed.length === 0) {
      return `${files(unchanged.length)} up to date in ${dir}${listed(unchanged)}`;
    }
    const parts: string[] = [];
    if (written.length > 0) parts.push(`wrote ${files(written.length)} to ${dir}${listed(written)}`);
    if (removed.length > 0) {
      // After "wrote ... to dir/" the folder is named already.
      const from = written.length > 0 ? "" : ` from ${dir}`;
      parts.push(`removed ${files(removed.length)}${from}${listed(removed)}`);
    }
    if (unchanged.length > 0) parts.push(`${unchanged.length} up to date${listed(unchanged)}`);
    return parts.join("; ");
  });
}

function files(n: number): string {
  return `${n} file${n === 1 ? "" : "s"}`;
}

/** ` (a.ts, b.ts)`: the base names, sorted, at most `MAX_LISTED_FILES` of them (and how many more). */
function listed(paths: readonly string[]): string {
  if (paths.length === 0) return "";
  const names = paths
    .map((p) => path.posix.basename(p))
    .sort(compareStrings)
    .slice(0, MAX_LISTED_FILES);
  const more = paths.length > MAX_LISTED_FILES ? ` and ${paths.length - MAX_LISTED_FILES} more` : "";
  return ` (${names.join(", ")}${more})`;
}

function runWatch(options: CompileOptions, env: CliEnvironment): Promise<number> {
  return new Promise((resolve) => {
    const onRun = (run: WatchRun): void => {
      const after = run.trigger === null ? "" : ` after a change of ${run.trigger}`;
      printDiagnostics(run.diagnostics, env);
      if (run.failure !== null) env.stderr(`supcon-gen: failed${after}: ${run.failure.message}\n`);
      if (run.summary !== null) {
        // The cause and the time go on the last line, after what the run wrote.
        const suffix = `${after} in ${Math.round(run.durationMs)} ms`;
        const lines = summaryLines(run.summary, run.outputs);
        env.stdout(lines.map((line, i) => (i === lines.length - 1 ? line + suffix : line) + "\n").join(""));
      }
      env.stdout("watching for changes (Ctrl-C to stop)\n");
    };
    const onError = (err: Error): void => env.stderr(`supcon-gen: watching failed: ${err.message}\n`);
    const watcher = watch({ ...options, onRun, onError });
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void watcher.close().then(() => resolve(ExitCode.Ok));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** The version of the supcon-gen package this CLI belongs to. */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "supcon-gen" && typeof pkg.version === "string") return pkg.version;
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}

if (require.main === module) {
  void runCli(hideBin(process.argv), {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
