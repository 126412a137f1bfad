/**
 * The syntax tree of interface files: what the YAML says, with a position for every name, before types are resolved.
 * Produced by `parse/read-interface.ts`; checked by `validate/`, and resolved into the model by `model/resolve.ts`.
 */
import type { Span } from "./diagnostics.js";

/**
 * A string from the input and where it starts (inside the quotes for a quoted scalar). Flat, not `{ value, span }`:
 * trees are copied between threads, and half the objects copy in half the time.
 */
export interface Str extends Span {
  readonly value: string;
  /** True when `value[i]` is at column `col + i` of `line`, so positions inside the string are exact. */
  readonly exact: boolean;
}

/** The span of character `offset` of `str`: exact when the value maps one to one onto the source, else its start. */
export function spanAt(str: Str, offset: number): Span {
  return { file: str.file, line: str.line, col: str.exact ? str.col + offset : str.col };
}

/** One argument of a method or event, or one field of a struct. */
export interface ArgAst {
  readonly name: Str;
  /** The type expression: the `type` key, or the type of a seed-style description `(str) - text`. */
  readonly type: Str;
  /** The description, without a seed-style type prefix. */
  readonly description: string | null;
  /** The `optional` key, if given. */
  readonly optional: boolean | null;
  /** Where the argument is declared. */
  readonly span: Span;
}

/** A struct type: `fields`. */
export interface StructAst {
  readonly kind: "struct";
  readonly name: Str;
  readonly description: string | null;
  readonly fields: readonly ArgAst[];
}

/** An enum type: `enum`. */
export interface EnumAst {
  readonly kind: "enum";
  readonly name: Str;
  readonly description: string | null;
  readonly values: readonly Str[];
}

/** A named type of an interface file. */
export type TypeAst = StructAst | EnumAst;

/** A declared error. */
export interface ErrorAst {
  readonly name: Str;
  readonly description: string | null;
}

/** An event. */
export interface EventAst {
  readonly name: Str;
  readonly description: string | null;
  readonly args: readonly ArgAst[];
}

/** A method. */
export interface MethodAst {
  readonly name: Str;
  readonly description: string | null;
  readonly inArgs: readonly ArgAst[];
  readonly outArgs: readonly ArgAst[];
  /** Names of declared errors the method may raise. */
  readonly errors: readonly Str[];
}

/** One interface: one YAML document. */
export interface InterfaceAst {
  /** The interface name; null when the document has no usable `name` (already reported). */
  readonly name: Str | null;
  /** Path of the YAML file relative to the working directory, with forward slashes. */
  readonly file: string;
  /** Where the document starts. */
  readonly span: Span;
  readonly description: string | null;
  readonly types: readonly TypeAst[];
  readonly errors: readonly ErrorAst[];
  readonly events: readonly EventAst[];
  readonly methods: readonly MethodAst[];
}

/** All interfaces of one compilation, in input order (files sorted, documents in file order). */
export interface Program {
  readonly interfaces: readonly InterfaceAst[];
  /** Interfaces by name; for a duplicated name, the first definition. */
  readonly byName: ReadonlyMap<string, InterfaceAst>;
}

/** Indexes interfaces by name. */
export function createProgram(interfaces: readonly InterfaceAst[]): Program {
  const byName = new Map<string, InterfaceAst>();
  for (const intf of interfaces) {
    if (intf.name !== null && !byName.has(intf.name.value)) byName.set(intf.name.value, intf);
  }
  return { interfaces, byName };
}

/** The named type `name` of `intf`, if it declares one. */
export function findType(intf: InterfaceAst, name: string): TypeAst | undefined {
  return intf.types.find((t) => t.name.value === name);
}
