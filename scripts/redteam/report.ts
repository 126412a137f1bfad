/**
 * The report of a red-team run: one Markdown table row per attack, then what each attack did and obtained.
 */
import type { AttackResult } from "./metrics.js";

const fixed = (n: number, digits: number): string => n.toFixed(digits);

function row(r: AttackResult): string {
  const rss = `${fixed(r.rssMiB.before, 0)} / ${fixed(r.rssMiB.during, 0)} / ${fixed(r.rssMiB.after, 0)}`;
  const recovery = r.recoveryS === undefined ? `> ${fixed(r.observedS, 1)}` : fixed(r.recoveryS, 1);
  const verdict = r.failures.length === 0 ? "pass" : `**FAIL**: ${r.failures.join("; ")}`;
  const cells = [
    `\`${r.name}\``,
    fixed(r.successPct, 1),
    String(r.p99Ms),
    String(r.missedEvents),
    rss,
    recovery,
    verdict,
  ];
  return `| ${cells.join(" | ")} |`;
}

/** The Markdown table of `results`, then a list of what each attack did. */
export function markdownReport(results: readonly AttackResult[]): string {
  const lines = [
    "| attack | success % | p99 ms | missed events | RSS before/during/after MiB | recovery s | verdict |",
    "| --- | --: | --: | --: | --: | --: | --- |",
    ...results.map(row),
    "",
  ];
  for (const r of results) {
    const b = r.breaches;
    const identity = [
      `handler runs ${b.handlerRuns}`,
      `intercepted ${b.intercepted}`,
      `route changes ${b.routesChanged}`,
      `forged accepted ${b.accepted}`,
      `forged replies taken ${b.injected}`,
    ].join(", ");
    const did = [r.summary, ...r.notes].join("; ");
    lines.push(
      `- \`${r.name}\` (${r.kind}, ${fixed(r.attackMs / 1_000, 1)} s, ${r.calls} calls): ${did}. ${identity}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** One line per attack, for the console while the run goes on. */
export function summaryLine(r: AttackResult): string {
  const recovery = r.recoveryS === undefined ? `>${fixed(r.observedS, 1)}` : fixed(r.recoveryS, 1);
  const verdict = r.failures.length === 0 ? "pass" : `FAIL: ${r.failures.join("; ")}`;
  return `${r.name}: ${fixed(r.successPct, 1)} % ok, p99 ${r.p99Ms} ms, missed ${r.missedEvents}, RSS ${fixed(r.rssMiB.before, 0)}/${fixed(r.rssMiB.during, 0)}/${fixed(r.rssMiB.after, 0)} MiB, recovery ${recovery} s: ${verdict}`;
}
