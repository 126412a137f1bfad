import { didYouMean, editDistance } from "../../../packages/supcon/src/base/did-you-mean";

describe("editDistance()", () => {
  it("counts insertions, deletions, substitutions and neighbour swaps as one edit each", () => {
    expect(editDistance("float", "float")).toBe(0);
    expect(editDistance("flot", "float")).toBe(1);
    expect(editDistance("flaot", "float")).toBe(1);
    expect(editDistance("floaty", "float")).toBe(1);
    expect(editDistance("fleat", "float")).toBe(1);
    expect(editDistance("string", "int")).toBe(4);
  });
});

describe("didYouMean()", () => {
  it("suggests a close name, and nothing for a distant one", () => {
    expect(didYouMean("flaot", ["string", "float", "int"])).toBe(" (did you mean 'float'?)");
    expect(didYouMean("ad", ["add", "list"])).toBe(" (did you mean 'add'?)");
    expect(didYouMean("zebra", ["add", "list"])).toBe("");
  });
});
