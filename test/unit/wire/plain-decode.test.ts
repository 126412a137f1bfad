import fc from "fast-check";
import { Packr, Unpackr } from "msgpackr";
import { decodePlain } from "../../../packages/supcon/src/wire/plain-decode";
import { checkPlainMsgpack } from "../../../packages/supcon/src/wire/plain-msgpack";
import { keyArb, plainValueArb } from "../../helpers/wire-properties";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "number",
  copyBuffers: true,
});
const numRuns = Number(process.env["FUZZ_RUNS"] ?? 300);

/** Decodes `bytes` both ways, at an offset inside a larger buffer, and checks that they agree. */
function agree(bytes: Uint8Array): unknown {
  const padded = new Uint8Array(bytes.length + 10);
  padded.set(bytes, 7);
  expect(checkPlainMsgpack(padded, 7, 7 + bytes.length)).toBeUndefined();
  const ours = decodePlain(padded, 7, 7 + bytes.length);
  expect(ours).toEqual(unpackr.unpack(bytes));
  return ours;
}

describe("decodePlain()", () => {
  it("decodes plain data as msgpackr does", () => {
    fc.assert(
      fc.property(plainValueArb, (value) => {
        agree(packr.pack(value));
      }),
      { numRuns },
    );
  });

  it("decodes maps whose keys repeat and collide in the key cache as msgpackr does", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.integer()), { maxLength: 12 }), (entries) => {
        for (const [key, n] of entries) agree(packr.pack({ [key]: n, x: key }));
      }),
      { numRuns },
    );
  });

  it.each<[string, number[], unknown]>([
    ["float 32", [0xca, 0x3f, 0xc0, 0x00, 0x00], 1.5],
    ["uint 64", [0xcf, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 2 ** 53 - 1],
    ["int 64", [0xd3, 0xff, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], -(2 ** 53) + 1],
    ["int 8", [0xd0, 0x80], -128],
    ["int 16", [0xd1, 0x80, 0x00], -32768],
    ["int 32", [0xd2, 0x80, 0x00, 0x00, 0x00], -(2 ** 31)],
    ["uint 32", [0xce, 0xff, 0xff, 0xff, 0xff], 2 ** 32 - 1],
    ["negative fixint", [0xff], -1],
    ["bin 8", [0xc4, 0x02, 0x01, 0x02], Buffer.from([1, 2])],
    ["a non-ASCII key", [0x81, 0xa2, 0xc3, 0xa9, 0x01], { é: 1 }],
    ["a long string", [0xd9, 0x15, ...Buffer.from("abcdefghijklmnopqrsé")], "abcdefghijklmnopqrsé"],
  ])("decodes %s", (_what, bytes, expected) => {
    expect(agree(Uint8Array.from(bytes))).toEqual(expected);
  });

  it("returns binary as a copy, not a view of the received bytes", () => {
    const bytes = Uint8Array.from([0xc4, 0x02, 0x01, 0x02]);
    const value = decodePlain(bytes, 0, bytes.length) as Uint8Array;
    bytes[2] = 9;
    expect(Array.from(value)).toEqual([1, 2]);
    expect(value.buffer).not.toBe(bytes.buffer);
  });
});
