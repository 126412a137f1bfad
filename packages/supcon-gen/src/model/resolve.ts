/**
 * The resolve pass, run once per compilation: every type expression of every argument and field is parsed and
 * resolved against the program exactly once. The pass returns the diagnostics of what does not resolve (malformed
 * or unknown types, with "did you mean" hints), the cycles of required
 * struct fields (`validate/cycles.ts`, on the resolved types), and, when none of that is an error, the model built
 * from the resolved types (`build-model.ts`). It keeps no state between calls.
 */
import type { TypeExpr, TypeExprParseResult } from "supcon/schema";
import { PRIMITIVE_TYPES, TYPE_ALIASES, parseTypeExpr } from "supcon/schema";
import type { ArgAst, EnumAst, EventAst, InterfaceAst, MethodAst, Program, Str, StructAst } from "../ast.js";
import { findType, spanAt } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { didYouMean, error, formatSpan, hasErrors } from "../diagnostics.js";
import { checkCycles } from "../validate/cycles.js";
import { buildModel } from "./build-model.js";
import type { Model, ModelArg, ModelType } from "./model.js";
import { isInheritedAliasName } from "./names.js";

/** An argument or field and what it resolved to: null when its type does not resolve (that is reported). */
export interface ResolvedArg {
  readonly ast: ArgAst;
  readonly arg: ModelArg | null;
}

/** A named type with its fields resolved. */
export type ResolvedType =
  | { readonly kind: "struct"; readonly ast: StructAst; readonly fields: readonly ResolvedArg[] }
  | { readonly kind: "enum"; readonly ast: EnumAst };

/** An event with its arguments resolved. */
export interface ResolvedEvent {
  readonly ast: EventAst;
  readonly args: readonly ResolvedArg[];
}

/** A method with its arguments resolved. */
export interface ResolvedMethod {
  readonly ast: MethodAst;
  readonly inArgs: readonly ResolvedArg[];
  readonly outArgs: readonly ResolvedArg[];
}

/** An interface with every argument and field resolved. */
export interface ResolvedInterface {
  readonly ast: InterfaceAst;
  readonly types: readonly ResolvedType[];
  readonly events: readonly ResolvedEvent[];
  readonly methods: readonly ResolvedMethod[];
}

/** The program with every argument and field resolved, in input order. */
export interface ResolvedProgram {
  readonly program: Program;
  readonly interfaces: readonly ResolvedInterface[];
}

/** The outcome of the resolve pass. */
export interface Resolution {
  readonly diagnostics: readonly Diagnostic[];
  /** The model; null when a diagnostic of the pass is an error. */
  readonly model: Model | null;
}

/** The built-in type names and aliases, as candidates for "did you mean". */
const BUILT_IN_NAMES: readonly string[] = [...PRIMITIVE_TYPES, ...Object.keys(TYPE_ALIASES)];

/** Resolves every type of `program` once; see the module comment. */
export function resolveProgram(program: Program): Resolution {
  const resolver = new Resolver(program);
  const resolved: ResolvedProgram = {
    program,
    interfaces: program.interfaces.map((intf) => resolver.interface(intf)),
  };
  const diagnostics = [...resolver.diagnostics, ...checkCycles(resolved)];
  return { diagnostics, model: hasErrors(diagnostics) ? null : buildModel(resolved) };
}

/** One resolve pass: its diagnostics, and the parsed type expressions by source text (few, and recurring). */
class Resolver {
  readonly diagnostics: Diagnostic[] = [];
  readonly #program: Program;
  readonly #parsed = new Map<string, TypeExprParseResult>();

  constructor(program: Program) {
    this.#program = program;
  }

  interface(intf: InterfaceAst): ResolvedInterface {
    const args = (list: readonly ArgAst[], what: (arg: ArgAst) => string): ResolvedArg[] =>
      list.map((ast) => ({ ast, arg: this.#arg(ast, what(ast), intf) }));
    return {
      ast: intf,
      types: intf.types.map((t): ResolvedType =>
        t.kind === "struct"
          ? {
              kind: "struct",
              ast: t,
              fields: args(t.fields, (a) => `field '${a.name.value}' of type '${t.name.value}'`),
            }
          : { kind: "enum", ast: t },
      ),
      events: intf.events.map((e) => ({
        ast: e,
        args: args(e.args, (a) => `argument '${a.name.value}' of event '${e.name.value}'`),
      })),
      methods: intf.methods.map((m) => ({
        ast: m,
        inArgs: args(m.inArgs, (a) => `in-argument '${a.name.value}' of method '${m.name.value}'`),
        outArgs: args(m.outArgs, (a) => `out-argument '${a.name.value}' of method '${m.name.value}'`),
      })),
    };
  }

  /**
   * An argument or field: its type (from `type` or a seed-style description; the reader refuses arguments with
   * neither) and whether it is optional. `what` names it in messages (`in-argument 'timer' of method 'add'`).
   */
  #arg(arg: ArgAst, what: string, owner: InterfaceAst): ModelArg | null {
    const name = arg.name.value;
    const resolved = this.#typeExpr(arg.type, owner);
    if (resolved === null) return null;
    const questionMark = resolved.kind === "optional";
    if (questionMark && arg.optional === false) {
      this.diagnostics.push(
        error(
          arg.type,
          `${what} has 'optional: false' but its type '${arg.type.value}' ends in '?'; remove one`,
        ),
      );
      return null;
    }
    const type = resolved.kind === "optional" ? resolved.inner : resolved;
    return { name, type, optional: questionMark || arg.optional === true, description: arg.description };
  }

  /**
   * A type expression written in `owner`, keeping a top-level `?` as an `optional` node; null when it does not
   * resolve (reported). Names without dots are types of `owner`; dotted names are `<interface>.<type>` of any input.
   */
  #typeExpr(str: Str, owner: InterfaceAst): ModelType | null {
    // The (dotted) names of the expression that the type parser would misread (see `isInheritedAliasName`).
    const names = str.value.matchAll(/[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g);
    const inherited = [...names].filter((m) => isInheritedAliasName(m[0]));
    for (const m of inherited) {
      this.diagnostics.push(
        error(
          spanAt(str, m.index),
          `type '${m[0]}' cannot be used: '${m[0]}' is a member of every JavaScript object ` +
            `(Object.prototype.${m[0]}), which the type parser would take for a built-in type; rename the type`,
        ),
      );
    }
    if (inherited.length > 0) return null;
    let parsed = this.#parsed.get(str.value);
    if (parsed === undefined) {
      parsed = parseTypeExpr(str.value);
      this.#parsed.set(str.value, parsed);
    }
    if (!parsed.ok) {
      this.diagnostics.push(
        error(spanAt(str, parsed.offset), `malformed type '${str.value}': ${parsed.message}`),
      );
      return null;
    }
    let failed = false;
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
          const found = this.#name(t.name, owner);
          if (typeof found === "string") {
            this.diagnostics.push(error(spanAt(str, t.offset), found));
            failed = true;
            return null;
          }
          return { kind: "named", ref: found };
        }
      }
    };
    const value = convert(parsed.type);
    return failed ? null : value;
  }

  /** The type `name` refers to in `owner`, or the message explaining why there is none. */
  #name(name: string, owner: InterfaceAst): { intf: string; name: string } | string {
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
    const target = intfName === ownerName ? owner : this.#program.byName.get(intfName);
    if (target === undefined) {
      const hint = didYouMean(intfName, this.#program.byName.keys());
      return (
        `unknown type '${name}': no interface '${intfName}' among the inputs` +
        (hint !== "" ? hint : "; add the file that declares it to the inputs")
      );
    }
    if (findType(target, typeName) === undefined) {
      const names = target.types.map((t) => t.name.value);
      const hint = didYouMean(typeName, names);
      const where = target === owner || target.name === null ? "" : ` (${formatSpan(target.name)})`;
      return (
        `unknown type '${name}': interface '${intfName}'${where} has no type '${typeName}'` +
        (hint !== "" ? hint : names.length > 0 ? `; it has ${names.join(", ")}` : "")
      );
    }
    return { intf: intfName, name: typeName };
  }
}
