/**
 * Runs one attack against a fresh victim with a well-behaved client calling and subscribing throughout, and
 * measures it: the client's success rate and p99 latency during the attack, events it missed, the victim's RSS
 * before, during and after, the time to recover once the attack ends, and what a forged identity obtained.
 *
 * The victim and the good client run in child processes of their own (test/fixtures/redteam-*.js, on the built
 * runtime); the attacker runs here. Every process and connection is gone when `runAttack()` returns.
 */
import { randomBytes } from "node:crypto";
import { Trust } from "../../packages/supcon/src/link/identity.js";
import type { Attack } from "./attack.js";
import { ATTACKER, AttackContext, GOOD, VICTIM, sleep } from "./attack.js";
import { Child } from "./children.js";
import type { AttackResult, ClientRecords, Goals, VictimRecords } from "./metrics.js";
import {
  GOALS,
  injectedReplies,
  missedEvents,
  p99,
  recoveryMs,
  statusChanges,
  successRate,
  verdict,
} from "./metrics.js";
import { Member } from "./member.js";
import { HostilePeer, instanceOf } from "./peer.js";
import type { RedTeamPki } from "./pki.js";

export const SECRET = "Rt7-q2VxK9mWp4LzN8sB3dYh6";
/** Deadline of the good client's calls and of the victim's calls to it. */
const CALL_TIMEOUT_MS = 1_000;
const MIB = 1024 * 1024;

export interface RunSettings {
  readonly pki: RedTeamPki;
  /**
   * Trust mode: every node runs with origin authentication (`NodeOptions.identity`, its certificate, and
   * `trust.ca`, the bus CA), and the attacker is a member with an identity for `mallory` alone. @default false
   */
  readonly trust?: boolean;
  /** Multiplies the attack's counts. @default 1 */
  readonly scale?: number;
  /** How long the attack lasts. @default 5 */
  readonly seconds?: number;
  /** Watch at least this long after the attack. @default 1,500 */
  readonly minAfterMs?: number;
  /** Give up waiting for recovery after this long. @default 10,000 */
  readonly maxAfterMs?: number;
  readonly goals?: Goals;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

interface VictimReady {
  readonly port: number;
  readonly tlsPort: number;
}

interface VictimState {
  readonly rss: number;
  /** JavaScript heap in use, and memory of Buffers and other objects outside it: what the node holds. */
  readonly heapUsed: number;
  readonly external: number;
}

export async function runAttack(attack: Attack, settings: RunSettings): Promise<AttackResult> {
  const scale = settings.scale ?? 1;
  const seconds = settings.seconds ?? 5;
  const minAfterMs = settings.minAfterMs ?? 1_500;
  const maxAfterMs = Math.max(minAfterMs, settings.maxAfterMs ?? 10_000);
  const log = settings.log ?? (() => undefined);
  const pki = settings.pki;
  const trust = settings.trust === true ? Trust.from({ ca: pki.ca }) : undefined;

  const victim = new Child<VictimReady>("redteam-victim.js", {
    name: VICTIM,
    secret: SECRET,
    tls: pki.victim,
    trust: trust !== undefined,
    options: attack.victimOptions?.(scale) ?? {},
    eventPeriodMs: 20,
  });
  let client: Child<unknown> | undefined;
  const samples: [number, number][] = [];
  let sampler: NodeJS.Timeout | undefined;
  let joins: Promise<{ ok: number; total: number }> | undefined;
  let stopJoins = false;
  try {
    const { port, tlsPort } = await victim.ready;
    client = new Child("redteam-client.js", {
      name: GOOD,
      victim: VICTIM,
      port: tlsPort,
      secret: SECRET,
      tls: pki.good,
      trust: trust !== undefined,
      callPeriodMs: 10,
      sleepPeriodMs: 50,
      callTimeoutMs: CALL_TIMEOUT_MS,
    });
    await client.ready;
    await victim.request("probe", { target: GOOD, periodMs: 100, timeoutMs: CALL_TIMEOUT_MS });

    // The victim's RSS all along; a request that waits for the victim's event loop is not doubled.
    let sampling = false;
    sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      void victim.request<VictimState>("state", {}, 5_000).then((s) => {
        sampling = false;
        if (s !== undefined) samples.push([Date.now(), s.rss]);
      });
    }, 200);
    await sleep(500);
    const before = await victim.request<VictimState>("state", { gc: true });

    const attackStart = Date.now();
    const ctx = new AttackContext({
      tcpPort: port,
      tlsPort,
      secret: SECRET,
      tlsCredentials: { ...pki.mallory, ca: pki.ca },
      scale,
      deadline: attackStart + seconds * 1_000,
      ...(trust === undefined
        ? {}
        : { member: new Member(ATTACKER, pki.mallory, trust, instanceOf(ATTACKER)) }),
    });
    const newcomer =
      trust === undefined
        ? undefined
        : (): Member => new Member("newcomer", pki.newcomer, trust, randomBytes(8).toString("hex"));
    if (attack.probeJoins === true) joins = probeJoins(port, () => stopJoins, newcomer);
    log(`${attack.name}: attacking for ${seconds} s at scale ${scale}`);
    // An attack that overruns its time by far is stopped: its connections go, whatever it was doing.
    const limitMs = seconds * 3_000 + 15_000;
    let overrun: NodeJS.Timeout | undefined;
    const ran = await Promise.race([
      attack.run(ctx).then(
        () => "done",
        (err: unknown) => `the attack failed: ${err instanceof Error ? err.message : String(err)}`,
      ),
      new Promise<string>(
        (resolve) => (overrun = setTimeout(() => resolve(`stopped after ${limitMs} ms`), limitMs)),
      ),
    ]);
    clearTimeout(overrun);
    if (ran !== "done") ctx.note(ran);
    stopJoins = true;
    await ctx.teardown();
    const attackEnd = Date.now();
    log(`${attack.name}: attack over after ${attackEnd - attackStart} ms; watching the recovery`);

    // Watch until a fully successful second has been seen (and at least minAfterMs), or maxAfterMs.
    let clientRecords: ClientRecords | undefined;
    let victimRecords: VictimRecords | undefined;
    for (;;) {
      await sleep(250);
      clientRecords = (await client.request<ClientRecords>("collect")) ?? clientRecords;
      victimRecords = (await victim.request<VictimRecords>("collect")) ?? victimRecords;
      const elapsed = Date.now() - attackEnd;
      if (clientRecords !== undefined && victimRecords !== undefined && elapsed >= minAfterMs) {
        const recovered = recoveryMs(clientRecords, victimRecords, attackEnd, clientRecords.now);
        if (recovered !== undefined) break;
      }
      if (elapsed >= maxAfterMs || !victim.alive || !client.alive) break;
    }
    const after = await victim.request<VictimState>("state", { gc: true });
    clearInterval(sampler);
    const joined = joins === undefined ? undefined : await joins;
    const observedEnd = Date.now();
    const empty = emptyRecords(observedEnd);
    const c = clientRecords ?? empty.client;
    const v = victimRecords ?? empty.victim;

    const during = samples.filter(([t]) => t >= attackStart && t <= attackEnd).map(([, rss]) => rss);
    const rssBefore = (before?.rss ?? 0) / MIB;
    const rssMiB = {
      before: rssBefore,
      during: Math.max(rssBefore, ...during.map((r) => r / MIB)),
      // A victim that died or hangs keeps the worst figure seen.
      after: (after?.rss ?? Math.max(0, ...samples.map(([, r]) => r))) / MIB,
    };
    const rate = successRate(c, attackStart, attackEnd);
    const recovered = recoveryMs(c, v, attackEnd, c.now);
    const missed = missedEvents(v, c, attackStart, c.now - CALL_TIMEOUT_MS);
    const breaches = {
      handlerRuns: v.adminRuns.filter(([at]) => at >= attackStart).length,
      intercepted: ctx.intercepted,
      routesChanged: statusChanges(v, GOOD, attackStart) + ctx.rerouted.size,
      accepted: ctx.accepted,
      injected: injectedReplies(c, v, attackStart),
      subscriptionLoss: attack.missedIsBreach === true ? missed : 0,
    };
    if (ctx.kicks !== undefined) ctx.note(ctx.kicks);
    if (before !== undefined && after !== undefined) {
      // RSS also counts what V8 and the C allocator keep after a collection, which they reuse but rarely return:
      // what the node itself still holds is its heap in use and its external memory.
      const held = (s: VictimState): string => `${((s.heapUsed + s.external) / MIB).toFixed(1)}`;
      ctx.note(
        `the victim's heap in use and external memory before/after: ${held(before)} / ${held(after)} MiB`,
      );
    }
    if (trust !== undefined) for (const w of refusalWarnings(v)) ctx.note(`the victim warned: ${w}`);
    const madeUp = ctx.settings.member?.madeUp ?? 0;
    if (madeUp > 0) ctx.note(`${madeUp} forged MACs were random bytes (no key or real MAC to use yet)`);
    ctx.note(
      `p99 in the 0.5 s before the attack: ${p99(c, attackStart - 500, attackStart, CALL_TIMEOUT_MS)} ms`,
    );
    const codes = failureCodes(c, attackStart, attackEnd);
    if (codes !== "") ctx.note(`failed calls by code: ${codes}`);
    const callers = new Map<string, number>();
    for (const [at, caller] of v.adminRuns)
      if (at >= attackStart) callers.set(caller, (callers.get(caller) ?? 0) + 1);
    if (callers.size > 0) {
      ctx.note(
        `the admin-only handler ran for: ${[...callers].map(([who, n]) => `${who} ×${n}`).join(", ")}`,
      );
    }
    const victimExit = victim.exit;
    if (victimExit !== undefined && /UNCAUGHT/.test(victim.stderr)) {
      ctx.note(`victim stderr: ${victim.stderr.slice(-500)}`);
    }
    const partial = {
      kind: attack.kind,
      repairOnly: attack.repairOnly === true,
      successPct: rate.pct,
      calls: rate.total,
      p99Ms: p99(c, attackStart, attackEnd, CALL_TIMEOUT_MS),
      missedEvents: missed,
      rssMiB,
      recoveryS: recovered === undefined ? undefined : recovered / 1_000,
      observedS: (c.now - attackEnd) / 1_000,
      breaches,
      joins: joined,
      victimExit,
    };
    return {
      ...partial,
      name: attack.name,
      summary: (trust === undefined ? undefined : attack.trustSummary) ?? attack.summary,
      attackMs: attackEnd - attackStart,
      notes: [
        ...ctx.notes,
        ...(joined === undefined ? [] : [`newcomers: ${joined.ok} of ${joined.total} joined`]),
      ],
      failures: verdict(partial, settings.goals ?? GOALS),
    };
  } finally {
    stopJoins = true;
    clearInterval(sampler);
    await joins?.catch(() => undefined);
    await client?.stop();
    await victim.stop();
  }
}

/**
 * A newcomer tries to join every 250 ms until `stopped()`: a fresh authenticated handshake over TCP that must
 * complete within 2 s (in trust mode as a new process of the member `newcomer()` makes, with its identity). Counts
 * the attempts and the successes.
 */
async function probeJoins(
  port: number,
  stopped: () => boolean,
  newcomer: (() => Member) | undefined,
): Promise<{ ok: number; total: number }> {
  let ok = 0;
  let total = 0;
  while (!stopped()) {
    total++;
    const started = Date.now();
    let peer: HostilePeer | undefined;
    try {
      peer = await HostilePeer.connect({ port }, { connectTimeoutMs: 2_000 });
      const member = newcomer?.();
      await peer.handshake({
        name: "newcomer",
        instance: member?.instance ?? randomBytes(8).toString("hex"),
        secret: SECRET,
        timeoutMs: 2_000 - (Date.now() - started),
        ...(member === undefined ? {} : { member }),
      });
      ok++;
    } catch {
      // Refused, shed or too slow: counted as not joined.
    } finally {
      peer?.destroy();
    }
    await sleep(Math.max(0, 250 - (Date.now() - started)));
  }
  return { ok, total };
}

/**
 * The victim's first warnings about what it refused (adverts and messages dropped, handshakes refused): what the
 * trust-mode report shows of why. The victim logs one warning per kind every 10 s, so each kind shows once.
 */
function refusalWarnings(victim: VictimRecords): string[] {
  return (victim.warningSamples ?? [])
    .filter((w) => /^(dropped|refused)/.test(w))
    .slice(0, 6)
    .map((w) => (w.length > 200 ? `${w.slice(0, 200)}…` : w));
}

/** The codes of the good client's failed calls started in [from, to), most frequent first: `Timeout 12, …`. */
function failureCodes(client: ClientRecords, from: number, to: number): string {
  const counts = new Map<string, number>();
  for (const c of client.calls) {
    if (c[0] < from || c[0] >= to || c[2] === 1) continue;
    const code = c[6].replace(/^supcon\./, "");
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const pending = client.pending.filter((start) => start >= from && start < to).length;
  if (pending > 0) counts.set("unanswered", pending);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");
}

function emptyRecords(now: number): { client: ClientRecords; victim: VictimRecords } {
  return {
    client: { calls: [], pending: [], events: [], eventGaps: 0, linkDowns: 0, now },
    victim: { fired: [], probes: [], adminRuns: [], nodeStatuses: [], warnings: 0 },
  };
}
