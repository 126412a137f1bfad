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
  /** True when this node has an open link to the node of that name. */
  linked(name: string): boolean;
  /**
   * True when names are proven by credentials in the handshake (`NodeOptions.trust`): a peer's name is then its
   * own, and only the process instance is left to check.
   */
  readonly authenticated: boolean;
}

/**
 * Why a peer called `name`, of process `instance`, may not link to this node; undefined when it may. A name is
 * refused when it is malformed, this node's own, or held on the bus by another process (a new process of a node is
 * accepted once the old one has left: its links close, or time out after `heartbeatTimeoutMs` of silence, and the
 * nodes that relayed it say so, within about 2 × heartbeatTimeoutMs in all). Without credentials the instance id is
 * no proof (it travels in every advert), so a second link in the name of a node already linked to this one is
 * refused as well: a copied instance id cannot take over a live link (docs/PROTOCOL.md, "Trust model").
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
      message: `the name '${name}' is already taken on the bus by another process (seen by ${ctx.self}); give each node a unique name, or wait until the old process has left (about 2 × heartbeatTimeoutMs after it stopped)`,
    };
  }
  if (!ctx.authenticated && ctx.linked(name)) {
    return {
      code: ErrorCode.NameTaken,
      message: `'${name}' is linked to ${ctx.self} already; without credentials (NodeOptions.identity and trust) a second link in a linked node's name is refused, since its instance id proves nothing`,
    };
  }
  return undefined;
}
