import {
  errorClassName,
  errorCode,
  eventTypeName,
  interfaceNames,
  interfacePascal,
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
