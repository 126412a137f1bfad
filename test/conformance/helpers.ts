/**
 * Messages the conformance tests send, built as docs/PROTOCOL.md lays them out, and the matchers of the answers.
 */
import { Ext, Float, Int, Raw } from "./msgpack";
import { T } from "./peer";

let names = 0;

/** A node name no other peer of the test run uses. */
export function uniqueName(prefix = "peer"): string {
  return `${prefix}${++names}`;
}

/** `[10, dst, src, hops, id, path, intf, method, args, timeoutMs, mac]` to the target's test object. */
export function call(
  src: string,
  id: unknown,
  method: string,
  args: unknown,
  fields: { dst?: string; hops?: unknown; timeoutMs?: unknown; path?: string; intf?: string } = {},
): unknown[] {
  return [
    T.CALL,
    fields.dst ?? "target",
    src,
    fields.hops ?? 0,
    id,
    fields.path ?? "/conf",
    fields.intf ?? "conf.Test",
    method,
    args,
    fields.timeoutMs ?? 5000,
    null,
  ];
}

/** Matches the RESULT or ERROR of call `id`. */
export const replyTo =
  (id: number) =>
  (m: readonly unknown[]): boolean =>
    (m[0] === T.RESULT || m[0] === T.ERROR) && m[4] === id;

/** Valid in-args of `conf.Test.echo`. */
export const ECHO_ARGS = { f: 1.5, i: 1 };

/** `from`, `from + 1`, …, `to`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** What any body may cost to decode on top of 4 × its size (docs/PROTOCOL.md, "Limits"): 2 MiB. */
export const DECODE_BASE = 2_097_152;
/** What an ADVERT's body may cost on top of 4 × its size instead: 6 MiB. */
export const ADVERT_DECODE_BASE = 6_291_456;

/**
 * What decoding `value`, as msgpack.ts encodes it, costs by the table of docs/PROTOCOL.md "Limits": 56 per array or
 * map, 24 + its length per string (not a map key), 256 + its length per binary, 512 + its length per map key that
 * does not occur earlier in the body (each of the first 256 keys counting as one), nothing for numbers, nil and
 * booleans. Lengths in bytes, as encoded.
 */
export function decodingCost(value: unknown): number {
  let keys = 0;
  const seen = new Set<string>();
  const keyCost = (key: string): number => {
    const isNew = ++keys <= 256 || !seen.has(key);
    seen.add(key);
    return isNew ? 512 + Buffer.byteLength(key) : 0;
  };
  const walk = (v: unknown): number => {
    if (typeof v === "string") return 24 + Buffer.byteLength(v);
    if (v instanceof Uint8Array) return 256 + v.length;
    if (v instanceof Raw || v instanceof Ext) throw new Error("decodingCost() does not read raw bytes");
    if (Array.isArray(v)) return (v as unknown[]).reduce<number>((sum, item) => sum + walk(item), 56);
    if (typeof v === "object" && v !== null && !(v instanceof Float) && !(v instanceof Int)) {
      let sum = 56;
      for (const [key, item] of Object.entries(v)) sum += keyCost(key) + walk(item);
      return sum;
    }
    return 0;
  };
  return walk(value);
}
