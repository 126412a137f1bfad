import { RemoteError } from "../../packages/supcon/src/index";
import { Bus, eventually } from "../helpers/bus";
import type { CalcLog } from "../helpers/calc";
import { createCalc } from "../helpers/calc";

/** a -> b -> c, where b's `relay` calls c's `sleep` without giving a deadline or a signal. */
async function chain(bus: Bus) {
  const { node: a, port } = await bus.listening("a");
  const b = bus.node("b");
  const c = bus.node("c");
  const logB: CalcLog = { aborted: [], callers: [] };
  const logC: CalcLog = { aborted: [], callers: [] };
  b.register("/calc", createCalc(logB, b));
  c.register("/calc", createCalc(logC, c));
  b.connect({ port });
  c.connect({ port });
  await a.waitFor("b", { path: "/calc" });
  await a.waitFor("c", { path: "/calc" });
  await b.waitFor("c", { path: "/calc" });
  return { a, b, c, logB, logC };
}

describe("deadlines and cancellation across two hops", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  it("gives a nested call what is left of the caller's deadline", async () => {
    const { a, logC } = await chain(bus);
    const started = Date.now();
    const error = await a
      .call("b", "/calc", "com.example.Calc", "relay", { node: "c", ms: 10_000 }, { timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe("supcon.Timeout");
    // c's handler is aborted at the inherited deadline, not after its own 30 s default.
    await eventually(() => logC.aborted.length === 1, 3_000, "c's handler to be aborted");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("cancels the nested call when the caller cancels", async () => {
    const { a, logC } = await chain(bus);
    const controller = new AbortController();
    const call = a.call(
      "b",
      "/calc",
      "com.example.Calc",
      "relay",
      { node: "c", ms: 10_000 },
      {
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toMatchObject({ code: "supcon.Cancelled" });
    await eventually(() => logC.aborted.length === 1, 3_000, "c's handler to be aborted");
  });

  it("shows the caller's code in the stack of a failed call", async () => {
    const { a } = await chain(bus);
    async function userCodeMakesTheCall(): Promise<unknown> {
      return await a.call("b", "/calc", "com.example.Calc", "nope");
    }
    const error = (await userCodeMakesTheCall().catch((e: unknown) => e)) as RemoteError;
    expect(error.code).toBe("supcon.UnknownMethod");
    expect(error.stack).toContain("userCodeMakesTheCall");
  });
});
