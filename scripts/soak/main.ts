/**
 * The soak driver: starts several nodes in child processes (./node.ts), linked in a ring with chords so that the
 * bus survives the loss of any one node; kills one at random with SIGKILL now and then and restarts it on the same
 * port; prints each minute what every process uses and the "nothing lost" counters; and exits non-zero when an
 * invariant breaks.
 *   npm run soak -- [--minutes 2] [--nodes 4] [--kill-every-s 12]
 */
import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import type { SoakCommand, SoakReport } from "./report.js";

interface Options {
  readonly minutes: number;
  readonly nodes: number;
  readonly killEveryS: number;
}

function parseOptions(argv: readonly string[]): Options {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    const value = i < 0 ? fallback : Number(argv[i + 1]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  return { minutes: get("--minutes", 1), nodes: get("--nodes", 4), killEveryS: get("--kill-every-s", 12) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)}`;

interface Member {
  readonly name: string;
  readonly args: string[];
  child: ChildProcess | undefined;
  /** Set while the driver kills or stops it on purpose. */
  expectedExit: boolean;
  restarts: number;
}

class Driver {
  readonly #options: Options;
  readonly #members: Member[] = [];
  /** The latest report of every process that ever ran, by its instance id. */
  readonly #reports = new Map<string, SoakReport>();
  readonly #finals = new Set<string>();
  readonly #problems: string[] = [];
  #kills = 0;
  #crashes = 0;
  readonly #started = Date.now();

  constructor(options: Options) {
    this.#options = options;
  }

  async run(): Promise<number> {
    const { nodes, minutes, killEveryS } = this.#options;
    const ports = await Promise.all(Array.from({ length: nodes }, () => freePort()));
    const names = ports.map((_, i) => `soak-${i}`);
    for (let i = 0; i < nodes; i++) {
      // A ring with chords: each node dials the next two, so any one node can go without splitting the bus.
      const connect = [1, 2].filter((d) => d < nodes).map((d) => ports[(i + d) % nodes] as number);
      const args = ["--child", "--name", names[i] as string, "--listen", String(ports[i])];
      args.push("--connect", [...new Set(connect)].join(","), "--peers", names.join(","));
      this.#members.push({
        name: names[i] as string,
        args,
        child: undefined,
        expectedExit: false,
        restarts: 0,
      });
    }
    for (const member of this.#members) this.#start(member);
    process.stdout.write(
      `soak: ${nodes} nodes, ${minutes} min, a SIGKILL every ~${killEveryS} s; ports ${ports.join(", ")}\n`,
    );

    const end = this.#started + minutes * 60_000;
    let nextMinute = this.#started + 60_000;
    // Let the bus form before the first kill.
    let nextKill = this.#started + 5_000 + killEveryS * 1_000 * (0.5 + Math.random());
    while (Date.now() < end) {
      await sleep(200);
      if (Date.now() >= nextKill && Date.now() < end - 10_000) {
        await this.#killOne();
        nextKill = Date.now() + killEveryS * 1_000 * (0.5 + Math.random());
      }
      if (Date.now() >= nextMinute) {
        this.#print(`minute ${Math.round((Date.now() - this.#started) / 60_000)}`);
        nextMinute += 60_000;
      }
    }
    return this.#finish();
  }

  #start(member: Member): void {
    const child = fork(path.join(__dirname, "..", "soak.js"), member.args, {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    member.child = child;
    member.expectedExit = false;
    child.on("message", (message: SoakReport) => {
      if (message.type !== "report") return;
      this.#reports.set(message.inst, message);
      if (message.final) this.#finals.add(message.inst);
    });
    child.once("exit", (code, signal) => {
      if (member.child === child) member.child = undefined;
      if (!member.expectedExit) {
        this.#crashes++;
        this.#problems.push(
          `${member.name} (pid ${child.pid}) exited by itself: code ${code}, signal ${signal}`,
        );
        member.restarts++;
        this.#start(member);
      }
    });
  }

  async #killOne(): Promise<void> {
    const alive = this.#members.filter((m) => m.child !== undefined);
    const victim = alive[Math.floor(Math.random() * alive.length)];
    if (victim?.child === undefined) return;
    const child = victim.child;
    victim.expectedExit = true;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
    this.#kills++;
    await sleep(300 + Math.random() * 700);
    victim.restarts++;
    this.#start(victim);
  }

  async #finish(): Promise<number> {
    // Settle: every node back and linked, then stop the load and collect the final accounts.
    await sleep(5_000);
    const live = this.#members.filter((m) => m.child !== undefined);
    const stop: SoakCommand = { type: "stop" };
    for (const m of live) m.child?.send(stop);
    const deadline = Date.now() + 10_000;
    const liveInsts = (): string[] =>
      [...this.#reports.values()].filter((r) => live.some((m) => m.child?.pid === r.pid)).map((r) => r.inst);
    while (Date.now() < deadline && !liveInsts().every((inst) => this.#finals.has(inst))) await sleep(100);
    for (const inst of liveInsts()) {
      if (!this.#finals.has(inst))
        this.#problems.push(`no final report from ${this.#reports.get(inst)?.name}`);
    }
    this.#print("final");
    const finalInsts = new Set(liveInsts());
    await Promise.all(
      live.map(
        (m) =>
          new Promise<void>((resolve) => {
            const child = m.child;
            if (child === undefined) return resolve();
            m.expectedExit = true;
            const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    return this.#verdict(finalInsts);
  }

  #print(title: string): void {
    const elapsed = ((Date.now() - this.#started) / 1000).toFixed(0);
    const lines = [`--- ${title} (${elapsed} s, ${this.#kills} kills, ${this.#crashes} crashes) ---`];
    // heap*: in use after a full collection (the latest, at most 10 s old). Loop delay: event-loop delay beyond the
    // 10 ms sampling period, since the previous report.
    lines.push(
      "node     pid      rss MB  heap MB*  sockets timers  loop delay p50/p99/max  links  calls ok/failed  events in",
    );
    for (const m of this.#members) {
      const r = [...this.#reports.values()].filter((x) => x.pid === m.child?.pid).pop();
      if (r === undefined) {
        lines.push(`${m.name.padEnd(8)} (starting)`);
        continue;
      }
      const failed = Object.values(r.calls.failed).reduce((a, b) => a + b, 0);
      const eld = r.eventLoopDelayMs;
      lines.push(
        [
          r.name.padEnd(8),
          String(r.pid).padEnd(8),
          mb(r.rss).padStart(6),
          mb(r.heapAfterGc).padStart(9),
          String(r.handles["TCPSocketWrap"] ?? 0).padStart(8),
          String(r.handles["Timeout"] ?? 0).padStart(6),
          `  ${eld.p50.toFixed(1)}/${eld.p99.toFixed(1)}/${eld.max.toFixed(1)} ms`.padEnd(24),
          String(r.links).padStart(5),
          `  ${r.calls.succeeded}/${failed}`.padEnd(17),
          String(r.events.delivered),
        ].join(" "),
      );
    }
    lines.push(`totals: ${JSON.stringify(this.#totals())}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }

  /** Sums of the latest report of every process that ran (killed ones included). */
  #totals(): Record<string, unknown> {
    const t = {
      processes: 0,
      callsStarted: 0,
      callsSucceeded: 0,
      callsFailedByCode: {} as Record<string, number>,
      callsInFlightAtLastReport: 0,
      unresolvedPastDeadline: 0,
      late: 0,
      wrongResults: 0,
      worstOverrunMs: 0,
      eventsFired: 0,
      eventsDelivered: 0,
      eventsMissed: 0,
      gapsReported: 0,
      missedExplainedByGap: 0,
      missedExplainedByNodeDown: 0,
      missedUnexplained: 0,
      outOfOrder: 0,
      duplicated: 0,
      stalledStreams: 0,
    };
    for (const r of this.#reports.values()) {
      t.processes++;
      t.callsStarted += r.calls.started;
      t.callsSucceeded += r.calls.succeeded;
      for (const [code, n] of Object.entries(r.calls.failed)) {
        t.callsFailedByCode[code] = (t.callsFailedByCode[code] ?? 0) + n;
      }
      t.callsInFlightAtLastReport += r.calls.inFlight;
      t.unresolvedPastDeadline += r.calls.unresolvedPastDeadline;
      t.late += r.calls.late;
      t.wrongResults += r.calls.wrong;
      t.worstOverrunMs = Math.max(t.worstOverrunMs, r.calls.worstOverrunMs);
      t.eventsFired += r.events.fired;
      t.eventsDelivered += r.events.delivered;
      t.eventsMissed += r.events.missed;
      t.gapsReported += r.events.gapsReported;
      t.missedExplainedByGap += r.events.explainedByGap;
      t.missedExplainedByNodeDown += r.events.explainedByDown;
      t.missedUnexplained += r.events.unexplained;
      t.outOfOrder += r.events.outOfOrder;
      t.duplicated += r.events.duplicated;
      t.stalledStreams += r.events.stalled;
    }
    return t;
  }

  #verdict(finalInsts: ReadonlySet<string>): number {
    const problems = [...this.#problems];
    for (const r of this.#reports.values()) {
      const who = `${r.name} (pid ${r.pid}${finalInsts.has(r.inst) ? "" : ", killed"})`;
      const check = (what: string, value: number): void => {
        if (value !== 0) problems.push(`${who}: ${what} = ${value}`);
      };
      check("calls unresolved past their deadline", r.calls.unresolvedPastDeadline);
      check("calls ended after their deadline", r.calls.late);
      check("wrong results", r.calls.wrong);
      check("events lost without a report", r.events.unexplained);
      check("events out of order", r.events.outOfOrder);
      check("events duplicated", r.events.duplicated);
      check("stalled event streams", r.events.stalled);
      if (finalInsts.has(r.inst)) check("calls still in flight at the end", r.calls.inFlight);
    }
    const verdict = {
      minutes: this.#options.minutes,
      nodes: this.#options.nodes,
      kills: this.#kills,
      crashes: this.#crashes,
      ...this.#totals(),
      problems,
    };
    process.stdout.write(`soak result: ${JSON.stringify(verdict, null, 2)}\n`);
    process.stdout.write(problems.length === 0 ? "soak: OK, nothing lost\n" : "soak: INVARIANT BROKEN\n");
    return problems.length === 0 ? 0 : 1;
  }
}

new Driver(parseOptions(process.argv.slice(2)))
  .run()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  });
