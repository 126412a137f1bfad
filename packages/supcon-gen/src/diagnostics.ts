/**
 * Diagnostics: what the compiler tells the user about their interface files.
 *
 * User mistakes are data (`Diagnostic`), never exceptions; `InternalCompilerError` is thrown only for our own bugs.
 */
export { didYouMean } from "supcon/schema";

/** How bad a diagnostic is: any error stops generation; warnings are printed and generation goes on. */
export type Severity = "error" | "warning";

/** A position in an input file. `line` and `col` are 1-based; 0 means "the file as a whole". */
export interface Span {
  /** Path of the file relative to the working directory, with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One message about the input, printed as `file:line:col: error: message`. */
export interface Diagnostic extends Span {
  readonly severity: Severity;
  /** What is wrong and what to do about it; no trailing period. */
  readonly message: string;
}

/** Creates an error diagnostic at `span`. */
export function error(span: Span, message: string): Diagnostic {
  return { file: span.file, line: span.line, col: span.col, severity: "error", message };
}

/** Creates a warning diagnostic at `span`. */
export function warning(span: Span, message: string): Diagnostic {
  return { file: span.file, line: span.line, col: span.col, severity: "warning", message };
}

/** `path/file.yaml:LINE:COL: error: message` (or `path: error: message` for a diagnostic about a whole file). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  return `${where}: ${d.severity}: ${d.message}`;
}

/** `file:line:col` of a span, for messages that cite another location. */
export function formatSpan(span: Span): string {
  return span.line > 0 ? `${span.file}:${span.line}:${span.col}` : span.file;
}

/** Compares spans by file, line, column (code-unit order, so the result does not depend on the locale). */
export function compareSpans(a: Span, b: Span): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}

/** Diagnostics sorted by file, line and column (then message), without exact duplicates. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(
    (a, b) => compareSpans(a, b) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
  return sorted.filter(
    (d, i) => i === 0 || formatDiagnostic(d) !== formatDiagnostic(sorted[i - 1] as Diagnostic),
  );
}

/** True when at least one diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** A bug in the compiler itself (never a mistake in the user's input). */
export class InternalCompilerError extends Error {
  override name = "InternalCompilerError";
}
