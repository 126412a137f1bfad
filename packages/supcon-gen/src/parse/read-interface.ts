/**
 * The reader: a YAML document into an `InterfaceAst`, reporting unknown keys (with "did you mean"), values of the
 * wrong kind and missing names. What cannot be read is left out of the tree, so later checks do not repeat the
 * problem.
 */
import { parseSeedDescription, parseTypeExpr } from "supcon/schema";
import type { ArgAst, ErrorAst, EventAst, InterfaceAst, MethodAst, Str, TypeAst } from "../ast.js";
import { spanAt } from "../ast.js";
import type { Diagnostic, Span } from "../diagnostics.js";
import { didYouMean, error } from "../diagnostics.js";
import type { SourceDocument } from "./parse-yaml.js";
import type { YamlMap, YamlNode, YamlPair, YamlScalar } from "./yaml-tree.js";
import { isAlias, isMap, isScalar, isSeq } from "./yaml-tree.js";

/** The keys each part of an interface file may have, in the order the documentation lists them. */
export const ALLOWED_KEYS = {
  interface: ["name", "description", "types", "errors", "events", "methods"],
  type: ["name", "description", "fields", "enum"],
  error: ["name", "description"],
  event: ["name", "description", "args"],
  method: ["name", "description", "inArgs", "outArgs", "errors"],
  arg: ["name", "type", "description", "optional"],
  argValue: ["type", "description", "optional"],
} as const;

/** The outcome of reading one document. */
export interface ReadResult {
  /** The interface, or null when the document is not a mapping at all. */
  readonly intf: InterfaceAst | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads one YAML document (already free of syntax errors) into an interface. */
export function readInterface(doc: SourceDocument): ReadResult {
  const reader = new Reader(doc);
  const intf = reader.interface();
  return { intf, diagnostics: reader.diagnostics };
}

type Value = YamlNode | null;

/** How messages name a list of arguments and its entries. */
interface ArgsContext {
  /** The list: `'inArgs' of method 'add'`. */
  readonly list: string;
  /** One entry: `in-argument`, `field`. */
  readonly item: string;
  /** Its owner: `method 'add'`. */
  readonly owner: string;
}

/** How an argument is written: an entry of a list (`- { name: x, type: int }`), or a key of the seed's map form. */
type ArgForm = "list" | "map";

interface Entry {
  readonly key: YamlScalar;
  readonly value: Value;
}

/** Reads the parts of one document; collects diagnostics as it goes. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  readonly #doc: SourceDocument;

  constructor(doc: SourceDocument) {
    this.#doc = doc;
  }

  interface(): InterfaceAst | null {
    const root = this.#resolve(this.#doc.contents);
    const span = this.#span(root);
    if (!isMap(root)) {
      this.#error(
        span,
        `an interface document must be a mapping with keys ${ALLOWED_KEYS.interface.join(", ")}, not ${kindOf(root)}`,
      );
      return null;
    }
    const entries = this.#entries(root, ALLOWED_KEYS.interface, "the interface");
    const name = this.#name(entries, root, "the interface", "com.example.Timer");
    const context = name === null ? "the interface" : `interface '${name.value}'`;
    return {
      name,
      file: this.#doc.file,
      span,
      description: this.#description(entries, context),
      types: this.#list(entries.get("types")?.value ?? null, `'types' of ${context}`, (n) => this.#type(n)),
      errors: this.#list(entries.get("errors")?.value ?? null, `'errors' of ${context}`, (n) =>
        this.#errorDecl(n),
      ),
      events: this.#list(entries.get("events")?.value ?? null, `'events' of ${context}`, (n) =>
        this.#event(n),
      ),
      methods: this.#list(entries.get("methods")?.value ?? null, `'methods' of ${context}`, (n) =>
        this.#method(n),
      ),
    };
  }

  #type(node: YamlNode): TypeAst | null {
    if (!isMap(node)) {
      this.#error(
        this.#span(node),
        `a type must be a mapping with 'name' and 'fields' or 'enum', not ${kindOf(node)}`,
      );
      return null;
    }
    const entries = this.#entries(node, ALLOWED_KEYS.type, "a type");
    const name = this.#name(entries, node, "a type", "TimerInfo");
    if (name === null) return null;
    const context = `type '${name.value}'`;
    const description = this.#description(entries, context);
    const fields = entries.get("fields");
    const values = entries.get("enum");
    if (fields !== undefined && values !== undefined) {
      this.#error(
        this.#span(values.key),
        `${context} has both 'fields' and 'enum'; keep 'fields' for a struct or 'enum' for an enum`,
      );
      return null;
    }
    if (values !== undefined) {
      return { kind: "enum", name, description, values: this.#enumValues(values.value, context) };
    }
    if (fields === undefined) {
      // A misspelt `fields:`/`enum:` key was reported already; "needs fields" would say the same again.
      if (
        node.items.some((p) => isScalar(p.key) && didYouMean(String(p.key.value), ["fields", "enum"]) !== "")
      ) {
        return null;
      }
      this.#error(
        name,
        `${context} needs 'fields' (a struct, e.g. fields: [{ name: x, type: int }]) or 'enum' (e.g. enum: [a, b])`,
      );
      return null;
    }
    return {
      kind: "struct",
      name,
      description,
      fields: this.#args(fields.value, { list: `'fields' of ${context}`, item: "field", owner: context }),
    };
  }

  #enumValues(node: Value, context: string): Str[] {
    return this.#list(node, `'enum' of ${context}`, (item) => {
      const str = this.#str(item);
      if (str === null) {
        const shown = isScalar(item) ? `'${String(item.value)}'` : kindOf(item);
        this.#error(
          this.#span(item),
          `enum values of ${context} must be strings; ${shown} is not (quote it)`,
        );
      }
      return str;
    });
  }

  #errorDecl(node: YamlNode): ErrorAst | null {
    // Shorthand: `errors: [AlreadyExists]` declares an error without a description.
    const shorthand = this.#str(node);
    if (shorthand !== null) return { name: shorthand, description: null };
    if (!isMap(node)) {
      this.#error(
        this.#span(node),
        `an error must be a mapping { name, description } or a name, not ${kindOf(node)}`,
      );
      return null;
    }
    const entries = this.#entries(node, ALLOWED_KEYS.error, "an error");
    const name = this.#name(entries, node, "an error", "AlreadyExists");
    if (name === null) return null;
    return { name, description: this.#description(entries, `error '${name.value}'`) };
  }

  #event(node: YamlNode): EventAst | null {
    if (!isMap(node)) {
      this.#error(this.#span(node), `an event must be a mapping with 'name' and 'args', not ${kindOf(node)}`);
      return null;
    }
    const entries = this.#entries(node, ALLOWED_KEYS.event, "an event");
    const name = this.#name(entries, node, "an event", "timeout");
    if (name === null) return null;
    const context = `event '${name.value}'`;
    return {
      name,
      description: this.#description(entries, context),
      args: this.#args(entries.get("args")?.value ?? null, {
        list: `'args' of ${context}`,
        item: "argument",
        owner: context,
      }),
    };
  }

  #method(node: YamlNode): MethodAst | null {
    if (!isMap(node)) {
      this.#error(
        this.#span(node),
        `a method must be a mapping with 'name', 'inArgs' and 'outArgs', not ${kindOf(node)}`,
      );
      return null;
    }
    const entries = this.#entries(node, ALLOWED_KEYS.method, "a method");
    const name = this.#name(entries, node, "a method", "add");
    if (name === null) return null;
    const context = `method '${name.value}'`;
    const errors = this.#list(entries.get("errors")?.value ?? null, `'errors' of ${context}`, (item) => {
      const str = this.#str(item);
      if (str === null) {
        this.#error(this.#span(item), `'errors' of ${context} must list error names, not ${kindOf(item)}`);
      }
      return str;
    });
    return {
      name,
      description: this.#description(entries, context),
      inArgs: this.#args(entries.get("inArgs")?.value ?? null, {
        list: `'inArgs' of ${context}`,
        item: "in-argument",
        owner: context,
      }),
      outArgs: this.#args(entries.get("outArgs")?.value ?? null, {
        list: `'outArgs' of ${context}`,
        item: "out-argument",
        owner: context,
      }),
      errors,
    };
  }

  /** Arguments in list form (`[{ name, type }]`) or in the seed's map form (`{ timer: "(str) - The name" }`). */
  #args(node: Value, context: ArgsContext): ArgAst[] {
    const resolved = this.#resolve(node);
    if (resolved === null || (isScalar(resolved) && resolved.value === null)) return [];
    if (isSeq(resolved)) {
      return this.#list(resolved, context.list, (item) => this.#listArg(item, context));
    }
    if (isMap(resolved)) {
      const out: ArgAst[] = [];
      for (const pair of resolved.items) {
        const key = this.#keyScalar(pair, context.list);
        if (key === null) continue;
        const arg = this.#mapArg(key, this.#resolve(pair.value), context);
        if (arg !== null) out.push(arg);
      }
      return out;
    }
    this.#error(
      this.#span(resolved),
      `${context.list} must be a list of arguments ([{ name: x, type: int }]) or a mapping of names to ` +
        `seed-style descriptions ({ x: "(int) - text" }), not ${kindOf(resolved)}`,
    );
    return [];
  }

  #listArg(node: YamlNode, context: ArgsContext): ArgAst | null {
    if (!isMap(node)) {
      this.#error(
        this.#span(node),
        `each entry of ${context.list} must be a mapping { name, type, description }, not ${kindOf(node)}`,
      );
      return null;
    }
    const only = node.items.length === 1 ? this.#str(this.#resolve(node.items[0]?.key)) : null;
    if (only !== null && !(ALLOWED_KEYS.arg as readonly string[]).includes(only.value)) {
      // `- timer: string` in a list: the map form written as a list.
      this.#error(
        only,
        `an entry of ${context.list} is written like the map form ('${only.value}: ...'); in a list write ` +
          `{ name: ${only.value}, type: ... }, or drop the '-' to use the map form`,
      );
      return null;
    }
    const entries = this.#entries(node, ALLOWED_KEYS.arg, `an entry of ${context.list}`);
    const name = this.#name(entries, node, `an entry of ${context.list}`, "timer");
    if (name === null) return null;
    return this.#argBody(
      name,
      entries,
      this.#span(node),
      `${context.item} '${name.value}' of ${context.owner}`,
      "list",
    );
  }

  #mapArg(key: Str, value: Value, context: ArgsContext): ArgAst | null {
    const what = `${context.item} '${key.value}' of ${context.owner}`;
    if (value === null || (isScalar(value) && value.value === null)) {
      this.#error(
        key,
        `${what} has no type; give it one: ${key.value}: (str) - A description, or ${key.value}: { type: str }`,
      );
      return null;
    }
    const text = this.#str(value);
    if (text !== null) return this.#seedArg(key, text, null, key, what, "map");
    if (isMap(value)) {
      const entries = this.#entries(value, ALLOWED_KEYS.argValue, what);
      return this.#argBody(key, entries, key, what, "map");
    }
    this.#error(
      this.#span(value),
      `${what} must be a seed-style description with its type ("(str) - The name") or a mapping ` +
        `{ type, description }, not ${kindOf(value)}`,
    );
    return null;
  }

  #argBody(
    name: Str,
    entries: ReadonlyMap<string, Entry>,
    span: Span,
    what: string,
    form: ArgForm,
  ): ArgAst | null {
    const typeEntry = entries.get("type");
    const type = this.#optionalString(typeEntry, `'type' of ${what}`);
    // A `type` that is not a string was reported; without this, "has no type" would follow.
    if (
      type === null &&
      typeEntry !== undefined &&
      typeEntry.value !== null &&
      !isNullScalar(typeEntry.value)
    ) {
      return null;
    }
    const description = this.#optionalString(entries.get("description"), `'description' of ${what}`);
    let optional: boolean | null = null;
    const opt = entries.get("optional");
    if (opt !== undefined && opt.value !== null) {
      if (isScalar(opt.value) && typeof opt.value.value === "boolean") optional = opt.value.value;
      else
        this.#error(
          this.#span(opt.value),
          `'optional' of ${what} must be true or false, not ${kindOf(opt.value)}`,
        );
    }
    if (type !== null) {
      return { name, type, description: cleanDescription(description?.value ?? null), optional, span };
    }
    return this.#seedArg(name, description, optional, span, what, form === "map" ? "mapBody" : form);
  }

  /**
   * An argument without `type`: a seed-style description `(str) - text` gives it; without one, the argument has
   * no type, which is an error (the type was `any` once, silently: a typo in a key or a forgotten `type` went
   * unnoticed). `form` says how it is written, for the hint.
   */
  #seedArg(
    name: Str,
    description: Str | null,
    optional: boolean | null,
    span: Span,
    what: string,
    form: ArgForm | "mapBody",
  ): ArgAst | null {
    const seed = description === null ? undefined : parseSeedDescription(description.value);
    if (description === null || seed === undefined) {
      this.#error(
        name,
        `${what} has no type; ${missingTypeHint(name.value, description?.value ?? null, form)}`,
      );
      return null;
    }
    const type: Str = { value: seed.type, ...spanAt(description, seed.typeOffset), exact: description.exact };
    return { name, type, description: cleanDescription(seed.text), optional, span };
  }

  // ---- generic helpers ------------------------------------------------------------------------------------

  /** The keys of a mapping; reports unknown keys (with "did you mean") and keys that are not strings. */
  #entries(map: YamlMap, allowed: readonly string[], context: string): Map<string, Entry> {
    const out = new Map<string, Entry>();
    for (const pair of map.items) {
      const key = this.#keyScalar(pair, context);
      if (key === null) continue;
      const keyNode = pair.key as YamlScalar;
      if (!allowed.includes(key.value)) {
        const hint = didYouMean(key.value, allowed);
        // `{ description: Seconds, rounded }`: the comma ends the value, and `rounded` becomes a key.
        const comma =
          map.flow && pair.value === null && hint === ""
            ? "; inside { } a comma ends a value, so if it belongs to the value before it, quote that value"
            : "";
        this.#error(
          key,
          `unknown key '${key.value}' in ${context}` +
            (hint !== "" ? hint : comma !== "" ? comma : `; allowed keys: ${allowed.join(", ")}`),
        );
        continue;
      }
      out.set(key.value, { key: keyNode, value: this.#resolve(pair.value) });
    }
    return out;
  }

  #keyScalar(pair: YamlPair, context: string): Str | null {
    const key = this.#resolve(pair.key);
    const str = this.#str(key);
    if (str === null) {
      const word = key === null ? "" : this.#plainWord(key);
      this.#error(
        this.#span(key),
        `keys of ${context} must be names, not ${kindOf(key)}` +
          (word === "" ? "" : `; to use '${word}' as a name, quote it: "${word}"`),
      );
    }
    return str;
  }

  /** The required `name` of a part; reports it when it is missing or not a string. */
  #name(entries: ReadonlyMap<string, Entry>, node: YamlNode, what: string, example: string): Str | null {
    const entry = entries.get("name");
    const value = entry?.value ?? null;
    const word = value === null ? "" : this.#plainWord(value);
    if (word !== "") {
      // `name: true`, `name: null`: YAML reads the word as a boolean or null, not as the name it is meant to be.
      const read = isNullScalar(value) ? "null" : kindOf(value);
      this.#error(
        this.#span(value),
        `'name' of ${what} is read by YAML as ${read}, not a string; to use '${word}' as a name, ` +
          `quote it: name: "${word}"`,
      );
      return null;
    }
    if (
      entry === undefined ||
      entry.value === null ||
      (isScalar(entry.value) && entry.value.value === null)
    ) {
      const where = entry === undefined ? this.#span(node) : this.#span(entry.key);
      this.#error(where, `${what} has no 'name'; add one, e.g. name: ${example}`);
      return null;
    }
    const str = this.#str(entry.value);
    if (str === null) {
      this.#error(this.#span(entry.value), `'name' of ${what} must be a string, not ${kindOf(entry.value)}`);
    }
    return str;
  }

  #description(entries: ReadonlyMap<string, Entry>, context: string): string | null {
    return cleanDescription(
      this.#optionalString(entries.get("description"), `'description' of ${context}`)?.value ?? null,
    );
  }

  #optionalString(entry: Entry | undefined, what: string): Str | null {
    if (entry === undefined || entry.value === null) return null;
    if (isScalar(entry.value) && entry.value.value === null) return null;
    const str = this.#str(entry.value);
    if (str === null)
      this.#error(this.#span(entry.value), `${what} must be a string, not ${kindOf(entry.value)}`);
    return str;
  }

  /** Items of a list (an absent or empty value is an empty list); `read` returns null for items it rejected. */
  #list<T>(node: Value, what: string, read: (item: YamlNode) => T | null): T[] {
    const resolved = this.#resolve(node);
    if (resolved === null || (isScalar(resolved) && resolved.value === null)) return [];
    if (!isSeq(resolved)) {
      this.#error(this.#span(resolved), `${what} must be a list, not ${kindOf(resolved)}`);
      return [];
    }
    const out: T[] = [];
    for (const item of resolved.items) {
      const node = this.#resolve(item);
      if (node === null) {
        this.#error(this.#span(resolved), `${what} has an empty entry; remove it`);
        continue;
      }
      const value = read(node);
      if (value !== null) out.push(value);
    }
    return out;
  }

  /** A string scalar with its position, or null when `node` is not a string. */
  #str(node: Value): Str | null {
    if (!isScalar(node) || typeof node.value !== "string") return null;
    const value = node.value;
    const range = node.range;
    const source = this.#doc.text.slice(range[0], range[1]);
    const quoted = node.style === "QUOTE_DOUBLE" || node.style === "QUOTE_SINGLE";
    const start = quoted ? range[0] + 1 : range[0];
    const inner = quoted ? source.slice(1, -1) : source;
    const exact = (node.style === "PLAIN" || quoted) && inner === value && !value.includes("\n");
    return { value, ...this.#at(start), exact };
  }

  /** The word of a plain scalar that YAML reads as a boolean or null (`true`, `False`, `null`); "" otherwise. */
  #plainWord(node: YamlNode): string {
    if (!isScalar(node) || node.style !== "PLAIN") return "";
    if (node.value !== null && typeof node.value !== "boolean") return "";
    const word = this.#doc.text.slice(node.range[0], node.range[1]);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(word) ? word : "";
  }

  #resolve(node: Value | undefined): Value {
    if (node === undefined || node === null) return null;
    return isAlias(node) ? node.target : node;
  }

  #span(node: Value | undefined): Span {
    return this.#at(node?.range[0] ?? 0);
  }

  #at(offset: number): Span {
    const { line, col } = this.#doc.linePos(offset);
    return { file: this.#doc.file, line, col };
  }

  #error(span: Span, message: string): void {
    this.diagnostics.push(error(span, message));
  }
}

function isNullScalar(node: YamlNode | null): boolean {
  return isScalar(node) && node.value === null;
}

/**
 * What to do about an argument without a type, as it is written: in a list, add `type`; in the map form, give the
 * type in parentheses at the start of the description (the seed's form) or use `{ type }`. A map value that is a
 * type itself (`x: int`) is a description there, which is the likeliest mistake of all.
 */
function missingTypeHint(name: string, description: string | null, form: ArgForm | "mapBody"): string {
  if (form === "list") {
    return description === null
      ? `add one, e.g. { name: ${name}, type: string }`
      : `add one, e.g. { name: ${name}, type: string, description: ... }, or start the description with the ` +
          `type in parentheses: "(str) - ${oneLine(description)}"`;
  }
  if (form === "mapBody") return `add one, e.g. ${name}: { type: string }`;
  const text = description === null ? "" : oneLine(description);
  if (text !== "" && parseTypeExpr(text).ok) {
    // Inside `{ }`, brackets and commas would end a plain value: quote a type that has them.
    const inFlow = /^[\w.]+\??$/.test(text) ? text : JSON.stringify(text);
    return (
      `in the map form a plain value is a description, so '${text}' is not read as a type; ` +
      `write ${name}: (${text}), or ${name}: { type: ${inFlow} }`
    );
  }
  return `start the description with the type in parentheses: ${name}: (str) - ${text}`;
}

/** A description on one line, shortened to fit in a hint. */
function oneLine(text: string): string {
  const line = text.replace(/\s*\r?\n\s*/g, " ").trim();
  return line.length > 40 ? `${line.slice(0, 37)}...` : line;
}

/** Trims a description; an empty one is no description. */
function cleanDescription(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

/** How a YAML value is named in messages: "a mapping", "a list", "a number" ... */
export function kindOf(node: Value | undefined): string {
  if (node === null || node === undefined) return "an empty value";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "an empty value";
    if (typeof v === "string") return "a string";
    if (typeof v === "number" || typeof v === "bigint") return `a number (${String(v)})`;
    if (typeof v === "boolean") return `a boolean (${String(v)})`;
  }
  return "an unsupported value";
}
