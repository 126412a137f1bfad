/**
 * The checks of single fields of a message array, and the words for what is wrong with one, shared by the parsers
 * of link messages (`link-message-parse.ts`) and routed messages (`routed-message-parse.ts`). Plain functions: they
 * run for every field of every message read.
 */
import type { PlainMap } from "./messages.js";

/** Bytes of a MAC: HMAC-SHA256 cut to 128 bits. */
export const MAC_BYTES = 16;

/** What is wrong with a payload field: a map or nil without a MAC, packed (binary) with one. */
export function payloadProblem(
  message: string,
  name: string,
  index: number,
  value: unknown,
  mac: Uint8Array | null,
): string | undefined {
  if (mac === null) return isMapOrNil(value) ? undefined : field(message, name, index, "a map or nil", value);
  return value instanceof Uint8Array
    ? undefined
    : field(message, name, index, "binary (the packed payload) with a MAC", value);
}

/** True when `v` is an array of exactly `length` binaries. */
export function isBinArray(v: unknown, length: number): v is readonly Uint8Array[] {
  return Array.isArray(v) && v.length === length && v.every((item) => item instanceof Uint8Array);
}

/** True when `v` is an unsigned integer within the safe range. */
export function isUint(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** True when `v` is a plain object (prototype `Object.prototype` or null): what the decoder makes of a map. */
export function isPlainMap(v: unknown): v is PlainMap {
  if (typeof v !== "object" || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isMapOrNil(v: unknown): v is PlainMap | null {
  return v === null || isPlainMap(v);
}

/** True when `v` is an array of strings only. */
export function isStringArray(v: unknown): v is readonly string[] {
  if (!Array.isArray(v)) return false;
  for (const item of v as readonly unknown[]) if (typeof item !== "string") return false;
  return true;
}

/** The reason a field is refused: `<message>: <name> (element <index>) must be <expected>, got <what it is>`. */
export function field(message: string, name: string, index: number, expected: string, got: unknown): string {
  return `${message}: ${name} (element ${index}) must be ${expected}, got ${kind(got)}`;
}

/** A short name of what a value is, for error messages. */
export function kind(v: unknown): string {
  if (v === null) return "nil";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Uint8Array) return "binary";
  switch (typeof v) {
    case "string":
      return "a string";
    case "number":
      return `the number ${v}`;
    case "boolean":
      return "a boolean";
    case "object":
      return isPlainMap(v)
        ? "a map"
        : `a ${(v as { constructor?: { name?: string } }).constructor?.name ?? "object"}`;
    default:
      return typeof v;
  }
}
