/**
 * Resolution of type expressions against the program: shared by the type validator (which reports the problems)
 * and the model builder (which runs only on valid input).
 */
import type { TypeExpr, TypeExprParseResult } from "supcon/schema";
import { PRIMITIVE_TYPES, TYPE_ALIASES, parseTypeExpr } from "supcon/schema";
import type { ArgAst, InterfaceAst, Program, Str, TypeAst } from "../ast.js";
import { spanAt } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { didYouMean, error, formatSpan, warning } from "../diagnostics.js";
import type { ModelArg, ModelType } from "./model.js";

/** The built-in type names and aliases, as candidates for "did you mean". */
const BUILT_IN_NAMES: readonly string[] = [...PRIMITIVE_TYPES, ...Object.keys(TYPE_ALIASES)];

/** A resolved type, or null with the diagnostics that explain why not. */
export interface Resolved<T> {
  readonly value: T | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** The named type `name` of `intf`, if it declares one. */
export function findType(intf: InterfaceAst, name: string): TypeAst | undefined {
  return intf.types.find((t) => t.name.value === name);
}

/** Parsed type expressions by source text: the same few expressions recur in every file. */
const parsedCache = new Map<string, TypeExprParseResult>();
const MAX_PARSED_CACHE = 10_000;

function parseCached(source: string): TypeExprParseResult {
  let parsed = parsedCache.get(source);
  if (parsed === undefined) {
    parsed = parseTypeExpr(source);
    if (parsedCache.size >= MAX_PARSED_CACHE) parsedCache.clear();
    parsedCache.set(source, parsed);
  }
  return parsed;
}

/**
 * Resolutions per program: the validators and the model builder resolve the same expressions, and a program
 * never changes once built.
 */
const resolvedCache = new WeakMap<Program, WeakMap<Str, Resolved<ModelType>>>();

/**
 * Resolves a type expression written in `owner`. The result keeps a top-level `?` as an `optional` node.
 * Names without dots are types of `owner`; dotted names are `<interface>.<type>` of any input.
 */
export function resolveTypeExpr(str: Str, owner: InterfaceAst, program: Program): Resolved<ModelType> {
  let cache = resolvedCache.get(program);
  if (cache === undefined) {
    cache = new WeakMap();
    resolvedCache.set(program, cache);
  }
  let resolved = cache.get(str);
  if (resolved === undefined) {
    resolved = resolveUncached(str, owner, program);
    cache.set(str, resolved);
  }
  return resolved;
}

function resolveUncached(str: Str, owner: InterfaceAst, program: Program): Resolved<ModelType> {
  const parsed = parseCached(str.value);
  if (!parsed.ok) {
    return {
      value: null,
      diagnostics: [error(spanAt(str, parsed.offset), `malformed type '${str.value}': ${parsed.message}`)],
    };
  }
  const diagnostics: Diagnostic[] = [];
  const convert = (t: TypeExpr): ModelType | null => {
    switch (t.kind) {
      case "primitive":
        return t;
      case "array": {
        const element = convert(t.element);
        return element === null ? null : { kind: "array", element };
      }
      case "map": {
        const value = convert(t.value);
        return value === null ? null : { kind: "map", value };
      }
      case "optional": {
        const inner = convert(t.inner);
        return inner === null ? null : { kind: "optional", inner };
      }
      case "named": {
        const found = resolveName(t.name, owner, program);
        if (typeof found === "string") {
          diagnostics.push(error(spanAt(str, t.offset), found));
          return null;
        }
        return { kind: "named", ref: found };
      }
    }
  };
  const value = convert(parsed.type);
  return { value: diagnostics.length > 0 ? null : value, diagnostics };
}

/** The referenced type, or the message explaining why there is none. */
function resolveName(
  name: string,
  owner: InterfaceAst,
  program: Program,
): { intf: string; name: string } | string {
  const ownerName = owner.name?.value ?? "";
  const dot = name.lastIndexOf(".");
  if (dot < 0) {
    if (findType(owner, name) !== undefined) return { intf: ownerName, name };
    if (name === "map") return "'map' needs a value type in angle brackets, e.g. map<string>";
    const candidates = [...BUILT_IN_NAMES, ...owner.types.map((t) => t.name.value)];
    const hint = didYouMean(name, candidates);
    return hint !== ""
      ? `unknown type '${name}'${hint}`
      : `unknown type '${name}'; declare it under 'types:' or use a built-in type (${PRIMITIVE_TYPES.join(", ")}), ` +
          `or a type of another interface by its full name (com.example.geo.Point)`;
  }
  const intfName = name.slice(0, dot);
  const typeName = name.slice(dot + 1);
  const target = intfName === ownerName ? owner : program.byName.get(intfName);
  if (target === undefined) {
    const hint = didYouMean(intfName, program.byName.keys());
    return (
      `unknown type '${name}': no interface '${intfName}' among the inputs` +
      (hint !== "" ? hint : "; add the file that declares it to the inputs")
    );
  }
  if (findType(target, typeName) === undefined) {
    const hint = didYouMean(
      typeName,
      target.types.map((t) => t.name.value),
    );
    const where = target === owner || target.name === null ? "" : ` (${formatSpan(target.name)})`;
    return (
      `unknown type '${name}': interface '${intfName}'${where} has no type '${typeName}'` +
      (hint !== ""
        ? hint
        : target.types.length > 0
          ? `; it has ${target.types.map((t) => t.name.value).join(", ")}`
          : "")
    );
  }
  return { intf: intfName, name: typeName };
}

/**
 * Resolves an argument or field: its type (from `type`, a seed-style description, or `any` with a warning) and
 * whether it is optional. `what` names it in messages (`argument 'timer' of method 'add'`).
 */
export function resolveArg(
  arg: ArgAst,
  what: string,
  owner: InterfaceAst,
  program: Program,
): Resolved<ModelArg> {
  const name = arg.name.value;
  if (arg.type === null) {
    const type: ModelType = { kind: "primitive", name: "any" };
    return {
      value: { name, type, optional: arg.optional === true, description: arg.description },
      diagnostics: [
        warning(
          arg.name,
          `${what} has no type, so it is 'any'; give it one, e.g. { name: ${name}, type: string }, ` +
            `or a seed-style description "(str) - text"`,
        ),
      ],
    };
  }
  const resolved = resolveTypeExpr(arg.type, owner, program);
  if (resolved.value === null) return { value: null, diagnostics: resolved.diagnostics };
  const questionMark = resolved.value.kind === "optional";
  if (questionMark && arg.optional === false) {
    return {
      value: null,
      diagnostics: [
        error(
          arg.type,
          `${what} has 'optional: false' but its type '${arg.type.value}' ends in '?'; remove one`,
        ),
      ],
    };
  }
  const type = resolved.value.kind === "optional" ? resolved.value.inner : resolved.value;
  return {
    value: { name, type, optional: questionMark || arg.optional === true, description: arg.description },
    diagnostics: NONE,
  };
}

const NONE: readonly Diagnostic[] = [];
