import {
  formatTypeExpr,
  namedRefs,
  parseSeedDescription,
  parseTypeExpr,
} from "../../../packages/supcon/src/schema/type-expr";

function canonical(source: string): string {
  const parsed = parseTypeExpr(source);
  if (!parsed.ok) throw new Error(`${parsed.message} at ${parsed.offset}`);
  return formatTypeExpr(parsed.type);
}

describe("parseTypeExpr()", () => {
  it.each([
    ["string", "string"],
    ["str", "string"],
    ["list", "any[]"],
    ["dict", "map<any>"],
    ["int[][]", "int[][]"],
    ["map<float?>", "map<float?>"],
    ["(int?)[]", "(int?)[]"],
    ["int?[]", "(int?)[]"],
    ["TimerInfo?", "TimerInfo?"],
    ["com.example.geo.Point[]", "com.example.geo.Point[]"],
    [" map < str > ", "map<string>"],
  ])("reads %j as %j", (source, expected) => {
    expect(canonical(source)).toBe(expected);
  });

  it.each([
    ["", "expected a type name", 0],
    ["int??", "'?' given twice", 4],
    ["map<int", "expected '>' to close 'map<'", 7],
    ["int[", "expected '[]'", 3],
    ["a.", "expected a name after '.'", 2],
    ["int x", "unexpected 'x'", 4],
  ])("refuses %j: %s", (source, message, offset) => {
    expect(parseTypeExpr(source)).toEqual({ ok: false, message, offset });
  });

  it("lists named references in order", () => {
    const parsed = parseTypeExpr("map<A[]>");
    expect(parsed.ok && namedRefs(parsed.type).map((r) => r.name)).toEqual(["A"]);
  });
});

describe("parseSeedDescription()", () => {
  it("reads the type and text of a seed description", () => {
    expect(parseSeedDescription("(str) - The name")).toEqual({
      type: "str",
      text: "The name",
      typeOffset: 1,
    });
    expect(parseSeedDescription("( float )")).toEqual({ type: "float", text: "", typeOffset: 2 });
    expect(parseSeedDescription("The name")).toBeUndefined();
    expect(parseSeedDescription("() - nothing")).toBeUndefined();
  });
});

describe("names that are members of every object", () => {
  it.each(["toString", "constructor", "valueOf", "hasOwnProperty"])(
    "reads %s as a named type, not an alias",
    (name) => {
      expect(parseTypeExpr(name)).toMatchObject({ ok: true, type: { kind: "named", name } });
      expect(parseTypeExpr(`${name}[]`)).toMatchObject({
        ok: true,
        type: { kind: "array", element: { kind: "named", name } },
      });
    },
  );
});
