/**
 * Parsing: the text of an input file into its YAML documents, keeping positions, and the YAML parser's errors and
 * warnings as diagnostics. Pure: the text comes from `inputs.ts` (or a test).
 */
import type * as Yaml from "yaml";
import type { YAMLError, YAMLWarning } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import { InternalCompilerError } from "../diagnostics.js";
import { restateIndentationError, yamlMessage } from "./indentation.js";
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
  // Required on first use, not imported: files in the subset never need it, and loading it takes about 30 ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require("yaml") as typeof Yaml;
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

/**
 * Diagnostics for the YAML parser's errors and warnings on `doc`. Indentation mistakes are said at the token
 * mis-indented, with the columns that would fit (`indentation.ts`).
 */
export function syntaxDiagnostics(doc: SourceDocument): Diagnostic[] {
  const convert = (e: YAMLError, severity: Diagnostic["severity"]): Diagnostic => {
    const restated = restateIndentationError(doc.text, e);
    const offset = restated?.offset ?? e.pos[0];
    const { line, col } = doc.linePos(Math.min(offset, doc.text.length));
    return { file: doc.file, line, col, severity, message: `YAML: ${restated?.message ?? yamlMessage(e)}` };
  };
  // A key indented too deep is also reported as a "nested mapping in a compact mapping" at the value before it;
  // once the multi-line key is restated as the indentation mistake it is, that one only repeats it.
  const restatedAt = new Set(
    doc.errors
      .filter((e) => e.code === "MULTILINE_IMPLICIT_KEY" && restateIndentationError(doc.text, e) !== null)
      .map((e) => e.pos[0]),
  );
  const errors = doc.errors.filter((e) => !(e.code === "BLOCK_AS_IMPLICIT_KEY" && restatedAt.has(e.pos[0])));
  return [...errors.map((e) => convert(e, "error")), ...doc.warnings.map((w) => convert(w, "warning"))];
}
