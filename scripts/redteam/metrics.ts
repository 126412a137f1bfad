/**
 * The figures of one attack, computed from what the good client, the victim and the attacker recorded, and the
 * verdict against the goals. Pure: every function takes records and times.
 */
import type { AttackKind } from "./attack.js";

/** A call of the good client: [start ms, latency ms, ok, wrong, injected, kind (0 add, 1 sleep), code]. */
export type CallRecord = readonly [number, number, number, number, number, number, string];
/** A call of the victim to the good client: [start ms, latency ms, ok, wrong, injected]. */
export type ProbeRecord = readonly [number, number, number, number, number];

/** What the good client reports (test/fixtures/redteam-client.js, "collect"). */
export interface ClientRecords {
  readonly calls: readonly CallRecord[];
  /** Start times of its calls still in flight. */
  readonly pending: readonly number[];
  /** Events received: [n, ms]. */
  readonly events: readonly (readonly [number, number])[];
  readonly eventGaps: number;
  readonly linkDowns: number;
  /** When it made this report. */
  readonly now: number;
}

/** What the victim reports (test/fixtures/redteam-victim.js, "collect"). */
export interface VictimRecords {
  /** Events fired: [n, ms]. */
  readonly fired: readonly (readonly [number, number])[];
  readonly probes: readonly ProbeRecord[];
  /** Runs of the admin-only handler: [ms, caller]. */
  readonly adminRuns: readonly (readonly [number, string])[];
  /** Status reports about other nodes: [ms, type, node]. */
  readonly nodeStatuses: readonly (readonly [number, string, string])[];
  readonly warnings: number;
  /** Its first distinct warnings (at most 50, 300 characters each). */
  readonly warningSamples?: readonly string[];
}

/** The goals every attack is held to (docs/RELIABILITY.md, "Hostile peers: the red-team suite"). */
export interface Goals {
  /** During a flood: the good client's calls that succeed, in %. */
  readonly minSuccessPct: number;
  /** During a flood: the 99th percentile of the latency of its `add` calls. */
  readonly maxP99Ms: number;
  /** After the attack ends: until the first second in which every call succeeds. */
  readonly maxRecoveryS: number;
  /** RSS after the attack (after a full collection) over RSS before it. */
  readonly maxRssGrowthMiB: number;
  /** During a connection flood: newcomers that complete their handshake within 2 s, in %. */
  readonly minJoinsPct: number;
}

export const GOALS: Goals = {
  minSuccessPct: 99,
  maxP99Ms: 100,
  maxRecoveryS: 2,
  maxRssGrowthMiB: 64,
  minJoinsPct: 99,
};

/** What the victim gave away to a forged identity. */
export interface Breaches {
  /** Runs of the admin-only handler. */
  readonly handlerRuns: number;
  /** Messages for a real node that reached the attacker. */
  readonly intercepted: number;
  /** Changes of the victim's routes to the good client (it left, came back, changed objects, or led through the attacker). */
  readonly routesChanged: number;
  /** Forged links or handshakes the victim accepted. */
  readonly accepted: number;
  /** Forged RESULTs or ERRORs taken for the answer of a real call. */
  readonly injected: number;
  /** Events the good client missed, where that is what the attack is after (a forged UNSUBSCRIBE). */
  readonly subscriptionLoss: number;
}

export interface AttackResult {
  readonly name: string;
  readonly kind: AttackKind;
  readonly summary: string;
  /** How long the attack ran, from its first connection to the last one closed. */
  readonly attackMs: number;
  /** The good client's calls started during the attack, and the share that succeeded. */
  readonly calls: number;
  readonly successPct: number;
  readonly p99Ms: number;
  readonly missedEvents: number;
  readonly rssMiB: { readonly before: number; readonly during: number; readonly after: number };
  /** Seconds from the end of the attack to the first fully successful second; undefined when none was seen. */
  readonly recoveryS: number | undefined;
  /** How long after the attack the run watched. */
  readonly observedS: number;
  readonly breaches: Breaches;
  readonly joins: { readonly ok: number; readonly total: number } | undefined;
  /** What the victim's process did, when it did not survive. */
  readonly victimExit: string | undefined;
  readonly notes: readonly string[];
  /** The goals missed, each said in a few words; empty when the attack was withstood. */
  readonly failures: readonly string[];
}

/** The good client's calls started in [from, to): how many, and the share that succeeded (pending ones failed). */
export function successRate(
  client: ClientRecords,
  from: number,
  to: number,
): { readonly total: number; readonly pct: number } {
  let total = 0;
  let ok = 0;
  for (const c of client.calls) {
    if (c[0] < from || c[0] >= to) continue;
    total++;
    ok += c[2];
  }
  for (const start of client.pending) if (start >= from && start < to) total++;
  return { total, pct: total === 0 ? 100 : (100 * ok) / total };
}

/** The 99th percentile of the latency of `add` calls started in [from, to); calls still pending count as `timeoutMs`. */
export function p99(client: ClientRecords, from: number, to: number, timeoutMs: number): number {
  const latencies: number[] = [];
  for (const c of client.calls) if (c[5] === 0 && c[0] >= from && c[0] < to) latencies.push(c[1]);
  for (const start of client.pending) if (start >= from && start < to) latencies.push(timeoutMs);
  if (latencies.length === 0) return 0;
  latencies.sort((a, b) => a - b);
  return latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] as number;
}

/** Events fired in [from, to) that the good client never received. */
export function missedEvents(victim: VictimRecords, client: ClientRecords, from: number, to: number): number {
  const received = new Set(client.events.map(([n]) => n));
  let missed = 0;
  for (const [n, at] of victim.fired) if (at >= from && at < to && !received.has(n)) missed++;
  return missed;
}

/**
 * Milliseconds from `from` to the start of the first window of `windowMs` in which every call of the good client
 * and every call of the victim to it succeeded (and there was at least one), looking at windows that end by
 * `until`; undefined when there is none. Windows start every 50 ms.
 */
export function recoveryMs(
  client: ClientRecords,
  victim: VictimRecords,
  from: number,
  until: number,
  windowMs = 1_000,
): number | undefined {
  const outcomes: [number, boolean][] = [
    ...client.calls.map((c): [number, boolean] => [c[0], c[2] === 1]),
    ...client.pending.map((start): [number, boolean] => [start, false]),
    ...victim.probes.map((p): [number, boolean] => [p[0], p[2] === 1]),
  ].filter(([start]) => start >= from);
  outcomes.sort((a, b) => a[0] - b[0]);
  for (let t = from; t + windowMs <= until; t += 50) {
    let any = false;
    let all = true;
    for (const [start, ok] of outcomes) {
      if (start < t) continue;
      if (start >= t + windowMs) break;
      any = true;
      if (!ok) {
        all = false;
        break;
      }
    }
    if (any && all) return t - from;
  }
  return undefined;
}

/** Forged replies taken for real ones, by the good client and by the victim, from `from` on. */
export function injectedReplies(client: ClientRecords, victim: VictimRecords, from: number): number {
  let n = 0;
  for (const c of client.calls) if (c[0] >= from) n += c[3] + c[4];
  for (const p of victim.probes) if (p[0] >= from) n += p[3] + p[4];
  return n;
}

/** Status reports of the victim about `node` from `from` on. */
export function statusChanges(victim: VictimRecords, node: string, from: number): number {
  return victim.nodeStatuses.filter(([at, , about]) => at >= from && about === node).length;
}

export interface VerdictInput {
  readonly kind: AttackKind;
  readonly repairOnly: boolean;
  readonly successPct: number;
  readonly calls: number;
  readonly p99Ms: number;
  readonly missedEvents: number;
  readonly rssMiB: { readonly before: number; readonly after: number };
  readonly recoveryS: number | undefined;
  readonly observedS: number;
  readonly breaches: Breaches;
  readonly joins: { readonly ok: number; readonly total: number } | undefined;
  readonly victimExit: string | undefined;
}

/** The goals missed; empty when none was. */
export function verdict(r: VerdictInput, goals: Goals = GOALS): string[] {
  const failures: string[] = [];
  if (r.victimExit !== undefined) failures.push(`the victim ${r.victimExit}`);
  const b = r.breaches;
  const breach = (n: number, what: string): void => {
    if (n > 0) failures.push(`${n} ${what}`);
  };
  // Whatever the kind: nothing forged may work.
  breach(b.handlerRuns, "runs of the admin-only handler");
  breach(b.intercepted, "messages intercepted");
  breach(b.accepted, "forged links or handshakes accepted");
  breach(b.injected, "forged replies taken");
  breach(b.subscriptionLoss, "events lost to a forged UNSUBSCRIBE");
  if (r.kind === "identity" && !r.repairOnly) breach(b.routesChanged, "route changes");
  if (r.kind === "flood") {
    if (r.calls === 0) failures.push("no call of the good client was even started");
    if (r.successPct < goals.minSuccessPct) failures.push(`${r.successPct.toFixed(1)} % of calls succeeded`);
    if (r.p99Ms > goals.maxP99Ms) failures.push(`p99 ${r.p99Ms} ms`);
    breach(r.missedEvents, "events missed");
    if (r.joins !== undefined && r.joins.total > 0) {
      const pct = (100 * r.joins.ok) / r.joins.total;
      if (pct < goals.minJoinsPct) failures.push(`${r.joins.ok}/${r.joins.total} newcomers joined`);
    }
  }
  if (r.recoveryS === undefined) failures.push(`not recovered after ${r.observedS.toFixed(1)} s`);
  else if (r.recoveryS > goals.maxRecoveryS) failures.push(`recovery ${r.recoveryS.toFixed(1)} s`);
  const growth = r.rssMiB.after - r.rssMiB.before;
  if (growth > goals.maxRssGrowthMiB) failures.push(`RSS +${growth.toFixed(0)} MiB after`);
  return failures;
}
