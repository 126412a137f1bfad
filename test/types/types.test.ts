/**
 * Type-level tests of generated code: `fixtures/timer-usage.ts` and `handlers-usage.ts` hold code that must compile
 * and lines marked `@ts-expect-error` that must not (a wrong argument, an unknown method or event, a wrong payload
 * or return type; handlers typed without annotations, literal unions inferred; the dynamic `node.on`'s args).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

describe("generated types", () => {
  it("accept correct use and reject each @ts-expect-error line", () => {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", "test/types/tsconfig.json"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 120_000);
});
