/**
 * Type-level tests of the handlers form of generated servers (`createPumpServer({ ... })`) and of the dynamic
 * `node.on`. Checked by `npm run typecheck` and by `test/types/types.test.ts`: tsc fails on every
 * `@ts-expect-error` line that is not an error, so a clean run proves each one is.
 */
import type { CallContext, Implementation, Node } from "supcon";
import type { PumpEvents, State, Status } from "../golden/shared-type-names/expected/com.a.Pump.js";
import { PumpServer, createPumpServer } from "../golden/shared-type-names/expected/com.a.Pump.js";
import type { ComAPump, ComBValve } from "../golden/shared-type-names/expected/index.js";

declare const node: Node;

/** Handlers without a single annotation: parameters and results are typed from the interface. */
export function noAnnotations(): Implementation<PumpEvents> {
  let status: Status = { state: "idle", speed: 0 };
  const pump = createPumpServer({
    status() {
      // A literal union infers: `state: "idle"` is a `State`, not a `string`.
      return { status: { state: "idle", speed: status.speed } };
    },
    async start({ speed }, ctx) {
      const seconds: number = speed;
      const caller: string = ctx.caller;
      status = { state: speed > 0 ? "running" : "idle", speed: seconds };
      pump.fire("changed", { status });
      void caller;
    },
  });
  node.register("/pump", pump);
  return pump;
}

/** The handlers may be async, or return promises, or plain values; `this` is the handlers object. */
export const mixed = createPumpServer({
  status: async () => ({ status: { state: "running", speed: 1 } }),
  start: (args, ctx: CallContext) => void [args.speed, ctx.deadline],
});

export function mistakes(): void {
  createPumpServer({
    // @ts-expect-error -- a wrong return type: `state` is not a State
    status() {
      return { status: { state: "stopped", speed: 0 } };
    },
    start() {},
  });
  createPumpServer({
    // @ts-expect-error -- a wrong return type: the out-args object is missing
    async status() {
      return { speed: 1 };
    },
    start() {},
  });
  createPumpServer({
    status: () => ({ status: { state: "idle", speed: 0 } }),
    start(args) {
      // @ts-expect-error -- an in-arg that the method does not have
      void args.rpm;
    },
  });
  // @ts-expect-error -- a handler left out
  createPumpServer({ status: () => ({ status: { state: "idle", speed: 0 } }) });
  createPumpServer({
    status: () => ({ status: { state: "idle", speed: 0 } }),
    start() {},
    // @ts-expect-error -- a handler of a method the interface does not have
    stop() {},
  });
  const pump = createPumpServer({ status: () => ({ status: { state: "idle", speed: 0 } }), start() {} });
  // @ts-expect-error -- a wrong event payload
  pump.fire("changed", { status: { state: "on", speed: 0 } });
}

/** Without annotations, the class form infers `string` for `state`: the reason for the handlers form. */
export class Annotated extends PumpServer {
  // @ts-expect-error -- `{ state: string }` is not a `Status`: the class form needs annotations
  status() {
    return { status: { state: "idle", speed: 0 } };
  }
  start(): void {}
}

/** Both interfaces' `Status` types, through the namespaces of index.ts. */
export function namespaces(a: ComAPump.Status, b: ComBValve.Status): [State, boolean] {
  return [a.state, b.open];
}

/** The dynamic `node.on`: the args are a record by default, or what the callback declares. */
export function dynamicOn(): void {
  node.on("server", "/pump", "com.a.Pump", "changed", (args, source) => {
    const status: unknown = args["status"];
    const from: string = source.node;
    void [status, from];
  });
  node.on("server", "/pump", "com.a.Pump", "changed", (args: { status: Status }) => {
    const state: State = args.status.state;
    void state;
  });
  node.on("server", "/pump", "com.a.Pump", "changed", (args) => {
    // @ts-expect-error -- without a declared type, a member is `unknown`
    void args["status"].state;
  });
}
