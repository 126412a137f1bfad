import { InvalidArgumentError } from "../../../packages/supcon/src/base/errors";
import { Implementation } from "../../../packages/supcon/src/dispatch/implementation";
import { Interface } from "../../../packages/supcon/src/schema/interface";
import type { InterfaceDescription } from "../../../packages/supcon/src/schema/descriptor";

/** The Timer interface of SPEC §3. */
const timerDescription: InterfaceDescription = {
  name: "com.example.Timer",
  description: "Named one-shot timers.",
  types: [
    {
      name: "TimerInfo",
      description: "One pending timer.",
      fields: [
        { name: "timer", type: "string" },
        { name: "remaining", type: "float", description: "Seconds left" },
        { name: "label", type: "string", optional: true },
      ],
    },
    { name: "Unit", enum: ["seconds", "minutes"] },
  ],
  errors: [{ name: "AlreadyExists", description: "A timer with this name is pending." }],
  events: [
    {
      name: "timeout",
      description: "Gets triggered whenever a timer times out.",
      args: [{ name: "timer", type: "string", description: "The name of the timer" }],
    },
  ],
  methods: [
    {
      name: "add",
      description: "Adds a new timer.",
      inArgs: [
        { name: "timer", type: "string", description: "A name for the timer" },
        { name: "seconds", type: "float", description: "A duration" },
      ],
      outArgs: [],
      errors: ["AlreadyExists"],
    },
    { name: "list", outArgs: [{ name: "timers", type: "TimerInfo[]" }] },
  ],
};

describe("Interface", () => {
  const timer = new Interface(timerDescription);

  it("has a name and a normal-form description", () => {
    expect(timer.name).toBe("com.example.Timer");
    expect(timer.description.types?.[0]).toEqual({
      name: "TimerInfo",
      description: "One pending timer.",
      fields: [
        { name: "timer", type: "string" },
        { name: "remaining", type: "float", description: "Seconds left" },
        { name: "label", type: "string?" },
      ],
    });
    expect(timer.description.methods?.[1]).toEqual({
      name: "list",
      inArgs: [],
      outArgs: [{ name: "timers", type: "TimerInfo[]" }],
      errors: [],
    });
  });

  it("serialises to its normal form, which builds an equal interface", () => {
    expect(timer.toJSON()).toBe(timer.description);
    const copy = new Interface(JSON.parse(JSON.stringify(timer)) as InterfaceDescription);
    expect(copy.description).toEqual(timer.description);
  });

  it("looks up methods and events", () => {
    const add = timer.method("add");
    expect(add?.name).toBe("add");
    expect(add?.errors).toEqual(["AlreadyExists"]);
    expect(timer.method("list")?.errors).toEqual([]);
    expect(timer.event("timeout")?.name).toBe("timeout");
    expect(timer.method("timeout")).toBeUndefined();
    expect(timer.event("add")).toBeUndefined();
    expect(timer.method("toString")).toBeUndefined();
    expect(timer.method("__proto__")).toBeUndefined();
    expect(timer.methodNames).toEqual(["add", "list"]);
    expect(timer.eventNames).toEqual(["timeout"]);
  });

  it("returns frozen schemas", () => {
    expect(Object.isFrozen(timer.method("add"))).toBe(true);
    expect(Object.isFrozen(timer.method("add")?.errors)).toBe(true);
    expect(Object.isFrozen(timer.event("timeout"))).toBe(true);
    expect(Object.isFrozen(timer.description)).toBe(true);
  });

  it("validates in-args, out-args and event args", () => {
    const add = timer.method("add");
    const list = timer.method("list");
    const timeout = timer.event("timeout");
    expect(add?.validateIn({ timer: "abc", seconds: 1.5 })).toBeUndefined();
    expect(add?.validateIn({ timer: "abc", seconds: "1.5" })).toBe(
      "args.seconds: expected float, got string",
    );
    expect(add?.validateIn({ timer: "abc" })).toBe("missing argument 'seconds' (float)");
    expect(add?.validateIn({ timer: "abc", seconds: 1, secnds: 1 })).toBe(
      "unknown argument 'secnds' (did you mean 'seconds'?)",
    );
    expect(add?.validateOut(undefined)).toBeUndefined();
    expect(add?.validateOut({})).toBeUndefined();
    expect(add?.validateOut({ ok: true })).toBe("unknown result 'ok'");
    expect(list?.validateOut({ timers: [{ timer: "a", remaining: 1, label: "x" }] })).toBeUndefined();
    expect(
      list?.validateOut({
        timers: [
          { timer: "a", remaining: 1 },
          { timer: "b", remaining: 2 },
          { timer: "c", remaining: 3 },
          { timer: "d", remaining: null },
        ],
      }),
    ).toBe("result.timers[3].remaining: expected float, got null");
    expect(timeout?.validateArgs({ timer: "t" })).toBeUndefined();
    expect(timeout?.validateArgs({})).toBe("missing argument 'timer' (string)");
  });

  it("accepts the seed's own Timer description unchanged", () => {
    const seed = new Interface({
      name: "com.example.Timer",
      description: "A timer interface",
      events: [{ name: "timeout", args: { timer: "(str) - The name of the timer" } }],
      methods: [
        { name: "add", inArgs: { timer: "(str) - A name for the timer", seconds: "(float) - A duration" } },
        { name: "list", outArgs: { timers: "(list) - The pending timers" } },
      ],
    });
    expect(seed.method("add")?.validateIn({ timer: "t", seconds: 5 })).toBeUndefined();
    expect(seed.method("add")?.validateIn({ timer: 5, seconds: 5 })).toBe(
      "args.timer: expected string, got int",
    );
    expect(seed.method("list")?.validateOut({ timers: [{ any: "thing" }, 1] })).toBeUndefined();
    expect(seed.description.methods?.[0]?.inArgs).toEqual([
      { name: "timer", type: "string", description: "A name for the timer" },
      { name: "seconds", type: "float", description: "A duration" },
    ]);
  });

  it("supports recursive and qualified named types", () => {
    const fs = new Interface({
      name: "com.example.Fs",
      types: [
        { name: "com.example.geo.Point", fields: [{ name: "x", type: "float" }] },
        {
          name: "Dir",
          fields: [
            { name: "name", type: "string" },
            { name: "entries", type: "map<Dir>" },
          ],
        },
      ],
      methods: [
        { name: "tree", outArgs: [{ name: "root", type: "com.example.Fs.Dir" }] },
        { name: "at", inArgs: [{ name: "p", type: "com.example.geo.Point?" }] },
      ],
    });
    const tree = fs.method("tree");
    expect(
      tree?.validateOut({ root: { name: "/", entries: { usr: { name: "usr", entries: {} } } } }),
    ).toBeUndefined();
    expect(tree?.validateOut({ root: { name: "/", entries: { usr: { name: "usr" } } } })).toBe(
      "result.root.entries.usr: missing field 'entries' (map<Dir>)",
    );
    expect(fs.method("at")?.validateIn({})).toBeUndefined();
    expect(fs.method("at")?.validateIn({ p: { x: "1" } })).toBe("args.p.x: expected float, got string");
  });

  it("throws InvalidArgumentError for a bad description", () => {
    expect(() => new Interface(undefined as unknown as InterfaceDescription)).toThrow(InvalidArgumentError);
    expect(
      () =>
        new Interface({
          name: "com.example.T",
          methods: [{ name: "m", inArgs: [{ name: "a", type: "flot" }] }],
        }),
    ).toThrow(
      "Interface 'com.example.T': method 'm', inArgs 'a': unknown type 'flot' (did you mean 'float'?)",
    );
  });

  it("works with Implementation", () => {
    const impl = new Implementation(timer);
    expect(() => impl.setCallCb("add", () => undefined)).not.toThrow();
    expect(() => impl.setCallCb("ad", () => undefined)).toThrow(
      "com.example.Timer has no method 'ad' (did you mean 'add'?)",
    );
    expect(() => impl.fire("timeout", { timer: 1 })).toThrow(
      "com.example.Timer.timeout: args.timer: expected string, got int",
    );
  });
});
