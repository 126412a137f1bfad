import type { InterfaceDescription, TypeDescription } from "../../../packages/supcon/src/schema/descriptor";
import { normalizeInterface } from "../../../packages/supcon/src/schema/normalize";
import {
  MAX_VALUE_DEPTH,
  ValidatorCompiler,
  describe as describeValue,
} from "../../../packages/supcon/src/schema/validate";
import type { Validator } from "../../../packages/supcon/src/schema/validate";

const types: TypeDescription[] = [
  {
    name: "TimerInfo",
    fields: [
      { name: "timer", type: "string" },
      { name: "remaining", type: "float" },
      { name: "label", type: "string", optional: true },
    ],
  },
  { name: "Unit", enum: ["seconds", "minutes"] },
  {
    name: "Tree",
    fields: [
      { name: "value", type: "int" },
      { name: "children", type: "Tree[]?" },
    ],
  },
  {
    name: "com.example.geo.Point",
    fields: [
      { name: "x", type: "float" },
      { name: "y", type: "float" },
    ],
  },
  {
    name: "Odd",
    fields: [
      { name: "toString", type: "string?" },
      { name: "valueOf", type: "int" },
    ],
  },
];

/** A validator of the args `{ v: <type> }`. */
function validator(type: string): Validator {
  const description: InterfaceDescription = {
    name: "com.example.T",
    types,
    methods: [{ name: "m", inArgs: [{ name: "v", type }] }],
  };
  const model = normalizeInterface(description);
  return new ValidatorCompiler(model).args(model.methods[0]?.inArgs ?? [], "argument");
}

/** Checks `value` against `type`; undefined when valid. */
function check(type: string, value: unknown): string | undefined {
  return validator(type)({ v: value });
}

describe("ValidatorCompiler", () => {
  it.each<[string, unknown[], [unknown, string][]]>([
    [
      "string",
      ["", "abc"],
      [
        [1, "int"],
        [null, "null"],
        [["a"], "array"],
      ],
    ],
    [
      "float",
      [0, -1.5, 1e300, 2 ** 60],
      [
        [NaN, "NaN"],
        [Infinity, "Infinity"],
        ["1", "string"],
        [1n, "bigint"],
      ],
    ],
    [
      "int",
      [0, -7, 2 ** 53 - 1],
      [
        [1.5, "float"],
        [2 ** 53, "unsafe integer"],
        [-Infinity, "-Infinity"],
        [true, "bool"],
      ],
    ],
    [
      "bool",
      [true, false],
      [
        [0, "int"],
        ["true", "string"],
      ],
    ],
    [
      "bytes",
      [new Uint8Array(2), Buffer.from("x")],
      [
        [[1, 2], "array"],
        [new Uint16Array(1), "Uint16Array"],
        [new ArrayBuffer(1), "ArrayBuffer"],
      ],
    ],
    [
      "int[]",
      [[], [1, 2]],
      [
        [{}, "object"],
        ["12", "string"],
      ],
    ],
    [
      "map<int>",
      [{}, { a: 1 }, Object.assign(Object.create(null) as object, { a: 1 })],
      [
        [[], "array"],
        [new Map(), "Map"],
        [new Date(0), "Date"],
      ],
    ],
    [
      "Unit",
      ["seconds", "minutes"],
      [
        [1, "int"],
        [null, "null"],
      ],
    ],
    [
      "TimerInfo",
      [{ timer: "a", remaining: 1 }],
      [
        [[], "array"],
        ["a", "string"],
        [new (class Info {})(), "Info"],
      ],
    ],
  ])("checks %s", (type, valid, invalid) => {
    for (const value of valid) expect(check(type, value)).toBeUndefined();
    const expected = type === "Unit" ? "Unit ('seconds' | 'minutes')" : type;
    for (const [value, got] of invalid) {
      expect(check(type, value)).toBe(`args.v: expected ${expected}, got ${got}`);
    }
  });

  it("shows the refused value of an enum", () => {
    expect(check("Unit", "hours")).toBe("args.v: expected Unit ('seconds' | 'minutes'), got 'hours'");
  });

  it("accepts plain data for any, and nothing else", () => {
    const valid = [
      null,
      true,
      1,
      -0.5,
      "s",
      new Uint8Array(1),
      [],
      {},
      [1, [2, { a: [null] }]],
      { a: { b: "c" } },
    ];
    for (const value of valid) expect(check("any", value)).toBeUndefined();
    // `any` includes null, but a required argument must still be given.
    expect(check("any", undefined)).toBe("missing argument 'v' (any)");
    expect(check("any?", undefined)).toBeUndefined();
    expect(check("any", { a: [1, undefined] })).toBeUndefined(); // sent as nil
    expect(check("any", NaN)).toBe("args.v: NaN is not a finite number");
    expect(check("any", { when: new Date(0) })).toBe("args.v.when: expected plain data, got Date");
    expect(check("any", [1, [2, 3n]])).toBe("args.v[1][1]: expected plain data, got bigint");
    expect(check("any", { f: () => 1 })).toBe("args.v.f: expected plain data, got function");
    expect(check("any", { s: Symbol("s") })).toBe("args.v.s: expected plain data, got symbol");
    expect(check("any", new Map())).toBe("args.v: expected plain data, got Map");
    expect(check("any", { "odd key": new Set() })).toBe(`args.v["odd key"]: expected plain data, got Set`);
    expect(check("any", JSON.parse('{"a": {"__proto__": 1}}'))).toBe("args.v.a: forbidden key '__proto__'");
    expect(check("any", { constructor: 1 })).toBe("args.v: forbidden key 'constructor'");
  });

  it("bounds nesting, which also stops cycles", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(check("any", cyclic)).toMatch(/^args\.v(\.self)+: nested deeper than \d+ levels \(a cycle\?\)$/);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_VALUE_DEPTH; i++) deep = [deep];
    expect(check("any", deep)).toBeUndefined();
    expect(check("any", [deep])).toMatch(/nested deeper than 98 levels/);
    let tree: Record<string, unknown> = { value: 0 };
    for (let i = 1; i <= MAX_VALUE_DEPTH; i++) tree = { value: i, children: [tree] };
    expect(check("Tree", tree)).toMatch(/nested deeper than 98 levels/);
  });

  it("checks arrays and maps element by element, with paths", () => {
    expect(check("int[]", [1, 2, "3"])).toBe("args.v[2]: expected int, got string");
    expect(check("int[]", [1, null])).toBe("args.v[1]: expected int, got null");
    expect(check("int[][]", [[1], [2, 2.5]])).toBe("args.v[1][1]: expected int, got float");
    expect(check("map<int>", { a: 1, b: "x" })).toBe("args.v.b: expected int, got string");
    expect(check("map<int>", { "a b": "x" })).toBe(`args.v["a b"]: expected int, got string`);
    expect(check("map<int[]>", { a: [1, true] })).toBe("args.v.a[1]: expected int, got bool");
    expect(check("map<int>", JSON.parse('{"__proto__": 1}'))).toBe("args.v: forbidden key '__proto__'");
  });

  it("lets nested optional elements be null", () => {
    expect(check("int?[]", [1, null, undefined])).toBeUndefined();
    expect(check("(int?)[]", [null])).toBeUndefined();
    expect(check("map<string?>", { a: null })).toBeUndefined();
    expect(check("int?[]", [1, "x"])).toBe("args.v[1]: expected int, got string");
    expect(check("int[]?", null)).toBeUndefined();
    expect(check("int[]?", [null])).toBe("args.v[0]: expected int, got null");
  });

  it("checks structs: exactly their fields, the required ones present", () => {
    expect(check("TimerInfo", { timer: "a", remaining: 1, label: "l" })).toBeUndefined();
    expect(check("TimerInfo", { timer: "a", remaining: 1, label: null })).toBeUndefined();
    expect(check("TimerInfo", { timer: "a", remaining: 1, label: undefined })).toBeUndefined();
    expect(check("TimerInfo", { timer: "a" })).toBe("args.v: missing field 'remaining' (float)");
    expect(check("TimerInfo", { timer: "a", remaining: undefined })).toBe(
      "args.v: missing field 'remaining' (float)",
    );
    expect(check("TimerInfo", { timer: "a", remaining: 1, labl: "l" })).toBe(
      "args.v: unknown field 'labl' (did you mean 'label'?)",
    );
    expect(check("TimerInfo", { timer: "a", remaining: 1, other: undefined })).toBe(
      "args.v: unknown field 'other'",
    );
    expect(
      check("TimerInfo[]", [
        { timer: "a", remaining: 1 },
        { timer: "b", remaining: "1" },
      ]),
    ).toBe("args.v[1].remaining: expected float, got string");
    expect(check("TimerInfo", { timer: "a", remaining: 1, label: 5 })).toBe(
      "args.v.label: expected string, got int",
    );
  });

  it("checks recursive types", () => {
    const tree = {
      value: 1,
      children: [{ value: 2 }, { value: 3, children: [{ value: 4, children: null }] }],
    };
    expect(check("Tree", tree)).toBeUndefined();
    expect(check("Tree", { value: 1, children: [{ value: 2, children: [{ value: "x" }] }] })).toBe(
      "args.v.children[0].children[0].value: expected int, got string",
    );
  });

  it("resolves copied-in qualified types", () => {
    expect(check("com.example.geo.Point", { x: 1, y: 2 })).toBeUndefined();
    expect(check("com.example.geo.Point", { x: 1 })).toBe("args.v: missing field 'y' (float)");
    expect(check("com.example.T.TimerInfo", { timer: "a", remaining: 1 })).toBeUndefined();
  });

  it("does not take fields named like Object.prototype members from the prototype", () => {
    expect(check("Odd", { valueOf: 1 })).toBeUndefined();
    expect(check("Odd", {})).toBe("args.v: missing field 'valueOf' (int)");
    expect(check("Odd", { valueOf: 1, toString: "s" })).toBeUndefined();
    expect(check("Odd", { valueOf: 1, toString: 5 })).toBe("args.v.toString: expected string, got int");
  });
});

describe("args validators", () => {
  const model = normalizeInterface({
    name: "com.example.Timer",
    types,
    methods: [
      {
        name: "add",
        inArgs: [
          { name: "timer", type: "string" },
          { name: "seconds", type: "float" },
          { name: "label", type: "string?" },
        ],
        outArgs: [{ name: "timers", type: "TimerInfo[]" }],
      },
    ],
  });
  const compiler = new ValidatorCompiler(model);
  const method = model.methods[0];
  const validateIn = compiler.args(method?.inArgs ?? [], "argument");
  const validateOut = compiler.args(method?.outArgs ?? [], "result");
  const validateNone = compiler.args([], "argument");

  it("accepts valid args", () => {
    expect(validateIn({ timer: "abc", seconds: 1.5 })).toBeUndefined();
    expect(validateIn({ timer: "abc", seconds: 1.5, label: null })).toBeUndefined();
    expect(
      validateIn(Object.assign(Object.create(null) as object, { timer: "abc", seconds: 1 })),
    ).toBeUndefined();
    expect(validateOut({ timers: [] })).toBeUndefined();
  });

  it("counts undefined and null as {}", () => {
    expect(validateNone(undefined)).toBeUndefined();
    expect(validateNone(null)).toBeUndefined();
    expect(validateIn(undefined)).toBe("missing argument 'timer' (string)");
    expect(validateOut(null)).toBe("missing result 'timers' (TimerInfo[])");
  });

  it("names the first problem", () => {
    expect(validateIn({ timer: "abc" })).toBe("missing argument 'seconds' (float)");
    expect(validateIn({ timer: "abc", seconds: "1" })).toBe("args.seconds: expected float, got string");
    expect(validateIn({ timer: "abc", seconds: 1, secnds: 2 })).toBe(
      "unknown argument 'secnds' (did you mean 'seconds'?)",
    );
    expect(validateNone({ x: 1 })).toBe("unknown argument 'x'");
    expect(
      validateOut({ timers: [{ timer: "t", remaining: 1 }, {}, {}, { timer: "t", remaining: null }] }),
    ).toBe("result.timers[1]: missing field 'timer' (string)");
    expect(
      validateOut({
        timers: [
          { timer: "t", remaining: 1 },
          { timer: "t", remaining: null },
        ],
      }),
    ).toBe("result.timers[1].remaining: expected float, got null");
  });

  it("requires an object", () => {
    expect(validateIn([])).toBe("args must be an object, got array");
    expect(validateIn("abc")).toBe("args must be an object, got string");
    expect(validateIn(new Date(0))).toBe("args must be an object, got Date");
    expect(validateOut(5)).toBe("result must be an object, got int");
  });

  it("removes optional members received as null, in place, only when it validates what was received", () => {
    const readIn = compiler.received(method?.inArgs ?? [], "argument");
    const readOut = compiler.received(method?.outArgs ?? [], "result");
    const args = { timer: "abc", seconds: 1, label: null };
    expect(validateIn(args)).toBeUndefined();
    expect(args).toEqual({ timer: "abc", seconds: 1, label: null });
    expect(readIn(args)).toBeUndefined();
    expect(Object.keys(args)).toEqual(["timer", "seconds"]);
    const out = {
      timers: [
        { timer: "t", remaining: 1, label: null },
        { timer: "u", remaining: 2, label: "L" },
      ],
    };
    expect(readOut(out)).toBeUndefined();
    expect(out.timers.map((t) => Object.keys(t))).toEqual([
      ["timer", "remaining"],
      ["timer", "remaining", "label"],
    ]);
    // A value that fails keeps its problem; the next pure validation changes nothing.
    expect(readIn({ timer: 1, seconds: 1 })).toBe("args.timer: expected string, got int");
    const after = { timer: "abc", seconds: 1, label: null };
    expect(validateIn(after)).toBeUndefined();
    expect(after.label).toBeNull();
  });

  it("does not see inherited keys as arguments", () => {
    const inheriting = Object.create({ extra: 1 }) as Record<string, unknown>;
    inheriting["timer"] = "t";
    inheriting["seconds"] = 1;
    expect(validateIn(inheriting)).toBe("args must be an object, got object with a custom prototype");
  });
});

describe("describe()", () => {
  it("names values in the words of the type language", () => {
    expect(
      [null, undefined, "s", true, 1, 1.5, 2 ** 60, NaN, [], {}, new Uint8Array(0)].map(describeValue),
    ).toEqual([
      "null",
      "undefined",
      "string",
      "bool",
      "int",
      "float",
      "unsafe integer",
      "NaN",
      "array",
      "object",
      "bytes",
    ]);
    expect(describeValue(Object.create(Object.create(null) as object) as object)).toBe(
      "object with a custom prototype",
    );
  });
});
