/**
 * The part of the runtime that generated code depends on. It does not import the `Node` implementation, so the
 * runtime's own generated modules (`generated/supcon.Node.ts`) can import it without an import cycle.
 */
export { Client } from "./api/client.js";
export { ErrorCode, InvalidArgumentError, RemoteError, SupconError, isRemoteError } from "./api/errors.js";
export type { DeclaredErrorClass, RemoteErrorOptions } from "./api/errors.js";
export { Implementation } from "./api/implementation.js";
export { Interface } from "./api/interface.js";
export type { EventSchema, MethodSchema, Validator } from "./api/interface.js";
export type { Node } from "./api/node.js";
export type {
  CallCallback,
  CallContext,
  CallOptions,
  EventCallback,
  EventSource,
  Subscription,
} from "./api/types.js";
export type * from "./schema/descriptor.js";
