/**
 * Who may join: the checks a peer's name passes at the end of its handshake, before the link opens. Pure.
 */
import { ErrorCode } from "../base/errors.js";
import { NODE_NAME_MAX, isValidNodeName } from "../base/names.js";
import type { Refusal } from "../link/peer-link.js";

/** What admission reads from its node. */
export interface AdmissionContext {
  readonly self: string;
  readonly closing: boolean;
  /** The process instance of the node of that name on the bus, if one is reachable. */
  instanceOf(name: string): string | undefined;
}

/**
 * Why a peer called `name`, of process `instance`, may not link to this node; undefined when it may. A name is
 * refused when it is malformed, this node's own, or held on the bus by another process.
 */
export function admissionRefusal(name: string, instance: string, ctx: AdmissionContext): Refusal | undefined {
  if (ctx.closing) return { code: ErrorCode.Closed, message: `node ${ctx.self} is closing` };
  if (!isValidNodeName(name)) {
    return {
      code: ErrorCode.InvalidName,
      message: `${JSON.stringify(String(name).slice(0, 64))} is not a node name: 1 to ${NODE_NAME_MAX} characters, no control characters`,
    };
  }
  if (name === ctx.self) {
    return {
      code: ErrorCode.NameTaken,
      message: `the name '${name}' is taken: a node cannot link to itself or to another node of the same name`,
    };
  }
  const held = ctx.instanceOf(name);
  if (held !== undefined && held !== instance) {
    return {
      code: ErrorCode.NameTaken,
      message: `the name '${name}' is already taken on the bus (seen by ${ctx.self}); give each node a unique name`,
    };
  }
  return undefined;
}
