/**
 * The call a handler is serving, carried through its asynchronous work (AsyncLocalStorage), so that calls the
 * handler makes inherit its deadline and its cancellation without passing anything by hand.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { CallContext } from "../base/types.js";

export interface CallScope {
  /** Absolute deadline of the served call, `Date.now()` milliseconds. */
  readonly deadline: number;
  readonly ctx: CallContext;
}

export const callScope = new AsyncLocalStorage<CallScope>();
