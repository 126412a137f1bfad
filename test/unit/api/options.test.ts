import { DEFAULT_CALL_TIMEOUT_MS } from "../../../packages/supcon/src/base/limits";
import { resolveNodeOptions } from "../../../packages/supcon/src/api/options";

describe("resolveNodeOptions()", () => {
  it("applies the defaults", () => {
    const options = resolveNodeOptions({});
    expect(options.callTimeoutMs).toBe(DEFAULT_CALL_TIMEOUT_MS);
    expect(options.secret).toBeUndefined();
    expect(options.policy).toBeUndefined();
  });

  it("names the option that is wrong", () => {
    expect(() => resolveNodeOptions({ callTimeoutMs: -1 })).toThrow(
      /NodeOptions.callTimeoutMs must be a positive number/,
    );
    expect(() => resolveNodeOptions({ reconnectJitter: 2 })).toThrow(
      /reconnectJitter must be a number from 0 to 1/,
    );
    expect(() => resolveNodeOptions({ reconnectMinMs: 500, reconnectMaxMs: 100 })).toThrow(/reconnectMaxMs/);
    expect(() => resolveNodeOptions({ secret: "" })).toThrow(/secret must be a non-empty/);
    expect(() => resolveNodeOptions({ policy: { allow: [{ node: ["x"] } as never] } })).toThrow(
      /NodeOptions.policy.allow\[0\]: unknown key 'node' \(did you mean 'nodes'\?\)/,
    );
  });

  it("takes a string secret as its UTF-8 bytes", () => {
    const text = "é-Xk9#mP2$vL7qR4zW";
    expect(resolveNodeOptions({ secret: text }).secret).toEqual(new Uint8Array(Buffer.from(text, "utf8")));
  });
});
