/**
 * Finds the interface files below the inputs and parses them into YAML documents, keeping positions.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as Yaml from "yaml";
import type { YAMLError, YAMLWarning } from "yaml";
import type { Diagnostic } from "./diagnostics.js";
import { InternalCompilerError, error } from "./diagnostics.js";
import { compareStrings, displayPath } from "./paths.js";
import { parseYamlSubset } from "./yaml-subset.js";
import type { LinePos, YamlAlias, YamlNode, YamlPair, YamlRange } from "./yaml-tree.js";
import { linePositions } from "./yaml-tree.js";

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
  /** The root node; null for a document with nothing in it. */
  readonly contents: YamlNode | null;
  /** What the YAML parser reported. */
  readonly errors: readonly YAMLError[];
  readonly warnings: readonly YAMLWarning[];
  /** The 1-based line and column of an offset into `text`. */
  readonly linePos: (offset: number) => LinePos;
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
 * Parses every YAML document of a file (documents are separated by `---`); empty documents are skipped. A file in
 * the plain subset of YAML most interface files are written in is read by `parseYamlSubset`, several times faster
 * and into the same tree; any other file by `yaml`.
 */
export function parseSource(source: SourceFile): SourceDocument[] {
  const contents = parseYamlSubset(source.text);
  if (contents !== null) {
    const linePos = linePositions(source.text);
    return [{ file: source.path, text: source.text, contents, errors: [], warnings: [], linePos }];
  }
  const yaml = loadYaml();
  const lineCounter = new yaml.LineCounter();
  const parsed = withPlainEnv(() =>
    yaml.parseAllDocuments(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true }),
  );
  const documents = Array.isArray(parsed) ? parsed : [];
  return documents
    .filter((document) => document.errors.length > 0 || !isEmptyDocument(yaml, document))
    .map((document) => ({
      file: source.path,
      text: source.text,
      contents: yamlTree(yaml, document),
      errors: document.errors,
      warnings: document.warnings,
      linePos: lineCounter.linePos,
    }));
}

let loadedYaml: typeof Yaml | undefined;

function loadYaml(): typeof Yaml {
  // Loaded on first use: files in the subset never need it, and requiring it takes about 30 ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loadedYaml ??= require("yaml") as typeof Yaml;
  return loadedYaml;
}

/**
 * Runs `fn` with `process.env` replaced by a plain copy. The `yaml` parser reads `process.env.LOG_TOKENS` for every
 * token, and reading `process.env` crosses into C++ each time: a quarter of the parse time. Synchronous, and the
 * original object is back before anything else can run.
 */
function withPlainEnv<T>(fn: () => T): T {
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

/** A document with nothing in it (only comments, or nothing between two `---`). */
function isEmptyDocument(yaml: typeof Yaml, document: Yaml.Document.Parsed): boolean {
  const contents = document.contents;
  return contents === null || (yaml.isScalar(contents) && contents.value === null && contents.source === "");
}

/**
 * The tree of a document parsed by `yaml`. An alias keeps the node its anchor names; each node is converted once,
 * so what aliases share (even cyclically) stays shared.
 */
export function yamlTree(yaml: typeof Yaml, document: Yaml.Document.Parsed): YamlNode | null {
  const converted = new Map<unknown, YamlNode>();
  const rangeOf = (node: Yaml.Node): YamlRange => {
    if (node.range === undefined || node.range === null) {
      throw new InternalCompilerError("a parsed YAML node without a range");
    }
    return node.range;
  };
  const convert = (node: unknown): YamlNode | null => {
    if (node === null || node === undefined) return null;
    const done = converted.get(node);
    if (done !== undefined) return done;
    if (yaml.isScalar(node)) {
      const scalar: YamlNode = { kind: "scalar", value: node.value, style: node.type, range: rangeOf(node) };
      converted.set(node, scalar);
      return scalar;
    }
    if (yaml.isMap(node)) {
      const items: YamlPair[] = [];
      const map: YamlNode = { kind: "map", flow: node.flow === true, items, range: rangeOf(node) };
      converted.set(node, map);
      for (const pair of node.items) items.push({ key: convert(pair.key), value: convert(pair.value) });
      return map;
    }
    if (yaml.isSeq(node)) {
      const items: (YamlNode | null)[] = [];
      const seq: YamlNode = { kind: "seq", flow: node.flow === true, items, range: rangeOf(node) };
      converted.set(node, seq);
      for (const item of node.items) items.push(convert(item));
      return seq;
    }
    if (yaml.isAlias(node)) {
      const alias: { -readonly [K in keyof YamlAlias]: YamlAlias[K] } = {
        kind: "alias",
        target: null,
        range: rangeOf(node),
      };
      converted.set(node, alias);
      const target = convert(node.resolve(document));
      if (target?.kind === "alias") throw new InternalCompilerError("an alias resolved to an alias");
      alias.target = target;
      return alias;
    }
    throw new InternalCompilerError(`an unexpected YAML node: ${String(node)}`);
  };
  return convert(document.contents);
}
