/**
 * Reading the raw dict shape of an interface description (SPEC §3), value by value: each checked to be what it
 * must be (an object, a list, known keys, a name, a description) and, when it is not, a readable reason, prefixed
 * with the interface it is in. Shared by the interface normaliser (`normalize.ts`) and the normaliser of its types,
 * args and fields (`normalize-types.ts`), so that both word their problems alike.
 */
import { InvalidArgumentError } from "../base/errors.js";
import { unknownKeyProblem } from "../base/known-keys.js";
import { NameLimit } from "../base/names.js";
import { PRIMITIVE_TYPES, TYPE_ALIASES } from "./type-expr.js";

/** An object of the raw description, its values not yet checked. */
export type Raw = Readonly<Record<string, unknown>>;

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

/**
 * The checks of the values of one raw description. Each returns the value as what it was checked to be, or throws
 * `InvalidArgumentError` naming the problem, prefixed with `Interface '<name>': ` once the name is known
 * (`interfaceName()`), and where it is.
 */
export class DescriptionReader {
  #prefix = "Interface: ";

  /** Checks the interface's name (a dotted name within the wire's bound); problems are then prefixed with it. */
  interfaceName(value: unknown): string {
    if (typeof value !== "string" || !DOTTED_NAME.test(value)) {
      this.fail(`name must be a dotted name like 'com.example.Timer', got ${show(value)}`);
    }
    if (value.length > NameLimit.interface) {
      this.fail(`name is ${value.length} characters long; the wire carries at most ${NameLimit.interface}`);
    }
    this.#prefix = `Interface '${value}': `;
    return value;
  }

  /** Checks the name of a declared type: dotted, neither a built-in type's nor reserved. */
  typeName(value: unknown, where: string): string {
    if (typeof value !== "string" || !DOTTED_NAME.test(value)) {
      this.fail(
        `${where}: name must be an identifier (or the full dotted name of another file's type), got ${show(value)}`,
      );
    }
    if (BUILTIN_TYPE_NAMES.has(value))
      this.fail(`${where}: '${value}' is a built-in type and cannot be redefined`);
    if (RESERVED_NAMES.has(value)) this.fail(`${where}: '${value}' is a reserved name`);
    return value;
  }

  /** Checks the name of a member, argument or field: an identifier, not reserved, within the wire's bound. */
  memberName(value: unknown, where: string): string {
    if (typeof value !== "string" || !IDENTIFIER.test(value)) {
      this.fail(`${where}: name must be an identifier (letters, digits, '_'), got ${show(value)}`);
    }
    if (RESERVED_NAMES.has(value)) this.fail(`${where}: '${value}' is a reserved name`);
    if (value.length > NameLimit.member) {
      this.fail(
        `${where}: the name is ${value.length} characters long; the wire carries at most ${NameLimit.member}`,
      );
    }
    return value;
  }

  /** The `description` of `raw`, as a field to spread into the normal form: absent when not given. */
  description(raw: Raw, where: string): { description?: string } {
    const d = raw["description"];
    if (d === undefined || d === null) return {};
    if (typeof d !== "string") this.fail(`${where}: description must be a string, got ${show(d)}`);
    return { description: d };
  }

  /** A list, or an empty one for nothing (undefined or null). */
  list(value: unknown, where: string): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(`${where} must be a list, got ${show(value)}`);
    return value as readonly unknown[];
  }

  /** A plain object. */
  object(value: unknown, where: string): Raw {
    if (!isPlainObject(value)) this.fail(`${where} must be an object, got ${show(value)}`);
    return value;
  }

  /** Refuses any key of `raw` not in `allowed`, suggesting the one meant. */
  keys(raw: Raw, allowed: readonly string[], where: string): void {
    const problem = unknownKeyProblem(raw, allowed, "key");
    if (problem !== undefined) this.fail(`${where}: ${problem}`);
  }

  /** Throws the problem `message`, prefixed with the interface. */
  fail(message: string): never {
    throw new InvalidArgumentError(this.#prefix + message);
  }
}

/** True for an object of plain data (prototype `Object.prototype` or null). */
export function isPlainObject(value: unknown): value is Raw {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value as it appears in an error message: short, and never throwing. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** `Object.freeze`, keeping the type: the normal form is frozen throughout. */
export function freeze<T>(value: T): T {
  return Object.freeze(value);
}
