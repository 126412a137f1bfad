/**
 * Diagnostics golden tests: each `test/golden-errors/<case>/` has `input.yaml` (or an `input/` folder) and
 * `expected.txt`, the diagnostics exactly as the CLI prints them. `UPDATE_GOLDEN=1` rewrites `expected.txt`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compile } from "../../packages/supcon-gen/src/compile.js";
import { formatDiagnostic, hasErrors } from "../../packages/supcon-gen/src/diagnostics.js";

const ROOT = __dirname;
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const cases = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe("golden diagnostics", () => {
  it.each(cases)("%s", (name) => {
    const dir = path.join(ROOT, name);
    const input = fs.existsSync(path.join(dir, "input")) ? "input" : "input.yaml";
    const result = compile({ inputs: [input], out: "out", cwd: dir });
    const printed = result.diagnostics.map((d) => formatDiagnostic(d) + "\n").join("");
    const expectedFile = path.join(dir, "expected.txt");
    if (UPDATE) fs.writeFileSync(expectedFile, printed);
    expect(printed).toBe(fs.readFileSync(expectedFile, "utf8"));
    expect(printed).not.toBe("");
    // Nothing is generated when there is an error.
    if (hasErrors(result.diagnostics)) expect(result.files).toEqual([]);
  });
});
