/**
 * The `float` values of an args object as the wire layer packs them (wire/codec.ts, "Numbers"): a JavaScript number
 * does not say whether `2` is an int or a float, and the wire sends an integral number as a MessagePack integer.
 * So the integral values of `float` arguments and fields are handed to the codec as bigints, which it writes as
 * floats; compiled from an interface model, once per argument list, like the validators (validate.ts).
 *
 * The marks go in a copy, made only when there is something to mark, of only the objects and arrays on the way to
 * an integral float: the caller's value is never changed, and one without an integral float (the common case, and
 * every value of an argument list without a `float` anywhere in its types) is returned as it is, allocating
 * nothing. A marked copy is for the codec only: what reaches a handler or a listener, even on the same node, has
 * been packed and decoded (link/loopback.ts).
 */
import type { ArgModel, InterfaceModel, TypeModel } from "./normalize.js";
import type { TypeExpr } from "./type-expr.js";

/** The value to pack for a valid args object: itself, or a copy with its integral floats as bigints. */
export type FloatMarker = (value: unknown) => unknown;

type Mark = (value: unknown) => unknown;

const IDENTITY: FloatMarker = (value) => value;

/** Compiles the float markers of one interface; named types are compiled once, on first use. */
export class FloatMarkerCompiler {
  readonly #model: InterfaceModel;
  /** Whether a named type holds a `float` somewhere, by type. */
  readonly #holds = new Map<TypeModel, boolean>();
  readonly #named = new Map<TypeModel, Mark>();

  constructor(model: InterfaceModel) {
    this.#model = model;
  }

  /** The marker of an args object (in-args, out-args, event args) that has been validated against `args`. */
  args(args: readonly ArgModel[]): FloatMarker {
    const fields = this.#fields(args);
    return fields === undefined ? IDENTITY : (value) => markFields(value, fields);
  }

  /** The fields of `args` that may hold a float, with their marks; undefined when none may. */
  #fields(args: readonly ArgModel[]): readonly MarkedField[] | undefined {
    const fields: MarkedField[] = [];
    for (const arg of args) {
      if (this.#holdsFloat(arg.type, new Set()))
        fields.push({ name: arg.name, mark: this.#compile(arg.type) });
    }
    return fields.length === 0 ? undefined : fields;
  }

  /** Whether a value of `type` may hold a `float`; `seen` the named types on the way here (recursive types). */
  #holdsFloat(type: TypeExpr, seen: Set<TypeModel>): boolean {
    switch (type.kind) {
      case "primitive":
        return type.name === "float";
      case "optional":
        return this.#holdsFloat(type.inner, seen);
      case "array":
        return this.#holdsFloat(type.element, seen);
      case "map":
        return this.#holdsFloat(type.value, seen);
      case "named": {
        const model = this.#resolve(type.name);
        const known = this.#holds.get(model);
        if (known !== undefined) return known;
        if (model.kind === "enum" || seen.has(model)) return false;
        seen.add(model);
        const holds = model.fields.some((f) => this.#holdsFloat(f.type, seen));
        seen.delete(model);
        // Only a definite answer is kept: one reached through a cycle may still be wrong for this type.
        if (holds || seen.size === 0) this.#holds.set(model, holds);
        return holds;
      }
    }
  }

  /** The mark of a value of `type`, which holds a `float` somewhere. */
  #compile(type: TypeExpr): Mark {
    switch (type.kind) {
      case "primitive":
        return markFloat;
      case "optional":
        return this.#compile(type.inner);
      case "array": {
        const element = this.#compile(type.element);
        return (v) => (Array.isArray(v) ? markArray(v, element) : v);
      }
      case "map": {
        const value = this.#compile(type.value);
        return (v) => (isObject(v) ? markMap(v, value) : v);
      }
      case "named": {
        const model = this.#resolve(type.name);
        // Looked up at first use: the named type may be the one being compiled (a recursive type).
        let mark: Mark | undefined;
        return (v) => (mark ??= this.#namedMark(model))(v);
      }
    }
  }

  #namedMark(model: TypeModel): Mark {
    let mark = this.#named.get(model);
    if (mark !== undefined) return mark;
    // An enum holds no float, and is never compiled (#holdsFloat() is false for it).
    const fields = model.kind === "struct" ? (this.#fields(model.fields) ?? []) : [];
    mark = (v) => markFields(v, fields);
    this.#named.set(model, mark);
    return mark;
  }

  #resolve(name: string): TypeModel {
    const model = this.#model.resolveType(name);
    // The normaliser resolved every reference; a miss here is a bug in this module, not in the description.
    if (model === undefined) throw new Error(`internal: unresolved type '${name}'`);
    return model;
  }
}

interface MarkedField {
  readonly name: string;
  readonly mark: Mark;
}

/** An integral float as a bigint (the codec writes it as a float); any other value as it is. */
function markFloat(v: unknown): unknown {
  return typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v;
}

function markFields(v: unknown, fields: readonly MarkedField[]): unknown {
  if (!isObject(v)) return v;
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < fields.length; i++) {
    const { name, mark } = fields[i] as MarkedField;
    // An absent field named after a property of Object.prototype (`toString`) reads as a function: left alone.
    const value = v[name];
    const marked = mark(value);
    if (marked !== value) (copy ??= { ...v })[name] = marked;
  }
  return copy ?? v;
}

function markArray(v: readonly unknown[], mark: Mark): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const value = v[i];
    const marked = mark(value);
    if (marked !== value) (copy ??= v.slice())[i] = marked;
  }
  return copy ?? v;
}

function markMap(v: Readonly<Record<string, unknown>>, mark: Mark): unknown {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(v)) {
    const value = v[key];
    const marked = mark(value);
    if (marked !== value) (copy ??= { ...v })[key] = marked;
  }
  return copy ?? v;
}

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
