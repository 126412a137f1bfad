/**
 * Names: interface names are dotted identifiers (two segments at least) and unique across all inputs; member,
 * argument, field, type, error and enum-value names are identifiers (or, for enum values, non-empty strings) and
 * unique where they must be.
 *
 * Names that cannot travel are refused here: `__proto__`, `constructor` and `prototype` for every member (the runtime
 * refuses them), and for types the words generated TypeScript cannot declare a type by. Reserved words are fine
 * everywhere else: the generated code uses members and properties by name, never as bindings.
 */
import { PRIMITIVE_TYPES, TYPE_ALIASES } from "supcon/schema";
import type { ArgAst, InterfaceAst, Program, Str } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { error, formatSpan } from "../diagnostics.js";
import { RESERVED_TYPE_NAMES, WIRE_REFUSED_NAMES, isInheritedAliasName, pascalCase } from "../model/names.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** True for a name the generated code can use as a property or member name. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** True for a valid interface name: two or more identifiers separated by dots (`com.example.Timer`). */
export function isInterfaceName(name: string): boolean {
  return DOTTED_NAME.test(name);
}

/** Checks the names within one interface: the form of its own name, and its members' names. */
export function checkInterfaceNames(intf: InterfaceAst): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = intf.name;
  if (name !== null && IDENTIFIER.test(name.value)) {
    // One segment: the generated names would work, but the name would be no one's. The last segment names the
    // generated classes; the segments before it keep apart the interfaces of different owners on one bus.
    out.push(
      error(
        name,
        `interface name '${name.value}' has no dot: interface names are dotted, an owner's prefix (a reverse ` +
          `domain or a project name) before the name, e.g. 'com.example.${name.value}'`,
      ),
    );
  } else if (name !== null && !isInterfaceName(name.value)) {
    out.push(
      error(
        name,
        `interface name '${name.value}' is not a dotted name of identifiers: each segment must start with a ` +
          `letter or '_' and contain only letters, digits and '_' (e.g. '${suggestDotted(name.value)}')`,
      ),
    );
  }
  out.push(...checkMembers(intf));
  return out;
}

/** Checks that interface names are unique across all inputs; each later definition cites the first. */
export function checkUniqueInterfaceNames(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const intf of program.interfaces) {
    const first = intf.name === null ? undefined : program.byName.get(intf.name.value);
    if (intf.name !== null && first !== undefined && first !== intf && first.name !== null) {
      out.push(
        error(
          intf.name,
          `duplicate interface name '${intf.name.value}': it is already defined at ${formatSpan(first.name)}; ` +
            `interface names must be unique across all inputs`,
        ),
      );
    }
  }
  return out;
}

function checkMembers(intf: InterfaceAst): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ident = (name: Str, what: string): void => {
    const d = identifierProblem(name, what);
    if (d !== null) out.push(d);
  };
  const unique = (names: readonly Str[], what: string, within: string): void => {
    out.push(...duplicates(names, what, within));
  };
  const args = (list: readonly ArgAst[], what: string, within: string): void => {
    for (const a of list) ident(a.name, `${what} name`);
    unique(
      list.map((a) => a.name),
      what,
      within,
    );
  };

  for (const t of intf.types) {
    const name = t.name.value;
    ident(t.name, "type name");
    if (WIRE_REFUSED_NAMES.has(name)) {
      // Reported by the identifier check.
    } else if (
      name === "map" ||
      (PRIMITIVE_TYPES as readonly string[]).includes(name) ||
      Object.hasOwn(TYPE_ALIASES, name)
    ) {
      out.push(
        error(t.name, `type name '${name}' is a built-in type; rename it (e.g. '${pascalCase(name)}')`),
      );
    } else if (isInheritedAliasName(name)) {
      out.push(
        error(
          t.name,
          `type name '${name}' is a member of every JavaScript object (Object.prototype.${name}), which the ` +
            `type parser would take for a built-in type; rename it (e.g. '${pascalCase(name)}')`,
        ),
      );
    } else if (RESERVED_TYPE_NAMES.has(name)) {
      out.push(
        error(
          t.name,
          `type name '${name}' is a reserved word of TypeScript and cannot name a generated type; ` +
            `rename it (e.g. '${pascalCase(name)}')`,
        ),
      );
    }
    if (t.kind === "struct") {
      args(t.fields, "field", `type '${name}'`);
    } else {
      if (t.values.length === 0) {
        out.push(error(t.name, `enum type '${name}' has no values; list at least one, e.g. enum: [on, off]`));
      }
      for (const v of t.values) {
        if (v.value === "") out.push(error(v, `enum type '${name}' has an empty value; remove it`));
      }
      unique(t.values, "enum value", `type '${name}'`);
    }
  }
  unique(
    intf.types.map((t) => t.name),
    "type",
    "the interface",
  );

  for (const e of intf.errors) ident(e.name, "error name");
  unique(
    intf.errors.map((e) => e.name),
    "error",
    "the interface",
  );

  for (const e of intf.events) {
    ident(e.name, "event name");
    args(e.args, "argument", `event '${e.name.value}'`);
  }
  unique(
    intf.events.map((e) => e.name),
    "event",
    "the interface",
  );

  for (const m of intf.methods) {
    ident(m.name, "method name");
    args(m.inArgs, "in-argument", `method '${m.name.value}'`);
    args(m.outArgs, "out-argument", `method '${m.name.value}'`);
  }
  unique(
    intf.methods.map((m) => m.name),
    "method",
    "the interface",
  );
  return out;
}

function identifierProblem(name: Str, what: string): Diagnostic | null {
  if (WIRE_REFUSED_NAMES.has(name.value)) {
    return error(
      name,
      `${what} '${name.value}' is special in JavaScript objects, so the runtime refuses it (as a key on the wire ` +
        `and as a name in an interface); rename it (e.g. '${name.value.replace(/^_+|_+$/g, "")}_')`,
    );
  }
  if (isIdentifier(name.value)) return null;
  return error(
    name,
    `${what} '${name.value}' is not an identifier: use letters, digits and '_', not starting with a digit ` +
      `(e.g. '${suggestIdentifier(name.value)}')`,
  );
}

/** Reports each later occurrence of a name that appeared before, citing the first. */
function duplicates(names: readonly Str[], what: string, within: string): Diagnostic[] {
  const seen = new Map<string, Str>();
  const out: Diagnostic[] = [];
  for (const name of names) {
    const earlier = seen.get(name.value);
    if (earlier === undefined) {
      seen.set(name.value, name);
    } else {
      out.push(
        error(
          name,
          `duplicate ${what} '${name.value}' in ${within} (first declared at ${earlier.line}:${earlier.col}); ` +
            `rename or remove one`,
        ),
      );
    }
  }
  return out;
}

function suggestIdentifier(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]+/g, "_");
  return /^[0-9]/.test(s) || s === "" ? `_${s}` : s;
}

function suggestDotted(name: string): string {
  const segments = name
    .split(".")
    .filter((seg) => seg !== "")
    .map(suggestIdentifier);
  if (segments.length === 0) return "com.example.Timer";
  return segments.length === 1 ? `com.example.${segments[0]}` : segments.join(".");
}
