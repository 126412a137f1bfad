/**
 * The part of the runtime that generated code depends on. It does not import the `Node` implementation, so the
 * runtime's own generated modules (`generated/supcon.Node.ts`) can import it without an import cycle.
 */
export { Client } from "./api/client.js";
export { ErrorCode, InvalidArgumentError, RemoteError, SupconError, isRemoteError } from "./base/errors.js";
export type { DeclaredErrorClass, RemoteErrorOptions } from "./base/errors.js";
export { Implementation } from "./dispatch/implementation.js";
export { Interface } from "./schema/interface.js";
export type { EventSchema, MethodSchema, Validator } from "./schema/interface.js";
export type { Node } from "./api/node.js";
export type {
  CallCallback,
  CallContext,
  CallOptions,
  EventCallback,
  EventSource,
  Subscription,
} from "./base/types.js";
export type * from "./schema/descriptor.js";
