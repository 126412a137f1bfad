/**
 * Imports from use, as protobuf-es's generated files do with `import()`: the view model names every symbol of
 * another module (the runtime's `Client`, a type of another interface) through `ModuleImports`, which hands back a
 * reference to print. Printing the reference (Handlebars turns it into text) records the use and gives the name to
 * print; after the module's body is printed, the import declarations are built from those records. So a module
 * imports exactly the symbols its printed code names: an unused or a missing import cannot happen.
 *
 * A symbol whose name the module declares itself (a user type `Node`) is imported under an alias (`Node$1`); user
 * and generated names never contain `$`, so an alias can clash with nothing.
 */
import { compareStrings } from "../paths.js";

/** A symbol exported by another module. */
export interface ModuleSymbol {
  readonly name: string;
  /** The module specifier: `supcon`, `./com.example.geo.js`. */
  readonly from: string;
}

/** One import declaration. */
export interface ImportView {
  readonly keyword: "import" | "import type";
  /** The imported names, sorted, with aliases (`Node as Node$1`). */
  readonly names: readonly string[];
  readonly from: string;
}

/** Text to print that may name imported symbols: each is imported when, and only when, the text is printed. */
export type Printable = string | Code;

/** Printable text made of strings and symbol references (see `code`). */
export class Code {
  readonly #parts: readonly Printable[];

  constructor(parts: readonly Printable[]) {
    this.#parts = parts;
  }

  /** The text; prints (and so imports) the symbols it names. */
  toString(): string {
    let out = "";
    for (const part of this.#parts) out += typeof part === "string" ? part : part.toString();
    return out;
  }
}

/** A template literal of printable parts: code`Client<${events}>`. */
export function code(strings: TemplateStringsArray, ...values: readonly Printable[]): Code {
  const parts: Printable[] = [];
  strings.forEach((s, i) => {
    if (s !== "") parts.push(s);
    if (i < values.length) parts.push(values[i] as Printable);
  });
  return new Code(parts);
}

/** The imports of one generated module. */
export interface ModuleImports {
  /** A reference to `symbol` in a type position: imported with `import type` unless also printed as a value. */
  type(symbol: ModuleSymbol): Code;
  /** A reference to `symbol` as a value (`extends Client`, `new Interface`). */
  value(symbol: ModuleSymbol): Code;
  /**
   * The declarations of the symbols printed so far: the first module's (the runtime's) first, then by specifier;
   * per module the type imports before the value imports; names sorted.
   */
  declarations(): ImportView[];
}

/** Options of `createModuleImports`. */
export interface ModuleImportsOptions {
  /** The module whose imports come first (the runtime). */
  readonly first: string;
  /** The names the module declares itself, which imports must not take. */
  readonly declared: Iterable<string>;
}

/** The imports of a module about to be printed. */
export function createModuleImports(options: ModuleImportsOptions): ModuleImports {
  return new ModuleImportsImpl(options);
}

interface Used {
  readonly symbol: ModuleSymbol;
  readonly local: string;
  asValue: boolean;
}

class ModuleImportsImpl implements ModuleImports {
  readonly #first: string;
  /** Every name the module's scope holds: its declarations and the local names of the imports so far. */
  readonly #taken: Set<string>;
  readonly #used = new Map<string, Used>();

  constructor(options: ModuleImportsOptions) {
    this.#first = options.first;
    this.#taken = new Set(options.declared);
  }

  type(symbol: ModuleSymbol): Code {
    return new Code([new SymbolRef(() => this.#print(symbol, false))]);
  }

  value(symbol: ModuleSymbol): Code {
    return new Code([new SymbolRef(() => this.#print(symbol, true))]);
  }

  declarations(): ImportView[] {
    const modules = new Map<string, Used[]>();
    for (const used of this.#used.values()) {
      const list = modules.get(used.symbol.from) ?? [];
      list.push(used);
      modules.set(used.symbol.from, list);
    }
    const order = [...modules.keys()].sort(
      (a, b) => Number(b === this.#first) - Number(a === this.#first) || compareStrings(a, b),
    );
    const out: ImportView[] = [];
    for (const from of order) {
      const list = (modules.get(from) as Used[]).sort((a, b) => compareStrings(a.symbol.name, b.symbol.name));
      const names = (asValue: boolean): string[] =>
        list
          .filter((u) => u.asValue === asValue)
          .map((u) => (u.local === u.symbol.name ? u.local : `${u.symbol.name} as ${u.local}`));
      const types = names(false);
      const values = names(true);
      if (types.length > 0) out.push({ keyword: "import type", names: types, from });
      if (values.length > 0) out.push({ keyword: "import", names: values, from });
    }
    return out;
  }

  /** Records one printing of `symbol` and returns the name to print. */
  #print(symbol: ModuleSymbol, asValue: boolean): string {
    const key = `${symbol.from}\0${symbol.name}`;
    let used = this.#used.get(key);
    if (used === undefined) {
      let local = symbol.name;
      for (let n = 1; this.#taken.has(local); n++) local = `${symbol.name}$${n}`;
      this.#taken.add(local);
      used = { symbol, local, asValue };
      this.#used.set(key, used);
    }
    if (asValue) used.asValue = true;
    return used.local;
  }
}

/** A symbol reference inside `Code`: printing it records the use. */
class SymbolRef extends Code {
  readonly #print: () => string;

  constructor(print: () => string) {
    super([]);
    this.#print = print;
  }

  override toString(): string {
    return this.#print();
  }
}
