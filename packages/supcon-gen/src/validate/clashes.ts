/**
 * Clashes of generated identifiers and files: two things in one module with the same generated name, a user type
 * that hides a global the generated code uses, a method that overrides a member of the base classes (or makes a
 * thenable), two modules that index.ts would export as one namespace, and module files that would collide.
 */
import type { InterfaceAst, Program } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { error, formatSpan } from "../diagnostics.js";
import type { ExportedName } from "../model/names.js";
import {
  GLOBAL_TYPE_NAMES,
  RESERVED_METHOD_NAMES,
  WIRE_REFUSED_NAMES,
  exportedNames,
  interfaceNames,
} from "../model/names.js";
import { isIdentifier, isInterfaceName } from "./names.js";

/** Checks the identifiers the module of one interface would declare. */
export function checkModuleClashes(intf: InterfaceAst): Diagnostic[] {
  const named = intf.name !== null && isInterfaceName(intf.name.value);
  return [...checkMethods(intf), ...(named ? checkModule(moduleNames(intf)) : [])];
}

/** Checks the namespaces of the modules in index.ts and the files the modules would be written to. */
export function checkProgramClashes(program: Program): Diagnostic[] {
  const interfaces = uniqueNamed(program);
  return [...checkNamespaces(interfaces), ...checkFiles(interfaces)];
}

/** The identifiers a module exports, without those of invalid names (reported by the name checks). */
function moduleNames(intf: InterfaceAst): ExportedName[] {
  return exportedNames(intf).filter((n) => isIdentifier(n.id));
}

/** Interfaces with a valid name that is not a duplicate (those are reported by the name checks). */
function uniqueNamed(program: Program): InterfaceAst[] {
  return program.interfaces.filter(
    (intf) =>
      intf.name !== null && isInterfaceName(intf.name.value) && program.byName.get(intf.name.value) === intf,
  );
}

function checkMethods(intf: InterfaceAst): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of intf.methods) {
    const member = RESERVED_METHOD_NAMES.get(m.name.value);
    // The names the wire refuses are reported by the name checks.
    if (member !== undefined && !WIRE_REFUSED_NAMES.has(m.name.value)) {
      out.push(
        error(
          m.name,
          `method name '${m.name.value}' clashes with a member the generated client or server inherits ` +
            `(${member}); rename the method`,
        ),
      );
    }
  }
  return out;
}

function checkModule(names: readonly ExportedName[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const first = new Map<string, ExportedName>();
  const clashing = new Map<string, ExportedName[]>();
  for (const n of names) {
    // A runtime symbol of the same name is imported under an alias (`emit/imports.ts`); a global cannot be.
    if (n.user && GLOBAL_TYPE_NAMES.includes(n.id)) {
      out.push(
        error(
          n.span,
          `${n.what} would hide the global '${n.id}' that the generated code uses; rename the type`,
        ),
      );
    }
    const earlier = first.get(n.id);
    if (earlier === undefined) first.set(n.id, n);
    else clashing.set(n.id, [...(clashing.get(n.id) ?? [earlier]), n]);
  }
  for (const [id, same] of clashing) {
    // Entries with the same description are duplicates of one name, already reported by the name checks.
    const distinct = same.filter((n, i) => same.findIndex((m) => m.what === n.what) === i);
    if (distinct.length < 2) continue;
    const user = distinct.find((n) => n.user);
    const reported = user ?? (distinct[distinct.length - 1] as ExportedName);
    const others = distinct
      .filter((n) => n !== reported)
      .map((n) => `${n.what} (${n.span.line}:${n.span.col})`)
      .join(" and ");
    out.push(
      error(
        reported.span,
        user !== undefined
          ? `name clash: ${reported.what} has the same name as the generated ${others}; rename the type`
          : `name clash: the ${reported.what} and the ${others} are both named '${id}'; rename one of them`,
      ),
    );
  }
  return out;
}

/**
 * Two interfaces whose `index.ts` namespaces would have one name (`com.example.Timer` and `com.exampleTimer` are
 * both `ComExampleTimer`). Names the modules share otherwise are fine: `index.ts` exports those only through the
 * namespaces (`model/names.ts` `planIndex`). Names that differ only in case are reported as colliding files.
 */
function checkNamespaces(interfaces: readonly InterfaceAst[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const first = new Map<string, NonNullable<InterfaceAst["name"]>>();
  for (const intf of interfaces) {
    const name = intf.name as NonNullable<InterfaceAst["name"]>;
    const namespace = interfaceNames(name.value).namespace;
    const earlier = first.get(namespace);
    if (earlier === undefined) {
      first.set(namespace, name);
    } else if (earlier.value.toLowerCase() !== name.value.toLowerCase()) {
      out.push(
        error(
          name,
          `interfaces '${name.value}' and '${earlier.value}' (${formatSpan(earlier)}) would both be exported ` +
            `from the generated index.ts as namespace '${namespace}'; rename one`,
        ),
      );
    }
  }
  return out;
}

function checkFiles(interfaces: readonly InterfaceAst[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byLower = new Map<string, InterfaceAst>();
  for (const intf of interfaces) {
    const name = intf.name as NonNullable<InterfaceAst["name"]>;
    // A dotted name cannot make `index.ts`.
    const earlier = byLower.get(name.value.toLowerCase());
    const earlierName = earlier?.name;
    if (earlierName) {
      out.push(
        error(
          name,
          `interfaces '${name.value}' and '${earlierName.value}' (${formatSpan(earlierName)}) differ only in ` +
            `case: their generated files would collide on case-insensitive file systems; rename one`,
        ),
      );
    } else {
      byLower.set(name.value.toLowerCase(), intf);
    }
  }
  return out;
}
