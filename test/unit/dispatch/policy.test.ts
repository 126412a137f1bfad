import { compilePolicy } from "../../../packages/supcon/src/dispatch/policy";

describe("compilePolicy()", () => {
  const request = { caller: "sensor-1", path: "/lab/oven", intf: "com.example.Oven", member: "heat" };

  it("allows everything without a policy", () => {
    expect(compilePolicy(undefined, "me")(request)).toBe(true);
  });

  it("denies what no rule allows", () => {
    expect(compilePolicy({ allow: [] }, "me")(request)).toBe(false);
    expect(compilePolicy({ allow: [{ nodes: ["other"] }] }, "me")(request)).toBe(false);
  });

  it("matches * patterns on every field, and treats an absent field as any", () => {
    const check = compilePolicy(
      {
        allow: [
          { nodes: ["sensor-*"], paths: ["/lab/*"], intfs: ["com.example.*"], members: ["heat", "cool"] },
        ],
      },
      "me",
    );
    expect(check(request)).toBe(true);
    expect(check({ ...request, member: "explode" })).toBe(false);
    expect(check({ ...request, path: "/office/oven" })).toBe(false);
    expect(compilePolicy({ allow: [{ nodes: ["sensor-1"] }] }, "me")(request)).toBe(true);
  });

  it("always allows the node itself, and only by its exact name", () => {
    const check = compilePolicy({ allow: [] }, "sensor-*");
    expect(check({ ...request, caller: "sensor-*" })).toBe(true);
    expect(check(request)).toBe(false);
  });

  it("takes pattern characters other than * literally", () => {
    const check = compilePolicy({ allow: [{ intfs: ["com.example.Oven"] }] }, "me");
    expect(check({ ...request, intf: "comXexampleXOven" })).toBe(false);
  });
});
