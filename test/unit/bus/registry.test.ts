import { InvalidArgumentError } from "../../../packages/supcon/src/base/errors";
import { ObjectRegistry } from "../../../packages/supcon/src/bus/registry";
import { Implementation } from "../../../packages/supcon/src/dispatch/implementation";
import { MAX_ADVERT_PATHS, MAX_PATH_INTERFACES } from "../../../packages/supcon/src/routing/advert";
import { Interface } from "../../../packages/supcon/src/schema/interface";

const ticker = new Interface({
  name: "com.example.Ticker",
  events: [{ name: "tick", args: [{ name: "n", type: "int" }] }],
});
const calc = new Interface({ name: "com.example.Calc", methods: [{ name: "reset" }] });

/** A registry of node "hub" that records the events its objects fire. */
function setup() {
  const fired: [string, string, string, Record<string, unknown>][] = [];
  const host = {
    emitEvent: (path: string, intf: string, event: string, args: Record<string, unknown>) =>
      fired.push([path, intf, event, args]),
  };
  return { registry: new ObjectRegistry("hub", host), fired, host };
}

describe("ObjectRegistry", () => {
  it("lists what is registered, by path and interface", () => {
    const { registry } = setup();
    const t = new Implementation(ticker);
    const c = new Implementation(calc);
    registry.register("/lab/clock", t);
    registry.register("/lab/clock", c);
    registry.register("/", new Implementation(calc));
    expect(registry.summary()).toEqual({
      "/lab/clock": ["com.example.Ticker", "com.example.Calc"],
      "/": ["com.example.Calc"],
    });
    expect(registry.objects.get("/lab/clock")?.get("com.example.Ticker")).toBe(t);
  });

  it("passes the events a registered object fires to the node, with the path", () => {
    const { registry, fired } = setup();
    const t = new Implementation(ticker);
    registry.register("/a", t);
    registry.register("/b", t);
    t.fire("tick", { n: 1 });
    expect(fired).toEqual([
      ["/a", "com.example.Ticker", "tick", { n: 1 }],
      ["/b", "com.example.Ticker", "tick", { n: 1 }],
    ]);
  });

  it.each(["", "lab", "/lab/", "/a b", "//x", "/ü"])("refuses the malformed path %p", (path) => {
    const { registry } = setup();
    expect(() => registry.register(path, new Implementation(ticker))).toThrow(InvalidArgumentError);
    expect(registry.summary()).toEqual({});
  });

  it("refuses something that is not an Implementation", () => {
    const { registry } = setup();
    expect(() => registry.register("/x", { intf: ticker } as unknown as Implementation<object>)).toThrow(
      /impl must be an Implementation/,
    );
    expect(registry.summary()).toEqual({});
  });

  it("refuses a second implementation of an interface at one path", () => {
    const { registry } = setup();
    registry.register("/x", new Implementation(ticker));
    expect(() => registry.register("/x", new Implementation(ticker))).toThrow(
      "register: hub:/x already has an implementation of com.example.Ticker",
    );
  });

  it("unregisters one interface, or everything at a path, and returns what it removed", () => {
    const { registry, fired } = setup();
    const t = new Implementation(ticker);
    registry.register("/x", t);
    registry.register("/x", new Implementation(calc));
    registry.register("/y", new Implementation(calc));
    expect(registry.unregister("/x", "com.example.Ticker")).toEqual(["com.example.Ticker"]);
    expect(registry.unregister("/x", "com.example.Ticker")).toEqual([]);
    t.fire("tick", { n: 1 });
    expect(fired).toEqual([]);
    expect(registry.unregister("/x")).toEqual(["com.example.Calc"]);
    expect(registry.unregister("/nothing")).toEqual([]);
    expect(registry.summary()).toEqual({ "/y": ["com.example.Calc"] });
  });

  it("keeps a permanent implementation when its path is unregistered", () => {
    const { registry } = setup();
    registry.register("/", new Implementation(calc), true);
    registry.register("/", new Implementation(ticker));
    expect(registry.unregister("/")).toEqual(["com.example.Ticker"]);
    expect(registry.unregister("/", "com.example.Calc")).toEqual([]);
    expect(registry.summary()).toEqual({ "/": ["com.example.Calc"] });
  });

  it("detaches every implementation on detachAll(), which may then be registered elsewhere", () => {
    const first = setup();
    const t = new Implementation(ticker);
    first.registry.register("/x", t);
    first.registry.detachAll();
    t.fire("tick", { n: 1 });
    expect(first.fired).toEqual([]);
    const second = setup();
    second.registry.register("/x", t);
    t.fire("tick", { n: 2 });
    expect(second.fired).toEqual([["/x", "com.example.Ticker", "tick", { n: 2 }]]);
    expect(first.fired).toEqual([]);
  });
});

describe("paths the wire cannot carry", () => {
  it("refuses a path over 1,024 characters", () => {
    const registry = new ObjectRegistry("me", { emitEvent: () => undefined });
    expect(() =>
      registry.register(
        `/${"p".repeat(1_024)}`,
        new Implementation(new Interface({ name: "com.example.I" })),
      ),
    ).toThrow(/path must start with/);
  });
});

describe("objects an advert cannot carry", () => {
  it("refuses the path beyond MAX_ADVERT_PATHS, and takes one again once a path is unregistered", () => {
    const { registry } = setup();
    for (let i = 0; i < MAX_ADVERT_PATHS; i++) registry.register(`/o${i}`, new Implementation(calc));
    expect(() => registry.register("/one-more", new Implementation(calc))).toThrow(
      new InvalidArgumentError(
        `register: hub:/one-more (com.example.Calc) cannot be advertised: the node's advert would list 4097 paths, more than 4096, which peers ignore (docs/PROTOCOL.md, "Link state"); serve several interfaces under one path, or spread the objects over more nodes`,
      ),
    );
    // Another interface at a path registered already takes no new path.
    registry.register("/o1", new Implementation(ticker));
    registry.unregister("/o0");
    registry.register("/one-more", new Implementation(calc));
    expect(Object.keys(registry.summary())).toHaveLength(MAX_ADVERT_PATHS);
  });

  it("refuses the interface beyond MAX_PATH_INTERFACES at one path", () => {
    const { registry } = setup();
    for (let i = 0; i < MAX_PATH_INTERFACES; i++) {
      registry.register("/many", new Implementation(new Interface({ name: `com.example.I${i}` })));
    }
    expect(() =>
      registry.register("/many", new Implementation(new Interface({ name: "com.example.More" }))),
    ).toThrow(
      /^register: hub:\/many \(com\.example\.More\) cannot be advertised: \/many would list 65 interfaces, more than 64/,
    );
  });

  it("refuses the entry beyond MAX_ADVERT_ENTRIES, counting paths and interfaces", () => {
    const { registry } = setup();
    const intfs = Array.from(
      { length: MAX_PATH_INTERFACES },
      (_, i) => new Interface({ name: `com.example.I${i}` }),
    );
    // 1,008 paths of 64 interfaces take 65,520 entries, and /last with 15 of them the 16 left.
    for (let p = 0; p < 1_008; p++)
      for (const intf of intfs) registry.register(`/p${p}`, new Implementation(intf));
    for (const intf of intfs.slice(0, 15)) registry.register("/last", new Implementation(intf));
    expect(() => registry.register("/last", new Implementation(calc))).toThrow(
      /would list 65537 paths and interfaces, more than 65536/,
    );
  });
});
