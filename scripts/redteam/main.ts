/**
 * The red-team run: every attack (or those named) against a fresh victim, one after the other, with a well-behaved
 * client calling and subscribing throughout; prints a Markdown table and exits 1 when a goal is missed.
 *   npm run redteam -- [--trust] [--only attack,...] [--scale 1] [--seconds 5] [--out report.md] [--list]
 * With `--trust`, every node runs with origin authentication (identities certified by the bus CA), and the attacker
 * is a member with an identity of its own (harness.ts, `RunSettings.trust`).
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
  readonly trust: boolean;
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
  const known = new Set(["--only", "--scale", "--seconds", "--out", "--list", "--trust"]);
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
    trust: argv.includes("--trust"),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.list) {
    for (const a of ATTACKS) {
      const summary = (options.trust ? a.trustSummary : undefined) ?? a.summary;
      process.stdout.write(`${a.name.padEnd(22)} ${a.kind.padEnd(9)} ${summary}\n`);
    }
    return 0;
  }
  const attacks = selectAttacks(options.only);
  process.stdout.write(
    `redteam: ${attacks.length} attacks, ${options.seconds} s each, scale ${options.scale}, ${options.trust ? "with origin authentication (--trust)" : "shared secret and mutual TLS"}; goals ${JSON.stringify(GOALS)}\n`,
  );
  const pki = createRedTeamPki();
  const results: AttackResult[] = [];
  const started = Date.now();
  try {
    for (const attack of attacks) {
      const result = await runAttack(attack, {
        pki,
        trust: options.trust,
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
