import { diffLines, unifiedDiff } from "../../../packages/supcon-gen/src/diff.js";

const lines = (n: number, prefix = "line"): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

describe("diffLines()", () => {
  it("finds a shortest edit script", () => {
    const ops = diffLines(["a", "b", "c", "d"], ["a", "x", "c", "d", "e"]);
    expect(ops.map((o) => `${o.kind[0]}${o.text}`)).toEqual(["ea", "db", "ix", "ec", "ed", "ie"]);
  });

  it("handles empty sides", () => {
    expect(diffLines([], ["a"])).toEqual([{ kind: "insert", text: "a" }]);
    expect(diffLines(["a"], [])).toEqual([{ kind: "delete", text: "a" }]);
    expect(diffLines([], [])).toEqual([]);
  });

  it("reconstructs both sides", () => {
    const a = ["x", "a", "b", "c", "y", "z", "q"];
    const b = ["a", "c", "b", "y", "w", "z"];
    const ops = diffLines(a, b);
    expect(ops.filter((o) => o.kind !== "insert").map((o) => o.text)).toEqual(a);
    expect(ops.filter((o) => o.kind !== "delete").map((o) => o.text)).toEqual(b);
    expect(ops.filter((o) => o.kind !== "equal").length).toBe(5);
  });
});

describe("unifiedDiff()", () => {
  const labels = { oldLabel: "a.ts (on disk)", newLabel: "a.ts (generated)" };

  it("is empty for equal texts", () => {
    expect(unifiedDiff("x\n", "x\n", labels)).toBe("");
  });

  it("prints one hunk with three lines of context", () => {
    const before = lines(10).join("\n") + "\n";
    const after = before.replace("line 5\n", "line five\n");
    expect(unifiedDiff(before, after, labels)).toBe(
      [
        "--- a.ts (on disk)",
        "+++ a.ts (generated)",
        "@@ -2,7 +2,7 @@",
        " line 2",
        " line 3",
        " line 4",
        "-line 5",
        "+line five",
        " line 6",
        " line 7",
        " line 8",
        "",
      ].join("\n"),
    );
  });

  it("prints separate hunks for distant changes and merges close ones", () => {
    const before = lines(30);
    const after = [...before];
    after[1] = "changed 2";
    after[4] = "changed 5";
    after[25] = "changed 26";
    const out = unifiedDiff(before.join("\n"), after.join("\n"), labels);
    expect(out.split("\n").filter((l) => l.startsWith("@@"))).toEqual([
      "@@ -1,8 +1,8 @@",
      "@@ -23,7 +23,7 @@",
    ]);
  });

  it("caps the number of lines shown", () => {
    const out = unifiedDiff(lines(100, "a").join("\n"), lines(100, "b").join("\n"), {
      ...labels,
      maxLines: 10,
    });
    const printed = out.trimEnd().split("\n");
    expect(printed).toHaveLength(2 + 10 + 1);
    expect(printed[printed.length - 1]).toBe("... 191 more lines of diff");
  });

  it("shows an insertion at the start with an empty old range", () => {
    expect(unifiedDiff("b\n", "a\nb\n", { ...labels, context: 0 })).toContain("@@ -0,0 +1 @@\n+a\n");
  });
});
