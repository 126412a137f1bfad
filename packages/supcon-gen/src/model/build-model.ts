/**
 * Builds the model from the resolved program (`resolve.ts`): computes every generated name and collects the types
 * of other interfaces each descriptor must embed. Resolves nothing itself.
 */
import type { InterfaceAst } from "../ast.js";
import { InternalCompilerError } from "../diagnostics.js";
import { compareStrings } from "../paths.js";
import type {
  Model,
  ModelArg,
  ModelError,
  ModelEvent,
  ModelInterface,
  ModelMethod,
  ModelNamedType,
} from "./model.js";
import { typeRefs } from "./model.js";
import {
  errorClassName,
  errorCode,
  eventTypeName,
  exportedNames,
  interfaceNames,
  methodInName,
  methodOutName,
} from "./names.js";
import type { ResolvedArg, ResolvedProgram } from "./resolve.js";

/**
 * The model of a resolved program. The resolve pass calls it only when every type resolved; the other checks may
 * still have found errors (the model is then dropped), so it tolerates what they report: interfaces without a name
 * are left out, and a method's undeclared errors (`validate/references.ts`) are skipped.
 */
export function buildModel(resolved: ResolvedProgram): Model {
  const args = (list: readonly ResolvedArg[], owner: InterfaceAst): ModelArg[] =>
    list.map(({ ast, arg }) => {
      if (arg === null)
        throw new InternalCompilerError(`unresolved type of '${ast.name.value}' in ${owner.file}`);
      return arg;
    });
  const named = resolved.interfaces.filter((r) => r.ast.name !== null);

  const types = new Map<string, ModelNamedType>();
  for (const { ast: intf, types: own } of named) {
    const intfName = nameOf(intf);
    for (const t of own) {
      const base = {
        name: t.ast.name.value,
        qualifiedName: `${intfName}.${t.ast.name.value}`,
        intf: intfName,
        description: t.ast.description,
      };
      types.set(
        base.qualifiedName,
        t.kind === "struct"
          ? { ...base, kind: "struct", fields: args(t.fields, intf) }
          : { ...base, kind: "enum", values: t.ast.values.map((v) => v.value) },
      );
    }
  }

  const interfaces = named.map((r): ModelInterface => {
    const intf = r.ast;
    const name = nameOf(intf);
    const names = interfaceNames(name);
    const errors = intf.errors.map((e): ModelError => ({
      name: e.name.value,
      description: e.description,
      code: errorCode(name, e.name.value),
      className: errorClassName(names.pascal, e.name.value),
    }));
    const events = r.events.map((e): ModelEvent => ({
      name: e.ast.name.value,
      description: e.ast.description,
      args: args(e.args, intf),
      typeName: eventTypeName(names.pascal, e.ast.name.value),
    }));
    const methods = r.methods.map((m): ModelMethod => ({
      name: m.ast.name.value,
      description: m.ast.description,
      inArgs: args(m.inArgs, intf),
      outArgs: args(m.outArgs, intf),
      errors: m.ast.errors.flatMap((ref) => errors.filter((e) => e.name === ref.value).slice(0, 1)),
      inTypeName: m.inArgs.length > 0 ? methodInName(names.pascal, m.ast.name.value) : null,
      outTypeName: m.outArgs.length > 0 ? methodOutName(names.pascal, m.ast.name.value) : null,
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
      handlersName: names.handlers,
      createServerName: names.createServer,
      namespaceName: names.namespace,
      exports: exportedNames(intf).map((n) => ({ id: n.id, typeOnly: n.typeOnly })),
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
