/**
 * Serving calls: the checks a CALL passes before its handler runs (access policy, object, interface, method,
 * arguments, load), the handler's context, and the reply. The node gives it its objects and a way to send replies.
 *
 * Load: `maxServingCalls` is shared fairly (`FairShare`) between the links calls come over and, within that,
 * between callers, so that one peer holding many slow calls gets `supcon.Overloaded` while the others are served.
 */
import { didYouMean } from "../base/did-you-mean.js";
import { ErrorCode, RemoteError, wireFailure } from "../base/errors.js";
import { FairShare } from "./fair-share.js";
import type { Implementation } from "./implementation.js";
import type { Interface, MethodSchema } from "../schema/interface.js";
import { kHandler } from "../base/internal.js";
import type { AccessCheck } from "./policy.js";
import type { CallContext } from "../base/types.js";
import type { CallMessage, ErrorMessage, ResultMessage } from "../wire/messages.js";
import { quote } from "../wire/message-names.js";
import { MessageType } from "../wire/messages.js";
import { callScope } from "./call-scope.js";

/** What serving needs from its node. */
export interface ServingHost {
  readonly name: string;
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, Implementation<object>>>;
  readonly allowed: AccessCheck;
  /** Most handlers running at once, shared between links and callers. */
  readonly maxServingCalls: number;
  /** True once the node is closing: new calls are refused with `supcon.Closed`. */
  readonly closing: () => boolean;
  /** Sends a reply towards the caller; false when it cannot be queued. Throws `WireError` for unencodable data. */
  route(reply: ResultMessage | ErrorMessage): boolean;
  /** A reply could not be sent. */
  replyLost(call: CallMessage): void;
}

/**
 * A CANCEL this close to a call's deadline, in milliseconds, is the deadline passing: a caller sends CANCEL when its
 * own deadline passes, which on this node's clock falls at about the same time as the call's (docs/PROTOCOL.md,
 * "Calls"), and the handler is to learn `supcon.Timeout` whichever of the two comes first.
 */
const CANCEL_AT_DEADLINE_MS = 20;

/** A call being served: what CANCEL, the deadline and the loss of the caller abort. */
interface ServedCall {
  readonly call: CallMessage;
  /** The neighbour the CALL came from (this node's own name for its own calls): its load is counted there. */
  readonly via: string;
  controller: AbortController | undefined;
  /** Why the handler's signal aborts (`ctx.signal.reason`), once it does. */
  aborted: RemoteError | undefined;
  timer: NodeJS.Timeout | undefined;
  readonly deadline: number;
  /** The deadline timer fired (its clock may read a millisecond short of `deadline`). */
  expired: boolean;
}

/** The error of a call to a method an interface does not have. */
export function unknownMethodError(intf: Interface, method: string): RemoteError {
  return new RemoteError(
    ErrorCode.UnknownMethod,
    `${intf.name} has no method '${method}'${didYouMean(method, intf.methodNames)}`,
  );
}

export class ServedCalls {
  readonly #host: ServingHost;
  /** Calls whose handler has not finished, by caller, then id. Handlers that return at once are never here. */
  readonly #serving = new Map<string, Map<number, ServedCall>>();
  /** Running handlers by the link their calls came over, and by caller: both bounded by `maxServingCalls`. */
  readonly #byLink: FairShare;
  readonly #byCaller: FairShare;

  constructor(host: ServingHost) {
    this.#host = host;
    this.#byLink = new FairShare(host.maxServingCalls);
    this.#byCaller = new FairShare(host.maxServingCalls);
  }

  get size(): number {
    return this.#byCaller.total;
  }

  /**
   * Runs the handler of `call` and replies to the caller with its outcome. `via`: the neighbour the CALL came from;
   * this node's own name (the default) for a call it makes to itself.
   */
  serve(call: CallMessage, via: string = this.#host.name): void {
    const host = this.#host;
    if (host.closing()) {
      this.#fail(call, ErrorCode.Closed, `node ${host.name} is closing`);
      return;
    }
    // Checked before anything is looked up, so that a denied caller learns nothing of what exists.
    if (!host.allowed({ caller: call.src, path: call.path, intf: call.intf, member: call.method })) {
      this.#fail(
        call,
        ErrorCode.PermissionDenied,
        `node ${call.src} may not call ${call.intf}.${call.method} at ${host.name}:${call.path} (access policy)`,
      );
      return;
    }
    const byIntf = host.objects.get(call.path);
    if (byIntf === undefined) {
      this.#fail(
        call,
        ErrorCode.UnknownPath,
        `node ${host.name} has no object at '${call.path}'${didYouMean(call.path, host.objects.keys())}`,
      );
      return;
    }
    const impl = byIntf.get(call.intf);
    if (impl === undefined) {
      this.#fail(
        call,
        ErrorCode.UnknownInterface,
        `${host.name}:${call.path} does not implement ${call.intf}${didYouMean(call.intf, byIntf.keys())} (it implements ${[...byIntf.keys()].join(", ")})`,
      );
      return;
    }
    const schema = impl.intf.method(call.method);
    if (schema === undefined) {
      const error = unknownMethodError(impl.intf, call.method);
      this.#fail(call, error.code, error.rawMessage);
      return;
    }
    // Received, so its own: optional members sent as nil are removed (they mean absent).
    const problem = schema.readIn(call.args);
    if (problem !== undefined) {
      this.#fail(call, ErrorCode.InvalidArguments, `${call.intf}.${call.method}: ${problem}`);
      return;
    }
    const handler = impl[kHandler](call.method);
    if (handler === undefined) {
      this.#fail(
        call,
        ErrorCode.UnknownMethod,
        `${call.intf}.${call.method} has no handler on ${host.name}:${call.path} (the implementation did not set one)`,
      );
      return;
    }
    const overload = this.#overload(call.src, via);
    if (overload !== undefined) {
      this.#fail(call, ErrorCode.Overloaded, overload);
      return;
    }
    let byId = this.#serving.get(call.src);
    if (byId?.has(call.id)) {
      // Ids are unique among a caller's calls in flight; a second one would make the replies ambiguous.
      this.#fail(call, ErrorCode.ProtocolError, `call id ${call.id} of ${call.src} is already in flight`);
      return;
    }
    const served: ServedCall = {
      call,
      via,
      controller: undefined,
      aborted: undefined,
      timer: undefined,
      deadline: Date.now() + call.timeoutMs,
      expired: false,
    };
    const ctx = new ServedContext(call, served);
    let result: unknown;
    try {
      result = callScope.run({ deadline: served.deadline, ctx }, handler, call.args ?? {}, ctx);
    } catch (err) {
      clearTimeout(served.timer);
      this.#replyThrown(call, err);
      return;
    }
    if (!isThenable(result)) {
      clearTimeout(served.timer);
      this.#replyResult(call, result, schema);
      return;
    }
    if (byId === undefined) {
      byId = new Map();
      this.#serving.set(call.src, byId);
    }
    byId.set(call.id, served);
    this.#byLink.take(via);
    this.#byCaller.take(call.src);
    result.then(
      (out) => {
        this.#finish(call);
        clearTimeout(served.timer);
        if (!expired(served)) this.#replyResult(call, out, schema);
      },
      (err: unknown) => {
        this.#finish(call);
        clearTimeout(served.timer);
        if (!expired(served)) this.#replyThrown(call, err);
      },
    );
  }

  /**
   * Aborts the handler of call `id` of `caller` (a CANCEL came), if it is still running: `ctx.signal.reason` is
   * `supcon.Cancelled`, or `supcon.Timeout` when the CANCEL came as the deadline passed.
   */
  cancel(caller: string, id: number): void {
    const served = this.#serving.get(caller)?.get(id);
    if (served === undefined) return;
    const { call } = served;
    abortServed(
      served,
      Date.now() >= served.deadline - CANCEL_AT_DEADLINE_MS
        ? deadlinePassed(call)
        : new RemoteError(ErrorCode.Cancelled, `${call.intf}.${call.method}: cancelled by ${caller}`),
    );
  }

  /** Aborts the handlers of every call of `caller`, which left the bus: the reason is `supcon.ConnectionLost`. */
  cancelFrom(caller: string): void {
    for (const served of this.#serving.get(caller)?.values() ?? []) {
      const { call } = served;
      abortServed(
        served,
        new RemoteError(
          ErrorCode.ConnectionLost,
          `${call.intf}.${call.method}: the caller ${caller} left the bus`,
        ),
      );
    }
  }

  /** Aborts every running handler: the node closes, and the reason is `supcon.Closed`. */
  cancelAll(): void {
    for (const byId of this.#serving.values()) {
      for (const served of byId.values()) {
        const { call } = served;
        abortServed(
          served,
          new RemoteError(ErrorCode.Closed, `${call.intf}.${call.method}: node ${this.#host.name} closed`),
        );
      }
    }
  }

  /** Why a new call of `caller` that came from `via` may not run now, or undefined when it may. */
  #overload(caller: string, via: string): string | undefined {
    const { name, maxServingCalls } = this.#host;
    const byLink = this.#byLink.refusal(via);
    if (byLink === "full") {
      return `${name} is serving ${this.#byLink.total} calls already (maxServingCalls ${maxServingCalls}); retry when some finish`;
    }
    if (byLink === "share") {
      return `${name} is serving ${this.#byLink.heldBy(via)} calls that came from ${via}, its share of maxServingCalls (${maxServingCalls}) while calls from ${this.#byLink.holders} links run; retry when some finish`;
    }
    if (this.#byCaller.refusal(caller) !== undefined) {
      return `${name} is serving ${this.#byCaller.heldBy(caller)} calls of ${caller}, its share of maxServingCalls (${maxServingCalls}) while calls of ${this.#byCaller.holders} callers run; retry when some finish`;
    }
    return undefined;
  }

  #finish(call: CallMessage): void {
    const byId = this.#serving.get(call.src);
    const served = byId?.get(call.id);
    if (byId === undefined || served === undefined) return;
    byId.delete(call.id);
    this.#byLink.release(served.via);
    this.#byCaller.release(call.src);
    if (byId.size === 0) this.#serving.delete(call.src);
  }

  #replyResult(call: CallMessage, out: unknown, schema: MethodSchema): void {
    const host = this.#host;
    const problem = schema.validateOut(out);
    if (problem !== undefined) {
      this.#replyError(
        call,
        ErrorCode.Internal,
        `${call.intf}.${call.method} on ${host.name}:${call.path} returned an invalid result: ${problem}`,
        undefined,
      );
      return;
    }
    const reply: ResultMessage = {
      type: MessageType.Result,
      dst: call.src,
      src: host.name,
      hops: 0,
      id: call.id,
      // Its integral floats marked, so that they travel as floats (schema/float-marks.ts).
      out: (schema.wireOut(out) ?? null) as Record<string, unknown> | null,
    };
    let sent: boolean;
    try {
      sent = host.route(reply);
    } catch (err) {
      const error = wireFailure(
        err,
        `the result of ${call.intf}.${call.method} on ${host.name}:${call.path} cannot be sent`,
      );
      this.#replyError(call, error.code, error.rawMessage, undefined);
      return;
    }
    if (!sent) host.replyLost(call);
  }

  /** Refuses a call before its handler runs. */
  #fail(call: CallMessage, code: string, text: string): void {
    this.#replyError(call, code, text, undefined);
  }

  #replyThrown(call: CallMessage, err: unknown): void {
    const error = RemoteError.from(err);
    this.#replyError(call, error.code, error.rawMessage, error.data);
  }

  #replyError(call: CallMessage, code: string, text: string, data: unknown): void {
    const reply: ErrorMessage = {
      type: MessageType.Error,
      dst: call.src,
      src: this.#host.name,
      hops: 0,
      id: call.id,
      code,
      message: text,
      data: data === undefined ? null : data,
    };
    let sent: boolean;
    try {
      sent = this.#host.route(reply);
    } catch {
      try {
        // The error's `data` is not plain data (or too large): send the error without it.
        sent = this.#host.route({ ...reply, data: null });
      } catch (err) {
        // The code or the message itself cannot travel (a code longer than the wire allows, a message larger than
        // a frame): the caller still gets an answer, saying so, rather than waiting for its deadline.
        sent = this.#host.route({
          ...reply,
          code: ErrorCode.Internal,
          message: `${call.intf}.${call.method} on ${this.#host.name}:${call.path} failed with an error that cannot be sent (code ${quote(code)}): ${err instanceof Error ? err.message : String(err)}`,
          data: null,
        });
      }
    }
    if (!sent) this.#host.replyLost(call);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Whether a call's deadline passed before its handler finished. Such a call gets no reply: its caller fails it
 * with `supcon.Timeout` at its own deadline, so the outcome never depends on which of two clocks ran out first.
 */
function expired(served: ServedCall): boolean {
  return served.expired || Date.now() >= served.deadline;
}

/** Why a handler's signal aborts when its call's deadline passes. */
function deadlinePassed(call: CallMessage): RemoteError {
  return new RemoteError(
    ErrorCode.Timeout,
    `${call.intf}.${call.method}: the deadline of the call from ${call.src} passed (${call.timeoutMs} ms)`,
  );
}

/** The call's deadline passed while its handler runs: it is aborted, and will get no reply. */
function expire(served: ServedCall): void {
  served.expired = true;
  abortServed(served, deadlinePassed(served.call));
}

function abortServed(served: ServedCall, reason: RemoteError): void {
  if (served.aborted !== undefined) return;
  served.aborted = reason;
  clearTimeout(served.timer);
  served.controller?.abort(reason);
}

/**
 * The context of a served call. Its signal is made on first use: most handlers never look at it, and an
 * AbortController plus a deadline timer per call would cost every call.
 */
class ServedContext implements CallContext {
  readonly caller: string;
  readonly path: string;
  readonly intf: string;
  readonly method: string;
  readonly deadline: number;
  readonly #served: ServedCall;

  constructor(call: CallMessage, served: ServedCall) {
    this.caller = call.src;
    this.path = call.path;
    this.intf = call.intf;
    this.method = call.method;
    this.deadline = served.deadline;
    this.#served = served;
  }

  get signal(): AbortSignal {
    const served = this.#served;
    if (served.controller === undefined) {
      const controller = new AbortController();
      served.controller = controller;
      if (served.aborted !== undefined) {
        controller.abort(served.aborted);
      } else if (Date.now() >= served.deadline) {
        expire(served);
      } else {
        served.timer = setTimeout(() => expire(served), served.deadline - Date.now());
        served.timer.unref();
      }
    }
    return served.controller.signal;
  }
}
