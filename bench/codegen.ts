/**
 * Code generation benchmark: writes synthetic interface files (10 methods, 5 events, 5 types and 2 errors each,
 * about 4.6 KB of YAML) and times `supcon-gen` on them, end to end (a real process, as users run it): generating
 * into an empty folder, regenerating with nothing changed, and `--check`.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/out/codegen.js [count=1000]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const METHODS = 10;
const EVENTS = 5;
const TYPES = 5;

/** Writes `n` interface files (`com.bench.Service<i>.yaml`) into `dir`; returns their paths. */
export function generateSyntheticInterfaces(n: number, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `com.bench.Service${i}.yaml`);
    fs.writeFileSync(file, syntheticInterface(i));
    files.push(file);
  }
  return files;
}

/**
 * One synthetic interface in YAML, shaped like a typical hand-written one: descriptions on members and on some
 * arguments; structs with optional fields, arrays, maps and enum references; declared errors on some methods.
 */
export function syntheticInterface(i: number): string {
  const structs = TYPES - 1;
  const lines = [`name: com.bench.Service${i}`, `description: Synthetic service number ${i}.`, "types:"];
  for (let t = 0; t < structs; t++) {
    lines.push(
      `  - name: S${i}Record${t}`,
      `    description: Record number ${t}.`,
      "    fields:",
      "      - { name: id, type: string, description: The identifier }",
      "      - { name: count, type: int }",
      `      - { name: kind, type: S${i}Kind? }`,
      t > 0
        ? `      - { name: previous, type: "S${i}Record${t - 1}[]" }`
        : '      - { name: tags, type: "map<string>" }',
    );
  }
  lines.push(
    `  - name: S${i}Kind`,
    "    enum: [small, medium, large]",
    "errors:",
    "  - { name: NotFound, description: No such record. }",
    "  - { name: Conflict, description: The record changed meanwhile. }",
    "events:",
  );
  for (let e = 0; e < EVENTS; e++) {
    lines.push(
      `  - name: changed${e}`,
      `    description: Record ${e % structs} changed.`,
      "    args:",
      "      - { name: id, type: string, description: The identifier }",
      `      - { name: record, type: S${i}Record${e % structs} }`,
    );
  }
  lines.push("methods:");
  for (let m = 0; m < METHODS; m++) {
    lines.push(
      `  - name: operation${m}`,
      `    description: Performs operation ${m}.`,
      "    inArgs:",
      "      - { name: id, type: string, description: The identifier }",
      "      - { name: limit, type: int? }",
      "    outArgs:",
      `      - { name: records, type: "S${i}Record${m % structs}[]" }`,
      ...(m % 2 === 0 ? ["    errors: [NotFound, Conflict]"] : []),
    );
  }
  return lines.join("\n") + "\n";
}

/** The built CLI, found from `bench/` (sources) or `bench/out/` (compiled). */
function builtCli(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const cli = path.join(dir, "packages/supcon-gen/dist/cli.js");
    if (fs.existsSync(cli)) return cli;
  }
  throw new Error("packages/supcon-gen/dist/cli.js not found: run `npm run build` first");
}

function time(label: string, args: readonly string[], cwd: string): number {
  const cli = builtCli();
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  const ms = performance.now() - started;
  const out = (result.stdout + result.stderr).trim().split("\n").slice(-1)[0] ?? "";
  console.log(`${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  exit ${String(result.status)}  ${out}`);
  return ms;
}

function main(): void {
  const count = Number(process.argv[2] ?? 1000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-bench-"));
  try {
    generateSyntheticInterfaces(count, path.join(root, "interfaces"));
    console.log(`${count} interfaces (${METHODS} methods, ${EVENTS} events, ${TYPES} types each) in ${root}`);
    const args = ["interfaces", "--out", "generated", "--runtime-import", "supcon"];
    time("generate (empty folder)", args, root);
    time("generate (unchanged)", args, root);
    time("--check", [...args, "--check"], root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) main();
