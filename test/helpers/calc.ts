/**
 * A small interface implemented with the dynamic API, used by the runtime's integration tests.
 */
import { Implementation, Interface, RemoteError } from "../../packages/supcon/src/index";
import type { Node } from "../../packages/supcon/src/index";

export const CalcInterface = new Interface({
  name: "com.example.Calc",
  description: "Arithmetic, slow calls and ticks, for tests.",
  errors: [{ name: "DivByZero", description: "The divisor is zero." }],
  events: [{ name: "tick", args: [{ name: "n", type: "int" }] }],
  methods: [
    {
      name: "add",
      inArgs: [
        { name: "a", type: "float" },
        { name: "b", type: "float" },
      ],
      outArgs: [{ name: "sum", type: "float" }],
    },
    {
      name: "div",
      inArgs: [
        { name: "a", type: "float" },
        { name: "b", type: "float" },
      ],
      outArgs: [{ name: "q", type: "float" }],
      errors: ["DivByZero"],
    },
    {
      name: "sleep",
      description: "Resolves after `ms`, or as soon as the call is aborted.",
      inArgs: [{ name: "ms", type: "int" }],
      outArgs: [{ name: "aborted", type: "bool" }],
    },
    {
      name: "relay",
      description: "Calls `sleep` on node `node` (no deadline or signal given: both are inherited).",
      inArgs: [
        { name: "node", type: "string" },
        { name: "ms", type: "int" },
      ],
      outArgs: [{ name: "aborted", type: "bool" }],
    },
    { name: "fail", description: "Throws a plain Error." },
    {
      name: "bad",
      description: "Returns a result that does not match outArgs.",
      outArgs: [{ name: "x", type: "int" }],
    },
  ],
});

/** What the Calc implementation saw, for assertions. */
export interface CalcLog {
  aborted: string[];
  callers: string[];
}

export function createCalc(log: CalcLog = { aborted: [], callers: [] }, node?: Node): Implementation {
  const impl = new Implementation(CalcInterface);
  impl.setCallCb<{ node: string; ms: number }>("relay", async (args) => {
    if (node === undefined) throw new Error("this Calc has no node to relay with");
    return await node.call(args.node, "/calc", "com.example.Calc", "sleep", { ms: args.ms });
  });
  impl.setCallCb<{ a: number; b: number }>("add", ({ a, b }, ctx) => {
    log.callers.push(ctx.caller);
    return { sum: a + b };
  });
  impl.setCallCb<{ a: number; b: number }>("div", ({ a, b }) => {
    if (b === 0)
      throw new RemoteError("com.example.Calc.DivByZero", `cannot divide ${a} by zero`, { data: { a } });
    return { q: a / b };
  });
  impl.setCallCb<{ ms: number }>(
    "sleep",
    ({ ms }, ctx) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ aborted: false }), ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          log.aborted.push(String(ctx.signal.reason));
          resolve({ aborted: true });
        });
      }),
  );
  impl.setCallCb("fail", () => {
    throw new Error("something broke inside");
  });
  impl.setCallCb("bad", () => ({ x: "not an int" }));
  return impl;
}
