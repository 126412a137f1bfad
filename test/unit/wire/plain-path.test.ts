import { WireError } from "../../../packages/supcon/src/wire/errors";
import { packPayload } from "../../../packages/supcon/src/wire/codec";
import { findNonPlain } from "../../../packages/supcon/src/wire/plain-path";

describe("findNonPlain()", () => {
  it("names the path of the first value that is not plain data", () => {
    expect(findNonPlain({ readings: [{ value: 1 }, { value: 2 }, { value: NaN }] }, 0, 100, false)).toEqual({
      path: ".readings[2].value",
      message: "NaN is not a finite number",
    });
    expect(findNonPlain({ "odd key": [Infinity] }, 0, 100, true)).toEqual({
      path: '["odd key"][0]',
      message: "Infinity is not a finite number",
    });
    expect(findNonPlain({ when: new Date(0) }, 0, 100, false)).toEqual({
      path: ".when",
      message: "expected plain data, got Date",
    });
    expect(findNonPlain(JSON.parse('{"a": {"__proto__": 1}}'), 0, 100, false)).toEqual({
      path: ".a",
      message: "forbidden key '__proto__'",
    });
    expect(
      findNonPlain({ ok: [1, "s", null, true, new Uint8Array(2), { x: undefined }] }, 0, 100, true),
    ).toBe(undefined);
  });

  it("stops at its depth bound, which also ends a cycle", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    const found = findNonPlain(cyclic, 0, 3, false);
    expect(found).toEqual({ path: ".self.self.self", message: "nested deeper than 3 levels (a cycle?)" });
  });

  it("strict, refuses what is not plain; for the wire, only what the wire refuses", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(findNonPlain({ p: new Point(1) }, 0, 100, true)).toEqual({
      path: ".p",
      message: "expected plain data, got Point",
    });
    // msgpackr sends an instance as a map of its own properties: looked into, not refused.
    expect(findNonPlain({ p: new Point(1) }, 0, 100, false)).toBeUndefined();
    expect(findNonPlain({ p: new Point(NaN) }, 0, 100, false)).toMatchObject({ path: ".p.x" });
    expect(findNonPlain({ n: 5n }, 0, 100, true)).toMatchObject({
      message: "expected plain data, got bigint",
    });
    expect(findNonPlain({ n: 5n }, 0, 100, false)).toBeUndefined();
    expect(findNonPlain({ n: 2n ** 60n }, 0, 100, false)).toMatchObject({
      path: ".n",
      message: expect.stringMatching(/beyond/) as string,
    });
    expect(findNonPlain({ s: Symbol("s") }, 0, 100, false)).toMatchObject({
      message: "expected plain data, got symbol",
    });
  });
});

describe("packPayload()", () => {
  it.each([
    [
      "CALL",
      { readings: [{ value: 1 }, { value: NaN }] },
      "cannot encode CALL message: args.readings[1].value: NaN is not a finite number",
    ],
    ["RESULT", { at: new Date(0) }, "cannot encode RESULT message: result.at: expected plain data, got Date"],
    [
      "EVENT",
      { list: [1, -Infinity] },
      "cannot encode EVENT message: args.list[1]: -Infinity is not a finite number",
    ],
  ])("names the path of what cannot be encoded in a %s", (what, value, message) => {
    let thrown: unknown;
    try {
      packPayload(value, what);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WireError);
    expect(thrown).toMatchObject({ code: "supcon.InvalidData", message });
  });

  it("names the path of a cycle, which msgpackr cannot even pack", () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic["self"] = cyclic;
    expect(() => packPayload({ tree: cyclic }, "CALL")).toThrow(
      /^cannot encode CALL message: args\.tree(\.self)+: nested deeper than \d+ levels \(a cycle\?\)$/,
    );
  });
});
