/**
 * Docs golden tests: `--docs` output of each `test/golden-docs/<case>/input/` equals `expected/*.md`.
 * `UPDATE_GOLDEN=1` rewrites them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compile } from "../../packages/supcon-gen/src/compile.js";

const ROOT = __dirname;
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const cases = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe("golden docs", () => {
  it.each(cases)("%s", (name) => {
    const dir = path.join(ROOT, name);
    const expectedDir = path.join(dir, "expected");
    const result = compile({ inputs: ["input"], out: "out", docs: "expected", cwd: dir });
    expect(result.diagnostics).toEqual([]);
    const pages = result.files.filter((f) => f.path.startsWith(expectedDir + path.sep));
    if (UPDATE) {
      fs.rmSync(expectedDir, { recursive: true, force: true });
      fs.mkdirSync(expectedDir);
      for (const f of pages) fs.writeFileSync(f.path, f.content);
    }
    expect(pages.map((f) => path.basename(f.path)).sort()).toEqual(fs.readdirSync(expectedDir).sort());
    for (const f of pages) expect(f.content).toBe(fs.readFileSync(f.path, "utf8"));
  });
});
