/**
 * Docs golden tests: `--docs` output of each `test/golden-docs/<case>/input/` equals `expected/*.md`, and the
 * type names in its tables link to their definitions. `UPDATE_GOLDEN=1` rewrites them.
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

/** The ids of a page's anchors (`<a id="type-Point"></a>`). */
function anchors(page: string): Set<string> {
  return new Set([...page.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1] as string));
}

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

describe("docs links", () => {
  it.each(cases)("%s: every use of a named type links to its definition, and every link resolves", (name) => {
    const dir = path.join(ROOT, name);
    const result = compile({ inputs: ["input"], out: "out", docs: "docs", cwd: dir });
    const pages = new Map(
      result.files.filter((f) => f.path.endsWith(".md")).map((f) => [path.basename(f.path), f.content]),
    );
    let links = 0;
    for (const [file, page] of pages) {
      for (const row of page.matchAll(/^\| `[^`]+` \| (.+?) \| .*\|$/gm)) {
        const cell = row[1] as string;
        const link = /^\[`[^`]+`\]\(([^)#]*)#([^)]+)\)$/.exec(cell);
        if (link === null) {
          // Not a link: a built-in type, all lower case (named types of the cases start with a capital).
          expect(cell).toMatch(/^`[a-z<>[\]?()]+`$/);
          continue;
        }
        links++;
        const target = link[1] === "" ? file : (link[1] as string);
        expect([file, target, anchors(pages.get(target) ?? "").has(link[2] as string)]).toEqual([
          file,
          target,
          true,
        ]);
      }
    }
    expect(links).toBeGreaterThan(0);
  });
});
