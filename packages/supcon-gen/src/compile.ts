/**
 * The compiler as a function: inputs → diagnostics and generated files (and, for `check`, how the output folder
 * differs). It reads the inputs (and, for `check`, the output folders) but writes nothing; `write.ts` does.
 */
import * as path from "node:path";
import type { InterfaceAst } from "./ast.js";
import { createProgram } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { hasErrors, sortDiagnostics } from "./diagnostics.js";
import { renderDocs } from "./docs.js";
import { formatTypeScript, normalizeLayout } from "./emit/format.js";
import { createRender } from "./emit/render.js";
import { indexView } from "./emit/view-model.js";
import { findInputFiles, readSources } from "./inputs.js";
import type { Model } from "./model/model.js";
import { resolveProgram } from "./model/resolve.js";
import type { SourceFile } from "./parse/parse-yaml.js";
import { displayPath } from "./paths.js";
import { analyzeFile, emitModule } from "./stages.js";
import { unifiedDiff } from "./unified-diff.js";
import { checkProgramClashes } from "./validate/clashes.js";
import { checkUniqueInterfaceNames } from "./validate/names.js";
import type { GeneratedFile, OutputDir } from "./write.js";
import { foreignFileDiagnostics, isUpToDate, planOutput } from "./write.js";

/** The runtime module generated code imports by default: the package name. */
export const DEFAULT_RUNTIME_IMPORT = "supcon";

/** Options of `compile()`. */
export interface CompileOptions {
  /** Folders (searched recursively for `*.yaml`/`*.yml`) and files, relative to `cwd`. */
  readonly inputs: readonly string[];
  /** The folder of the generated modules, relative to `cwd`. */
  readonly out: string;
  /** Compare with the files in `out` (and `docs`) instead of producing files to write. @default false */
  readonly check?: boolean;
  /** The module generated code imports the runtime from. @default "supcon" */
  readonly runtimeImport?: string;
  /** A folder for Markdown reference pages, relative to `cwd`; none when absent. */
  readonly docs?: string;
  /** The folder paths are relative to, in options, diagnostics and headers. @default process.cwd() */
  readonly cwd?: string;
}

/** A stale file of a check, with a short unified diff (on disk → generated). */
export interface StaleFile {
  readonly path: string;
  readonly diff: string;
}

/** How the output folders differ from what the inputs generate (paths relative to `cwd`). */
export interface CheckResult {
  readonly upToDate: boolean;
  readonly stale: readonly StaleFile[];
  readonly missing: readonly string[];
  /** Files carrying our header that no interface generates any more. */
  readonly extra: readonly string[];
}

/** The outcome of `compile()`. */
export interface CompileResult {
  /** Errors and warnings, sorted by file, line and column. With any error, `files` is empty. */
  readonly diagnostics: readonly Diagnostic[];
  /** The generated files: one module per interface, `index.ts`, and the docs pages if asked for. */
  readonly files: readonly GeneratedFile[];
  /** The folders the compiler owns files in (where stale generated files are removed). */
  readonly outputs: readonly OutputDir[];
  /** With `check`: how the output differs from the disk; otherwise null. */
  readonly check: CheckResult | null;
}

/** Compiles the interface files below `options.inputs`. */
export function compile(options: CompileOptions): CompileResult {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const found = findInputFiles(options.inputs, cwd);
  const loaded = readSources(found.files, cwd);
  return compileSources(loaded.sources, options, [...found.diagnostics, ...loaded.diagnostics]);
}

/** Compiles sources already read (tests use it); `earlier` are diagnostics of reading them. */
export function compileSources(
  sources: readonly SourceFile[],
  options: CompileOptions,
  earlier: readonly Diagnostic[] = [],
): CompileResult {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const outputs = outputDirs(options, cwd);
  const analysis = analyze(sources);
  const diagnostics = sortDiagnostics([...earlier, ...analysis.diagnostics]);
  if (hasErrors(diagnostics) || analysis.model === null) {
    return { diagnostics, files: [], outputs, check: null };
  }
  const inputs = options.inputs.map((i) => displayPath(path.resolve(cwd, i), cwd));
  const files = emitFiles(analysis.model, options, inputs, cwd);
  if (options.check !== true) return { diagnostics, files, outputs, check: null };

  const plan = planOutput(files, outputs, cwd);
  const foreign = foreignFileDiagnostics(plan);
  if (foreign.length > 0)
    return { diagnostics: sortDiagnostics([...diagnostics, ...foreign]), files, outputs, check: null };
  const check: CheckResult = {
    upToDate: isUpToDate(plan),
    stale: plan.stale.map(({ file, current }) => ({
      path: file.relativePath,
      diff: unifiedDiff(current, file.content, {
        oldLabel: `${file.relativePath} (on disk)`,
        newLabel: `${file.relativePath} (generated)`,
      }),
    })),
    missing: plan.missing.map((f) => f.relativePath),
    extra: plan.extra.map((f) => f.relativePath),
  };
  return { diagnostics, files, outputs, check };
}

/** Parses, validates and resolves sources; the model is returned only when there is no error. */
export function analyze(sources: readonly SourceFile[]): {
  readonly diagnostics: readonly Diagnostic[];
  readonly model: Model | null;
} {
  const diagnostics: Diagnostic[] = [];
  const interfaces: InterfaceAst[] = [];
  for (const file of sources.map(analyzeFile)) {
    diagnostics.push(...file.diagnostics);
    interfaces.push(...file.interfaces);
  }
  const program = createProgram(interfaces);
  // The checks of single interfaces ran with the parsing (`analyzeFile`); these need all of them. The resolve pass
  // is the one place types are resolved: it reports what does not resolve and builds the model from the rest.
  const resolution = resolveProgram(program);
  diagnostics.push(
    ...checkUniqueInterfaceNames(program),
    ...resolution.diagnostics,
    ...checkProgramClashes(program),
  );
  return { diagnostics, model: hasErrors(diagnostics) ? null : resolution.model };
}

function outputDirs(options: CompileOptions, cwd: string): OutputDir[] {
  const out = path.resolve(cwd, options.out);
  const dirs: OutputDir[] = [{ dir: out, relativePath: displayPath(out, cwd), extension: ".ts" }];
  if (options.docs !== undefined) {
    const docs = path.resolve(cwd, options.docs);
    dirs.push({ dir: docs, relativePath: displayPath(docs, cwd), extension: ".md" });
  }
  return dirs;
}

function emitFiles(
  model: Model,
  options: CompileOptions,
  inputs: readonly string[],
  cwd: string,
): GeneratedFile[] {
  const render = createRender();
  const out = path.resolve(cwd, options.out);
  const file = (dir: string, name: string, content: string): GeneratedFile => {
    const abs = path.join(dir, name);
    return { path: abs, relativePath: displayPath(abs, cwd), content };
  };
  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const files = model.interfaces.map((intf) =>
    file(out, `${intf.moduleName}.ts`, emitModule(intf, runtimeImport, render)),
  );
  files.push(
    file(out, "index.ts", formatTypeScript(render("index.ts", indexView(model.interfaces, inputs)))),
  );
  if (options.docs !== undefined) {
    const docs = path.resolve(cwd, options.docs);
    for (const [name, content] of renderDocs(model, inputs, render))
      files.push(file(docs, name, normalizeLayout(content)));
  }
  return files;
}
