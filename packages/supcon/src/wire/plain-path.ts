/**
 * Where in a JavaScript value the part is that is not plain data (docs/PROTOCOL.md, "Frames"), named by its path
 * (`.readings[3].value`), so that a message can say which value to fix rather than at which byte of the encoding
 * it was found. The interface's `any` type checks values with it (schema/validate.ts), and the codec, when a
 * payload it packed fails its check, uses it to say where (wire/codec.ts). It runs on values, not bytes: on the
 * failing path only when encoding, once per `any` value when validating.
 */

/** A problem found inside a value: where (`.readings[3].value`, "" for the value itself) and what. */
export interface ValueProblem {
  readonly path: string;
  readonly message: string;
}

/** Keys the wire refuses in maps: assigning them to an object would change its prototype or shadow its class. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Largest magnitude of an integer the wire carries exactly, 2^53 − 1. */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The first part of `value` that is not plain data, or undefined.
 *
 * @param depth How many arrays and objects hold `value`; one nested at `maxDepth` or deeper is refused (which also
 *   stops at a cycle).
 * @param strict True for the interface's `any`: only null, booleans, finite numbers, strings, `Uint8Array`s,
 *   arrays and plain objects (prototype `Object.prototype` or null) pass, `undefined` as nil. False for what the
 *   wire refuses whatever msgpackr makes of the rest: numbers that are not finite, a `Date` (which msgpackr would
 *   send as an extension), bigints beyond ±(2^53 − 1), symbols and functions; other objects are looked into as
 *   msgpackr packs them, by their own enumerable properties.
 */
export function findNonPlain(
  value: unknown,
  depth: number,
  maxDepth: number,
  strict: boolean,
): ValueProblem | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : problem(`${String(value)} is not a finite number`);
    case "bigint":
      if (strict) return notPlain(value);
      return value > MAX_EXACT || value < -MAX_EXACT
        ? problem(`the bigint ${String(value)} is beyond ±(2^53 − 1)`)
        : undefined;
    case "object": {
      if (value === null || value instanceof Uint8Array) return undefined;
      if (Array.isArray(value)) {
        if (depth >= maxDepth) return tooDeep(maxDepth);
        for (let i = 0; i < value.length; i++) {
          const found = findNonPlain(value[i], depth + 1, maxDepth, strict);
          if (found !== undefined) return { path: `[${i}]${found.path}`, message: found.message };
        }
        return undefined;
      }
      if (value instanceof Date || (strict && !isPlainObject(value))) return notPlain(value);
      if (depth >= maxDepth) return tooDeep(maxDepth);
      const object = value as Readonly<Record<string, unknown>>;
      for (const key in object) {
        if (!hasOwn.call(object, key)) continue;
        if (FORBIDDEN_KEYS.has(key)) return problem(`forbidden key '${key}'`);
        const found = findNonPlain(object[key], depth + 1, maxDepth, strict);
        if (found !== undefined) return { path: keyPath(key) + found.path, message: found.message };
      }
      return undefined;
    }
    default:
      return notPlain(value);
  }
}

/** The path segment of an object key: `.name`, or `["odd key"]` when it is not an identifier. */
export function keyPath(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** True for an object of plain data: its prototype is `Object.prototype` or null. */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What a value that is not plain data is: its class (`Date`, `Map`), or its `typeof` (`symbol`, `bigint`). */
export function kindOf(value: unknown): string {
  if (typeof value !== "object" || value === null) return typeof value;
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? name
    : "object with a custom prototype";
}

function problem(message: string): ValueProblem {
  return { path: "", message };
}

function notPlain(value: unknown): ValueProblem {
  return problem(`expected plain data, got ${kindOf(value)}`);
}

function tooDeep(maxDepth: number): ValueProblem {
  return problem(`nested deeper than ${maxDepth} levels (a cycle?)`);
}
