/**
 * A fast reader for the plain subset of YAML that interface files are written in, building the same tree
 * (`yaml-tree.ts`) as the `yaml` package does (which parses about 3 MB/s: most of the compiler's time on large
 * inputs). It gives up (returns null) on anything outside the subset, and the caller parses that file with `yaml`,
 * so a file reads the same either way; `test/unit/compiler/parse/yaml-subset.test.ts` compares both on generated
 * variants.
 *
 * Why it stays (measured on 2 shared cores, 1,000 interfaces of `bench/codegen.ts`, 4.6 MB of YAML, the built CLI,
 * 3 runs each; targets: generate < 5 s, `--check` < 3 s): with this reader, generate 2.1-2.5 s and `--check`
 * 1.9-2.0 s; with `yaml` alone (this reader bypassed), generate 5.2-6.1 s and `--check` 5.7-6.9 s, missing both.
 *
 * The subset: one document whose root is a block mapping at column 0; block mappings and sequences, with compact
 * mappings in sequence items (`- name: x`); single-line flow mappings and sequences (`{ name: x }`, `[a, b]`);
 * single-line plain scalars that are strings or booleans; single-line quoted scalars without escapes; blank lines
 * and comments. Anything else (`---`, anchors, tags, aliases, block scalars, multi-line scalars, numbers, null,
 * empty values, explicit keys, tabs, CR, duplicate keys, anything `yaml` reports an error or warning for) is
 * outside it.
 */
import type { YamlMap, YamlNode, YamlPair, YamlRange, YamlScalar, YamlSeq } from "./yaml-tree.js";

/** Reads `text` into the root mapping of its one document if it is in the subset; null when it is not. */
export function parseYamlSubset(text: string): YamlMap | null {
  if (OUTSIDE_SUBSET.test(text)) return null;
  try {
    return new SubsetReader(text).document();
  } catch (err) {
    if (err === OUTSIDE) return null;
    throw err;
  }
}

/**
 * Characters and line starts that always take a file out of the subset: tabs, CR, other control characters,
 * a BOM and other non-characters, Unicode line separators (`yaml` treats U+0085, U+2028 and U+2029 specially in
 * places), backslashes and `''` (escapes in quoted scalars, which the subset does without), and document markers
 * or directives at a line start.
 */
// eslint-disable-next-line no-control-regex
const OUTSIDE_SUBSET = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\\]|''|^(?:---|\.\.\.|%)/m;

/** Thrown (and caught in `parseYamlSubset`) where the text leaves the subset. */
const OUTSIDE: unique symbol = Symbol("outside the YAML subset");

function outside(): never {
  throw OUTSIDE;
}

const NL = 10;
const SPACE = 32;
const HASH = 35;
const DQUOTE = 34;
const SQUOTE = 39;
const COMMA = 44;
const DASH = 45;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/**
 * The longest plain scalar read here. `yaml` allows an implicit key at most 1024 characters up to its `:`; keys
 * and values are scanned alike, so longer values are left to `yaml` too.
 */
const MAX_PLAIN_LENGTH = 1000;

/**
 * Plain scalars starting with these are not read: indicators (`yaml` rejects or reads them differently) and
 * the first characters of numbers, `.inf`, `.nan` and `~` (core-schema values other than strings), and `<` (of
 * merge keys `<<`).
 */
const NOT_PLAIN_START = new Set("-?:,[]{}#&*!|>'\"%@`<+.~0123456789".split("").map((c) => c.charCodeAt(0)));

const NULL_WORDS = new Set(["null", "Null", "NULL"]);
const TRUE_WORDS = new Set(["true", "True", "TRUE"]);
const FALSE_WORDS = new Set(["false", "False", "FALSE"]);

/** A scalar or flow collection read on one line, before the node is made (its range end depends on what follows). */
type Inline =
  | { readonly kind: "scalar"; readonly value: unknown; readonly style: string; readonly valueEnd: number }
  | { readonly kind: "map"; readonly items: readonly YamlPair[]; readonly valueEnd: number }
  | { readonly kind: "seq"; readonly items: readonly YamlNode[]; readonly valueEnd: number };

/** Reads one document; every method either consumes what it reads or leaves the subset. */
class SubsetReader {
  readonly #text: string;
  readonly #n: number;

  constructor(text: string) {
    this.#text = text;
    this.#n = text.length;
  }

  document(): YamlMap | null {
    const start = this.#nextContentLine(0);
    if (start >= this.#n || this.#indentAt(start) !== 0) return null;
    const map = this.#blockMap(start, 0);
    // Everything after the root mapping must be blank lines and comments, which `#nextContentLine` skips.
    if (this.#nextContentLine(map.range[2]) < this.#n) outside();
    return map;
  }

  // ---- block collections ------------------------------------------------------------------------------------

  /** A block mapping whose first key starts at `start`, in column `indent`. */
  #blockMap(start: number, indent: number): YamlMap {
    const items: YamlPair[] = [];
    const keys = new Set<string>();
    let at = start;
    let end: number;
    for (;;) {
      const key = this.#plainKey(at);
      const name = key.value as string;
      if (keys.has(name)) outside();
      keys.add(name);
      // `#plainKey` checked that a space or the end of the line follows the `:`.
      const value = this.#blockValue(key.range[1] + 1, indent);
      items.push({ key, value });
      end = value.range[2];
      const next = this.#nextContentLine(end);
      if (next >= this.#n) break;
      const nextIndent = this.#indentAt(next);
      if (nextIndent < indent) break;
      if (nextIndent > indent) outside();
      at = next + indent;
      if (this.#text.charCodeAt(at) === DASH) outside();
    }
    return { kind: "map", flow: false, items, range: [start, end, end] };
  }

  /** The value of a block mapping key whose `:` is just before `at`; `indent` is the mapping's column. */
  #blockValue(at: number, indent: number): YamlNode {
    const p = this.#skipSpaces(at);
    const c = this.#text.charCodeAt(p);
    if (p < this.#n && c !== NL && c !== HASH) return this.#inlineBlockValue(p);
    // The value is on the lines below: a nested collection, or a sequence in the mapping's own column.
    const next = this.#nextContentLine(this.#lineEnd(p));
    if (next >= this.#n) outside();
    const childIndent = this.#indentAt(next);
    const first = next + childIndent;
    if (childIndent > indent) {
      return this.#isSeqItem(first) ? this.#blockSeq(first, childIndent) : this.#blockMap(first, childIndent);
    }
    if (childIndent === indent && this.#isSeqItem(first)) return this.#blockSeq(first, childIndent);
    // An empty value (null): outside the subset.
    return outside();
  }

  /** A block sequence whose first `-` is at `start`, in column `indent`. */
  #blockSeq(start: number, indent: number): YamlSeq {
    const items: YamlNode[] = [];
    let at = start;
    let end: number;
    for (;;) {
      const p = this.#skipSpaces(at + 1);
      const c = this.#text.charCodeAt(p);
      if (p >= this.#n || c === NL || c === HASH || c === DASH) outside();
      const item = this.#startsKey(p) ? this.#blockMap(p, p - this.#lineStart(p)) : this.#inlineBlockValue(p);
      items.push(item);
      end = item.range[2];
      const next = this.#nextContentLine(end);
      if (next >= this.#n) break;
      const nextIndent = this.#indentAt(next);
      if (nextIndent < indent) break;
      if (nextIndent > indent) outside();
      at = next + indent;
      if (!this.#isSeqItem(at)) {
        // Not an item: the mapping this sequence is the value of goes on (its caller checks the line). `yaml`
        // would count comment lines before it into the sequence's range.
        if (this.#text.lastIndexOf("#", next) >= end) outside();
        break;
      }
    }
    return { kind: "seq", flow: false, items, range: [start, end, end] };
  }

  /**
   * A value that starts on the line of its key or `-`: a flow collection or a scalar, then the end of the line,
   * which `yaml` counts into its range.
   */
  #inlineBlockValue(p: number): YamlNode {
    const inline = this.#inline(p, false);
    return node(p, inline, this.#lineRest(inline.valueEnd));
  }

  // ---- flow collections and scalars -------------------------------------------------------------------------

  /** A flow collection or scalar at `p`; `flow` when inside a flow collection. */
  #inline(p: number, flow: boolean): Inline {
    const c = this.#text.charCodeAt(p);
    if (c === LBRACE) return this.#flowMap(p);
    if (c === LBRACKET) return this.#flowSeq(p);
    if (c === DQUOTE || c === SQUOTE) {
      const valueEnd = this.#quotedEnd(p);
      const value = this.#text.slice(p + 1, valueEnd - 1);
      return { kind: "scalar", value, style: c === DQUOTE ? "QUOTE_DOUBLE" : "QUOTE_SINGLE", valueEnd };
    }
    const valueEnd = this.#plainEnd(p, flow);
    return { kind: "scalar", value: this.#plainValue(p, valueEnd, false), style: "PLAIN", valueEnd };
  }

  /** `{ key: value, ... }` on one line, starting at `start`. */
  #flowMap(start: number): Inline {
    const items: YamlPair[] = [];
    const keys = new Set<string>();
    let p = this.#skipSpaces(start + 1);
    if (this.#text.charCodeAt(p) !== RBRACE) {
      for (;;) {
        const keyEnd = this.#plainEnd(p, true);
        if (this.#text.charCodeAt(keyEnd) !== COLON || keyEnd + 1 >= this.#n) outside();
        if (this.#text.charCodeAt(keyEnd + 1) !== SPACE) outside();
        const name = this.#plainValue(p, keyEnd, true) as string;
        if (keys.has(name)) outside();
        keys.add(name);
        const key: YamlScalar = { kind: "scalar", value: name, style: "PLAIN", range: [p, keyEnd, keyEnd] };
        const value = this.#flowValue(this.#skipSpaces(keyEnd + 1));
        items.push({ key, value });
        p = value.range[2];
        const c = this.#text.charCodeAt(p);
        if (c === RBRACE) break;
        if (c !== COMMA) outside();
        p = this.#skipSpaces(p + 1);
        // A trailing comma: valid YAML, but not needed in the subset.
        if (this.#text.charCodeAt(p) === RBRACE) outside();
      }
    }
    return { kind: "map", items, valueEnd: p + 1 };
  }

  /** `[item, ...]` on one line, starting at `start`. */
  #flowSeq(start: number): Inline {
    const items: YamlNode[] = [];
    let p = this.#skipSpaces(start + 1);
    if (this.#text.charCodeAt(p) !== RBRACKET) {
      for (;;) {
        const item = this.#flowValue(p);
        items.push(item);
        p = item.range[2];
        const c = this.#text.charCodeAt(p);
        if (c === RBRACKET) break;
        if (c !== COMMA) outside();
        p = this.#skipSpaces(p + 1);
        if (this.#text.charCodeAt(p) === RBRACKET) outside();
      }
    }
    return { kind: "seq", items, valueEnd: p + 1 };
  }

  /** A value inside a flow collection; `yaml` counts the spaces after it into its range. */
  #flowValue(p: number): YamlNode {
    const inline = this.#inline(p, true);
    const end = this.#skipSpaces(inline.valueEnd);
    const next = this.#text.charCodeAt(end);
    // Only `,` or the closing bracket may follow a value (a `:` would make a pair in a sequence).
    if (next !== COMMA && next !== RBRACE && next !== RBRACKET) outside();
    return node(p, inline, end);
  }

  /** The key of a block mapping entry at `p` (a plain string followed by `:` and a space or the line end). */
  #plainKey(p: number): YamlScalar {
    if (!this.#startsKey(p)) outside();
    const keyEnd = this.#plainEnd(p, false);
    return {
      kind: "scalar",
      value: this.#plainValue(p, keyEnd, true),
      style: "PLAIN",
      range: [p, keyEnd, keyEnd],
    };
  }

  /** True when a plain key and its `:` (followed by a space or the line end) start at `p`. */
  #startsKey(p: number): boolean {
    if (NOT_PLAIN_START.has(this.#text.charCodeAt(p))) return false;
    const end = this.#plainEnd(p, false);
    return this.#text.charCodeAt(end) === COLON;
  }

  /**
   * The end of the plain scalar starting at `p`, without trailing spaces: before a `:` followed by a space (or
   * the line end, or in flow context a flow indicator), before ` #`, at the line end and, in flow context, before
   * a flow indicator. What stops it is for the caller to check.
   */
  #plainEnd(p: number, flow: boolean): number {
    const text = this.#text;
    if (p >= this.#n || NOT_PLAIN_START.has(text.charCodeAt(p))) outside();
    let i = p;
    let valueEnd = p;
    for (; i < this.#n; i++) {
      const c = text.charCodeAt(i);
      if (c === NL) break;
      if (c === COLON) {
        const next = i + 1 < this.#n ? text.charCodeAt(i + 1) : NL;
        if (next === SPACE || next === NL || (flow && isFlowIndicator(next))) break;
      } else if (c === HASH) {
        if (text.charCodeAt(i - 1) === SPACE) break;
      } else if (flow && isFlowIndicator(c)) {
        break;
      }
      if (c !== SPACE) valueEnd = i + 1;
    }
    // A `:` after spaces (`key : value`) is read differently by `yaml` in places; not needed in the subset.
    if (text.charCodeAt(i) === COLON && valueEnd !== i) outside();
    if (valueEnd === p || valueEnd - p > MAX_PLAIN_LENGTH) outside();
    return valueEnd;
  }

  /**
   * The value of the plain scalar `text[p, valueEnd)` by `yaml`'s core schema: a string or a boolean (other
   * values are outside the subset). A key must be a string.
   */
  #plainValue(p: number, valueEnd: number, isKey: boolean): string | boolean {
    const source = this.#text.slice(p, valueEnd);
    if (NULL_WORDS.has(source)) outside();
    const value = TRUE_WORDS.has(source) ? true : FALSE_WORDS.has(source) ? false : source;
    if (isKey && typeof value !== "string") outside();
    return value;
  }

  /** The offset after the closing quote of the quoted scalar at `p` (on the same line). */
  #quotedEnd(p: number): number {
    const quote = this.#text.charCodeAt(p);
    const close = this.#text.indexOf(quote === DQUOTE ? '"' : "'", p + 1);
    if (close < 0) outside();
    const nl = this.#text.indexOf("\n", p + 1);
    if (nl >= 0 && nl < close) outside();
    return close + 1;
  }

  // ---- lines ----------------------------------------------------------------------------------------------

  /**
   * After a block value ending at `p`: trailing spaces, a comment and the newline, which `yaml` counts into the
   * value's range; returns the offset after them. Anything else on the line leaves the subset.
   */
  #lineRest(p: number): number {
    const q = this.#skipSpaces(p);
    if (q >= this.#n) return q;
    const c = this.#text.charCodeAt(q);
    if (c === HASH && q > p) return this.#afterLine(q);
    if (c === NL) return q + 1;
    return outside();
  }

  /**
   * The start of the next line that is neither blank nor only a comment, from the line start `p`; or the end.
   * Comment lines must be indented as that line (or, at the end, not at all): `yaml` counts others into the range
   * of the value before them.
   */
  #nextContentLine(p: number): number {
    let line = p;
    let commentIndent = -1;
    while (line < this.#n) {
      const q = this.#skipSpaces(line);
      const c = this.#text.charCodeAt(q);
      if (q < this.#n && c !== NL && c !== HASH) {
        if (commentIndent >= 0 && commentIndent !== q - line) outside();
        return line;
      }
      if (c === HASH) {
        if (commentIndent >= 0 && commentIndent !== q - line) outside();
        commentIndent = q - line;
      }
      line = this.#afterLine(q);
    }
    if (commentIndent > 0) outside();
    return this.#n;
  }

  #isSeqItem(p: number): boolean {
    if (this.#text.charCodeAt(p) !== DASH) return false;
    const next = p + 1 < this.#n ? this.#text.charCodeAt(p + 1) : NL;
    if (next === SPACE) return true;
    // `-` alone on a line: an empty item or one on the next lines; outside the subset.
    return next === NL ? outside() : false;
  }

  #skipSpaces(p: number): number {
    let q = p;
    while (q < this.#n && this.#text.charCodeAt(q) === SPACE) q++;
    return q;
  }

  #indentAt(lineStart: number): number {
    return this.#skipSpaces(lineStart) - lineStart;
  }

  #lineStart(p: number): number {
    return this.#text.lastIndexOf("\n", p - 1) + 1;
  }

  #lineEnd(p: number): number {
    const nl = this.#text.indexOf("\n", p);
    return nl < 0 ? this.#n : nl;
  }

  /** The offset after the newline ending the line of `p` (or the end of the text). */
  #afterLine(p: number): number {
    const nl = this.#text.indexOf("\n", p);
    return nl < 0 ? this.#n : nl + 1;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/** The node of what `#inline` read at `start`, ending at `end`. */
function node(start: number, inline: Inline, end: number): YamlNode {
  const range: YamlRange = [start, inline.valueEnd, end];
  if (inline.kind === "scalar") return { kind: "scalar", value: inline.value, style: inline.style, range };
  if (inline.kind === "map") return { kind: "map", flow: true, items: inline.items, range };
  return { kind: "seq", flow: true, items: inline.items, range };
}
