/**
 * The loopback link: a node calls, cancels and subscribes to its own objects exactly as it does another node's,
 * through the same routing. Each behaviour is checked both ways: to itself and to a peer, with the same outcome.
 */
import { ErrorCode, RemoteError } from "../../packages/supcon/src/index";
import type { EventSource } from "../../packages/supcon/src/index";
import { Bus, eventually, sleep } from "../helpers/bus";
import { CalcInterface, createCalc } from "../helpers/calc";
import type { CalcLog } from "../helpers/calc";

const CALC = "com.example.Calc";

describe("a node calling itself", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  /** Node `a` with a Calc, linked to node `b` with a Calc: `a` calls `target` (itself or `b`). */
  async function setup(): Promise<{ logA: CalcLog; logB: CalcLog; a: ReturnType<Bus["node"]> }> {
    const logA: CalcLog = { aborted: [], callers: [] };
    const logB: CalcLog = { aborted: [], callers: [] };
    const { node: a, port } = await bus.listening("a", { policy: { allow: [{ nodes: ["nobody"] }] } });
    a.register("/calc", createCalc(logA, a));
    const b = bus.node("b");
    b.register("/calc", createCalc(logB, b));
    b.connect({ port });
    await a.waitFor("b", { path: "/calc" });
    await b.waitFor("a", { path: "/calc" });
    return { logA, logB, a };
  }

  it.each(["a", "b"])("calls %s, validated on both sides, with declared errors", async (target) => {
    const { a } = await setup();
    // a's policy allows nobody else, but a node's own calls are always allowed.
    await expect(a.call(target, "/calc", CALC, "add", { a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    await expect(a.call(target, "/calc", CALC, "div", { a: 1, b: 0 })).rejects.toMatchObject({
      code: "com.example.Calc.DivByZero",
      data: { a: 1 },
    });
    await expect(a.call(target, "/calc", CALC, "add", { a: "x", b: 2 })).rejects.toMatchObject({
      code: ErrorCode.InvalidArguments,
    });
    await expect(a.call(target, "/nothing", CALC, "add", { a: 1, b: 2 })).rejects.toMatchObject({
      code: ErrorCode.UnknownPath,
    });
    await expect(a.call(target, "/calc", CALC, "ad", { a: 1, b: 2 })).rejects.toThrow(/did you mean 'add'/);
    await expect(a.call(target, "/calc", CALC, "bad")).rejects.toMatchObject({ code: ErrorCode.Internal });
  });

  it.each(["a", "b"])("times out a call to %s and cancels its handler", async (target) => {
    const { a, logA, logB } = await setup();
    const log = target === "a" ? logA : logB;
    const error: unknown = await a
      .call(target, "/calc", CALC, "sleep", { ms: 5_000 }, { timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe(ErrorCode.Timeout);
    await eventually(() => log.aborted.length === 1, 2_000, "the handler to be aborted");
  });

  it.each(["a", "b"])("cancels a call to %s with an AbortSignal", async (target) => {
    const { a, logA, logB } = await setup();
    const log = target === "a" ? logA : logB;
    const controller = new AbortController();
    const call = a.call(target, "/calc", CALC, "sleep", { ms: 5_000 }, { signal: controller.signal });
    await sleep(20);
    controller.abort(new Error("enough"));
    await expect(call).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    await eventually(() => log.aborted.length === 1, 2_000, "the handler to be aborted");
  });

  it.each(["a", "b"])("subscribes to %s's events, in order, and unsubscribes", async (target) => {
    await setup();
    const a = bus.nodes.find((n) => n.name === "a");
    const owner = bus.nodes.find((n) => n.name === target);
    const ticker = createCalc();
    owner?.register("/ticker", ticker);
    await a?.waitFor(target, { path: "/ticker" });
    const seen: { n: number; source: EventSource }[] = [];
    const sub = a?.on(target, "/ticker", CalcInterface, "tick", (args: { n: number }, source) =>
      seen.push({ n: args.n, source }),
    );
    // A subscription to another node takes a round trip to arrive.
    await sleep(50);
    for (let n = 1; n <= 5; n++) ticker.fire("tick", { n });
    await eventually(() => seen.length === 5, 2_000, "five ticks");
    expect(seen.map((s) => s.n)).toEqual([1, 2, 3, 4, 5]);
    expect(seen[0]?.source).toEqual({ node: target, path: "/ticker", intf: CALC, event: "tick" });
    sub?.off();
    await sleep(50);
    ticker.fire("tick", { n: 6 });
    await sleep(50);
    expect(seen).toHaveLength(5);
  });

  it("sees itself in nodes() and is reachable before any link", async () => {
    const lonely = bus.node("lonely");
    lonely.register("/calc", createCalc());
    expect(Object.keys(lonely.nodes())).toEqual(["lonely"]);
    await lonely.waitFor("lonely", { path: "/calc", intf: CALC });
    await expect(lonely.call("lonely", "/calc", CALC, "add", { a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
  });

  it("refuses its own calls once closed, as calls to others", async () => {
    const lonely = bus.node("lonely");
    lonely.register("/calc", createCalc());
    await lonely.close();
    await expect(lonely.call("lonely", "/calc", CALC, "add", { a: 2, b: 2 })).rejects.toMatchObject({
      code: ErrorCode.Closed,
    });
  });
});
