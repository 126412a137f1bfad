/**
 * Outgoing calls: checks a call before it leaves (arguments against the interface, deadline, cancellation, the
 * limit of calls in flight), inherits the deadline and cancellation of the call being served, sends it through the
 * router and settles it when its RESULT or ERROR comes back, its deadline passes, or its route breaks.
 */
import { ErrorCode, InvalidArgumentError, RemoteError, wireFailure } from "../base/errors.js";
import { keysOf, unknownKeyProblem } from "../base/known-keys.js";
import type { CallOptions } from "../base/types.js";
import { callScope } from "../dispatch/call-scope.js";
import { PendingCalls, describeCall } from "../dispatch/pending-calls.js";
import { unknownMethodError } from "../dispatch/served-calls.js";
import { Interface } from "../schema/interface.js";
import type { CallMessage } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import type { RouteOutcome, Router } from "./router.js";

const CALL_OPTION_KEYS = keysOf<CallOptions>({ timeoutMs: true, signal: true });

export interface CallSettings {
  readonly self: string;
  readonly callTimeoutMs: number;
  readonly maxPendingCalls: number;
}

/** What outgoing calls read from their node. */
export interface CallsHost {
  isClosed(): boolean;
  /** The neighbour a call to `node` leaves through (this node itself for its own name). */
  nextHop(node: string): string | undefined;
}

export class OutgoingCalls {
  readonly #settings: CallSettings;
  readonly #host: CallsHost;
  readonly #router: Router;
  readonly #pending: PendingCalls;

  constructor(settings: CallSettings, host: CallsHost, router: Router) {
    this.#settings = settings;
    this.#host = host;
    this.#router = router;
    // A call given up (deadline, abort) is cancelled on its node, so that its handler stops.
    this.#pending = new PendingCalls((dst, id) => {
      router.route({ type: MessageType.Cancel, dst, src: settings.self, hops: 0, id });
    });
  }

  /** Calls in flight. */
  get size(): number {
    return this.#pending.size;
  }

  /** Sends a call; resolves to its out-args. See `Node.call`. */
  call(
    node: string,
    path: string,
    intf: string | Interface,
    method: string,
    args: object | undefined,
    options: CallOptions | undefined,
  ): Promise<unknown> {
    const self = this.#settings.self;
    const intfName = typeof intf === "string" ? intf : intf.name;
    const what = describeCall(node, path, intfName, method);
    if (this.#host.isClosed()) {
      return Promise.reject(new RemoteError(ErrorCode.Closed, `${what}: node ${self} is closed`));
    }
    if (intf instanceof Interface) {
      const schema = intf.method(method);
      if (schema === undefined) return Promise.reject(unknownMethodError(intf, method));
      const problem = schema.validateIn(args);
      if (problem !== undefined) {
        return Promise.reject(
          new RemoteError(ErrorCode.InvalidArguments, `${intfName}.${method}: ${problem}`),
        );
      }
      // Its integral floats marked, so that they travel as floats (schema/float-marks.ts).
      args = schema.wireIn(args) as object | undefined;
    }
    // A misspelt option (`timeout` for `timeoutMs`) would be ignored without a word.
    const unknown =
      options === undefined ? undefined : unknownKeyProblem(options, CALL_OPTION_KEYS, "option");
    if (unknown !== undefined) return Promise.reject(new InvalidArgumentError(`call: ${unknown}`));
    let timeoutMs = options?.timeoutMs ?? this.#settings.callTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(
        new InvalidArgumentError(`call: timeoutMs must be a positive number, got ${timeoutMs}`),
      );
    }
    let signal = options?.signal;
    // Made while serving a call: inherit what is left of its deadline, and its cancellation.
    const scope = callScope.getStore();
    if (scope !== undefined) {
      const left = scope.deadline - Date.now();
      if (left <= 0) {
        return Promise.reject(
          new RemoteError(ErrorCode.Timeout, `${what}: the deadline of the call being served has passed`),
        );
      }
      timeoutMs = Math.min(timeoutMs, left);
      signal = signal === undefined ? scope.ctx.signal : AbortSignal.any([signal, scope.ctx.signal]);
    }
    if (signal?.aborted) {
      return Promise.reject(
        new RemoteError(ErrorCode.Cancelled, `${what}: cancelled before it was sent`, {
          cause: signal.reason,
        }),
      );
    }
    if (this.#pending.size >= this.#settings.maxPendingCalls) {
      return Promise.reject(
        new RemoteError(
          ErrorCode.Overloaded,
          `${what}: ${this.#pending.size} calls already in flight from ${self} (maxPendingCalls)`,
        ),
      );
    }
    const via = this.#host.nextHop(node);
    if (via === undefined) return Promise.reject(this.#router.failure(node, "unreachable", what));
    const { id, promise } = this.#pending.add({
      dst: node,
      via,
      timeoutMs,
      path,
      intf: intfName,
      method,
      signal,
    });
    const message: CallMessage = {
      type: MessageType.Call,
      dst: node,
      src: self,
      hops: 0,
      id,
      path,
      intf: intfName,
      method,
      args: (args ?? null) as Record<string, unknown> | null,
      timeoutMs: Math.ceil(timeoutMs),
    };
    let outcome: RouteOutcome;
    try {
      outcome = this.#router.route(message);
    } catch (err) {
      // The arguments cannot be encoded (too large, or not plain data): fail this call only.
      this.#pending.reject(id, wireFailure(err, `${what}: the arguments cannot be sent`));
      return promise;
    }
    if (outcome !== "sent") this.#pending.reject(id, this.#router.failure(node, outcome, what));
    return promise;
  }

  /** A RESULT for call `id` arrived from node `from`: it settles the call only when the call went to `from`. */
  resolve(id: number, out: unknown, from?: string): void {
    this.#pending.resolve(id, out, from);
  }

  /**
   * An ERROR for call `id` arrived from node `from`: it settles the call when the call went to `from`, or when
   * `from` is a relay on the call's route that could not forward it (its error names the cause).
   */
  reject(id: number, error: RemoteError, from?: string): void {
    this.#pending.reject(id, error, from);
  }

  /** The last link to `peer` is gone: calls that left through it fail at once. */
  linkLost(peer: string, cause: string): void {
    this.#pending.rejectWhere(
      (_dst, via) => via === peer,
      (dst) =>
        new RemoteError(
          ErrorCode.ConnectionLost,
          `call to ${dst} failed: the link to ${peer} was lost${cause}`,
        ),
    );
  }

  /** `node` left the bus: calls to it fail at once. */
  nodeDown(node: string): void {
    this.#pending.rejectWhere(
      (dst) => dst === node,
      (dst) => new RemoteError(ErrorCode.ConnectionLost, `call to ${dst} failed: ${dst} left the bus`),
    );
  }

  /** The node closes: every call in flight fails with `supcon.Closed`. */
  close(): void {
    this.#pending.rejectAll(
      (dst) => new RemoteError(ErrorCode.Closed, `call to ${dst} failed: node ${this.#settings.self} closed`),
    );
  }
}
