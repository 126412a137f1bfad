/**
 * One node of the soak run, in a child process of the driver (./main.ts): it serves Calc at /calc and fires numbered
 * `seq` events at /rel, calls every other node at random and subscribes to their events, keeps "nothing lost"
 * accounts of both (test/helpers/ledger.ts), and reports them with its resource use once a second.
 *   node scripts/soak.js --child --name n0 --listen 7000 --connect 7001,7002 --peers n0,n1,n2
 */
import { randomBytes } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Node } from "../../packages/supcon/src/index.js";
import { createCalc } from "../../test/helpers/calc.js";
import { CallLedger, EventLedger, collectGarbage } from "../../test/helpers/ledger.js";
import { Publisher, subscribeSeq } from "../../test/helpers/publisher.js";
import type { SoakCommand, SoakReport } from "./report.js";

/** Calls made every tick, to random peers; events fired every tick. */
const TICK_MS = 20;
const CALLS_PER_TICK = 1;
const EVENTS_PER_TICK = 2;
const CALL_TIMEOUT_MS = 2_000;
/** A stream is stalled when its publisher has been on the bus this long and nothing came for STALL_MS. */
const UP_BEFORE_STALL_MS = 5_000;
const STALL_MS = 3_000;
const ELD_RESOLUTION_MS = 10;

function option(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? undefined : process.argv[i + 1];
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
}

async function main(): Promise<void> {
  const name = option("--name");
  const port = Number(option("--listen"));
  const connect = option("--connect").split(",").filter(Boolean).map(Number);
  const peers = option("--peers")
    .split(",")
    .filter((p) => p !== name);
  const inst = randomBytes(4).toString("hex");
  let warnings = 0;
  const node = new Node(name, {
    reconnectMinMs: 50,
    reconnectMaxMs: 1_000,
    heartbeatIntervalMs: 500,
    heartbeatTimeoutMs: 2_000,
    logger: { warn: () => void warnings++ },
  });
  node.register("/calc", createCalc());
  const publisher = new Publisher(node, inst);
  const calls = new CallLedger(250);
  const events = new EventLedger();
  events.watch(node);

  // Stall detection: when each peer came up (undefined while it is down), and when its last event arrived.
  const upSince = new Map<string, number>();
  const lastEventAt = new Map<string, number>();
  const stalledEpisodes = new Set<string>();
  node.onStatus((s) => {
    if (s.type === "nodeUp") upSince.set(s.node, Date.now());
    else if (s.type === "nodeDown") upSince.delete(s.node);
  });
  for (const peer of peers) subscribeSeq(node, peer, events, () => lastEventAt.set(peer, Date.now()));

  await node.listen({ host: "127.0.0.1", port });
  for (const p of connect) node.connect({ host: "127.0.0.1", port: p });
  publisher.stream(TICK_MS, EVENTS_PER_TICK);

  let i = 0;
  const load = setInterval(() => {
    for (let k = 0; k < CALLS_PER_TICK; k++) {
      const peer = peers[Math.floor(Math.random() * peers.length)] as string;
      const n = ++i;
      if (n % 2 === 0) {
        void calls.track(
          `${name}->${peer} add#${n}`,
          CALL_TIMEOUT_MS,
          node.call(
            peer,
            "/calc",
            "com.example.Calc",
            "add",
            { a: n, b: 0.25 },
            { timeoutMs: CALL_TIMEOUT_MS },
          ),
          (out) => (out as { sum: number }).sum === n + 0.25,
        );
      } else {
        void calls.track(
          `${name}->${peer} sleep#${n}`,
          CALL_TIMEOUT_MS,
          node.call(
            peer,
            "/calc",
            "com.example.Calc",
            "sleep",
            { ms: n % 50 },
            { timeoutMs: CALL_TIMEOUT_MS },
          ),
          (out) => (out as { aborted: boolean }).aborted === false,
        );
      }
    }
  }, TICK_MS);

  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  // The histogram records whole sampling periods; what matters is the delay beyond one.
  const excessMs = (ns: number): number => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
  eld.enable();
  let loadRunning = true;
  let reports = 0;
  let heapAfterGc = 0;
  const report = (final: boolean): void => {
    const now = Date.now();
    // Every 10 s, and at the end: heap retained (garbage excluded), to tell growth from garbage.
    if (reports++ % 10 === 0 || final) {
      collectGarbage();
      heapAfterGc = process.memoryUsage().heapUsed;
    }
    if (loadRunning) {
      for (const [peer, up] of upSince) {
        const last = lastEventAt.get(peer) ?? 0;
        const episode = `${peer}@${up}`;
        if (now - up > UP_BEFORE_STALL_MS && now - last > STALL_MS && !stalledEpisodes.has(episode)) {
          stalledEpisodes.add(episode);
          process.stderr.write(
            `soak ${name}: no event from ${peer} for ${now - last} ms although it has been on the bus for ${now - up} ms\n`,
          );
        }
      }
    }
    const handles: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) handles[r] = (handles[r] ?? 0) + 1;
    const memory = process.memoryUsage();
    const message: SoakReport = {
      type: "report",
      name,
      pid: process.pid,
      inst,
      final,
      calls: calls.summary(),
      events: { ...events.summary(), fired: publisher.last, stalled: stalledEpisodes.size },
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapAfterGc,
      handles,
      eventLoopDelayMs: {
        p50: excessMs(eld.percentile(50)),
        p99: excessMs(eld.percentile(99)),
        max: excessMs(eld.max),
      },
      links: node.links().length,
      reachable: Object.keys(node.nodes()).length - 1,
    };
    eld.reset();
    process.send?.(message);
  };
  const reporter = setInterval(() => report(false), 1_000);

  process.on("message", (command: SoakCommand) => {
    if (command.type !== "stop") return;
    loadRunning = false;
    clearInterval(load);
    publisher.stop();
    void calls.settled(CALL_TIMEOUT_MS + 1_000).then(() => {
      clearInterval(reporter);
      report(true);
    });
  });
  process.on("SIGTERM", () => {
    clearInterval(load);
    clearInterval(reporter);
    publisher.stop();
    void node.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `soak node failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
