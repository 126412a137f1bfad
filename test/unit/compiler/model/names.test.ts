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
    });
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
