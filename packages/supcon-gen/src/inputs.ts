/**
 * The inputs on disk: finds the interface files below the folders given and reads them. Only this module, `write.ts`
 * (the output), `watch.ts` and `cli.ts` touch the file system (and `emit/render.ts`, for the package's own
 * templates); every stage after it is a pure function of the texts read here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { error } from "./diagnostics.js";
import type { SourceFile } from "./parse/parse-yaml.js";
import { compareStrings, displayPath } from "./paths.js";

/** The outcome of reading the inputs. */
export interface ReadSourcesResult {
  readonly sources: readonly SourceFile[];
  readonly diagnostics: readonly Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/;
/** Folders never searched: dependencies and hidden folders (`.git`) hold no interfaces of the project. */
const SKIPPED_DIRS = new Set(["node_modules"]);

/** True for the name of a file a searched folder contributes: `*.yaml` or `*.yml`. */
export function isInterfaceFileName(name: string): boolean {
  return YAML_FILE.test(name);
}

/** True for the name of a folder below an input that is searched (not hidden, not `node_modules`). */
export function isSearchedDirName(name: string): boolean {
  return !name.startsWith(".") && !SKIPPED_DIRS.has(name);
}

/**
 * Absolute paths of the interface files below `inputs` (folders are searched recursively for `*.yaml`/`*.yml`;
 * files are taken as given), sorted by display path and without duplicates. Inputs are relative to `cwd`.
 */
export function findInputFiles(
  inputs: readonly string[],
  cwd: string,
): { readonly files: readonly string[]; readonly diagnostics: readonly Diagnostic[] } {
  const files = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const where = { file: displayPath(abs, cwd), line: 0, col: 0 };
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      diagnostics.push(
        error(where, "no such file or folder; give a folder of interface files or a YAML file"),
      );
      continue;
    }
    if (stat.isDirectory()) {
      const found = walk(abs);
      if (found.length === 0) {
        diagnostics.push(error(where, "no *.yaml or *.yml files below this folder; is it the right input?"));
      }
      for (const f of found) files.add(f);
    } else {
      files.add(abs);
    }
  }
  const sorted = [...files].sort((a, b) => compareStrings(displayPath(a, cwd), displayPath(b, cwd)));
  return { files: sorted, diagnostics };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (isSearchedDirName(entry.name)) out.push(...walk(full));
    } else if (isInterfaceFileName(entry.name) && (entry.isFile() || entry.isSymbolicLink())) {
      out.push(full);
    }
  }
  return out;
}

/** Reads the files found by `findInputFiles` (absolute paths). */
export function readSources(files: readonly string[], cwd: string): ReadSourcesResult {
  const sources: SourceFile[] = [];
  const problems: Diagnostic[] = [];
  for (const abs of files) {
    const file = displayPath(abs, cwd);
    try {
      sources.push({ path: file, text: fs.readFileSync(abs, "utf8") });
    } catch (err) {
      problems.push(error({ file, line: 0, col: 0 }, `cannot read the file: ${(err as Error).message}`));
    }
  }
  return { sources, diagnostics: problems };
}
