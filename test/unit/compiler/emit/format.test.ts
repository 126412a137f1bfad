import {
  formatTypeScript,
  formatWithTsMorph,
  hasCanonicalIndentation,
  normalizeLayout,
} from "../../../../packages/supcon-gen/src/emit/format.js";

describe("normalizeLayout()", () => {
  it("drops trailing spaces, runs of blank lines and blank lines at the ends", () => {
    expect(normalizeLayout("\n\na  \n\n\n\n  b\t\n  \n")).toBe("a\n\n  b\n");
  });
});

describe("hasCanonicalIndentation()", () => {
  it("accepts two spaces per line that opened brackets", () => {
    const text = [
      "export const X = /*@__PURE__*/ new Interface({",
      '  name: "a{b",',
      "  methods: [",
      '    { name: "m", type: "map<int>" },',
      "  ],",
      "});",
      "",
      "/**",
      " * Doc with a ( bracket.",
      " */",
      "export class A {",
      "  m(): void {}",
      "}",
      "",
    ].join("\n");
    expect(hasCanonicalIndentation(text)).toBe(true);
  });

  it("rejects wrong indentation, tabs and unbalanced brackets", () => {
    expect(hasCanonicalIndentation("class A {\n    x = 1;\n}\n")).toBe(false);
    expect(hasCanonicalIndentation("class A {\n\tx = 1;\n}\n")).toBe(false);
    expect(hasCanonicalIndentation("class A {\n  x = 1;\n")).toBe(false);
    expect(hasCanonicalIndentation("/**\n* bad\n */\n")).toBe(false);
  });
});

describe("formatTypeScript()", () => {
  it("leaves canonical code alone", () => {
    const code = "export interface A {\n  x: number;\n}\n";
    expect(formatTypeScript(code)).toBe(code);
  });

  it("formats code that is not canonical with ts-morph", () => {
    expect(formatTypeScript("export interface A {\nx: number;\n      y:string;\n}\n")).toBe(
      "export interface A {\n  x: number;\n  y: string;\n}\n",
    );
  });

  it("formats independent texts independently (no stale state between calls)", () => {
    const a = formatWithTsMorph("class A {\nx = 1;\n}\n");
    const b = formatWithTsMorph("interface B {\ny: string;\nz: number;\n}\n");
    expect(a).toBe("class A {\n  x = 1;\n}\n");
    expect(b).toBe("interface B {\n  y: string;\n  z: number;\n}\n");
  });
});
