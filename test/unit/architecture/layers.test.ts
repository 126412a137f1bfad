/**
 * The runtime's layers depend downward only, and ESLint keeps it so: an upward import planted in a lower layer is
 * an error, and the runtime as it is has none. ESLint loads its ES-module config, so it runs in a child process.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../..");

/** Lints each `[file, code]` (file relative to packages/supcon/src) and the runtime itself, in one process. */
function lintLayers(cases: readonly (readonly [string, string])[]): {
  planted: string[][];
  runtime: string[];
} {
  const script = `
    import { ESLint } from "eslint";
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const only = (messages) => messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
    const planted = [];
    for (const [file, code] of cases) {
      const [result] = await eslint.lintText(code, { filePath: "packages/supcon/src/" + file });
      planted.push(only(result.messages));
    }
    const runtime = (await eslint.lintFiles(["packages/supcon/src/**/*.ts"])).flatMap((r) =>
      only(r.messages).map((m) => r.filePath + ": " + m),
    );
    console.log(JSON.stringify({ planted, runtime }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(cases)], {
    cwd: root,
    encoding: "utf8",
  });
  return JSON.parse(out) as { planted: string[][]; runtime: string[] };
}

const UPWARD: readonly (readonly [string, string])[] = [
  ["wire/planted.ts", 'import { Node } from "../api/node.js";\nexport const x = Node;\n'],
  ["base/planted.ts", 'import { MessageType } from "../wire/messages.js";\nexport const x = MessageType;\n'],
  ["link/planted.ts", 'import { Router } from "../bus/router.js";\nexport const x = Router;\n'],
  [
    "dispatch/planted.ts",
    'import type { NodeCore } from "../bus/core.js";\nexport type X = NodeCore<1, 2>;\n',
  ],
  ["transport/planted.ts", 'import { Link } from "../link/link.js";\nexport const x = Link;\n'],
  ["bus/planted.ts", 'import { Node } from "../index.js";\nexport const x = Node;\n'],
  [
    "schema/planted.ts",
    'import { NodeClient } from "../generated/supcon.Node.js";\nexport const x = NodeClient;\n',
  ],
];
const DOWNWARD: readonly [string, string] = [
  "bus/planted.ts",
  'import { MessageType } from "../wire/messages.js";\nexport const x = MessageType;\n',
];

describe("layering", () => {
  let result: { planted: string[][]; runtime: string[] };

  beforeAll(() => {
    result = lintLayers([...UPWARD, DOWNWARD]);
  }, 120_000);

  it.each(UPWARD.map(([file], i) => [file, i] as const))(
    "refuses the upward import planted in %s",
    (_file, i) => {
      const messages = result.planted[i] ?? [];
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/is below .* it may import only/);
    },
  );

  it("allows a downward import", () => {
    expect(result.planted[UPWARD.length]).toEqual([]);
  });

  it("holds for the runtime as it is", () => {
    expect(result.runtime).toEqual([]);
  });
});
