import { InvalidArgumentError } from "../../../packages/supcon/src/base/errors";
import type {
  InterfaceDescription,
  NormalInterfaceDescription,
} from "../../../packages/supcon/src/schema/descriptor";
import { normalizeInterface } from "../../../packages/supcon/src/schema/normalize";

/** The seed's Timer interface, in its own (map-form) shape. */
const seedTimer = {
  name: "com.example.Timer",
  description: "A timer interface",
  events: [
    {
      name: "timeout",
      description: "Gets triggered whenever a timer times out",
      args: { timer: "(str) - The name of the timer" },
    },
  ],
  methods: [
    {
      name: "add",
      description: "Adds a new timer",
      inArgs: { timer: "(str) - A name for the timer", seconds: "(float) - A duration" },
      outArgs: {},
    },
    { name: "remove", inArgs: { timer: "(str) - The name of the timer to remove" } },
    { name: "list", outArgs: { timers: "(list) - The pending timers" } },
  ],
};

function normalize(description: unknown): NormalInterfaceDescription {
  return normalizeInterface(description as InterfaceDescription).description;
}

function error(description: unknown): string {
  try {
    normalizeInterface(description as InterfaceDescription);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error("no error");
}

const withMethod = (method: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({
  name: "com.example.T",
  ...extra,
  methods: [{ name: "m", ...method }],
});

describe("normalizeInterface()", () => {
  it("normalises the seed's Timer: map-form args, seed descriptions, aliases", () => {
    expect(normalize(seedTimer)).toEqual({
      name: "com.example.Timer",
      description: "A timer interface",
      types: [],
      errors: [],
      events: [
        {
          name: "timeout",
          description: "Gets triggered whenever a timer times out",
          args: [{ name: "timer", type: "string", description: "The name of the timer" }],
        },
      ],
      methods: [
        {
          name: "add",
          description: "Adds a new timer",
          inArgs: [
            { name: "timer", type: "string", description: "A name for the timer" },
            { name: "seconds", type: "float", description: "A duration" },
          ],
          outArgs: [],
          errors: [],
        },
        {
          name: "remove",
          inArgs: [{ name: "timer", type: "string", description: "The name of the timer to remove" }],
          outArgs: [],
          errors: [],
        },
        {
          name: "list",
          inArgs: [],
          outArgs: [{ name: "timers", type: "any[]", description: "The pending timers" }],
          errors: [],
        },
      ],
    });
  });

  it("is idempotent: the normal form normalises to itself", () => {
    const once = normalize(seedTimer);
    expect(normalize(once)).toEqual(once);
  });

  it("freezes the normal form", () => {
    const normal = normalize(seedTimer);
    expect(Object.isFrozen(normal)).toBe(true);
    expect(Object.isFrozen(normal.methods)).toBe(true);
    expect(Object.isFrozen(normal.methods?.[0]?.inArgs)).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ["type", { type: "str" }, "string"],
    ["type with optional", { type: "int", optional: true }, "int?"],
    ["optional type with optional", { type: "int?", optional: true }, "int?"],
    ["optional: false", { type: "bool", optional: false }, "bool"],
    ["list alias", { type: "list" }, "any[]"],
    ["dict alias", { type: "dict" }, "map<any>"],
    ["nested aliases", { type: "map<str[]?>" }, "map<string[]?>"],
    ["parenthesised optional elements", { type: "(int?)[]" }, "(int?)[]"],
    ["spaces", { type: " map < int > [] " }, "map<int>[]"],
    ["no type, no description", {}, "any"],
    ["a plain description", { description: "Just text" }, "any"],
    ["a seed description", { description: "(bool) - Yes or no" }, "bool"],
    ["a seed description, optional", { description: "(str)", optional: true }, "string?"],
  ])("gives an explicit canonical type: %s", (_, arg, type) => {
    const normal = normalize(withMethod({ inArgs: [{ name: "a", ...(arg as object) }] }));
    expect(normal.methods?.[0]?.inArgs?.[0]).toMatchObject({ name: "a", type });
    expect(normal.methods?.[0]?.inArgs?.[0]).not.toHaveProperty("optional");
  });

  it("keeps descriptions: the text part of seed descriptions, verbatim ones beside an explicit type", () => {
    const normal = normalize(
      withMethod({
        inArgs: [
          { name: "a", description: "(str) - The name" },
          { name: "b", description: "(str)" },
          { name: "c", type: "int", description: "(in seconds) the delay" },
          { name: "d", description: "Plain" },
        ],
      }),
    );
    expect(normal.methods?.[0]?.inArgs).toEqual([
      { name: "a", type: "string", description: "The name" },
      { name: "b", type: "string" },
      { name: "c", type: "int", description: "(in seconds) the delay" },
      { name: "d", type: "any", description: "Plain" },
    ]);
  });

  it("accepts map-form args with object values and nil values", () => {
    const normal = normalize(
      withMethod({ inArgs: { a: { type: "int", description: "An int" }, b: { optional: true }, c: null } }),
    );
    expect(normal.methods?.[0]?.inArgs).toEqual([
      { name: "a", type: "int", description: "An int" },
      { name: "b", type: "any?" },
      { name: "c", type: "any" },
    ]);
  });

  it("normalises struct and enum types, and treats nil collections as empty", () => {
    const normal = normalize({
      name: "com.example.T",
      description: null,
      types: [
        { name: "Info", description: "One", fields: { a: "(int) - An int", b: { type: "Unit?" } } },
        { name: "Unit", enum: ["s", "m"] },
        { name: "Empty", fields: [] },
      ],
      errors: null,
      events: null,
      methods: [{ name: "m", inArgs: null, outArgs: [{ name: "i", type: "Info" }], errors: null }],
    });
    expect(normal).toEqual({
      name: "com.example.T",
      types: [
        {
          name: "Info",
          description: "One",
          fields: [
            { name: "a", type: "int", description: "An int" },
            { name: "b", type: "Unit?" },
          ],
        },
        { name: "Unit", enum: ["s", "m"] },
        { name: "Empty", fields: [] },
      ],
      errors: [],
      events: [],
      methods: [{ name: "m", inArgs: [], outArgs: [{ name: "i", type: "Info" }], errors: [] }],
    });
  });

  it("resolves local, copied-in qualified and self-qualified type names", () => {
    const model = normalizeInterface({
      name: "com.example.Map",
      types: [
        { name: "com.example.geo.Point", fields: [{ name: "x", type: "float" }] },
        { name: "Route", fields: [{ name: "points", type: "com.example.geo.Point[]" }] },
      ],
      methods: [
        { name: "a", inArgs: [{ name: "r", type: "Route" }] },
        { name: "b", inArgs: [{ name: "r", type: "com.example.Map.Route" }] },
      ],
    });
    expect(model.resolveType("Route")?.name).toBe("Route");
    expect(model.resolveType("com.example.Map.Route")?.name).toBe("Route");
    expect(model.resolveType("com.example.geo.Point")?.name).toBe("com.example.geo.Point");
    expect(model.resolveType("Point")).toBeUndefined();
    expect(model.resolveType("com.example.Map.com.example.geo.Point")).toBeUndefined();
    expect(model.description.methods?.[1]?.inArgs?.[0]?.type).toBe("com.example.Map.Route");
  });

  it("lets types refer to types declared after them, and to themselves through lists", () => {
    expect(() =>
      normalize({
        name: "com.example.T",
        types: [
          {
            name: "Tree",
            fields: [
              { name: "children", type: "Tree[]" },
              { name: "leaf", type: "Leaf?" },
            ],
          },
          {
            name: "Leaf",
            fields: [
              { name: "parent", type: "Tree?" },
              { name: "siblings", type: "map<Leaf>" },
            ],
          },
        ],
      }),
    ).not.toThrow();
  });

  describe("refuses bad descriptions with a precise message", () => {
    it.each<[string, unknown, string]>([
      ["not an object", "com.example.T", 'Interface: the description must be an object, got "com.example.T"'],
      ["null", null, "Interface: the description must be an object, got null"],
      ["no name", {}, "Interface: name must be a dotted name like 'com.example.Timer', got nothing"],
      [
        "a bad name",
        { name: "com..T" },
        "Interface: name must be a dotted name like 'com.example.Timer', got \"com..T\"",
      ],
      [
        "an unknown top-level key",
        { name: "com.example.T", method: [] },
        "Interface 'com.example.T': the description: unknown key 'method' (did you mean 'methods'?)",
      ],
      [
        "methods not a list",
        { name: "com.example.T", methods: {} },
        "Interface 'com.example.T': methods must be a list, got an object",
      ],
      [
        "a method not an object",
        { name: "com.example.T", methods: ["add"] },
        "Interface 'com.example.T': methods[0] must be an object, got \"add\"",
      ],
      [
        "a method without name",
        { name: "com.example.T", methods: [{}] },
        "Interface 'com.example.T': methods[0]: name must be an identifier (letters, digits, '_'), got nothing",
      ],
      [
        "a non-string method name",
        { name: "com.example.T", methods: [{ name: 5 }] },
        "Interface 'com.example.T': methods[0]: name must be an identifier (letters, digits, '_'), got number 5",
      ],
      [
        "a method name with a dash",
        { name: "com.example.T", methods: [{ name: "add-timer" }] },
        "Interface 'com.example.T': methods[0]: name must be an identifier (letters, digits, '_'), got \"add-timer\"",
      ],
      [
        "a reserved method name",
        { name: "com.example.T", methods: [{ name: "constructor" }] },
        "Interface 'com.example.T': methods[0]: 'constructor' is a reserved name",
      ],
      [
        "a duplicate method",
        { name: "com.example.T", methods: [{ name: "a" }, { name: "a" }] },
        "Interface 'com.example.T': method 'a' is declared twice",
      ],
      [
        "a duplicate event",
        { name: "com.example.T", events: [{ name: "e" }, { name: "e" }] },
        "Interface 'com.example.T': event 'e' is declared twice",
      ],
      [
        "a duplicate error",
        { name: "com.example.T", errors: [{ name: "E" }, { name: "E" }] },
        "Interface 'com.example.T': error 'E' is declared twice",
      ],
      [
        "a duplicate type",
        {
          name: "com.example.T",
          types: [
            { name: "X", enum: ["a"] },
            { name: "X", fields: [] },
          ],
        },
        "Interface 'com.example.T': type 'X' is declared twice",
      ],
      [
        "an unknown method key",
        withMethod({ inargs: [] }),
        "Interface 'com.example.T': method 'm': unknown key 'inargs' (did you mean 'inArgs'?)",
      ],
      [
        "an unknown arg key",
        withMethod({ inArgs: [{ name: "a", typ: "int" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': unknown key 'typ' (did you mean 'type'?)",
      ],
      [
        "an unknown map-form arg key",
        withMethod({ inArgs: { a: { name: "a" } } }),
        "Interface 'com.example.T': method 'm', inArgs 'a': unknown key 'name' (known: type, description, optional)",
      ],
      [
        "a duplicate arg",
        withMethod({ inArgs: [{ name: "a" }, { name: "a" }] }),
        "Interface 'com.example.T': method 'm', inArgs: argument 'a' is declared twice",
      ],
      [
        "a duplicate result",
        withMethod({ outArgs: [{ name: "a" }, { name: "a" }] }),
        "Interface 'com.example.T': method 'm', outArgs: result 'a' is declared twice",
      ],
      [
        "args of the wrong shape",
        withMethod({ inArgs: "a" }),
        "Interface 'com.example.T': method 'm', inArgs must be a list of {name, type} entries or a map of name to description, got \"a\"",
      ],
      [
        "a map-form arg of the wrong shape",
        withMethod({ inArgs: { a: 5 } }),
        "Interface 'com.example.T': method 'm', inArgs 'a' must be a description string or an object with 'type', got number 5",
      ],
      [
        "a map-form arg with a bad name",
        withMethod({ inArgs: { "a b": "(str)" } }),
        "Interface 'com.example.T': method 'm', inArgs 'a b': name must be an identifier (letters, digits, '_'), got \"a b\"",
      ],
      [
        "a reserved arg name",
        withMethod({ inArgs: [{ name: "__proto__" }] }),
        "Interface 'com.example.T': method 'm', inArgs[0]: '__proto__' is a reserved name",
      ],
      [
        "a non-string type",
        withMethod({ inArgs: [{ name: "a", type: 5 }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': type must be a string, got number 5",
      ],
      [
        "a bad type expression",
        withMethod({ inArgs: [{ name: "a", type: "map<int" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': bad type 'map<int': expected '>' to close 'map<' at column 8",
      ],
      [
        "an empty type",
        withMethod({ inArgs: [{ name: "a", type: "" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': bad type '': expected a type name at column 1",
      ],
      [
        "a double optional",
        withMethod({ inArgs: [{ name: "a", type: "int??" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': bad type 'int??': '?' given twice at column 5",
      ],
      [
        "a bad seed type",
        withMethod({ inArgs: { a: "(list of str) - Names" } }),
        "Interface 'com.example.T': method 'm', inArgs 'a': bad type 'list of str' in its description: unexpected 'o' at column 6",
      ],
      [
        "a misspelt type",
        withMethod({ inArgs: [{ name: "a", type: "flot" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': unknown type 'flot' (did you mean 'float'?)",
      ],
      [
        "a misspelt named type",
        withMethod(
          { outArgs: [{ name: "a", type: "TimerInfo[]" }] },
          { types: [{ name: "TimerInfos", fields: [] }] },
        ),
        "Interface 'com.example.T': method 'm', outArgs 'a': unknown type 'TimerInfo' (did you mean 'TimerInfos'?)",
      ],
      [
        "an unknown qualified type",
        withMethod({ inArgs: [{ name: "a", type: "com.example.geo.Point" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': unknown type 'com.example.geo.Point'",
      ],
      [
        "a bad optional",
        withMethod({ inArgs: [{ name: "a", optional: "yes" }] }),
        "Interface 'com.example.T': method 'm', inArgs 'a': optional must be true or false, got \"yes\"",
      ],
      [
        "a bad description",
        withMethod({ description: 5 }),
        "Interface 'com.example.T': method 'm': description must be a string, got number 5",
      ],
      [
        "an undeclared error",
        withMethod({ errors: ["AlreadyExist"] }, { errors: [{ name: "AlreadyExists" }] }),
        "Interface 'com.example.T': method 'm' lists undeclared error 'AlreadyExist' (did you mean 'AlreadyExists'?)",
      ],
      [
        "an error listed twice",
        withMethod({ errors: ["E", "E"] }, { errors: [{ name: "E" }] }),
        "Interface 'com.example.T': method 'm' lists error 'E' twice",
      ],
      [
        "a non-string error",
        withMethod({ errors: [{ name: "E" }] }, { errors: [{ name: "E" }] }),
        "Interface 'com.example.T': method 'm', errors[0] must be an error name, got an object",
      ],
      [
        "a type with fields and enum",
        { name: "com.example.T", types: [{ name: "X", fields: [], enum: ["a"] }] },
        "Interface 'com.example.T': type 'X' must have exactly one of 'fields' (a struct) or 'enum'",
      ],
      [
        "a type with neither",
        { name: "com.example.T", types: [{ name: "X" }] },
        "Interface 'com.example.T': type 'X' must have exactly one of 'fields' (a struct) or 'enum'",
      ],
      [
        "a type named like a built-in",
        { name: "com.example.T", types: [{ name: "str", fields: [] }] },
        "Interface 'com.example.T': types[0]: 'str' is a built-in type and cannot be redefined",
      ],
      [
        "an empty enum",
        { name: "com.example.T", types: [{ name: "X", enum: [] }] },
        "Interface 'com.example.T': type 'X': enum must be a non-empty list of strings, got a list",
      ],
      [
        "a non-string enum value",
        { name: "com.example.T", types: [{ name: "X", enum: ["a", 1] }] },
        "Interface 'com.example.T': type 'X': enum values must be non-empty strings, got number 1",
      ],
      [
        "a duplicate enum value",
        { name: "com.example.T", types: [{ name: "X", enum: ["a", "a"] }] },
        "Interface 'com.example.T': type 'X': enum value 'a' is listed twice",
      ],
      [
        "a bad field type",
        { name: "com.example.T", types: [{ name: "X", fields: [{ name: "f", type: "Missing" }] }] },
        "Interface 'com.example.T': type 'X', fields 'f': unknown type 'Missing'",
      ],
      [
        "a duplicate field",
        { name: "com.example.T", types: [{ name: "X", fields: [{ name: "f" }, { name: "f" }] }] },
        "Interface 'com.example.T': type 'X', fields: field 'f' is declared twice",
      ],
      [
        "a struct that requires itself",
        {
          name: "com.example.T",
          types: [
            {
              name: "Node",
              fields: [
                { name: "value", type: "int" },
                { name: "next", type: "Node" },
              ],
            },
          ],
        },
        "Interface 'com.example.T': type 'Node' can never be satisfied: it contains itself through required fields (Node.next → Node)",
      ],
      [
        "structs that require each other",
        {
          name: "com.example.T",
          types: [
            { name: "A", fields: [{ name: "b", type: "B" }] },
            { name: "B", fields: [{ name: "a", type: "com.example.T.A" }] },
          ],
        },
        "Interface 'com.example.T': type 'A' can never be satisfied: it contains itself through required fields (A.b → B.a → A)",
      ],
    ])("%s", (_, description, message) => {
      expect(error(description)).toBe(message);
    });
  });
});

describe("names the wire cannot carry", () => {
  it("refuses an interface name over 1,024 characters and a member name over 255", () => {
    const long = `com.${"a".repeat(1_100)}`;
    expect(() => normalizeInterface({ name: long })).toThrow(/at most 1024/);
    const method = "m".repeat(256);
    expect(() => normalizeInterface({ name: "com.example.X", methods: [{ name: method }] })).toThrow(
      /at most 255/,
    );
    expect(() =>
      normalizeInterface({
        name: "com.example.X",
        events: [{ name: "e", args: [{ name: "a".repeat(256), type: "int" }] }],
      }),
    ).toThrow(/at most 255/);
  });
});
