/**
 * Helpers of the compiler tests: temporary project folders and the built CLI.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const CLI = path.join(ROOT, "packages/supcon-gen/dist/cli.js");

/** A fresh temporary folder with the given files (path → content); removed by `cleanup()`. */
export function tempProject(files: Readonly<Record<string, string>> = {}): {
  readonly dir: string;
  write(file: string, content: string): void;
  read(file: string): string;
  exists(file: string): boolean;
  cleanup(): void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-gen-test-"));
  const write = (file: string, content: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  };
  for (const [file, content] of Object.entries(files)) write(file, content);
  return {
    dir,
    write,
    read: (file) => fs.readFileSync(path.join(dir, file), "utf8"),
    exists: (file) => fs.existsSync(path.join(dir, file)),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Builds both packages once if the CLI is not built yet (tests of the CLI run the built code, as users do). */
export function ensureBuilt(): void {
  if (fs.existsSync(CLI)) return;
  const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
  let output = "";
  for (const pkg of ["supcon", "supcon-gen"]) {
    const build = spawnSync(process.execPath, [tsc, "-p", `packages/${pkg}/tsconfig.build.json`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    output += build.stdout + build.stderr;
  }
  if (!fs.existsSync(CLI)) throw new Error(`build failed:\n${output}`);
}

/** Runs the built CLI in `cwd`; returns its exit status and output. */
export function runCli(
  args: readonly string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const TIMER_YAML = `name: com.example.Timer
description: Named one-shot timers.
events:
  - name: timeout
    args:
      timer: (str) - The name of the timer
methods:
  - name: add
    inArgs:
      timer: (str) - A name for the timer
      seconds: (float) - A duration
    outArgs: {}
`;

export const ECHO_YAML = `name: com.example.Echo
methods:
  - name: echo
    inArgs: [{ name: text, type: string }]
    outArgs: [{ name: text, type: string }]
`;
