import fc from "fast-check";
import { Packr, Unpackr } from "msgpackr";
import {
  DECODE_BUDGET_BASE,
  DECODE_BUDGET_PER_BYTE,
  DecodeCost,
  MAX_NESTING_DEPTH,
  UNTRACKED_KEYS,
  createPlainDecoder,
} from "../../../packages/supcon/src/wire/plain-decoder";
import { assertPlain, keyArb, plainValueArb } from "../../helpers/wire-properties";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "number",
  copyBuffers: true,
});
const numRuns = Number(process.env["FUZZ_RUNS"] ?? 300);
const timeout = process.env["FUZZ_RUNS"] ? 24 * 3600_000 : 30_000;

const decoder = createPlainDecoder();
const checker = createPlainDecoder();

/** What `decode()` and `check()` make of `bytes`, placed at an offset inside a larger buffer. */
function both(bytes: Uint8Array, maxDepth?: number): { value: unknown; error: string | undefined } {
  const padded = new Uint8Array(bytes.length + 10);
  padded.set(bytes, 7);
  const value = decoder.decode(padded, 7, 7 + bytes.length, maxDepth);
  const error = value === undefined ? decoder.error : undefined;
  // check() refuses exactly what decode() refuses, for the same reason.
  expect(checker.check(padded, 7, 7 + bytes.length, maxDepth)).toBe(error);
  return { value, error };
}

/** Decodes `bytes` and checks that msgpackr decodes them the same. */
function agree(bytes: Uint8Array): unknown {
  const { value, error } = both(bytes);
  expect(error).toBeUndefined();
  expect(value).toEqual(unpackr.unpack(bytes));
  return value;
}

function refused(bytes: Uint8Array | readonly number[], maxDepth?: number): string {
  const { value, error } = both(Uint8Array.from(bytes), maxDepth);
  expect(value).toBeUndefined();
  return error as string;
}

/** msgpack bytes of an array of `count` items, each `item`, with a 32-bit count. */
function arrayOf(count: number, item: readonly number[]): Uint8Array {
  const header = Buffer.from([0xdd, 0, 0, 0, 0]);
  header.writeUInt32BE(count, 1);
  return Buffer.concat([header, Buffer.alloc(count * item.length, Uint8Array.from(item))]);
}

/** A placeholder packed in place of a poison value or key, then replaced by its bytes. */
const POISON_VALUE = "\u0001poison!";
const POISON_KEY = "\u0002poison!";
const PLACEHOLDER = (s: string): number[] => [0xa8, ...Buffer.from(s, "latin1")];

/** Single MessagePack values that are not plain data. */
const poisonValueArb: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc
    .tuple(fc.constantFrom(0xd4, 0xd5, 0xd6, 0xd7, 0xd8), fc.integer({ min: 0, max: 255 }))
    .map(([token, type]) => [
      token,
      type,
      ...new Array<number>({ 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 }[token] ?? 0).fill(0),
    ]),
  fc.integer({ min: 0, max: 255 }).map((type) => [0xc7, 1, type, 0]),
  fc.integer({ min: 0, max: 255 }).map((type) => [0xc8, 0, 1, type, 0]),
  fc.integer({ min: 0, max: 255 }).map((type) => [0xc9, 0, 0, 0, 1, type, 0]),
  fc.constant([0xc1]),
  fc.constantFrom(
    [0xca, 0x7f, 0x80, 0, 0], // +Infinity
    [0xca, 0xff, 0xc0, 0, 1], // NaN
    [0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0],
    [0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 1],
  ),
  fc.integer({ min: 0x20_0000, max: 0xffff_ffff }).map((high) => [0xcf, ...be32(high), 0, 0, 0, 0]),
  fc.integer({ min: -0x8000_0000, max: -0x20_0001 }).map((high) => [0xd3, ...be32(high), 0, 0, 0, 0]),
);

/** Map keys that are refused: other types, and the forbidden names in every string form. */
const poisonKeyArb: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc.constantFrom([0x01], [0xc0], [0xc3], [0x90], [0x80], [0xc4, 1, 0x61], [0xcb, 0, 0, 0, 0, 0, 0, 0, 0]),
  fc
    .tuple(fc.constantFrom("__proto__", "constructor", "prototype"), fc.integer({ min: 0, max: 3 }))
    .map(([key, form]) => {
      const bytes = [...Buffer.from(key, "latin1")];
      const head = [
        [0xa0 | bytes.length],
        [0xd9, bytes.length],
        [0xda, 0, bytes.length],
        [0xdb, 0, 0, 0, bytes.length],
      ];
      return [...(head[form] as number[]), ...bytes];
    }),
);

/** Plain data with one placeholder somewhere, as a value or as a key. */
const withPlaceholderArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(POISON_VALUE),
    fc
      .tuple(fc.array(plainValueArb, { maxLength: 3 }), tie("value"), fc.nat())
      .map(([items, inner, at]) => [
        ...items.slice(0, at % (items.length + 1)),
        inner,
        ...items.slice(at % (items.length + 1)),
      ]),
    fc
      .tuple(fc.dictionary(keyArb, plainValueArb, { maxKeys: 3, noNullPrototype: true }), tie("value"))
      .map(([map, inner]) => ({ ...map, [POISON_KEY]: inner })),
  ),
})).value;

/** Replaces the first placeholder in `bytes` by `poison`. */
function replace(bytes: Uint8Array, placeholder: string, poison: readonly number[]): Uint8Array | undefined {
  const needle = Buffer.from(PLACEHOLDER(placeholder));
  const at = Buffer.from(bytes).indexOf(needle);
  if (at < 0) return undefined;
  return Uint8Array.from([...bytes.subarray(0, at), ...poison, ...bytes.subarray(at + needle.length)]);
}

describe("createPlainDecoder()", () => {
  it(
    "decodes plain data as msgpackr does",
    () => {
      fc.assert(
        fc.property(plainValueArb, (value) => {
          agree(packr.pack(value));
        }),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    "decodes maps whose keys repeat and collide in the key cache as msgpackr does",
    () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(keyArb, fc.integer()), { maxLength: 12 }), (entries) => {
          for (const [key, n] of entries) agree(packr.pack({ [key]: n, x: key }));
        }),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    "refuses plain data with a value or key anywhere that is not plain",
    () => {
      fc.assert(
        fc.property(
          withPlaceholderArb,
          fc.boolean(),
          poisonValueArb,
          poisonKeyArb,
          (value, asKey, poisonValue, poisonKey) => {
            const bytes = asKey
              ? replace(packr.pack(value), POISON_KEY, poisonKey)
              : replace(packr.pack(value), POISON_VALUE, poisonValue);
            fc.pre(bytes !== undefined);
            refused(bytes as Uint8Array);
          },
        ),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    "refuses plain data cut short anywhere, or followed by anything",
    () => {
      fc.assert(
        fc.property(
          plainValueArb,
          fc.nat(),
          fc.uint8Array({ minLength: 1, maxLength: 4 }),
          (value, cut, extra) => {
            const bytes = packr.pack(value);
            expect(refused(bytes.subarray(0, cut % bytes.length))).toMatch(/^truncated value at \d+$/);
            expect(refused([...bytes, ...extra])).toBe(
              `${extra.length} trailing bytes after the value at ${bytes.length}`,
            );
          },
        ),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    "refuses or decodes arbitrary bytes as check() says, and what it decodes msgpackr decodes the same",
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc
              .tuple(
                plainValueArb,
                fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
              )
              .map(([value, edits]) => {
                const bytes = Uint8Array.from(packr.pack(value));
                for (const [where, byte] of edits) bytes[where % bytes.length] = byte;
                return bytes;
              }),
          ),
          (bytes) => {
            const { value, error } = both(bytes);
            if (error !== undefined) return;
            expect(value).toEqual(unpackr.unpack(bytes));
            assertPlain(value);
          },
        ),
        { numRuns },
      );
    },
    timeout,
  );

  it.each<[string, number[], unknown]>([
    ["float 32", [0xca, 0x3f, 0xc0, 0x00, 0x00], 1.5],
    ["a float 32 subnormal", [0xca, 0x00, 0x00, 0x00, 0x01], 2 ** -149],
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
    ["invalid UTF-8", [0xa2, 0xff, 0x61], "\ufffda"],
  ])("decodes %s", (_what, bytes, expected) => {
    expect(agree(Uint8Array.from(bytes))).toEqual(expected);
  });

  it("decodes an array longer than it allocates at once", () => {
    const bytes = arrayOf(70_000, [7]);
    const value = agree(bytes) as number[];
    expect(value).toHaveLength(70_000);
    expect(value.every((n) => n === 7)).toBe(true);
  });

  it.each<[string, number[], RegExp]>([
    ["an extension", [0x91, 0xd4, 0x42, 0], /^MessagePack extension type 66 \(BigInt\) at 1 is not allowed$/],
    ["an ext 8 cut short", [0xc7, 1], /^truncated value at 0$/],
    ["the reserved byte", [0x92, 0xc0, 0xc1], /^reserved byte 0xc1 at 2$/],
    ["a non-string key", [0x81, 0x01, 0x01], /^map key at 1 is not a string \(token 0x01\)$/],
    [
      "a forbidden key",
      [0x81, 0xa9, ...Buffer.from("__proto__"), 0xc0],
      /^forbidden map key '__proto__' at 1$/,
    ],
    ["a huge declared array", [0xdd, 0xff, 0xff, 0xff, 0xff], /^truncated value at 0$/],
    ["a huge declared map", [0xdf, 0xff, 0xff, 0xff, 0xff], /^truncated value at 0$/],
    ["a huge declared string", [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], /^truncated value at 0$/],
    ["an integer beyond 2^53", [0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0], /^integer at 0 is beyond ±\(2\^53 - 1\)/],
    ["NaN", [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], /^non-finite number \(NaN or Infinity\) at 0$/],
    ["an empty body", [], /^truncated value at 0$/],
  ])("refuses %s", (_what, bytes, expected) => {
    expect(refused(bytes)).toMatch(expected);
  });

  it("refuses nesting deeper than the depth it is given, counting empty containers", () => {
    const nested = (levels: number, innermost: number): number[] => [
      ...new Array<number>(levels - 1).fill(0x91),
      innermost,
    ];
    expect(both(Uint8Array.from(nested(MAX_NESTING_DEPTH, 0x90))).error).toBeUndefined();
    expect(refused(nested(MAX_NESTING_DEPTH + 1, 0x90))).toBe(
      `nesting deeper than 100 levels at ${MAX_NESTING_DEPTH}`,
    );
    expect(both(Uint8Array.from(nested(99, 0x80)), 99).error).toBeUndefined();
    expect(refused(nested(100, 0x80), 99)).toMatch(/^nesting deeper than 100 levels/);
    // 100,000 levels: refused at the limit, not a stack overflow.
    expect(refused(nested(100_000, 0xc0))).toMatch(/^nesting deeper than 100 levels/);
  });

  it("returns binary as a copy, not a view of the received bytes", () => {
    const bytes = Uint8Array.from([0xc4, 0x02, 0x01, 0x02]);
    const value = decoder.decode(bytes, 0, bytes.length) as Uint8Array;
    bytes[2] = 9;
    expect(Array.from(value)).toEqual([1, 2]);
    expect(value.buffer).not.toBe(bytes.buffer);
  });

  it("keeps its state to itself: decoders interleave, and one decodes again after a refusal", () => {
    const a = createPlainDecoder();
    const b = createPlainDecoder();
    const one = packr.pack({ timer: "t", seconds: 1.5 });
    const bad = Uint8Array.from([0x81, 0xa1, 0x78, 0xc1]);
    expect(a.decode(bad, 0, bad.length)).toBeUndefined();
    expect(b.decode(one, 0, one.length)).toEqual({ timer: "t", seconds: 1.5 });
    expect(a.error).toBe("reserved byte 0xc1 at 3");
    expect(b.error).toBe("");
    expect(a.decode(one, 0, one.length)).toEqual({ timer: "t", seconds: 1.5 });
    expect(a.check(bad, 0, bad.length)).toBe("reserved byte 0xc1 at 3");
    expect(a.decode(one, 0, one.length)).toEqual({ timer: "t", seconds: 1.5 });
  });
});

describe("the decoding budget", () => {
  /**
   * The most items of `item.length` bytes and `cost` each an array (with a 5-byte header) may hold: the budget
   * after the j-th item, charged once `read` of its bytes are read, is DECODE_BUDGET_PER_BYTE × (5 + bytes read) +
   * DECODE_BUDGET_BASE, and its cost DecodeCost.container (the array) + j × cost.
   */
  const most = (cost: number, bytes: number, read: number): number =>
    Math.floor(
      (DECODE_BUDGET_BASE + DECODE_BUDGET_PER_BYTE * (5 - bytes + read) - DecodeCost.container) /
        (cost - DECODE_BUDGET_PER_BYTE * bytes),
    );

  it.each<[string, number[], number, number]>([
    ["empty maps", [0x80], DecodeCost.container, 1],
    ["empty arrays", [0x90], DecodeCost.container, 1],
    ["arrays of one number", [0x91, 0x01], DecodeCost.container, 1],
    ["two-character strings", [0xa2, 0x61, 0x62], DecodeCost.string + 2, 3],
    ["empty binaries", [0xc4, 0x00], DecodeCost.binary, 2],
  ])("allows %s up to the budget of the bytes read so far, and refuses one more", (_, item, cost, read) => {
    const n = most(cost, item.length, read);
    expect(both(arrayOf(n, item)).error).toBeUndefined();
    const error = refused(arrayOf(n + 1, item));
    expect(error).toMatch(
      /takes the cost of decoding the first \d+ bytes to \d+, beyond 4 per byte \+ 2097152/,
    );
    // …as soon as it goes beyond: the rest of the body is not read.
    expect(refused(arrayOf(10 * n, item))).toBe(error);
  });

  it("charges a map key the first time it occurs in a body, and its first keys as new", () => {
    // Records with the same two keys: only containers cost, after the first UNTRACKED_KEYS keys.
    const records = Array.from({ length: 30_000 }, (_, i) => ({ x: i & 0x7f, y: 1 }));
    expect(both(packr.pack(records)).error).toBeUndefined();
    // A map of distinct keys: each costs DecodeCost.newKey and its length.
    const distinct = (n: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(5, "0")}`, 0]));
    const keyCost = DecodeCost.newKey + 6 - DECODE_BUDGET_PER_BYTE * 8;
    const n = Math.floor((DECODE_BUDGET_BASE + DECODE_BUDGET_PER_BYTE * 5 - DecodeCost.container) / keyCost);
    expect(both(packr.pack(distinct(n - 1))).error).toBeUndefined();
    expect(refused(packr.pack(distinct(n + 1)))).toMatch(/distinct map keys/);
    expect(UNTRACKED_KEYS).toBeLessThan(n);
  });

  it("refuses a 16 MiB body of empty maps or deep chains after reading a few KiB of it", () => {
    const size = 16 * 1024 * 1024;
    const chain = [...new Array<number>(90).fill(0x91), 0x80];
    for (const item of [[0x80], chain, [0xc4, 0]]) {
      const body = arrayOf(Math.floor((size - 5) / item.length), item);
      const error = refused(body);
      const at = Number(/first (\d+) bytes/.exec(error)?.[1]);
      expect(at).toBeLessThan(DECODE_BUDGET_BASE / 16);
    }
  });
});

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
