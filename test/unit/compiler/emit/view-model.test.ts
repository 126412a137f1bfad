import { descriptorType, docLines, tsType } from "../../../../packages/supcon-gen/src/emit/view-model.js";
import type { ModelType } from "../../../../packages/supcon-gen/src/model/model.js";

const p = (name: "string" | "int" | "bytes" | "any" | "bool" | "float"): ModelType => ({
  kind: "primitive",
  name,
});
const named = (intf: string, name: string): ModelType => ({ kind: "named", ref: { intf, name } });

describe("tsType()", () => {
  it.each<[ModelType, string]>([
    [p("string"), "string"],
    [p("int"), "number"],
    [p("float"), "number"],
    [p("bool"), "boolean"],
    [p("bytes"), "Uint8Array"],
    [p("any"), "unknown"],
    [{ kind: "array", element: { kind: "array", element: p("int") } }, "number[][]"],
    [{ kind: "array", element: { kind: "optional", inner: p("string") } }, "(string | null)[]"],
    [{ kind: "map", value: { kind: "optional", inner: p("int") } }, "Record<string, number | null>"],
    [{ kind: "map", value: { kind: "array", element: named("a.b", "P") } }, "Record<string, P[]>"],
  ])("%j → %s", (type, ts) => {
    expect(String(tsType(type, (ref) => ref.name))).toBe(ts);
  });
});

describe("descriptorType()", () => {
  it("writes own types bare and other interfaces' types qualified", () => {
    expect(
      descriptorType({ kind: "array", element: named("com.example.geo", "Point") }, "com.example.Map"),
    ).toBe("com.example.geo.Point[]");
    expect(
      descriptorType({ kind: "map", value: named("com.example.Map", "Marker") }, "com.example.Map"),
    ).toBe("map<Marker>");
    expect(descriptorType({ kind: "array", element: { kind: "optional", inner: p("int") } }, "x")).toBe(
      "(int?)[]",
    );
  });
});

describe("docLines()", () => {
  it("splits lines and trims their ends", () => {
    expect(docLines("a  \n\nb")).toEqual(["a", "", "b"]);
    expect(docLines(null)).toEqual([]);
  });
});
