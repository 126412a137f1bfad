/**
 * Golden tests: each `test/golden/<case>/input/` compiles (in memory) to exactly the files in `expected/`, and the
 * diagnostics (warnings) to `expected/diagnostics.txt` when there are any. `UPDATE_GOLDEN=1` rewrites them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compile } from "../../packages/supcon-gen/src/compile.js";
import { formatDiagnostic } from "../../packages/supcon-gen/src/diagnostics.js";
import { formatWithTsMorph, hasCanonicalIndentation } from "../../packages/supcon-gen/src/emit/format.js";

const ROOT = __dirname;
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const cases = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, e.name, "input")))
  .map((e) => e.name)
  .sort();

describe("golden", () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  describe.each(cases)("%s", (name) => {
    const dir = path.join(ROOT, name);
    const expectedDir = path.join(dir, "expected");
    const result = compile({ inputs: ["input"], out: "expected", cwd: dir });
    const diagnostics = result.diagnostics.map((d) => formatDiagnostic(d) + "\n").join("");

    if (UPDATE) {
      fs.rmSync(expectedDir, { recursive: true, force: true });
      fs.mkdirSync(expectedDir, { recursive: true });
      for (const f of result.files) fs.writeFileSync(f.path, f.content);
      if (diagnostics !== "") fs.writeFileSync(path.join(expectedDir, "diagnostics.txt"), diagnostics);
    }

    it("compiles without errors", () => {
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    });

    it("prints the expected diagnostics", () => {
      const file = path.join(expectedDir, "diagnostics.txt");
      expect(diagnostics).toBe(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
    });

    it("generates exactly the expected files", () => {
      const produced = result.files.map((f) => path.basename(f.path)).sort();
      const expected = fs
        .readdirSync(expectedDir)
        .filter((f) => f.endsWith(".ts"))
        .sort();
      expect(produced).toEqual(expected);
      for (const f of result.files) {
        expect(f.content).toBe(fs.readFileSync(path.join(expectedDir, path.basename(f.path)), "utf8"));
      }
    });

    it("is a fixed point of the ts-morph formatter (so the fast path is exact)", () => {
      for (const f of result.files) {
        expect(hasCanonicalIndentation(f.content)).toBe(true);
        expect(formatWithTsMorph(f.content)).toBe(f.content);
      }
    });

    it("is deterministic", () => {
      const again = compile({ inputs: ["input"], out: "expected", cwd: dir });
      expect(again.files).toEqual(result.files);
    });
  });
});
