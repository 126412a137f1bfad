/**
 * The calls this node has made and not yet seen answered: by id, with their deadlines, and by the neighbour
 * each one left through (so that a broken link fails its calls at once).
 */
import { ErrorCode, RemoteError } from "../api/errors.js";

/** One call in flight. */
interface PendingCall {
  readonly id: number;
  readonly dst: string;
  /** The neighbour the CALL was sent to. */
  readonly via: string;
  readonly resolve: (out: unknown) => void;
  readonly reject: (error: RemoteError) => void;
  readonly timer: NodeJS.Timeout;
  readonly onAbort: (() => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

export interface NewCall {
  readonly dst: string;
  readonly via: string;
  readonly timeoutMs: number;
  /** What the call is, for error messages: `node:/path com.example.Timer.add`. */
  readonly what: string;
  readonly signal: AbortSignal | undefined;
  /** Called when the caller gives up (deadline or abort) so the callee can be told. */
  readonly onGiveUp: (id: number, reason: RemoteError) => void;
}

/** Pending calls by id. Ids increase from 1 and wrap before 2^32. */
export class PendingCalls {
  readonly #calls = new Map<number, PendingCall>();
  #nextId = 1;

  get size(): number {
    return this.#calls.size;
  }

  /**
   * Registers a call and returns its id and the promise of its outcome. The promise rejects with
   * `supcon.Timeout` at the deadline and `supcon.Cancelled` when the signal aborts.
   */
  add(call: NewCall): { id: number; promise: Promise<unknown> } {
    const id = this.#allocateId();
    let resolve!: (out: unknown) => void;
    let reject!: (error: RemoteError) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const timer = setTimeout(() => {
      const error = new RemoteError(ErrorCode.Timeout, `${call.what}: no answer within ${call.timeoutMs} ms`);
      this.#settle(id)?.reject(error);
      call.onGiveUp(id, error);
    }, call.timeoutMs);
    let onAbort: (() => void) | undefined;
    if (call.signal !== undefined) {
      onAbort = () => {
        const error = new RemoteError(ErrorCode.Cancelled, `${call.what}: cancelled by the caller`, {
          cause: call.signal?.reason,
        });
        this.#settle(id)?.reject(error);
        call.onGiveUp(id, error);
      };
      call.signal.addEventListener("abort", onAbort, { once: true });
    }
    this.#calls.set(id, {
      id,
      dst: call.dst,
      via: call.via,
      resolve,
      reject,
      timer,
      onAbort,
      signal: call.signal,
    });
    return { id, promise };
  }

  /** Completes call `id` with its result; false when no such call is pending (it timed out, say). */
  resolve(id: number, out: unknown): boolean {
    const call = this.#settle(id);
    if (call === undefined) return false;
    call.resolve(out);
    return true;
  }

  /** Fails call `id`; false when no such call is pending. */
  reject(id: number, error: RemoteError): boolean {
    const call = this.#settle(id);
    if (call === undefined) return false;
    call.reject(error);
    return true;
  }

  /** Fails every call matching `predicate` with the error `make` builds for it. */
  rejectWhere(predicate: (dst: string, via: string) => boolean, make: (dst: string) => RemoteError): void {
    for (const call of [...this.#calls.values()]) {
      if (predicate(call.dst, call.via)) this.reject(call.id, make(call.dst));
    }
  }

  #settle(id: number): PendingCall | undefined {
    const call = this.#calls.get(id);
    if (call === undefined) return undefined;
    this.#calls.delete(id);
    clearTimeout(call.timer);
    if (call.onAbort !== undefined) call.signal?.removeEventListener("abort", call.onAbort);
    return call;
  }

  #allocateId(): number {
    // Skip ids still in use after a wrap; with at most 2^32 - 1 ids and far fewer pending, this ends.
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= 0xffff_fffe ? 1 : id + 1;
      if (!this.#calls.has(id)) return id;
    }
  }
}
