import type { Node } from "supcon";
import { Client, Implementation, Interface } from "supcon";
import {
  OBJECT_PROTOTYPE_MEMBERS,
  RESERVED_METHOD_NAMES,
  WIRE_REFUSED_NAMES,
  errorClassName,
  errorCode,
  eventTypeName,
  interfaceNames,
  interfacePascal,
  isInheritedAliasName,
  methodInName,
  methodOutName,
  pascalCase,
  planIndex,
} from "../../../../packages/supcon-gen/src/model/names.js";

describe("pascalCase()", () => {
  it.each([
    ["add", "Add"],
    ["getValue", "GetValue"],
    ["get_value", "GetValue"],
    ["HTTPServer", "HTTPServer"],
    ["v2", "V2"],
    ["_private", "Private"],
    ["_1", "_1"],
    ["_", "_"],
  ])("%s → %s", (input, output) => {
    expect(pascalCase(input)).toBe(output);
  });
});

describe("interfaceNames()", () => {
  it("uses the PascalCase of the last dotted segment", () => {
    expect(interfacePascal("com.example.Timer")).toBe("Timer");
    expect(interfacePascal("com.example.timer")).toBe("Timer");
    expect(interfacePascal("Solo")).toBe("Solo");
    expect(interfaceNames("supcon.Node")).toEqual({
      pascal: "Node",
      descriptor: "NodeInterface",
      client: "NodeClient",
      server: "NodeServer",
      events: "NodeEvents",
      handlers: "NodeHandlers",
      createServer: "createNodeServer",
      namespace: "SupconNode",
    });
    expect(interfaceNames("com.my_org.v2.Timer").namespace).toBe("ComMyOrgV2Timer");
  });

  it("names members after the interface and the member", () => {
    expect(methodInName("Timer", "add")).toBe("TimerAddIn");
    expect(methodOutName("Timer", "list")).toBe("TimerListOut");
    expect(eventTypeName("Timer", "timeout")).toBe("TimerTimeoutEvent");
    expect(errorClassName("Timer", "AlreadyExists")).toBe("TimerAlreadyExistsError");
    expect(errorCode("com.example.Timer", "AlreadyExists")).toBe("com.example.Timer.AlreadyExists");
  });
});

describe("reserved names", () => {
  it("list every member of Object.prototype", () => {
    expect([...OBJECT_PROTOTYPE_MEMBERS].sort()).toEqual(Object.getOwnPropertyNames(Object.prototype).sort());
  });

  it("keep methods off every member of the runtime's Client and Implementation", () => {
    const intf = new Interface({ name: "com.example.Empty" });
    const client = new Client({} as Node, "node", "/path", intf);
    const server = new Implementation(intf);
    const members = [
      ...Object.getOwnPropertyNames(Client.prototype),
      ...Object.keys(client),
      ...Object.getOwnPropertyNames(Implementation.prototype),
      ...Object.keys(server),
      ...OBJECT_PROTOTYPE_MEMBERS,
    ];
    expect(members.filter((m) => !RESERVED_METHOD_NAMES.has(m))).toEqual([]);
  });

  it("refuse for every member the keys the runtime refuses", () => {
    expect([...WIRE_REFUSED_NAMES]).toEqual(["__proto__", "constructor", "prototype"]);
  });

  it("know which names the type parser takes for inherited aliases", () => {
    expect(isInheritedAliasName("toString")).toBe(true);
    expect(isInheritedAliasName("__proto__")).toBe(true);
    expect(isInheritedAliasName("str")).toBe(false);
    expect(isInheritedAliasName("Timer")).toBe(false);
  });
});

describe("planIndex()", () => {
  const module = (namespace: string, ...ids: string[]) => ({
    from: `./${namespace}.js`,
    namespace,
    exports: ids.map((id) => ({ id, typeOnly: /^[A-Z].*(Info|Status)$/.test(id) })),
  });

  it("re-exports a module whole (export *) when it shares no name", () => {
    const plan = planIndex([module("ComATimer", "TimerClient", "TimerInfo"), module("ComBGeo", "GeoClient")]);
    expect(plan.shared).toEqual([]);
    expect(plan.entries.map((e) => [e.namespace, e.all])).toEqual([
      ["ComATimer", true],
      ["ComBGeo", true],
    ]);
  });

  it("leaves names several modules export (or a namespace takes) to the namespaces, types apart from values", () => {
    const plan = planIndex([
      module("ComAPump", "PumpClient", "Status", "PumpInfo"),
      module("ComBValve", "ValveClient", "Status"),
      module("ComCX", "ComAPump"),
    ]);
    expect(plan.entries[0]).toEqual({
      from: "./ComAPump.js",
      namespace: "ComAPump",
      all: false,
      types: ["PumpInfo"],
      values: ["PumpClient"],
    });
    expect(plan.entries[1]).toMatchObject({ all: false, types: [], values: ["ValveClient"] });
    expect(plan.entries[2]).toMatchObject({ all: false, types: [], values: [] });
    expect(plan.shared).toEqual([
      { id: "ComAPump", namespaces: ["ComCX"] },
      { id: "Status", namespaces: ["ComAPump", "ComBValve"] },
    ]);
  });
});
