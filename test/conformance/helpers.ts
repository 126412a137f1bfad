/**
 * Messages the conformance tests send, built as docs/PROTOCOL.md lays them out, and the matchers of the answers.
 */
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
