import { Interface } from "../../../packages/supcon/src/schema/interface";
import { packPayload } from "../../../packages/supcon/src/wire/codec";
import { createPlainDecoder } from "../../../packages/supcon/src/wire/plain-decoder";

const intf = new Interface({
  name: "com.example.Lab",
  types: [
    {
      name: "Reading",
      fields: [
        { name: "sensor", type: "string" },
        { name: "note", type: "string", optional: true },
        { name: "toString", type: "string?" },
      ],
    },
    { name: "Plain", fields: [{ name: "n", type: "int" }] },
  ],
  events: [{ name: "seen", args: [{ name: "reading", type: "Reading" }] }],
  methods: [
    {
      name: "record",
      inArgs: [
        { name: "readings", type: "Reading[]" },
        { name: "byName", type: "map<Reading>" },
        { name: "label", type: "string?" },
        { name: "extra", type: "any", optional: true },
        { name: "history", type: "int?[]" },
      ],
      outArgs: [{ name: "plain", type: "Plain[]" }],
    },
  ],
});
const record = intf.method("record");
if (record === undefined) throw new Error("no method record");

/** What the value would arrive as: packed as the wire packs it, and decoded. */
function roundTrip(value: unknown): unknown {
  const packed = packPayload(value, "CALL");
  return createPlainDecoder().decode(packed, 0, packed.length);
}

describe("optional members without a value, as sent", () => {
  it("are left out, at every level, whether undefined or null", () => {
    const args = {
      readings: [{ sensor: "a", note: undefined }, { sensor: "b", note: null }, { sensor: "c" }],
      byName: { x: { sensor: "x", note: null } },
      label: null,
      extra: undefined,
      history: [1, null, 2],
    };
    expect(record.validateIn(args)).toBeUndefined();
    const sent = record.wireIn(args);
    expect(roundTrip(sent)).toStrictEqual({
      readings: [{ sensor: "a" }, { sensor: "b" }, { sensor: "c" }],
      byName: { x: { sensor: "x" } },
      // Null is a value of a `T?` element: kept.
      history: [1, null, 2],
    });
  });

  it("leave the caller's value as it was", () => {
    const args = { readings: [{ sensor: "a", note: null }], byName: {}, label: undefined, history: [] };
    const sent = record.wireIn(args);
    expect(sent).not.toBe(args);
    expect(args).toStrictEqual({
      readings: [{ sensor: "a", note: null }],
      byName: {},
      label: undefined,
      history: [],
    });
  });

  it("cost nothing when there are none: the value itself is sent", () => {
    const args = {
      readings: [{ sensor: "a", note: "n" }, { sensor: "b" }],
      byName: {},
      label: "L",
      history: [],
    };
    expect(record.wireIn(args)).toBe(args);
    const out = { plain: [{ n: 1 }] };
    expect(record.wireOut(out)).toBe(out);
  });

  it("are left out of event args too, and a field named like a member of Object.prototype is no exception", () => {
    const seen = intf.event("seen");
    const args = { reading: { sensor: "s", toString: null } };
    expect(roundTrip(seen?.wireArgs(args))).toStrictEqual({ reading: { sensor: "s" } });
    const absent = { reading: { sensor: "s" } };
    expect(seen?.wireArgs(absent)).toBe(absent);
  });
});
