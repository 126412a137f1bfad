/**
 * Finds the interface files below the inputs and parses them into YAML documents, keeping positions.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, isScalar, parseAllDocuments } from "yaml";
import type { Document } from "yaml";
import type { Diagnostic } from "./diagnostics.js";
import { error } from "./diagnostics.js";
import { compareStrings, displayPath } from "./paths.js";

/** An input file's text. */
export interface SourceFile {
  /** Path relative to the working directory, with forward slashes (as diagnostics and headers show it). */
  readonly path: string;
  readonly text: string;
}

/** One YAML document of an input file, with what is needed to turn offsets into line:col. */
export interface SourceDocument {
  readonly file: string;
  readonly text: string;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** The outcome of reading the inputs. */
export interface LoadResult {
  readonly sources: readonly SourceFile[];
  readonly diagnostics: readonly Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/;
/** Folders never searched: dependencies and hidden folders (`.git`) hold no interfaces of the project. */
const SKIPPED_DIRS = new Set(["node_modules"]);

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
      if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name)) out.push(...walk(full));
    } else if (YAML_FILE.test(entry.name) && (entry.isFile() || entry.isSymbolicLink())) {
      out.push(full);
    }
  }
  return out;
}

/** Reads the files found by `findInputFiles` (absolute paths). */
export function loadSources(files: readonly string[], cwd: string): LoadResult {
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

/**
 * Runs `fn` with `process.env` replaced by a plain copy. The `yaml` parser reads `process.env.LOG_TOKENS` for every
 * token, and reading `process.env` crosses into C++ each time: a quarter of the parse time. Synchronous, and the
 * original object is back before anything else can run.
 */
export function withPlainEnv<T>(fn: () => T): T {
  const env = process.env;
  try {
    process.env = { ...env };
  } catch {
    return fn();
  }
  try {
    return fn();
  } finally {
    process.env = env;
  }
}

/** Parses every YAML document of a file (documents are separated by `---`); empty documents are skipped. */
export function parseSource(source: SourceFile): SourceDocument[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const documents = Array.isArray(parsed) ? parsed : [];
  return documents
    .filter((document) => document.errors.length > 0 || !isEmptyDocument(document))
    .map((document) => ({ file: source.path, text: source.text, document, lineCounter }));
}

/** A document with nothing in it (only comments, or nothing between two `---`). */
function isEmptyDocument(document: Document.Parsed): boolean {
  const contents = document.contents;
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === "");
}
