/**
 * Many authenticated links to one node: a swarm process opens N links (shared-secret handshake, then one ADVERT
 * each, then a PING a second and nothing else) to a victim node in its own process, while a good client in this
 * process calls the victim throughout. The victim's event loop must stay responsive: every call of the good client
 * succeeds, none takes long. N is 500 here; SCALE_LINKS=2000 runs the measurement of docs/RELIABILITY.md, and
 * SCALE_VICTIM=<path of a reliability-node.js> runs it against another build of the runtime (a before/after
 * comparison). The figures (victim CPU, loop delay, call latency) are printed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Child } from "../helpers/processes";
import { startFixture, stopAll } from "../helpers/processes";
import { Bus, sleep } from "../helpers/bus";

const LINKS = Number(process.env["SCALE_LINKS"] ?? 500);
const VICTIM = process.env["SCALE_VICTIM"] ?? "reliability-node.js";
const DIST = path.resolve(
  VICTIM === "reliability-node.js" ? path.join(__dirname, "../fixtures") : path.dirname(VICTIM),
  "../../packages/supcon/dist",
);
const SECRET = "scale-test-secret";

/**
 * The swarm: `node swarm.js <dist> <port> <count> <secret> <victim name>`. Opens `count` links, at most 64 in their
 * handshake at once (the victim sheds connections beyond its `maxHandshakingLinks`, 128), prints "READY <opened>"
 * once all are open (or after 120 s), then sends a PING on every link each second. After its handshake a link
 * reads nothing: the swarm's own CPU stays out of the measurement.
 */
const SWARM = String.raw`"use strict";
const net = require("node:net");
const [dist, port, count, secretText, victim] = process.argv.slice(2);
const { encodeMessage } = require(dist + "/wire/codec.js");
const { createFrameDecoder } = require(dist + "/wire/frame.js");
const { LinkReader } = require(dist + "/wire/link-codec.js");
const { MessageType, PROTOCOL_VERSION } = require(dist + "/wire/messages.js");
const { connectorProof, createNonce } = require(dist + "/link/auth.js");
const secret = new TextEncoder().encode(secretText);
const total = Number(count);
const open = [];
let started = 0, opened = 0, failed = 0, inFlight = 0, reported = false;
const PING = encodeMessage({ type: MessageType.Ping });
function report() {
  if (reported) return;
  reported = true;
  process.stdout.write("READY " + opened + " failed " + failed + "\n");
}
function done(ok) {
  inFlight--;
  if (ok) opened++; else failed++;
  if (opened + failed === total) report();
  startMore();
}
function startMore() {
  while (inFlight < 64 && started < total) one(started++);
}
function one(i) {
  inFlight++;
  const name = "swarm-" + i;
  const instance = (0x1000000000000000 + i).toString(16);
  const nonce = createNonce();
  const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
  const decoder = createFrameDecoder(64 * 1024 * 1024);
  const reader = new LinkReader(undefined);
  let phase = "hello";
  const timer = setTimeout(() => { socket.destroy(); }, 20000);
  socket.on("error", () => undefined);
  socket.on("close", () => { clearTimeout(timer); if (phase !== "open") { phase = "closed"; done(false); } });
  socket.on("connect", () => socket.write(encodeMessage({ type: MessageType.Hello, version: PROTOCOL_VERSION, name: "", info: { instance, nonce } })));
  socket.on("data", (chunk) => {
    if (phase === "open") return;
    decoder.push(chunk, (bytes, start, end) => {
      if (phase !== "hello") return;
      const m = reader.read(bytes, start, end);
      if (typeof m === "string") return socket.destroy();
      if (m.type === MessageType.Challenge) {
        socket.write(encodeMessage({ type: MessageType.Auth, name, proof: connectorProof(secret, m.nonce, nonce, name) }));
      } else if (m.type === MessageType.Hello) {
        phase = "open";
        clearTimeout(timer);
        socket.write(encodeMessage({ type: MessageType.Advert, origin: name, instance, seq: Date.now(), neighbors: [victim], objects: {} }));
        open.push(socket);
        done(true);
      } else if (m.type === MessageType.Refuse) {
        socket.destroy();
      }
    }, () => socket.destroy());
  });
}
setInterval(() => { for (const s of open) if (!s.destroyed) s.write(PING); }, 1000);
setTimeout(report, 120000).unref();
process.on("SIGTERM", () => { for (const s of open) s.destroy(); process.exit(0); });
startMore();
`;

/** CPU seconds (user + system) used so far by process `pid`, from /proc; undefined where there is none. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime, in clock ticks of 1/100 s (USER_HZ on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface VictimState {
  links: unknown[];
  warnings: string[];
  statuses: Record<string, number>;
  rss: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

describe(`many authenticated links (${LINKS})`, () => {
  const bus = new Bus();
  let dir: string;
  let victim: Child | undefined;
  let swarm: Child | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-scale-"));
    fs.writeFileSync(path.join(dir, "swarm.js"), SWARM);
  });
  afterEach(async () => {
    await bus.close();
    await swarm?.stop();
    await victim?.stop();
    await stopAll();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps the victim's loop responsive: a good client's calls all succeed while the links open and idle", async () => {
    victim = await startFixture(VICTIM, [
      "--name",
      "victim",
      "--listen",
      "0",
      "--options",
      JSON.stringify({ secret: SECRET }),
    ]);
    const client = bus.node("good", { secret: SECRET });
    client.connect({ host: "127.0.0.1", port: victim.port });
    await client.waitFor("victim", { path: "/rel", timeoutMs: 5_000 });
    const state = async (): Promise<VictimState> =>
      (
        (await client.call("victim", "/rel", "test.Reliability", "state", {}, { timeoutMs: 20_000 })) as {
          state: VictimState;
        }
      ).state;
    await state(); // resets the victim's loop-delay histogram

    // The good client: one call every 50 ms, each with a 2 s deadline, throughout.
    const outcomes: string[] = [];
    const latencies: number[] = [];
    let calling = true;
    const caller = (async () => {
      while (calling) {
        const started = Date.now();
        try {
          await client.call(
            "victim",
            "/rel",
            "test.Reliability",
            "echo",
            { token: started },
            { timeoutMs: 2_000 },
          );
          outcomes.push("ok");
          latencies.push(Date.now() - started);
        } catch (err) {
          outcomes.push((err as { code?: string }).code ?? String(err));
        }
        await sleep(50);
      }
    })();

    const cpuBefore = cpuSeconds(victim.process.pid ?? 0);
    const started = Date.now();
    swarm = await startFixture(
      path.join(dir, "swarm.js"),
      [DIST, String(victim.port), String(LINKS), SECRET, "victim"],
      130_000,
    );
    const openedIn = Date.now() - started;
    // Idle for a few heartbeat intervals (2 s), with every link open.
    await sleep(6_000);
    const cpuUsed = (cpuSeconds(victim.process.pid ?? 0) ?? NaN) - (cpuBefore ?? NaN);
    const wall = (Date.now() - started) / 1000;
    calling = false;
    await caller;
    const s = await state();
    latencies.sort((a, b) => a - b);
    const failed = outcomes.filter((o) => o !== "ok");
    const figures = {
      links: LINKS,
      victim: VICTIM,
      openedInMs: openedIn,
      victimLinks: s.links.length,
      victimCpuSeconds: Number(cpuUsed.toFixed(2)),
      wallSeconds: Number(wall.toFixed(1)),
      loopDelayMs: s.eventLoopDelayMs,
      calls: outcomes.length,
      failed: failed.length,
      failures: [...new Set(failed)],
      latencyMs: {
        p50: latencies[Math.floor(latencies.length / 2)],
        p99: latencies[Math.floor(latencies.length * 0.99)],
        max: latencies[latencies.length - 1],
      },
      rssMiB: Math.round(s.rss / 2 ** 20),
      linkDown: s.statuses["linkDown"] ?? 0,
    };
    console.log(`scale-links figures: ${JSON.stringify(figures)}`);
    expect(s.links.length).toBe(LINKS + 1);
    expect(figures.linkDown).toBe(0);
    expect(failed).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(20);
  }, 240_000);
});
