/**
 * Normalisation of interface descriptions: from the dict shape users and generated code write (SPEC §3, with the
 * seed's map-form args and `(str) - text` descriptions) to one normal form, checked thoroughly, plus the parsed
 * model the validators are compiled from.
 *
 * Normal form: every collection present as a list (`types`, `errors`, `events`, `methods`; `args` of events;
 * `inArgs`, `outArgs` and `errors` of methods), args and fields in list form with an explicit canonical `type`
 * (aliases spelt out, `optional: true` folded into a trailing `?`), descriptions only where given (the text part of
 * a seed description). The normal form is itself a valid description and normalises to itself. It is frozen.
 */
import { didYouMean } from "../base/did-you-mean.js";
import { InvalidArgumentError } from "../base/errors.js";
import { NameLimit } from "../base/names.js";
import type {
  ErrorDescription,
  InterfaceDescription,
  NormalArgDescription,
  NormalEventDescription,
  NormalInterfaceDescription,
  NormalMethodDescription,
  NormalTypeDescription,
} from "./descriptor.js";
import type {
  ArgModel,
  EnumModel,
  EventModel,
  InterfaceModel,
  MethodModel,
  StructModel,
  TypeModel,
} from "./interface-model.js";
import type { TypeExpr } from "./type-expr.js";
import {
  PRIMITIVE_TYPES,
  TYPE_ALIASES,
  formatTypeExpr,
  namedRefs,
  parseSeedDescription,
  parseTypeExpr,
} from "./type-expr.js";

export type { ArgModel, EnumModel, EventModel, InterfaceModel, MethodModel, StructModel, TypeModel };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/**
 * Names refused for every member: the wire refuses these keys in maps (docs/PROTOCOL.md), so an argument so named
 * could never be sent, and as a method they would clash with what every object has.
 */
const RESERVED_NAMES = new Set(["__proto__", "constructor", "prototype"]);
/** Names a type may not take: a reference to it would mean the built-in instead. */
const BUILTIN_TYPE_NAMES: ReadonlySet<string> = new Set([
  ...PRIMITIVE_TYPES,
  ...Object.keys(TYPE_ALIASES),
  "map",
]);

const INTERFACE_KEYS = ["name", "description", "types", "errors", "events", "methods"];
const TYPE_KEYS = ["name", "description", "fields", "enum"];
const ERROR_KEYS = ["name", "description"];
const EVENT_KEYS = ["name", "description", "args"];
const METHOD_KEYS = ["name", "description", "inArgs", "outArgs", "errors"];
const ARG_KEYS = ["name", "type", "description", "optional"];
const MAP_ARG_KEYS = ["type", "description", "optional"];

/**
 * Checks and normalises an interface description.
 * @throws InvalidArgumentError naming the first problem, prefixed with `Interface '<name>': ` and where it is.
 */
export function normalizeInterface(input: InterfaceDescription): InterfaceModel {
  return new Normalizer(input).run();
}

type Raw = Readonly<Record<string, unknown>>;

class Normalizer {
  readonly #input: unknown;
  #prefix = "Interface: ";
  #name = "";
  /** Named types by declared name, filled before any reference is resolved (types may be used before declared). */
  readonly #types = new Map<string, TypeModel>();
  /** Declared type names in declaration order (did-you-mean candidates; the order of the cycle check). */
  readonly #typeNames: string[] = [];

  constructor(input: unknown) {
    this.#input = input;
  }

  run(): InterfaceModel {
    const raw = this.#object(this.#input, "the description");
    const name = raw["name"];
    if (typeof name !== "string" || !DOTTED_NAME.test(name)) {
      this.#fail(`name must be a dotted name like 'com.example.Timer', got ${show(name)}`);
    }
    if (name.length > NameLimit.interface) {
      this.#fail(`name is ${name.length} characters long; the wire carries at most ${NameLimit.interface}`);
    }
    this.#name = name;
    this.#prefix = `Interface '${name}': `;
    this.#keys(raw, INTERFACE_KEYS, "the description");
    const description = this.#description(raw, "the description");

    // Type names first, so that a field or argument may refer to a type declared after it.
    const rawTypes = this.#list(raw["types"], "types");
    const typeDrafts: { raw: Raw; where: string; name: string }[] = [];
    rawTypes.forEach((entry, i) => {
      const where = `types[${i}]`;
      const t = this.#object(entry, where);
      const typeName = this.#typeName(t["name"], where);
      const at = `type '${typeName}'`;
      if (this.#types.has(typeName)) this.#fail(`${at} is declared twice`);
      this.#keys(t, TYPE_KEYS, at);
      const hasFields = t["fields"] !== undefined && t["fields"] !== null;
      const hasEnum = t["enum"] !== undefined && t["enum"] !== null;
      if (hasFields === hasEnum) this.#fail(`${at} must have exactly one of 'fields' (a struct) or 'enum'`);
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
      const desc = this.#description(t, where);
      if (model.kind === "enum") return freeze({ name: typeName, ...desc, enum: freeze([...model.values]) });
      const fields = this.#args(t["fields"], `${where}, fields`, "field");
      this.#types.set(typeName, { kind: "struct", name: typeName, fields: fields.models });
      return freeze({ name: typeName, ...desc, fields: fields.normal });
    });
    this.#checkCycles();

    const errorNames = new Set<string>();
    const errors: ErrorDescription[] = this.#list(raw["errors"], "errors").map((entry, i) => {
      const e = this.#object(entry, `errors[${i}]`);
      const errorName = this.#memberName(e["name"], `errors[${i}]`);
      const at = `error '${errorName}'`;
      if (errorNames.has(errorName)) this.#fail(`${at} is declared twice`);
      errorNames.add(errorName);
      this.#keys(e, ERROR_KEYS, at);
      return freeze({ name: errorName, ...this.#description(e, at) });
    });

    const eventModels: EventModel[] = [];
    const events: NormalEventDescription[] = this.#list(raw["events"], "events").map((entry, i) => {
      const e = this.#object(entry, `events[${i}]`);
      const eventName = this.#memberName(e["name"], `events[${i}]`);
      const at = `event '${eventName}'`;
      if (eventModels.some((m) => m.name === eventName)) this.#fail(`${at} is declared twice`);
      this.#keys(e, EVENT_KEYS, at);
      const desc = this.#description(e, at);
      const args = this.#args(e["args"], `${at}, args`, "argument");
      eventModels.push({ name: eventName, args: args.models });
      return freeze({ name: eventName, ...desc, args: args.normal });
    });

    const methodModels: MethodModel[] = [];
    const methods: NormalMethodDescription[] = this.#list(raw["methods"], "methods").map((entry, i) => {
      const m = this.#object(entry, `methods[${i}]`);
      const methodName = this.#memberName(m["name"], `methods[${i}]`);
      const at = `method '${methodName}'`;
      if (methodModels.some((x) => x.name === methodName)) this.#fail(`${at} is declared twice`);
      this.#keys(m, METHOD_KEYS, at);
      const desc = this.#description(m, at);
      const inArgs = this.#args(m["inArgs"], `${at}, inArgs`, "argument");
      const outArgs = this.#args(m["outArgs"], `${at}, outArgs`, "result");
      const raised: string[] = [];
      this.#list(m["errors"], `${at}, errors`).forEach((err, j) => {
        if (typeof err !== "string")
          this.#fail(`${at}, errors[${j}] must be an error name, got ${show(err)}`);
        if (!errorNames.has(err)) {
          this.#fail(`${at} lists undeclared error '${err}'${didYouMean(err, errorNames)}`);
        }
        if (raised.includes(err)) this.#fail(`${at} lists error '${err}' twice`);
        raised.push(err);
      });
      methodModels.push({
        name: methodName,
        inArgs: inArgs.models,
        outArgs: outArgs.models,
        errors: freeze(raised),
      });
      return freeze({
        name: methodName,
        ...desc,
        inArgs: inArgs.normal,
        outArgs: outArgs.normal,
        errors: freeze([...raised]),
      });
    });

    const normal: NormalInterfaceDescription = freeze({
      name,
      ...description,
      types: freeze(types),
      errors: freeze(errors),
      events: freeze(events),
      methods: freeze(methods),
    });
    const table = this.#types;
    return {
      description: normal,
      methods: methodModels,
      events: eventModels,
      resolveType: (ref: string) => resolveIn(table, name, ref),
    };
  }

  /** Normalises args or struct fields, in list or map form. */
  #args(
    value: unknown,
    where: string,
    noun: string,
  ): { normal: readonly NormalArgDescription[]; models: ArgModel[] } {
    if (value === undefined || value === null) return { normal: freeze([]), models: [] };
    const normal: NormalArgDescription[] = [];
    const models: ArgModel[] = [];
    const add = (name: string, spec: Raw, keys: readonly string[], at: string): void => {
      this.#keys(spec, keys, at);
      if (models.some((m) => m.name === name)) this.#fail(`${where}: ${noun} '${name}' is declared twice`);
      const { model, arg } = this.#arg(name, spec, at);
      models.push(model);
      normal.push(arg);
    };
    if (Array.isArray(value)) {
      (value as readonly unknown[]).forEach((entry, i) => {
        const spec = this.#object(entry, `${where}[${i}]`);
        const name = this.#memberName(spec["name"], `${where}[${i}]`);
        add(name, spec, ARG_KEYS, `${where} '${name}'`);
      });
    } else if (isPlainObject(value)) {
      // The seed's map form: { timer: "(str) - The name" } or { timer: { type: "string", description: "…" } }.
      for (const name of Object.keys(value)) {
        const at = `${where} '${name}'`;
        this.#memberName(name, at);
        const entry = value[name];
        if (entry === undefined || entry === null) add(name, {}, MAP_ARG_KEYS, at);
        else if (typeof entry === "string") add(name, { description: entry }, MAP_ARG_KEYS, at);
        else if (isPlainObject(entry)) add(name, entry, MAP_ARG_KEYS, at);
        else this.#fail(`${at} must be a description string or an object with 'type', got ${show(entry)}`);
      }
    } else {
      this.#fail(
        `${where} must be a list of {name, type} entries or a map of name to description, got ${show(value)}`,
      );
    }
    return { normal: freeze(normal), models };
  }

  /** One argument or field: type from `type`, else from a seed description, else `any`. */
  #arg(name: string, spec: Raw, at: string): { model: ArgModel; arg: NormalArgDescription } {
    const rawType = spec["type"];
    const optional = spec["optional"];
    let description = this.#description(spec, at).description;
    let type: TypeExpr;
    if (rawType !== undefined && rawType !== null) {
      if (typeof rawType !== "string") this.#fail(`${at}: type must be a string, got ${show(rawType)}`);
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
      this.#fail(`${at}: optional must be true or false, got ${show(optional)}`);
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
      this.#fail(`${at}: bad type '${source}'${origin}: ${parsed.message} at column ${parsed.offset + 1}`);
    }
    for (const ref of namedRefs(parsed.type)) {
      if (this.#resolvedName(ref.name) !== undefined) continue;
      const candidates = [...PRIMITIVE_TYPES, ...Object.keys(TYPE_ALIASES), ...this.#typeNames];
      this.#fail(`${at}: unknown type '${ref.name}'${didYouMean(ref.name, candidates)}`);
    }
    return parsed.type;
  }

  #enum(name: string, value: unknown, at: string): EnumModel {
    if (!Array.isArray(value) || value.length === 0) {
      this.#fail(`${at}: enum must be a non-empty list of strings, got ${show(value)}`);
    }
    const values: string[] = [];
    for (const v of value as readonly unknown[]) {
      if (typeof v !== "string" || v === "")
        this.#fail(`${at}: enum values must be non-empty strings, got ${show(v)}`);
      if (values.includes(v)) this.#fail(`${at}: enum value '${v}' is listed twice`);
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
        this.#fail(
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

  #typeName(value: unknown, where: string): string {
    if (typeof value !== "string" || !DOTTED_NAME.test(value)) {
      this.#fail(
        `${where}: name must be an identifier (or the full dotted name of another file's type), got ${show(value)}`,
      );
    }
    if (BUILTIN_TYPE_NAMES.has(value))
      this.#fail(`${where}: '${value}' is a built-in type and cannot be redefined`);
    if (RESERVED_NAMES.has(value)) this.#fail(`${where}: '${value}' is a reserved name`);
    return value;
  }

  #memberName(value: unknown, where: string): string {
    if (typeof value !== "string" || !IDENTIFIER.test(value)) {
      this.#fail(`${where}: name must be an identifier (letters, digits, '_'), got ${show(value)}`);
    }
    if (RESERVED_NAMES.has(value)) this.#fail(`${where}: '${value}' is a reserved name`);
    if (value.length > NameLimit.member) {
      this.#fail(
        `${where}: the name is ${value.length} characters long; the wire carries at most ${NameLimit.member}`,
      );
    }
    return value;
  }

  #description(raw: Raw, where: string): { description?: string } {
    const d = raw["description"];
    if (d === undefined || d === null) return {};
    if (typeof d !== "string") this.#fail(`${where}: description must be a string, got ${show(d)}`);
    return { description: d };
  }

  #list(value: unknown, where: string): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.#fail(`${where} must be a list, got ${show(value)}`);
    return value as readonly unknown[];
  }

  #object(value: unknown, where: string): Raw {
    if (!isPlainObject(value)) this.#fail(`${where} must be an object, got ${show(value)}`);
    return value;
  }

  #keys(raw: Raw, allowed: readonly string[], where: string): void {
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) {
        this.#fail(
          `${where}: unknown key '${key}'${didYouMean(key, allowed)} (allowed: ${allowed.join(", ")})`,
        );
      }
    }
  }

  #fail(message: string): never {
    throw new InvalidArgumentError(this.#prefix + message);
  }
}

function resolveIn(types: ReadonlyMap<string, TypeModel>, intf: string, ref: string): TypeModel | undefined {
  const found = types.get(ref);
  if (found !== undefined) return found;
  // This interface's own type written fully qualified (`com.example.Timer.TimerInfo`); copied-in types of other
  // files carry their own full names and were found above.
  const own = `${intf}.`;
  if (ref.startsWith(own) && !ref.includes(".", own.length)) return types.get(ref.slice(own.length));
  return undefined;
}

function isPlainObject(value: unknown): value is Raw {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value as it appears in an error message: short, and never throwing. */
function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function freeze<T>(value: T): T {
  return Object.freeze(value);
}
