import type { EventSource } from "../../packages/supcon/src/index";
import { Bus, eventually, sleep } from "../helpers/bus";
import { CalcInterface, createCalc } from "../helpers/calc";

describe("events", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  it("delivers to subscribers only, in firing order", async () => {
    const { node: server, port } = await bus.listening("server");
    const calc = createCalc();
    server.register("/calc", calc);
    const a = bus.node("a");
    const b = bus.node("b");
    a.connect({ port });
    b.connect({ port });
    await a.waitFor("server");
    await b.waitFor("server");
    const got: number[] = [];
    const sources: EventSource[] = [];
    const sub = a.on("server", "/calc", CalcInterface, "tick", (args: { n: number }, source) => {
      got.push(args.n);
      sources.push(source);
    });
    // The subscription travels to the server; wait until it is in effect by round-tripping a call.
    await a.call("server", "/calc", "com.example.Calc", "add", { a: 0, b: 0 });
    const total = 10_000;
    for (let n = 1; n <= total; n++) calc.fire("tick", { n });
    await eventually(() => got.length === total, 10_000, "all events");
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(sources[0]).toEqual({ node: "server", path: "/calc", intf: "com.example.Calc", event: "tick" });
    sub.off();
    await a.call("server", "/calc", "com.example.Calc", "add", { a: 0, b: 0 });
    calc.fire("tick", { n: -1 });
    await sleep(100);
    expect(got).toHaveLength(total);
    expect(bus.warnings).toEqual([]);
  });

  it("rejects a fired event whose args do not match", async () => {
    const calc = createCalc();
    expect(() => calc.fire("tick", { n: 1.5 })).toThrow(/com.example.Calc.tick/);
    expect(() => calc.fire("tock" as "tick", { n: 1 })).toThrow(/did you mean 'tick'/);
  });

  it("subscribes to a node that is not on the bus yet, and again after it restarts", async () => {
    const listener = bus.node("listener");
    const { port } = await listener.listen({ port: 0 });
    const got: number[] = [];
    listener.on("late", "/calc", "com.example.Calc", "tick", (args: { n: number }) => got.push(args.n));

    for (const round of [1, 2]) {
      const late = bus.node("late");
      const calc = createCalc();
      late.register("/calc", calc);
      const connection = late.connect({ port });
      await late.waitFor("listener");
      await listener.waitFor("late");
      // Give the SUBSCRIBE sent on nodeUp time to arrive.
      await eventually(
        () => {
          calc.fire("tick", { n: round });
          return got.includes(round);
        },
        5_000,
        `event of round ${round}`,
      );
      await connection.close();
      await late.close();
      await eventually(() => !Object.keys(listener.nodes()).includes("late"), 5_000, "late to leave");
    }
  });

  it("delivers events a node fires to its own subscriptions", async () => {
    const node = bus.node("solo");
    const calc = createCalc();
    node.register("/calc", calc);
    const got: number[] = [];
    node.on("solo", "/calc", "com.example.Calc", "tick", (args: { n: number }) => got.push(args.n));
    calc.fire("tick", { n: 1 });
    calc.fire("tick", { n: 2 });
    expect(got).toEqual([1, 2]);
  });
});
