/**
 * Type expressions of the interface language: `string`, `int[]`, `map<float>`, `com.example.geo.Point?`.
 *
 * Pure parsing and printing, shared by the compiler (which reports errors with positions) and the runtime
 * (which validates values against descriptors).
 */

/** The built-in scalar types. */
export const PRIMITIVE_TYPES = ["string", "float", "int", "bool", "bytes", "any"] as const;
export type PrimitiveTypeName = (typeof PRIMITIVE_TYPES)[number];

/**
 * Spellings accepted for compatibility with the Python seed. Each maps to the canonical expression it stands for.
 */
export const TYPE_ALIASES: Readonly<Record<string, string>> = {
  str: "string",
  list: "any[]",
  dict: "map<any>",
};

export type TypeExpr =
  | { readonly kind: "primitive"; readonly name: PrimitiveTypeName }
  | { readonly kind: "named"; readonly name: string; readonly offset: number }
  | { readonly kind: "array"; readonly element: TypeExpr }
  | { readonly kind: "map"; readonly value: TypeExpr }
  | { readonly kind: "optional"; readonly inner: TypeExpr };

export type TypeExprParseResult =
  | { readonly ok: true; readonly type: TypeExpr }
  | { readonly ok: false; readonly message: string; readonly offset: number };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Parses a type expression. `T?` at the top level means "optional"; inside `[]` or `map<>` it means the element may
 * be `null`. Named types are returned as written (local `TimerInfo` or qualified `com.example.geo.Point`); resolving
 * them is the caller's job. Offsets are 0-based positions in `source`.
 */
export function parseTypeExpr(source: string): TypeExprParseResult {
  let pos = 0;

  const skipSpace = (): void => {
    while (pos < source.length && (source[pos] === " " || source[pos] === "\t")) pos++;
  };
  const fail = (message: string, at = pos): TypeExprParseResult => ({ ok: false, message, offset: at });

  const parseType = (): TypeExprParseResult => {
    skipSpace();
    let base: TypeExpr;
    const start = pos;
    if (source[pos] === "(") {
      pos++;
      const inner = parseType();
      if (!inner.ok) return inner;
      skipSpace();
      if (source[pos] !== ")") return fail("expected ')'");
      pos++;
      base = inner.type;
    } else {
      IDENT.lastIndex = pos;
      const m = IDENT.exec(source);
      if (!m) {
        return fail(pos >= source.length ? "expected a type name" : `unexpected '${source[pos]}'`);
      }
      pos += m[0].length;
      let name = m[0];
      while (source[pos] === ".") {
        IDENT.lastIndex = pos + 1;
        const part = IDENT.exec(source);
        if (!part) return fail("expected a name after '.'", pos + 1);
        name += "." + part[0];
        pos += 1 + part[0].length;
      }
      skipSpace();
      if (name === "map" && source[pos] === "<") {
        pos++;
        const value = parseType();
        if (!value.ok) return value;
        skipSpace();
        if (source[pos] !== ">") return fail("expected '>' to close 'map<'");
        pos++;
        base = { kind: "map", value: value.type };
      } else {
        base = resolveName(name, start);
      }
    }
    for (;;) {
      skipSpace();
      if (source.startsWith("[]", pos)) {
        pos += 2;
        base = { kind: "array", element: base };
      } else if (source[pos] === "[") {
        return fail("expected '[]'");
      } else if (source[pos] === "?") {
        pos++;
        if (base.kind === "optional") return fail("'?' given twice", pos - 1);
        base = { kind: "optional", inner: base };
      } else {
        return { ok: true, type: base };
      }
    }
  };

  const result = parseType();
  if (!result.ok) return result;
  skipSpace();
  if (pos < source.length) return fail(`unexpected '${source[pos]}'`);
  return result;
}

function resolveName(name: string, offset: number): TypeExpr {
  if ((PRIMITIVE_TYPES as readonly string[]).includes(name)) {
    return { kind: "primitive", name: name as PrimitiveTypeName };
  }
  // Own keys only: `toString` or `constructor` is a name, not an alias found on Object.prototype.
  const alias = Object.hasOwn(TYPE_ALIASES, name) ? TYPE_ALIASES[name] : undefined;
  if (alias !== undefined) {
    const parsed = parseTypeExpr(alias);
    if (!parsed.ok) throw new Error(`bad built-in alias ${name}`);
    return parsed.type;
  }
  return { kind: "named", name, offset };
}

/** Prints a type expression in canonical form (`string`, `int[]`, `map<Point?>`, `TimerInfo?`). */
export function formatTypeExpr(type: TypeExpr): string {
  switch (type.kind) {
    case "primitive":
    case "named":
      return type.name;
    case "array": {
      const inner = formatTypeExpr(type.element);
      return (type.element.kind === "optional" ? `(${inner})` : inner) + "[]";
    }
    case "map":
      return `map<${formatTypeExpr(type.value)}>`;
    case "optional":
      return formatTypeExpr(type.inner) + "?";
  }
}

/** Visits every named reference in a type expression, in source order. */
export function namedRefs(type: TypeExpr): Extract<TypeExpr, { kind: "named" }>[] {
  switch (type.kind) {
    case "primitive":
      return [];
    case "named":
      return [type];
    case "array":
      return namedRefs(type.element);
    case "map":
      return namedRefs(type.value);
    case "optional":
      return namedRefs(type.inner);
  }
}

/**
 * Reads a seed-style argument description, `(str) - The name of the timer`, into its type and text.
 * Returns undefined when the description does not start with a parenthesised type.
 */
export function parseSeedDescription(
  description: string,
): { readonly type: string; readonly text: string; readonly typeOffset: number } | undefined {
  const m = /^\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?:-\s*)?/.exec(description);
  if (!m || m[1] === undefined) return undefined;
  const raw = m[1];
  const type = raw.trim();
  if (type === "") return undefined;
  return {
    type,
    text: description.slice(m[0].length).trim(),
    typeOffset: m[0].indexOf(raw) + raw.indexOf(type),
  };
}
