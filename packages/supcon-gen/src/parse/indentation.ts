/**
 * YAML errors about indentation, said where the mistake is and with the columns that would fit. The `yaml` parser
 * reports a misaligned key at the start of its line (column 1, in the indentation), and a key indented too deep as
 * a "multi-line implicit key" at the value before it; the user needs the column of the token they mis-indented and
 * the columns of the keys (or items) above it that it could line up with.
 */
import type { YAMLError } from "yaml";

/** A YAML parser error, restated: where (an offset into the text) and what. */
export interface RestatedError {
  readonly offset: number;
  readonly message: string;
}

/** A key or sequence item above the mistake that the mis-indented token could line up with. */
interface Anchor {
  /** 1-based column. */
  readonly col: number;
  /** 1-based line. */
  readonly line: number;
  /** `'name'`, or `the item`. */
  readonly what: string;
}

/** One line's structure: where its `-` markers and its key start (0-based columns). */
interface LineShape {
  readonly dashes: readonly number[];
  readonly key: { readonly col: number; readonly name: string } | null;
  /** The column of the line's first token. */
  readonly first: number;
}

/** A key at the start of (what follows the markers of) a line: `name:`, `"name":`. */
const KEY = /^(?:"([^"]*)"|'([^']*)'|([^\s#'"{[\]},&*!|>%@`-][^#:]*?|-[^\s#:][^#:]*?))\s*:(?:\s|$)/;

/**
 * The parser's error `e` restated when it is about indentation (items that do not start at the same column, a key
 * indented deeper than the one before it, a "sequence item without - indicator"); for other errors only an offset
 * inside the indentation of a line is moved to the line's first token, and null when nothing changes.
 */
export function restateIndentationError(text: string, e: YAMLError): RestatedError | null {
  const raw = text.split("\n");
  const lines = raw.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const starts: number[] = [];
  let at = 0;
  for (const l of raw) {
    starts.push(at);
    at += l.length + 1;
  }
  const lineOf = (offset: number): number => {
    let i = 0;
    while (i + 1 < starts.length && (starts[i + 1] as number) <= offset) i++;
    return i;
  };
  const message = yamlMessage(e);

  if (e.code === "MULTILINE_IMPLICIT_KEY") {
    // `- name: timer` then `   type: string` indented deeper: `timer type` reads as one multi-line key.
    const valueLine = lineOf(e.pos[0]);
    const keyLine = lineOf(Math.max(e.pos[0], e.pos[1] - 1));
    const owner = shapeOf(lines[valueLine] ?? "").key;
    const shape = shapeOf(lines[keyLine] ?? "");
    if (keyLine === valueLine || owner === null || shape.key === null || shape.key.col <= owner.col)
      return null;
    const offset = (starts[keyLine] as number) + shape.key.col;
    return {
      offset,
      message:
        `wrong indentation: '${shape.key.name}' is indented deeper than '${owner.name}' on line ${valueLine + 1}, ` +
        `so YAML reads it as part of the value of '${owner.name}'; indent it to column ${owner.col + 1}, ` +
        `as '${owner.name}'`,
    };
  }

  const line = lineOf(e.pos[0]);
  const shape = shapeOf(lines[line] ?? "");
  const offset = Math.max(e.pos[0], (starts[line] as number) + shape.first);
  // `BAD_INDENT` also stands for other things (a flow collection not closed); only these are about alignment.
  const indentation =
    (e.code === "BAD_INDENT" && message.includes("must start at the same column")) ||
    (e.code === "MISSING_CHAR" && message.includes("without - indicator"));
  if (!indentation) return offset === e.pos[0] ? null : { offset, message };
  const isItem = shape.dashes[0] === shape.first;
  const col = shape.first;
  const token = isItem ? "the item" : shape.key !== null ? `'${shape.key.name}'` : "this line";
  const fits = anchorsAbove(lines, line, isItem, col);
  const hint =
    fits.length === 0
      ? ""
      : "; indent it to " +
        fits.map((a) => `column ${a.col}, as ${a.what} on line ${a.line}`).join(", or to ");
  return {
    offset,
    message: `wrong indentation of ${token} at column ${col + 1} (${message})${hint}`,
  };
}

/**
 * The keys (or, for an item, the `-` markers) on the lines above `line` that enclose it, and so that a token at
 * `col` could line up with: the nearest at a deeper column first, then the nearest at a shallower one.
 */
function anchorsAbove(lines: readonly string[], line: number, isItem: boolean, col: number): Anchor[] {
  const chain: Anchor[] = [];
  let limit = Infinity;
  for (let i = line - 1; i >= 0 && limit > 0; i--) {
    const text = lines[i] ?? "";
    if (/^\s*(#|$)/.test(text)) continue;
    const shape = shapeOf(text);
    const start = isItem ? shape.dashes[0] : shape.key?.col;
    if (start !== undefined && start < limit) {
      chain.push({ col: start + 1, line: i + 1, what: isItem ? "the item" : `'${shape.key?.name ?? ""}'` });
      limit = start;
    }
    // Only what starts left of this line can enclose it; a sequence may sit in its key's own column, so a key
    // in the column of a `-` still can.
    const encloses = !isItem && shape.dashes[0] === shape.first ? shape.first + 1 : shape.first;
    if (encloses < limit) limit = encloses;
  }
  const deeper = chain.filter((a) => a.col > col + 1).sort((a, b) => a.col - b.col)[0];
  const shallower = chain.filter((a) => a.col < col + 1).sort((a, b) => b.col - a.col)[0];
  return [deeper, shallower].filter((a): a is Anchor => a !== undefined);
}

function shapeOf(text: string): LineShape {
  const dashes: number[] = [];
  let p = text.length - text.trimStart().length;
  const first = p;
  while (text[p] === "-" && (p + 1 === text.length || text[p + 1] === " ")) {
    dashes.push(p);
    p++;
    while (text[p] === " ") p++;
  }
  const m = KEY.exec(text.slice(p));
  const name = m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
  return { dashes, key: name === undefined ? null : { col: p, name: name.trim() }, first };
}

/** The parser's message as a diagnostic says it: on one line, starting in lower case, without a final period. */
export function yamlMessage(e: YAMLError): string {
  const message = e.message.replace(/\s+/g, " ").replace(/[.:]\s*$/, "");
  return /^[A-Z][a-z]/.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message;
}
