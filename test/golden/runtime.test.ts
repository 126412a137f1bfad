/**
 * The runtime accepts every generated descriptor (normal form, self-contained with copies of other interfaces'
 * types) and generated declared errors behave as the runtime expects.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Interface, RemoteError } from "supcon";
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
