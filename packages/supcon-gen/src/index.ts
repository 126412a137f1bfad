/**
 * The compiler as a library (`supcon/compiler`): `compile({ inputs, out, check })` returns the diagnostics and the
 * generated files; `writeOutput` writes them.
 */
export { DEFAULT_RUNTIME_IMPORT, analyze, compile, compileSources } from "./compile.js";
export type { CheckResult, CompileOptions, CompileResult, StaleFile } from "./compile.js";
export { formatDiagnostic, hasErrors, sortDiagnostics } from "./diagnostics.js";
export type { Diagnostic, Severity, Span } from "./diagnostics.js";
export type { SourceFile } from "./parse/parse-yaml.js";
export type { Model, ModelInterface } from "./model/model.js";
export { watch } from "./watch.js";
export type { WatchOptions, WatchRun, Watcher } from "./watch.js";
export { applyPlan, planOutput, writeOutput } from "./write.js";
export type { GeneratedFile, OutputDir, OutputPlan, WriteSummary } from "./write.js";
