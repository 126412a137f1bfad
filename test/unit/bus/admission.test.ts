import { admissionRefusal } from "../../../packages/supcon/src/bus/admission";
import type { AdmissionContext } from "../../../packages/supcon/src/bus/admission";
import { ErrorCode } from "../../../packages/supcon/src/base/errors";
import { NODE_NAME_MAX } from "../../../packages/supcon/src/base/names";

/** Node "hub", open, on a bus where "alice" (process "i-alice") is reachable. */
function context(fields: Partial<AdmissionContext> = {}): AdmissionContext {
  const instances: Record<string, string> = { alice: "i-alice" };
  return {
    self: "hub",
    closing: false,
    instanceOf: (name) => instances[name],
    linked: () => false,
    authenticated: false,
    ...fields,
  };
}

describe("admissionRefusal()", () => {
  it("admits a well-formed name nobody on the bus holds", () => {
    expect(admissionRefusal("bob", "i-bob", context())).toBeUndefined();
  });

  it("admits another link from the process that holds the name", () => {
    expect(admissionRefusal("alice", "i-alice", context())).toBeUndefined();
  });

  it("admits a name of the longest length and with any printable characters", () => {
    expect(admissionRefusal("x".repeat(NODE_NAME_MAX), "i", context())).toBeUndefined();
    expect(admissionRefusal("Zürich sensor #1", "i", context())).toBeUndefined();
  });

  it("refuses a name held on the bus by another process with supcon.NameTaken", () => {
    expect(admissionRefusal("alice", "i-impostor", context())).toEqual({
      code: ErrorCode.NameTaken,
      message:
        "the name 'alice' is already taken on the bus by another process (seen by hub); give each node a unique name, or wait until the old process has left (about 2 × heartbeatTimeoutMs after it stopped)",
    });
  });

  it("without credentials, refuses a second link in the name of a linked node, even with its instance id", () => {
    const linked = context({ linked: (name) => name === "alice" });
    const refusal = admissionRefusal("alice", "i-alice", linked);
    expect(refusal?.code).toBe(ErrorCode.NameTaken);
    expect(refusal?.message).toMatch(/'alice' is linked to hub already; without credentials/);
  });

  it("with credentials, admits a second link of the process that holds the name", () => {
    const linked = context({ linked: (name) => name === "alice", authenticated: true });
    expect(admissionRefusal("alice", "i-alice", linked)).toBeUndefined();
    expect(admissionRefusal("alice", "i-restarted", linked)?.code).toBe(ErrorCode.NameTaken);
  });

  it("refuses this node's own name with supcon.NameTaken", () => {
    const refusal = admissionRefusal("hub", "i-other", context());
    expect(refusal?.code).toBe(ErrorCode.NameTaken);
    expect(refusal?.message).toMatch(/a node cannot link to itself or to another node of the same name/);
  });

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(NODE_NAME_MAX + 1)],
    ["with a control character", "bad\nname"],
    ["with a NUL", "a\u0000"],
  ])("refuses a name that is %s with supcon.InvalidName", (_what, name) => {
    expect(admissionRefusal(name, "i", context())?.code).toBe(ErrorCode.InvalidName);
  });

  it("quotes at most 64 characters of a malformed name", () => {
    const refusal = admissionRefusal("\u0001" + "y".repeat(500), "i", context());
    expect(refusal?.message).toBe(
      `"\\u0001${"y".repeat(63)}" is not a node name: 1 to ${NODE_NAME_MAX} characters, no control characters`,
    );
  });

  it("refuses everyone with supcon.Closed once the node is closing", () => {
    expect(admissionRefusal("bob", "i-bob", context({ closing: true }))).toEqual({
      code: ErrorCode.Closed,
      message: "node hub is closing",
    });
    expect(admissionRefusal("", "i", context({ closing: true }))?.code).toBe(ErrorCode.Closed);
  });
});
