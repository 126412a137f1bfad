/**
 * The per-file and per-module stages of the compiler, independent of each other.
 *
 * They run on the calling thread. Sharing them with a worker thread was measured to cost about what it saved on
 * two cores, once parsing was cheap (`yaml-subset.ts`): syntax trees and models must be copied between the
 * threads, and both threads' garbage collectors compete for the same cores.
 */
import type { InterfaceAst } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { hasErrors } from "./diagnostics.js";
import { formatTypeScript } from "./emit/format.js";
import type { Render } from "./emit/render.js";
import { renderModule } from "./emit/view-model.js";
import type { ModelInterface } from "./model/model.js";
import type { SourceFile } from "./parse/parse-yaml.js";
import { parseSource, syntaxDiagnostics } from "./parse/parse-yaml.js";
import { readInterface } from "./parse/read-interface.js";
import { checkModuleClashes } from "./validate/clashes.js";
import { checkInterfaceNames } from "./validate/names.js";
import { checkReferences } from "./validate/references.js";

/** What one input file contains. */
export interface FileAnalysis {
  readonly interfaces: readonly InterfaceAst[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses one file, reads each of its documents into an interface and checks what can be checked without the
 * other interfaces, with the diagnostics of all three steps.
 */
export function analyzeFile(source: SourceFile): FileAnalysis {
  const diagnostics: Diagnostic[] = [];
  const interfaces: InterfaceAst[] = [];
  for (const doc of parseSource(source)) {
    const syntax = syntaxDiagnostics(doc);
    diagnostics.push(...syntax);
    // A document with syntax errors is not read further: its tree would only produce confusing follow-ups.
    if (hasErrors(syntax)) continue;
    const read = readInterface(doc);
    diagnostics.push(...read.diagnostics);
    if (read.intf === null) continue;
    interfaces.push(read.intf);
    // The checks that need no other interface run per file, as soon as it is read.
    diagnostics.push(
      ...checkInterfaceNames(read.intf),
      ...checkReferences(read.intf),
      ...checkModuleClashes(read.intf),
    );
  }
  return { interfaces, diagnostics };
}

/** The formatted TypeScript module of one interface. */
export function emitModule(intf: ModelInterface, runtimeImport: string, render: Render): string {
  return formatTypeScript(renderModule(intf, { runtimeImport }, render));
}
