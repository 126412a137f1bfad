/**
 * The types of an interface description normalised: its named types (structs and enums), and the args and fields
 * that use them, each type expression parsed, its references checked and written in canonical form (aliases spelt
 * out, `optional: true` folded into a trailing `?`), plus the cycle check and the table the model resolves
 * references in. The interface and its members are `normalize.ts`'s; this is what they are typed with.
 */
import { didYouMean } from "../base/did-you-mean.js";
import type { NormalArgDescription, NormalTypeDescription } from "./descriptor.js";
import type { DescriptionReader, Raw } from "./description-reader.js";
import { freeze, isPlainObject, show } from "./description-reader.js";
import type { ArgModel, EnumModel, TypeModel } from "./interface-model.js";
import type { TypeExpr } from "./type-expr.js";
import {
  PRIMITIVE_TYPES,
  TYPE_ALIASES,
  formatTypeExpr,
  namedRefs,
  parseSeedDescription,
  parseTypeExpr,
} from "./type-expr.js";

const TYPE_KEYS = ["name", "description", "fields", "enum"];
const ARG_KEYS = ["name", "type", "description", "optional"];
const MAP_ARG_KEYS = ["type", "description", "optional"];

/** The named types of one interface, as they are declared and normalised, and the args and fields typed by them. */
export class InterfaceTypes {
  readonly #r: DescriptionReader;
  /** The interface's name: its own types may be referred to by their full dotted names. */
  readonly #name: string;
  /** Named types by declared name, filled before any reference is resolved (types may be used before declared). */
  readonly #types = new Map<string, TypeModel>();
  /** Declared type names in declaration order (did-you-mean candidates; the order of the cycle check). */
  readonly #typeNames: string[] = [];

  constructor(reader: DescriptionReader, name: string) {
    this.#r = reader;
    this.#name = name;
  }

  /**
   * Declares the interface's `types` (the raw list), then normalises each, so that a field or argument may refer to
   * a type declared after it; then refuses the structs no finite value can match.
   */
  normalize(rawTypes: readonly unknown[]): NormalTypeDescription[] {
    const r: DescriptionReader = this.#r;
    const typeDrafts: { raw: Raw; where: string; name: string }[] = [];
    rawTypes.forEach((entry, i) => {
      const where = `types[${i}]`;
      const t = r.object(entry, where);
      const typeName = r.typeName(t["name"], where);
      const at = `type '${typeName}'`;
      if (this.#types.has(typeName)) r.fail(`${at} is declared twice`);
      r.keys(t, TYPE_KEYS, at);
      const hasFields = t["fields"] !== undefined && t["fields"] !== null;
      const hasEnum = t["enum"] !== undefined && t["enum"] !== null;
      if (hasFields === hasEnum) r.fail(`${at} must have exactly one of 'fields' (a struct) or 'enum'`);
      // Placeholder until the fields are normalised below; only its existence matters for resolving references.
      this.#types.set(
        typeName,
        hasEnum ? this.#enum(typeName, t["enum"], at) : { kind: "struct", name: typeName, fields: [] },
      );
      this.#typeNames.push(typeName);
      typeDrafts.push({ raw: t, where: at, name: typeName });
    });
    const types: NormalTypeDescription[] = typeDrafts.map(({ raw: t, where, name: typeName }) => {
      const model = this.#types.get(typeName) as TypeModel;
      const desc = r.description(t, where);
      if (model.kind === "enum") return freeze({ name: typeName, ...desc, enum: freeze([...model.values]) });
      const fields = this.args(t["fields"], `${where}, fields`, "field");
      this.#types.set(typeName, { kind: "struct", name: typeName, fields: fields.models });
      return freeze({ name: typeName, ...desc, fields: fields.normal });
    });
    this.#checkCycles();
    return types;
  }

  /** What `InterfaceModel.resolveType` is: the type a reference denotes, over the types declared. */
  resolver(): (ref: string) => TypeModel | undefined {
    const table = this.#types;
    const name = this.#name;
    return (ref: string) => resolveIn(table, name, ref);
  }

  /** Normalises args or struct fields, in list or map form. */
  args(
    value: unknown,
    where: string,
    noun: string,
  ): { normal: readonly NormalArgDescription[]; models: ArgModel[] } {
    const r: DescriptionReader = this.#r;
    if (value === undefined || value === null) return { normal: freeze([]), models: [] };
    const normal: NormalArgDescription[] = [];
    const models: ArgModel[] = [];
    const add = (name: string, spec: Raw, keys: readonly string[], at: string): void => {
      r.keys(spec, keys, at);
      if (models.some((m) => m.name === name)) r.fail(`${where}: ${noun} '${name}' is declared twice`);
      const { model, arg } = this.#arg(name, spec, at);
      models.push(model);
      normal.push(arg);
    };
    if (Array.isArray(value)) {
      (value as readonly unknown[]).forEach((entry, i) => {
        const spec = r.object(entry, `${where}[${i}]`);
        const name = r.memberName(spec["name"], `${where}[${i}]`);
        add(name, spec, ARG_KEYS, `${where} '${name}'`);
      });
    } else if (isPlainObject(value)) {
      // The seed's map form: { timer: "(str) - The name" } or { timer: { type: "string", description: "…" } }.
      for (const name of Object.keys(value)) {
        const at = `${where} '${name}'`;
        r.memberName(name, at);
        const entry = value[name];
        if (entry === undefined || entry === null) add(name, {}, MAP_ARG_KEYS, at);
        else if (typeof entry === "string") add(name, { description: entry }, MAP_ARG_KEYS, at);
        else if (isPlainObject(entry)) add(name, entry, MAP_ARG_KEYS, at);
        else r.fail(`${at} must be a description string or an object with 'type', got ${show(entry)}`);
      }
    } else {
      r.fail(
        `${where} must be a list of {name, type} entries or a map of name to description, got ${show(value)}`,
      );
    }
    return { normal: freeze(normal), models };
  }

  /** One argument or field: type from `type`, else from a seed description, else `any`. */
  #arg(name: string, spec: Raw, at: string): { model: ArgModel; arg: NormalArgDescription } {
    const rawType = spec["type"];
    const optional = spec["optional"];
    let description = this.#r.description(spec, at).description;
    let type: TypeExpr;
    if (rawType !== undefined && rawType !== null) {
      if (typeof rawType !== "string") this.#r.fail(`${at}: type must be a string, got ${show(rawType)}`);
      type = this.#parseType(rawType, at, "");
    } else if (description !== undefined && parseSeedDescription(description) !== undefined) {
      // A seed description "(str) - The name" gives the type; the normal form keeps only its text.
      const seed = parseSeedDescription(description) as { type: string; text: string };
      type = this.#parseType(seed.type, at, " in its description");
      description = seed.text === "" ? undefined : seed.text;
    } else {
      type = { kind: "primitive", name: "any" };
    }
    if (optional !== undefined && optional !== null && typeof optional !== "boolean") {
      this.#r.fail(`${at}: optional must be true or false, got ${show(optional)}`);
    }
    const isOptional = type.kind === "optional" || optional === true;
    const inner = type.kind === "optional" ? type.inner : type;
    const canonical = formatTypeExpr(isOptional ? { kind: "optional", inner } : inner);
    return {
      model: { name, type: inner, optional: isOptional },
      arg: freeze(
        description === undefined ? { name, type: canonical } : { name, type: canonical, description },
      ),
    };
  }

  /** Parses a type expression and checks that its named types exist; `origin` says where it was written. */
  #parseType(source: string, at: string, origin: string): TypeExpr {
    const parsed = parseTypeExpr(source);
    if (!parsed.ok) {
      this.#r.fail(`${at}: bad type '${source}'${origin}: ${parsed.message} at column ${parsed.offset + 1}`);
    }
    for (const ref of namedRefs(parsed.type)) {
      if (this.#resolvedName(ref.name) !== undefined) continue;
      const candidates = [...PRIMITIVE_TYPES, ...Object.keys(TYPE_ALIASES), ...this.#typeNames];
      this.#r.fail(`${at}: unknown type '${ref.name}'${didYouMean(ref.name, candidates)}`);
    }
    return parsed.type;
  }

  /** The model of the enum `name`: its values, a non-empty list of distinct non-empty strings. */
  #enum(name: string, value: unknown, at: string): EnumModel {
    if (!Array.isArray(value) || value.length === 0) {
      this.#r.fail(`${at}: enum must be a non-empty list of strings, got ${show(value)}`);
    }
    const values: string[] = [];
    for (const v of value as readonly unknown[]) {
      if (typeof v !== "string" || v === "")
        this.#r.fail(`${at}: enum values must be non-empty strings, got ${show(v)}`);
      if (values.includes(v)) this.#r.fail(`${at}: enum value '${v}' is listed twice`);
      values.push(v);
    }
    return { kind: "enum", name, values: freeze(values) };
  }

  /**
   * Refuses a struct that contains itself through required fields only (`Node { next: Node }`): no finite value
   * could ever match it. Recursion through `?`, lists or maps is fine (`Tree { children: Tree[] }`).
   */
  #checkCycles(): void {
    const state = new Map<string, "visiting" | "done">();
    const visit = (name: string, trail: string[]): void => {
      const mark = state.get(name);
      if (mark === "done") return;
      if (mark === "visiting") {
        const cycle = [...trail.slice(trail.findIndex((t) => t.startsWith(`${name}.`))), name];
        this.#r.fail(
          `type '${name}' can never be satisfied: it contains itself through required fields (${cycle.join(" → ")})`,
        );
      }
      state.set(name, "visiting");
      const model = this.#types.get(name);
      if (model?.kind === "struct") {
        for (const field of model.fields) {
          if (field.optional || field.type.kind !== "named") continue;
          const target = this.#resolvedName(field.type.name);
          if (target !== undefined) visit(target, [...trail, `${name}.${field.name}`]);
        }
      }
      state.set(name, "done");
    };
    for (const name of this.#typeNames) visit(name, []);
  }

  /** The declared name of the type `ref` denotes (see `InterfaceModel.resolveType`), if any. */
  #resolvedName(ref: string): string | undefined {
    return resolveIn(this.#types, this.#name, ref)?.name;
  }
}

/** The type `ref` denotes among `types`, those of the interface `intf` (see `InterfaceModel.resolveType`). */
function resolveIn(types: ReadonlyMap<string, TypeModel>, intf: string, ref: string): TypeModel | undefined {
  const found = types.get(ref);
  if (found !== undefined) return found;
  // This interface's own type written fully qualified (`com.example.Timer.TimerInfo`); copied-in types of other
  // files carry their own full names and were found above.
  const own = `${intf}.`;
  if (ref.startsWith(own) && !ref.includes(".", own.length)) return types.get(ref.slice(own.length));
  return undefined;
}
