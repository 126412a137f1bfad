/**
 * Builds the model from a program that passed validation: resolves every type, computes every generated name,
 * and collects the types of other interfaces each descriptor must embed.
 */
import type { ArgAst, InterfaceAst, Program } from "../ast.js";
import { InternalCompilerError } from "../diagnostics.js";
import { compareStrings } from "../paths.js";
import type {
  Model,
  ModelArg,
  ModelError,
  ModelInterface,
  ModelNamedType,
  ModelType,
  TypeRef,
} from "./model.js";
import {
  errorClassName,
  errorCode,
  eventTypeName,
  interfaceNames,
  methodInName,
  methodOutName,
} from "./names.js";
import { resolveArg } from "./resolve.js";

/** The model of a valid program. Throws `InternalCompilerError` if the program was not valid. */
export function buildModel(program: Program): Model {
  const args = (list: readonly ArgAst[], owner: InterfaceAst): ModelArg[] =>
    list.map((arg) => {
      const resolved = resolveArg(arg, `'${arg.name.value}'`, owner, program).value;
      if (resolved === null)
        throw new InternalCompilerError(`unresolved type of '${arg.name.value}' in ${owner.file}`);
      return resolved;
    });

  const types = new Map<string, ModelNamedType>();
  for (const intf of program.interfaces) {
    const intfName = nameOf(intf);
    for (const t of intf.types) {
      const base = {
        name: t.name.value,
        qualifiedName: `${intfName}.${t.name.value}`,
        intf: intfName,
        description: t.description,
      };
      types.set(
        base.qualifiedName,
        t.kind === "struct"
          ? { ...base, kind: "struct", fields: args(t.fields, intf) }
          : { ...base, kind: "enum", values: t.values.map((v) => v.value) },
      );
    }
  }

  const interfaces = program.interfaces.map((intf): ModelInterface => {
    const name = nameOf(intf);
    const names = interfaceNames(name);
    const errors = intf.errors.map((e): ModelError => ({
      name: e.name.value,
      description: e.description,
      code: errorCode(name, e.name.value),
      className: errorClassName(names.pascal, e.name.value),
    }));
    const events = intf.events.map((e) => ({
      name: e.name.value,
      description: e.description,
      args: args(e.args, intf),
      typeName: eventTypeName(names.pascal, e.name.value),
    }));
    const methods = intf.methods.map((m) => ({
      name: m.name.value,
      description: m.description,
      inArgs: args(m.inArgs, intf),
      outArgs: args(m.outArgs, intf),
      errors: m.errors.map((ref) => {
        const found = errors.find((e) => e.name === ref.value);
        if (found === undefined)
          throw new InternalCompilerError(`undeclared error '${ref.value}' in ${name}`);
        return found;
      }),
      inTypeName: m.inArgs.length > 0 ? methodInName(names.pascal, m.name.value) : null,
      outTypeName: m.outArgs.length > 0 ? methodOutName(names.pascal, m.name.value) : null,
    }));
    const ownTypes = intf.types.map((t) => types.get(`${name}.${t.name.value}`) as ModelNamedType);
    const roots = [
      ...ownTypes.flatMap(argsOfType),
      ...events.flatMap((e) => e.args),
      ...methods.flatMap((m) => [...m.inArgs, ...m.outArgs]),
    ];
    return {
      name,
      description: intf.description,
      source: intf.file,
      pascal: names.pascal,
      descriptorName: names.descriptor,
      clientName: names.client,
      serverName: names.server,
      eventsName: events.length > 0 ? names.events : null,
      moduleName: name,
      types: ownTypes,
      errors,
      events,
      methods,
      foreignTypes: foreignClosure(name, roots, types),
    };
  });
  interfaces.sort((a, b) => compareStrings(a.name, b.name));
  return { interfaces, types };
}

function nameOf(intf: InterfaceAst): string {
  if (intf.name === null) throw new InternalCompilerError(`interface without a name in ${intf.file}`);
  return intf.name.value;
}

function argsOfType(t: ModelNamedType): readonly ModelArg[] {
  return t.kind === "struct" ? t.fields : [];
}

/** Every named type referenced by `type`, in order. */
export function typeRefs(type: ModelType): TypeRef[] {
  switch (type.kind) {
    case "primitive":
      return [];
    case "named":
      return [type.ref];
    case "array":
      return typeRefs(type.element);
    case "map":
      return typeRefs(type.value);
    case "optional":
      return typeRefs(type.inner);
  }
}

/** Types of interfaces other than `self` reachable from `roots`, sorted by qualified name. */
function foreignClosure(
  self: string,
  roots: readonly ModelArg[],
  types: ReadonlyMap<string, ModelNamedType>,
): ModelNamedType[] {
  const found = new Map<string, ModelNamedType>();
  const visit = (args: readonly ModelArg[]): void => {
    for (const arg of args) {
      for (const ref of typeRefs(arg.type)) {
        if (ref.intf === self) continue;
        const key = `${ref.intf}.${ref.name}`;
        if (found.has(key)) continue;
        const t = types.get(key);
        if (t === undefined) throw new InternalCompilerError(`unknown type ${key}`);
        found.set(key, t);
        visit(argsOfType(t));
      }
    }
  };
  visit(roots);
  // Types of `self` reachable only through foreign types are referenced by their bare (local) names; nothing to add.
  return [...found.values()].sort((a, b) => compareStrings(a.qualifiedName, b.qualifiedName));
}
