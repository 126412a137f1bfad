/**
 * Adverts that one peer sends must not break the bus for the others. The victim runs in a child process
 * (test/fixtures/reliability-node.js, built runtime); good nodes and a raw attacker (test/helpers/raw-peer.ts) run
 * here.
 *
 * - A flood of 50,000 adverts of fake nodes from one peer fills at most what the victim's node table lets it: a node
 *   that joins after the flood is reachable at once, and calls succeed throughout.
 * - A forged advert that erases a node (from another process of its name, listing no neighbours) is repaired within
 *   seconds: the erased node answers it with a newer advert of its own.
 */
import type { Node } from "../../packages/supcon/src/index";
import type { AdvertMessage, Message } from "../../packages/supcon/src/wire/messages";
import { MessageType } from "../../packages/supcon/src/wire/messages";
import { Bus, sleep } from "../helpers/bus";
import { createCalc } from "../helpers/calc";
import { stopAll } from "../helpers/processes";
import { RawPeer, frameOfMessage } from "../helpers/raw-peer";
import type { Target } from "../helpers/target";
import { eventuallyAsync, startTarget, targetState } from "../helpers/target";

const FAKES = 50_000;

const add = (from: Node, to: string): Promise<unknown> =>
  from.call(to, "/calc", "com.example.Calc", "add", { a: 1, b: 2 }, { timeoutMs: 2_000 });

describe("adverts from one peer", () => {
  const bus = new Bus();
  const peers: RawPeer[] = [];
  let victim: Target | undefined;

  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    await bus.close();
    await victim?.stop();
    victim = undefined;
    await stopAll();
  });

  it("a flood of 50,000 fake nodes hurts only the flooder: a node that joins after it is reachable at once", async () => {
    victim = await startTarget({ name: "victim", listen: 0 });
    const good = bus.node("good");
    good.connect({ port: victim.port });
    await good.waitFor("victim", { path: "/calc", timeoutMs: 5_000 });

    const mallory = await RawPeer.connect(victim.port);
    peers.push(mallory);
    await mallory.handshake("mallory");
    // Fake nodes linked to mallory, which does not list them: none is ever reachable.
    const seq = Date.now();
    for (let i = 0; i < FAKES; i += 1_000) {
      const batch: Buffer[] = [];
      for (let j = i; j < i + 1_000; j++) {
        batch.push(
          frameOfMessage({
            type: MessageType.Advert,
            origin: `fake-${j}`,
            instance: "00000000feedf00d",
            seq,
            neighbors: ["mallory"],
            objects: { "/calc": ["com.example.Calc"] },
          }),
        );
      }
      mallory.write(Buffer.concat(batch));
      await expect(add(good, "victim")).resolves.toEqual({ sum: 3 });
    }
    // The victim has read the flood when it answers a call sent after it.
    await eventuallyAsync(async () => (await targetState(good, "victim")).warnings.length > 0, 20_000);

    const late = bus.node("late");
    late.register("/calc", createCalc());
    const joined = Date.now();
    late.connect({ port: victim.port });
    await late.waitFor("victim", { path: "/calc", timeoutMs: 5_000 });
    await good.waitFor("late", { path: "/calc", timeoutMs: 5_000 });
    const joinMs = Date.now() - joined;
    await expect(add(good, "late")).resolves.toEqual({ sum: 3 });
    await expect(add(late, "victim")).resolves.toEqual({ sum: 3 });
    const state = await targetState(good, "victim");
    console.log(
      `scale-adverts flood: ${JSON.stringify({ fakes: FAKES, joinMs, loopDelayMs: state.eventLoopDelayMs, rssMiB: Math.round(state.rss / 2 ** 20) })}`,
    );
    expect(state.warnings.some((w) => /node table is full and mallory uses/.test(w))).toBe(true);
    expect(state.statuses["linkDown"] ?? 0).toBe(0);
    expect(victim.stderr()).toBe("");
  }, 60_000);

  /**
   * mallory, linked to the victim, sends an advert of "target" (linked to the victim too) from another process of
   * that name, with a higher seq and no neighbours: the victim no longer sees target, and nor does "caller" behind
   * it. Then mallory leaves.
   */
  async function erase(sameInstance: boolean) {
    victim = await startTarget({ name: "victim", listen: 0 });
    const target = bus.node("target");
    target.register("/calc", createCalc());
    target.connect({ port: victim.port });
    const caller = bus.node("caller");
    caller.connect({ port: victim.port });
    await caller.waitFor("target", { path: "/calc", timeoutMs: 5_000 });

    const mallory = await RawPeer.connect(victim.port);
    peers.push(mallory);
    await mallory.handshake("mallory");
    const held = (await mallory.next(
      (m: Message) => m.type === MessageType.Advert && m.origin === "target",
    )) as AdvertMessage;
    mallory.send({
      ...held,
      instance: sameInstance ? held.instance : "0123456789abcdef",
      seq: held.seq + 1_000_000,
      neighbors: [],
      objects: {},
    });
    await sleep(200);
    mallory.destroy();
    await mallory.closed;
    const left = Date.now();
    await eventuallyAsync(
      async () => {
        try {
          await add(caller, "target");
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      "a call to target to succeed",
    );
    return { repairedMs: Date.now() - left, caller };
  }

  it("a forged advert from another process of a node's name is repaired within seconds after the attacker left", async () => {
    const { repairedMs, caller } = await erase(false);
    console.log(`scale-adverts erasure repaired ${repairedMs} ms after the attacker left`);
    expect(repairedMs).toBeLessThan(5_000);
    await caller.waitFor("target", { path: "/calc", timeoutMs: 2_000 });
  }, 30_000);

  it("a forged advert of a neighbour's own process that came by another link changes nothing", async () => {
    const { repairedMs, caller } = await erase(true);
    expect(repairedMs).toBeLessThan(5_000);
    // The victim took target's advert from target's own link only: it never saw target leave.
    const state = await targetState(caller, "victim");
    expect(state.statuses["nodeDown"] ?? 0).toBe(1); // mallory
  }, 30_000);
});
