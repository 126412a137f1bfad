/**
 * YAML syntax errors and warnings of a document, as diagnostics.
 */
import type { YAMLError } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import type { SourceDocument } from "../load.js";

/** Diagnostics for the YAML parser's errors and warnings on `doc`. */
export function checkSyntax(doc: SourceDocument): Diagnostic[] {
  const convert = (e: YAMLError, severity: Diagnostic["severity"]): Diagnostic => {
    const { line, col } = doc.linePos(Math.min(e.pos[0], doc.text.length));
    const message = e.message.replace(/\s+/g, " ").replace(/[.:]\s*$/, "");
    return { file: doc.file, line, col, severity, message: `YAML: ${lowerFirst(message)}` };
  };
  return [...doc.errors.map((e) => convert(e, "error")), ...doc.warnings.map((w) => convert(w, "warning"))];
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}
