/**
 * The runtime accepts every generated descriptor (normal form, self-contained with copies of other interfaces'
 * types), generated declared errors behave as the runtime expects, and an implementation made from handlers
 * (`createTimerServer`) serves calls and fires events.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Implementation, Interface, Node, RemoteError } from "supcon";
import type * as TimerModule from "./full-timer/expected/com.example.Timer.js";

const ROOT = __dirname;
const modules = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, e.name, "expected")))
  .flatMap((e) =>
    fs
      .readdirSync(path.join(ROOT, e.name, "expected"))
      .filter((f) => f.endsWith(".ts") && f !== "index.ts")
      .map((f) => path.join(e.name, "expected", f)),
  )
  .sort();

describe("generated modules at run time", () => {
  it.each(modules)("%s loads, and its descriptor is a valid Interface", (file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(ROOT, file)) as Record<string, unknown>;
    const descriptors = Object.values(mod).filter((v): v is Interface => v instanceof Interface);
    expect(descriptors).toHaveLength(1);
    const intf = descriptors[0] as Interface;
    expect(`${intf.name}.ts`).toBe(path.basename(file));
    for (const m of intf.description.methods ?? []) expect(intf.method(m.name)).toBeDefined();
    for (const e of intf.description.events ?? []) expect(intf.event(e.name)).toBeDefined();
  });

  it("validates calls against a generated descriptor", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const timer = require(path.join(ROOT, "full-timer/expected/com.example.Timer.ts")) as typeof TimerModule;
    const add = timer.TimerInterface.method("add");
    expect(add?.validateIn({ timer: "t", seconds: 5 })).toBeUndefined();
    expect(add?.validateIn({ timer: "t", seconds: 5, unit: "minutes" })).toBeUndefined();
    expect(add?.validateIn({ timer: "t", seconds: "5" })).toBeDefined();
    expect(add?.validateIn({ timer: "t", seconds: 5, unit: "hours" })).toBeDefined();
    const list = timer.TimerInterface.method("list");
    expect(
      list?.validateOut({
        timers: [{ timer: "a", remaining: 1, history: [1, null], attributes: { x: null } }],
      }),
    ).toBeUndefined();
    expect(list?.validateOut({ timers: [{ timer: "a" }] })).toBeDefined();
  });

  it("gives declared errors their code, default message and class", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const timer = require(path.join(ROOT, "full-timer/expected/com.example.Timer.ts")) as typeof TimerModule;
    const e = new timer.TimerAlreadyExistsError();
    expect(e).toBeInstanceOf(RemoteError);
    expect(e.code).toBe("com.example.Timer.AlreadyExists");
    expect(e.name).toBe("TimerAlreadyExistsError");
    expect(e.rawMessage).toBe("A timer with this name is pending.");
    expect(e.message).toBe("com.example.Timer.AlreadyExists: A timer with this name is pending.");
    expect(new timer.TimerNotFoundError("gone").message).toBe("com.example.Timer.NotFound: gone");
  });
});

describe("createTimerServer()", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const timer = require(path.join(ROOT, "full-timer/expected/com.example.Timer.ts")) as typeof TimerModule;

  it("serves each method from its handler, with the call context, and fires events", async () => {
    const node = new Node("timers");
    const calls: string[] = [];
    const impl = timer.createTimerServer({
      add(args, ctx) {
        calls.push(`add ${args.timer} ${args.seconds} from ${ctx.caller}`);
        if (args.timer === "taken") throw new timer.TimerAlreadyExistsError();
        impl.fire("timeout", { timer: args.timer });
      },
      async list() {
        return { timers: [{ timer: "t", remaining: 1, unit: "seconds", history: [], attributes: {} }] };
      },
      cancel: (args) => ({ cancelled: args.timer === "t" }),
      counts: () => ({ byLabel: {}, total: 1 }),
    });
    expect(impl).toBeInstanceOf(Implementation);
    expect(impl.intf).toBe(timer.TimerInterface);
    try {
      node.register("/timer", impl);
      const client = new timer.TimerClient(node, "timers", "/timer");
      const fired: string[] = [];
      client.on("timeout", (args) => fired.push(args.timer));
      await client.add({ timer: "a", seconds: 1 });
      expect(calls).toEqual(["add a 1 from timers"]);
      await expect(client.add({ timer: "taken", seconds: 1 })).rejects.toBeInstanceOf(
        timer.TimerAlreadyExistsError,
      );
      expect((await client.list()).timers[0]?.unit).toBe("seconds");
      expect(await client.cancel({ timer: "t" })).toEqual({ cancelled: true });
      expect(await client.counts()).toEqual({ byLabel: {}, total: 1 });
      // A handler's result is checked against the interface, as a class's is.
      const wrong = timer.createTimerServer({
        add() {},
        list: () => ({ timers: [] }),
        cancel: () => ({ cancelled: "no" }) as unknown as { cancelled: boolean },
        counts: () => ({ byLabel: {}, total: 0 }),
      });
      node.register("/wrong", wrong);
      await expect(
        new timer.TimerClient(node, "timers", "/wrong").cancel({ timer: "t" }),
      ).rejects.toMatchObject({
        code: "supcon.Internal",
      });
      for (let i = 0; i < 100 && fired.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(fired).toEqual(["a"]);
    } finally {
      await node.close();
    }
  });
});
