/**
 * Clashes of generated identifiers and files: two things in one module with the same generated name, a user type
 * that hides a global the generated code uses, a method that overrides a member of the base classes (or makes a
 * thenable), two modules that export the same name (index.ts re-exports them all), and module files that would
 * collide.
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
} from "../model/names.js";
import { isIdentifier, isInterfaceName } from "./names.js";

/** Most clashing identifiers listed in one message. */
const MAX_LISTED = 5;

/** Checks the identifiers the module of one interface would declare. */
export function checkModuleClashes(intf: InterfaceAst): Diagnostic[] {
  const named = intf.name !== null && isInterfaceName(intf.name.value);
  return [...checkMethods(intf), ...(named ? checkModule(moduleNames(intf)) : [])];
}

/** Checks what the modules of all interfaces export together (index.ts) and the files they would be written to. */
export function checkProgramClashes(program: Program): Diagnostic[] {
  const modules = uniqueNamed(program).map((intf) => ({ intf, names: moduleNames(intf) }));
  return [...checkAcrossModules(modules), ...checkFiles(modules.map((m) => m.intf))];
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

function checkAcrossModules(modules: readonly { intf: InterfaceAst; names: ExportedName[] }[]): Diagnostic[] {
  // The first module exporting each identifier, and every module for the identifiers exported by several.
  const owner = new Map<string, number>();
  const owners = new Map<string, number[]>();
  modules.forEach((m, i) => {
    for (const { id } of m.names) {
      const o = owner.get(id);
      if (o === undefined) {
        owner.set(id, i);
      } else if (o !== i) {
        const list = owners.get(id) ?? [o];
        if (!list.includes(i)) list.push(i);
        owners.set(id, list);
      }
    }
  });
  // Clashing identifiers per pair of modules, so that two interfaces with one last segment give one message each.
  const pairs = new Map<string, { a: number; b: number; ids: string[] }>();
  for (const [id, list] of owners) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = list[x] as number;
        const b = list[y] as number;
        const key = `${a}:${b}`;
        const pair = pairs.get(key) ?? { a, b, ids: [] };
        pair.ids.push(id);
        pairs.set(key, pair);
      }
    }
  }
  const out: Diagnostic[] = [];
  for (const { a, b, ids } of pairs.values()) {
    ids.sort();
    const listed =
      ids
        .slice(0, MAX_LISTED)
        .map((id) => `'${id}'`)
        .join(", ") + (ids.length > MAX_LISTED ? ` and ${ids.length - MAX_LISTED} more` : "");
    const ma = modules[a] as { intf: InterfaceAst };
    const mb = modules[b] as { intf: InterfaceAst };
    for (const [self, other] of [
      [ma.intf, mb.intf],
      [mb.intf, ma.intf],
    ] as const) {
      const selfName = self.name as NonNullable<InterfaceAst["name"]>;
      const otherName = other.name as NonNullable<InterfaceAst["name"]>;
      out.push(
        error(
          selfName,
          `name clash in the generated index.ts: interfaces '${selfName.value}' and '${otherName.value}' ` +
            `(${formatSpan(otherName)}) both export ${listed}; rename the last segment of one interface ` +
            `or the clashing types`,
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
    if (name.value.toLowerCase() === "index") {
      out.push(
        error(
          name,
          `interface name '${name.value}' would be written to index.ts, which supcon-gen writes itself; rename the interface`,
        ),
      );
      continue;
    }
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
