/**
 * The expected golden modules type-check under the project's strict settings (`noUnusedLocals`,
 * `exactOptionalPropertyTypes`, ...) against the runtime's sources.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

describe("golden expected modules", () => {
  it("type-check with tsc -p test/golden/tsconfig.json", () => {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", "test/golden/tsconfig.json"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 120_000);
});
