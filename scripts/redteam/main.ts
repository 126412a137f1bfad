/**
 * The red-team run: every attack (or those named) against a fresh victim, one after the other, with a well-behaved
 * client calling and subscribing throughout; prints a Markdown table and exits 1 when a goal is missed.
 *   npm run redteam -- [--only attack,...] [--scale 1] [--seconds 5] [--out report.md] [--list]
 */
import * as fs from "node:fs";
import { ATTACKS, selectAttacks } from "./attacks/index.js";
import { runAttack } from "./harness.js";
import type { AttackResult } from "./metrics.js";
import { GOALS } from "./metrics.js";
import { createRedTeamPki } from "./pki.js";
import { markdownReport, summaryLine } from "./report.js";

interface Options {
  readonly only: string[] | undefined;
  readonly scale: number;
  readonly seconds: number;
  readonly out: string | undefined;
  readonly list: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`);
    return v;
  };
  const positive = (name: string, fallback: number): number => {
    const v = value(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`);
    return n;
  };
  const known = new Set(["--only", "--scale", "--seconds", "--out", "--list"]);
  for (const arg of argv) {
    if (arg.startsWith("--") && !known.has(arg)) {
      throw new Error(`unknown option ${arg} (known: ${[...known].join(", ")})`);
    }
  }
  const only = value("--only");
  return {
    only: only === undefined ? undefined : only.split(",").filter(Boolean),
    scale: positive("--scale", 1),
    seconds: positive("--seconds", 5),
    out: value("--out"),
    list: argv.includes("--list"),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.list) {
    for (const a of ATTACKS) process.stdout.write(`${a.name.padEnd(22)} ${a.kind.padEnd(9)} ${a.summary}\n`);
    return 0;
  }
  const attacks = selectAttacks(options.only);
  process.stdout.write(
    `redteam: ${attacks.length} attacks, ${options.seconds} s each, scale ${options.scale}; goals ${JSON.stringify(GOALS)}\n`,
  );
  const pki = createRedTeamPki();
  const results: AttackResult[] = [];
  const started = Date.now();
  try {
    for (const attack of attacks) {
      const result = await runAttack(attack, {
        pki,
        scale: options.scale,
        seconds: options.seconds,
        log: (line) => process.stdout.write(`  ${line}\n`),
      });
      results.push(result);
      process.stdout.write(`${summaryLine(result)}\n`);
    }
  } finally {
    pki.dispose();
  }
  const report = markdownReport(results);
  const failed = results.filter((r) => r.failures.length > 0).length;
  const took = ((Date.now() - started) / 1_000).toFixed(0);
  process.stdout.write(
    `\n${report}\nredteam: ${failed} of ${results.length} attacks missed a goal (${took} s)\n`,
  );
  if (options.out !== undefined) fs.writeFileSync(options.out, report);
  return failed === 0 ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(
      `redteam failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(2);
  });
