import { MAX_EDIT_LENGTH, unifiedDiff } from "../../../packages/supcon-gen/src/unified-diff.js";

const lines = (n: number, prefix = "line"): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

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
    const out = unifiedDiff(lines(100, "a").join("\n") + "\n", lines(100, "b").join("\n") + "\n", {
      ...labels,
      maxLines: 10,
    });
    const printed = out.trimEnd().split("\n");
    expect(printed).toHaveLength(2 + 10 + 1);
    expect(printed[printed.length - 1]).toBe("... 191 more lines of diff");
  });

  it("shows an insertion at the start with an empty old range", () => {
    expect(unifiedDiff("b\n", "a\nb\n", { ...labels, context: 0 })).toContain("@@ -0,0 +1,1 @@\n+a\n");
  });

  it("marks a missing final newline", () => {
    expect(unifiedDiff("a", "a\n", labels)).toBe(
      [
        "--- a.ts (on disk)",
        "+++ a.ts (generated)",
        "@@ -1,1 +1,1 @@",
        "-a",
        "\\ No newline at end of file",
        "+a",
        "",
      ].join("\n"),
    );
  });

  it("says so instead of diffing texts that differ in too many lines", () => {
    const out = unifiedDiff(
      lines(MAX_EDIT_LENGTH, "a").join("\n"),
      lines(MAX_EDIT_LENGTH, "b").join("\n"),
      labels,
    );
    expect(out).toBe(
      `--- a.ts (on disk)\n+++ a.ts (generated)\n@@ more than ${MAX_EDIT_LENGTH} lines differ; no diff shown @@\n`,
    );
  });
});
