import { createRender, helpers } from "../../../../packages/supcon-gen/src/emit/render.js";

describe("helpers", () => {
  it("tsdoc: one line inline, several as a block, escaping */", () => {
    expect(helpers.tsdoc(["One line."])).toBe("/** One line. */");
    expect(helpers.tsdoc(["First.", "", "Second */ end."])).toBe(
      "/**\n * First.\n *\n * Second *\\/ end.\n */",
    );
  });

  it("json: strings and one-line arrays", () => {
    expect(helpers.json('say "hi"')).toBe('"say \\"hi\\""');
    expect(helpers.json(["a", "b"])).toBe('["a", "b"]');
    expect(() => helpers.json(undefined)).toThrow();
  });

  it("join: comma-separated", () => {
    expect(helpers.join(["a", "b", "c"])).toBe("a, b, c");
  });
});

describe("createRender()", () => {
  it("renders the index template", () => {
    const render = createRender();
    const whole = { from: "./a.js", namespace: "A", all: true, types: [], values: [] };
    const named = { from: "./b.js", namespace: "B", all: false, types: ["T"], values: ["V"] };
    expect(render("index.ts", { header: "// h", shared: ["x: A.x, B.x"], modules: [whole, named] })).toBe(
      "// h\n/* eslint-disable */\n\n// x: A.x, B.x\n\n" +
        'export * from "./a.js";\nexport * as A from "./a.js";\n\n' +
        'export {\n  V,\n} from "./b.js";\nexport type {\n  T,\n} from "./b.js";\nexport * as B from "./b.js";\n\n',
    );
  });

  it("fails on a missing field (strict mode)", () => {
    expect(() => createRender()("index.ts", { shared: [], modules: [] })).toThrow(/header/);
  });
});
