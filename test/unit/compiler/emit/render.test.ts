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
    expect(render("index.ts", { header: "// h", modules: ["./a.js"] })).toBe(
      '// h\n/* eslint-disable */\n\nexport * from "./a.js";\n',
    );
  });

  it("fails on a missing field (strict mode)", () => {
    expect(() => createRender()("index.ts", { modules: [] })).toThrow(/header/);
  });
});
