/**
 * Network-level fuzzing: a fast-check property that opens a real socket to a listening node (in a child process)
 * and writes arbitrary byte sequences: noise, messages before the handshake, whole sessions of random protocol
 * messages aimed at the node's objects, and such sessions with bytes overwritten, cut into writes at random points.
 * After each one the node must be alive and close the connection once we do; every few cases, and at the end, a
 * normal node connected all along must still be served, and the target must hold no link but that one.
 *
 * 200 cases in CI. More with `FUZZ_NET_RUNS=n`, or 5,000 when `FUZZ_RUNS` is set (`npm run fuzz`); `FUZZ_SEED`
 * replays a seed that fast-check reported.
 */
import fc from "fast-check";
import type { Node, NodeStatus } from "../../packages/supcon/src/index";
import type { Message } from "../../packages/supcon/src/wire/messages";
import { MessageType, PROTOCOL_VERSION } from "../../packages/supcon/src/wire/messages";
import { Bus } from "../helpers/bus";
import { stopAll } from "../helpers/processes";
import { RawPeer, advertOf, frameOfMessage } from "../helpers/raw-peer";
import type { Target } from "../helpers/target";
import { eventuallyAsync, startTarget, targetState } from "../helpers/target";
import { messageArb, split, streamOf } from "../helpers/wire-properties";

const env = process.env;
const runs = env["FUZZ_NET_RUNS"] ? Number(env["FUZZ_NET_RUNS"]) : env["FUZZ_RUNS"] ? 5_000 : 200;
const seed = env["FUZZ_SEED"] ? Number(env["FUZZ_SEED"]) : undefined;
const fuzzing = env["FUZZ_NET_RUNS"] !== undefined || env["FUZZ_RUNS"] !== undefined;

const INSTANCE = "00000000f022f022";
const hello = frameOfMessage({
  type: MessageType.Hello,
  version: PROTOCOL_VERSION,
  name: "fuzzer",
  info: { instance: INSTANCE },
});
const advert = frameOfMessage(advertOf("fuzzer", INSTANCE, ["target"]));

/** Methods and events of the target that are safe to call at random (not `block`, `sleep` or `stream`). */
const pathArb = fc.constantFrom("/calc", "/rel", "/", "/nothing");
const intfArb = fc.constantFrom("com.example.Calc", "test.Reliability", "supcon.Node", "x.Y");
const memberArb = fc.constantFrom(
  "add",
  "div",
  "fail",
  "bad",
  "echo",
  "state",
  "describe",
  "seq",
  "tick",
  "zz",
);

/** A protocol message, aimed at the target (and at its objects) half of the time, coming from the fuzzer. */
const aimedArb: fc.Arbitrary<Message> = fc
  .tuple(messageArb, fc.boolean(), pathArb, intfArb, memberArb)
  .map(([m, aim, path, intf, member]) => {
    if (!aim || !("dst" in m)) return m;
    const base = { ...m, dst: "target", src: "fuzzer", hops: 0 };
    switch (base.type) {
      case MessageType.Call:
        return { ...base, path, intf, method: member, timeoutMs: Math.min(base.timeoutMs, 5_000) };
      case MessageType.Event:
      case MessageType.Subscribe:
      case MessageType.Unsubscribe:
        return { ...base, path, intf, event: member };
      default:
        return base;
    }
  });

/** A session: HELLO, ADVERT, then the messages in full, or as a node sends them (CALL, RESULT, EVENT on channels). */
const session = ([messages, onChannels]: [Message[], boolean]): Buffer =>
  Buffer.concat([
    hello,
    advert,
    onChannels ? streamOf(messages) : Buffer.concat(messages.map((m) => frameOfMessage(m))),
  ]);

const mutate = (bytes: Buffer, edits: [number, number][]): Buffer => {
  const copy = Buffer.from(bytes);
  for (const [where, byte] of edits) copy[where % copy.length] = byte;
  return copy;
};

const editsArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
  minLength: 1,
  maxLength: 4,
});

/** What one connection writes. */
const streamArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc
    .array(messageArb, { minLength: 1, maxLength: 4 })
    .map((ms) => Buffer.concat(ms.map((m) => frameOfMessage(m)))),
  fc.tuple(fc.array(aimedArb, { maxLength: 8 }), fc.boolean()).map(session),
  fc
    .tuple(fc.array(aimedArb, { minLength: 1, maxLength: 8 }), fc.boolean(), editsArb)
    .map(([ms, onChannels, edits]) => mutate(session([ms, onChannels]), edits)),
  fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => Buffer.concat([hello, advert, Buffer.from(b)])),
);

describe("network fuzz", () => {
  const bus = new Bus();
  let target: Target;
  let healthy: Node;
  const healthyStatuses: NodeStatus[] = [];

  beforeAll(async () => {
    target = await startTarget({
      listen: 0,
      options: { handshakeTimeoutMs: 200, maxFrameBytes: 64 * 1024, heartbeatIntervalMs: 500 },
    });
    healthy = bus.node("healthy");
    healthy.onStatus((s) => healthyStatuses.push(s));
    healthy.connect({ port: target.port });
    await healthy.waitFor("target", { path: "/rel", timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await bus.close();
    await stopAll();
  });

  it(
    `keeps serving whatever ${runs} connections write`,
    async () => {
      const before = await targetState(healthy, "target", { gc: true });
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(streamArb, fc.array(fc.nat(), { maxLength: 8 }), async (bytes, cuts) => {
          const peer = await RawPeer.connect(target.port);
          try {
            for (const chunk of split(bytes, cuts)) {
              peer.write(chunk);
              await new Promise((resolve) => setImmediate(resolve));
            }
            peer.socket.end();
            // The node closes its side once we have closed ours (or earlier, on bad input).
            await peer.waitClosed(2_000);
          } finally {
            peer.destroy();
          }
          if (!target.alive()) throw new Error(`the target died: ${target.stderr()}`);
          if (++cases % 50 === 0) {
            await healthy.call(
              "target",
              "/calc",
              "com.example.Calc",
              "add",
              { a: 1, b: 1 },
              { timeoutMs: 2_000 },
            );
          }
        }),
        { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
      );
      expect(target.stderr()).not.toMatch(/UNCAUGHT/);
      await expect(
        healthy.call("target", "/calc", "com.example.Calc", "add", { a: 2, b: 3 }),
      ).resolves.toEqual({
        sum: 5,
      });
      expect(healthyStatuses.filter((s) => s.type === "linkDown")).toEqual([]);
      await eventuallyAsync(
        async () => (await targetState(healthy, "target")).links.length === 1,
        3_000,
        "the target to hold only its link to healthy",
      );
      const after = await targetState(healthy, "target", { gc: true });
      if (fuzzing) {
        process.stdout.write(
          `network fuzz: ${runs} connections, target heap ${before.heapUsed} -> ${after.heapUsed} bytes ` +
            `(rss ${before.rss} -> ${after.rss}), ` +
            `${after.statuses["handshakeFailed"] ?? 0} handshakes failed, ${after.statuses["linkDown"] ?? 0} links closed\n`,
        );
      }
      expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);
    },
    fuzzing ? 24 * 3600_000 : 20_000,
  );
});
