/**
 * Validators compiled from an interface model: one closure per argument list, built once, checking a value in a
 * single pass without allocating when it is valid (errors are built only on the failing path).
 *
 * Rules: `string` a string; `float` a finite number; `int` a safe integer; `bool` a boolean; `bytes` a
 * `Uint8Array` (a `Buffer` is one); `any` plain data (what the wire carries: null, booleans, finite numbers,
 * strings, bytes, arrays and plain objects, no `__proto__`/`constructor`/`prototype` keys); `T[]` an array of T;
 * `map<T>` a plain object of T; an enum one of its strings; a struct a plain object with exactly its fields, the
 * required ones present. A top-level `?` lets an argument or field be absent, null or undefined, all three meaning
 * absent (a value received loses such a member: `received()`); a `?` inside `[]` or `map<>` lets an element be null
 * (or undefined, which the wire sends as null), and there null is a value. Containers nest at most
 * `MAX_VALUE_DEPTH` deep, which also stops cyclic values.
 *
 * A problem is named by its path in the value: `args.timers[3].remaining: expected float, got null`,
 * `result.info: missing field 'label' (string)`; a missing or unknown argument itself as "missing argument
 * 'seconds' (float)".
 */
import { didYouMean } from "../base/did-you-mean.js";
import { MAX_NESTING_DEPTH } from "../wire/plain-decoder.js";
import type { ValueProblem } from "../wire/plain-path.js";
import { FORBIDDEN_KEYS, findNonPlain, isPlainObject, keyPath, kindOf } from "../wire/plain-path.js";
import type { ArgModel, InterfaceModel, TypeModel } from "./normalize.js";
import type { TypeExpr } from "./type-expr.js";
import { formatTypeExpr } from "./type-expr.js";

/**
 * Deepest nesting of arrays and objects inside one argument value: the wire's limit less the two levels of the
 * message around it (the message array and the args map).
 */
export const MAX_VALUE_DEPTH = MAX_NESTING_DEPTH - 2;

/** Checks a value; returns undefined when it is valid, otherwise a message naming the first problem. */
export type Validator = (value: unknown) => string | undefined;

/** A problem found inside a value: where (`.timers[3].remaining`, "" for the value itself) and what. */
type Fail = ValueProblem;

/** Checks one value that sits `depth` containers deep inside an argument. */
type Check = (value: unknown, depth: number) => Fail | undefined;

interface CompiledField {
  readonly name: string;
  readonly check: Check;
  readonly optional: boolean;
  /** The type as printed in "missing" messages. */
  readonly typeText: string;
  /**
   * The name is also a property of Object.prototype (`toString`, `valueOf`, …), so a plain read would find the
   * inherited one when the field is absent; only such fields pay for an own-property check.
   */
  readonly inherited: boolean;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Set while a `received()` validator runs: optional members given as null (or undefined) are then deleted from the
 * value (it was decoded for this node, or copied to be sent, so it is the runtime's own to change). A validation is
 * synchronous and calls no code of its users, so one flag serves every validator.
 */
let dropNil = false;
/** Set by a validation that meets an optional member given as null or undefined. */
let sawAbsent = false;
/**
 * The last value a validator passed, and whether it holds optional members given as null or undefined: what
 * `withoutAbsent()` asks of the value it is given right after, so that finding them costs nothing but this record.
 */
const lastValid: { value: unknown; validator: Validator | undefined; absent: boolean } = {
  value: undefined,
  validator: undefined,
  absent: false,
};

/** What the entries of an args object are called in messages, and the path they start. */
export type ArgsNoun = "argument" | "result";
const ROOTS: Readonly<Record<ArgsNoun, string>> = { argument: "args", result: "result" };

/** Compiles the validators of one interface; named types are compiled once, on first use (so recursion works). */
export class ValidatorCompiler {
  readonly #model: InterfaceModel;
  readonly #named = new Map<TypeModel, Check>();

  constructor(model: InterfaceModel) {
    this.#model = model;
  }

  /**
   * A validator of an args object (in-args, out-args, event args). `undefined` and `null` count as `{}`.
   * @param noun What one entry is called in messages: `argument` gives "missing argument 'seconds' (float)",
   *   "unknown argument 'x'", "args.timers[3].remaining: expected float, got null"; `result` "missing result
   *   'timers' (TimerInfo[])", "result.timers[0]: missing field 'remaining' (float)".
   */
  args(args: readonly ArgModel[], noun: ArgsNoun): Validator {
    const fields = args.map((a) => this.#field(a));
    const names = args.map((a) => a.name);
    const root = ROOTS[noun];
    const validate: Validator = (value) => {
      let object: Readonly<Record<string, unknown>>;
      if (value === undefined || value === null) object = EMPTY;
      else if (isPlainObject(value)) object = value;
      else return `${root} must be an object, got ${describe(value)}`;
      sawAbsent = false;
      const fail = checkFields(object, fields, names, noun, 0);
      if (fail === undefined) {
        lastValid.value = value;
        lastValid.validator = validate;
        lastValid.absent = sawAbsent;
        return undefined;
      }
      // A failure of the object itself (missing or unknown entry) is already phrased in full.
      return fail.path === "" ? fail.message : `${root}${fail.path}: ${fail.message}`;
    };
    return validate;
  }

  /**
   * A validator of an args object received from the wire, which also deletes from it the optional members given
   * as null, so that the program sees them absent, as their type says. It changes its argument: for values the
   * runtime decoded itself only.
   */
  received(args: readonly ArgModel[], noun: ArgsNoun): Validator {
    const validate = this.args(args, noun);
    return (value) => {
      dropNil = true;
      try {
        return validate(value);
      } finally {
        dropNil = false;
        // Nothing is sent of a value received: it need not be remembered (nor kept from being collected).
        lastValid.value = undefined;
      }
    };
  }

  #field(arg: ArgModel): CompiledField {
    return {
      name: arg.name,
      check: this.#compile(arg.type),
      optional: arg.optional,
      typeText: formatTypeExpr(arg.type),
      inherited: arg.name in Object.prototype,
    };
  }

  #compile(type: TypeExpr): Check {
    switch (type.kind) {
      case "primitive":
        return PRIMITIVE_CHECKS[type.name];
      case "optional": {
        const inner = this.#compile(type.inner);
        return (v, depth) => (v === null || v === undefined ? undefined : inner(v, depth));
      }
      case "array": {
        const element = this.#compile(type.element);
        const expected = formatTypeExpr(type);
        return (v, depth) => {
          if (!Array.isArray(v)) return expect(expected, v);
          if (depth >= MAX_VALUE_DEPTH) return tooDeep();
          for (let i = 0; i < v.length; i++) {
            const fail = element(v[i], depth + 1);
            if (fail !== undefined) return { path: `[${i}]${fail.path}`, message: fail.message };
          }
          return undefined;
        };
      }
      case "map": {
        const value = this.#compile(type.value);
        const expected = formatTypeExpr(type);
        return (v, depth) => {
          if (!isPlainObject(v)) return expect(expected, v);
          if (depth >= MAX_VALUE_DEPTH) return tooDeep();
          for (const key in v) {
            if (FORBIDDEN_KEYS.has(key)) return { path: "", message: `forbidden key '${key}'` };
            const fail = value(v[key], depth + 1);
            if (fail !== undefined) return { path: keyPath(key) + fail.path, message: fail.message };
          }
          return undefined;
        };
      }
      case "named": {
        const model = this.#model.resolveType(type.name);
        // The normaliser resolved every reference; a miss here is a bug in this module, not in the description.
        if (model === undefined) throw new Error(`internal: unresolved type '${type.name}'`);
        // Looked up at first use, not now: the named type may be the one being compiled (a recursive type).
        let check: Check | undefined;
        return (v, depth) => (check ??= this.#namedCheck(model, type.name))(v, depth);
      }
    }
  }

  #namedCheck(model: TypeModel, written: string): Check {
    let check = this.#named.get(model);
    if (check !== undefined) return check;
    if (model.kind === "enum") {
      const values = new Set(model.values);
      const expected = `${written} (${model.values
        .slice(0, 10)
        .map((s) => `'${s}'`)
        .join(" | ")}${model.values.length > 10 ? " | …" : ""})`;
      check = (v) => {
        if (typeof v !== "string") return expect(expected, v);
        if (values.has(v)) return undefined;
        return {
          path: "",
          message: `expected ${expected}, got '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`,
        };
      };
    } else {
      // Registered before its fields are compiled, so a field of the struct's own type finds it.
      let fields: readonly CompiledField[] = [];
      const names = model.fields.map((f) => f.name);
      check = (v, depth) => {
        if (!isPlainObject(v)) return expect(written, v);
        if (depth >= MAX_VALUE_DEPTH) return tooDeep();
        return checkFields(v, fields, names, "field", depth + 1);
      };
      this.#named.set(model, check);
      fields = model.fields.map((f) => this.#field(f));
    }
    this.#named.set(model, check);
    return check;
  }
}

/** Checks the entries of an args object or a struct value against their declared fields. */
function checkFields(
  object: Readonly<Record<string, unknown>>,
  fields: readonly CompiledField[],
  names: readonly string[],
  noun: string,
  depth: number,
): Fail | undefined {
  let present = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as CompiledField;
    const v = field.inherited && !hasOwn.call(object, field.name) ? undefined : object[field.name];
    if (v === undefined) {
      if (!field.optional)
        return { path: "", message: `missing ${noun} '${field.name}' (${field.typeText})` };
      continue;
    }
    if (v === null && field.optional) {
      // Null for an optional member means absent; one received is removed, so its receiver sees it absent.
      sawAbsent = true;
      if (dropNil) delete (object as Record<string, unknown>)[field.name];
      else present++;
      continue;
    }
    present++;
    const fail = field.check(v, depth);
    if (fail !== undefined) return { path: `.${field.name}${fail.path}`, message: fail.message };
  }
  // Unknown entries: count the keys rather than look each one up, so a valid object costs one for-in and no
  // allocation. More keys than declared fields with a value means an unknown key, or a declared one set to
  // undefined (which is allowed), so only then look closer.
  let keys = 0;
  for (const key in object) {
    void key;
    keys++;
  }
  return keys === present ? undefined : uncountedKeys(object, fields, names, noun);
}

/**
 * The keys of an object that its fields with a value do not account for: an unknown one fails; otherwise they are
 * optional fields set to undefined, which mean absent too. Apart from `checkFields()`, which stays small.
 */
function uncountedKeys(
  object: Readonly<Record<string, unknown>>,
  fields: readonly CompiledField[],
  names: readonly string[],
  noun: string,
): Fail | undefined {
  for (const key in object) {
    if (!names.includes(key) || !hasOwn.call(object, key)) {
      return { path: "", message: `unknown ${noun} '${key}'${didYouMean(key, names)}` };
    }
  }
  sawAbsent = true;
  if (dropNil) {
    for (const field of fields) {
      if (field.optional && hasOwn.call(object, field.name) && object[field.name] === undefined)
        delete (object as Record<string, unknown>)[field.name];
    }
  }
  return undefined;
}

/**
 * `value` as it is to be sent: itself, or, when it holds optional members given as null or undefined (at any
 * depth), a copy without them, so that they arrive absent (README, "Optional members"). `validate` is the value's
 * validator, which has just passed it (when it has not, it is run again), and `strip` its `received()` twin, which
 * removes them from the copy. Finding them costs nothing: the validation noted them.
 */
export function withoutAbsent(value: unknown, validate: Validator, strip: Validator): unknown {
  if ((lastValid.value !== value || lastValid.validator !== validate) && validate(value) !== undefined) {
    return value;
  }
  const absent = lastValid.absent;
  lastValid.value = undefined;
  if (!absent) return value;
  const copy = plainCopy(value, 0);
  strip(copy);
  return copy;
}

/** A copy of the arrays and plain objects of a valid value, down to the nesting a valid value may have. */
function plainCopy(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > MAX_VALUE_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => plainCopy(v, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = plainCopy(value[key], depth + 1);
  return copy;
}

/** `any`: plain data, checked to the same rules as the wire applies, with a depth bound that also stops cycles. */
function checkPlain(v: unknown, depth: number): Fail | undefined {
  return findNonPlain(v, depth, MAX_VALUE_DEPTH, true);
}

const PRIMITIVE_CHECKS: Readonly<Record<string, Check>> = {
  string: (v) => (typeof v === "string" ? undefined : expect("string", v)),
  float: (v) => (typeof v === "number" && Number.isFinite(v) ? undefined : expect("float", v)),
  int: (v) => (Number.isSafeInteger(v) ? undefined : expect("int", v)),
  bool: (v) => (typeof v === "boolean" ? undefined : expect("bool", v)),
  bytes: (v) => (v instanceof Uint8Array ? undefined : expect("bytes", v)),
  any: checkPlain,
};

function expect(expected: string, got: unknown): Fail {
  return { path: "", message: `expected ${expected}, got ${describe(got)}` };
}

function tooDeep(): Fail {
  return { path: "", message: `nested deeper than ${MAX_VALUE_DEPTH} levels (a cycle?)` };
}

/** What a value is, in the words of the type language where one fits: "string", "int", "float", "null", "Date". */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      if (Number.isSafeInteger(value)) return "int";
      if (Number.isInteger(value)) return "unsafe integer";
      return Number.isFinite(value) ? "float" : String(value);
    case "undefined":
      return "undefined";
    case "object": {
      if (value === null) return "null";
      if (value instanceof Uint8Array) return "bytes";
      if (Array.isArray(value)) return "array";
      return isPlainObject(value) ? "object" : kindOf(value);
    }
    default:
      return typeof value;
  }
}
