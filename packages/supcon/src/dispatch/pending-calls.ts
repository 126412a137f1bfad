/**
 * The calls this node has made and not yet seen answered: by id, with their deadlines, and by the neighbour
 * each one left through (so that a broken link fails its calls at once).
 */
import { randomInt } from "node:crypto";
import { ErrorCode, RemoteError } from "../base/errors.js";
import { IdTable } from "./id-table.js";

/** One call in flight. */
interface PendingCall {
  readonly id: number;
  readonly dst: string;
  /** The neighbour the CALL was sent to. */
  readonly via: string;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly path: string;
  readonly intf: string;
  readonly method: string;
  readonly resolve: (out: unknown) => void;
  readonly reject: (error: RemoteError) => void;
  readonly onAbort: (() => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

export interface NewCall {
  readonly dst: string;
  readonly via: string;
  readonly timeoutMs: number;
  readonly path: string;
  readonly intf: string;
  readonly method: string;
  readonly signal: AbortSignal | undefined;
}

/** What a call is, for error messages: `node:/path com.example.Timer.add`. */
export function describeCall(dst: string, path: string, intf: string, method: string): string {
  return `${dst}:${path} ${intf}.${method}`;
}

/**
 * Deadlines are checked by one timer for the whole table rather than one per call: it is armed for the earliest
 * deadline and, when it fires, fails every call due within `DEADLINE_SLACK_MS`. A call therefore times out at most
 * that much early or a few milliseconds late.
 */
const DEADLINE_SLACK_MS = 2;
/** Smallest gap between two runs of the deadline timer, so that many distinct deadlines cost a bounded rate. */
const DEADLINE_MIN_GAP_MS = 5;

/** Pending calls by id. Ids increase from 1 and wrap before 2^32. */
export class PendingCalls {
  readonly #calls = new IdTable<PendingCall>();
  /** Told when the caller gives up on a call (deadline or abort), so that the callee can be told. */
  readonly #onGiveUp: (dst: string, id: number) => void;
  /**
   * Ids count up from a random start, so that a peer that sees none of this node's calls cannot guess the ids in
   * flight; answers are matched by id and by the node they come from (`resolve`, `reject`).
   */
  #nextId = randomInt(1, 0xffff_fffe);
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires; Infinity when it is not armed. */
  #timerAt = Infinity;

  constructor(onGiveUp: (dst: string, id: number) => void) {
    this.#onGiveUp = onGiveUp;
  }

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
    const deadline = Date.now() + call.timeoutMs;
    let onAbort: (() => void) | undefined;
    const signal = call.signal;
    if (signal !== undefined) {
      onAbort = () => {
        // The signal of a call being served (a call made while serving one inherits it) aborts with a coded
        // reason: its deadline passing is this call's too.
        const reason: unknown = signal.reason;
        const what = describeCall(call.dst, call.path, call.intf, call.method);
        const error =
          reason instanceof RemoteError && reason.code === ErrorCode.Timeout
            ? new RemoteError(ErrorCode.Timeout, `${what}: ${reason.rawMessage}`, { cause: reason })
            : new RemoteError(ErrorCode.Cancelled, `${what}: cancelled by the caller`, { cause: reason });
        const pending = this.#settle(id);
        if (pending === undefined) return;
        pending.reject(error);
        this.#onGiveUp(pending.dst, id);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
    this.#calls.add(id, {
      id,
      dst: call.dst,
      via: call.via,
      deadline,
      timeoutMs: call.timeoutMs,
      path: call.path,
      intf: call.intf,
      method: call.method,
      resolve,
      reject,
      onAbort,
      signal,
    });
    if (deadline < this.#timerAt) this.#arm(deadline);
    else if (this.#calls.size === 1) this.#timer?.ref();
    return { id, promise };
  }

  /**
   * Completes call `id` with its result, when it is pending and was made to node `from` (an answer from any other
   * node is not its answer); false otherwise (it timed out, say).
   */
  resolve(id: number, out: unknown, from?: string): boolean {
    const call = this.#settleFrom(id, from);
    if (call === undefined) return false;
    call.resolve(out);
    return true;
  }

  /** Fails call `id`, when it is pending (and, given `from`, was made to node `from`); false otherwise. */
  reject(id: number, error: RemoteError, from?: string): boolean {
    const call = this.#settleFrom(id, from);
    if (call === undefined) return false;
    call.reject(error);
    return true;
  }

  #settleFrom(id: number, from: string | undefined): PendingCall | undefined {
    if (from !== undefined && this.#calls.get(id)?.dst !== from) return undefined;
    return this.#settle(id);
  }

  /** Fails every call matching `predicate` with the error `make` builds for it. */
  rejectWhere(predicate: (dst: string, via: string) => boolean, make: (dst: string) => RemoteError): void {
    for (const call of this.#calls.values()) {
      if (predicate(call.dst, call.via)) this.reject(call.id, make(call.dst));
    }
  }

  /** Fails every call (the node is closing) and stops the deadline timer. */
  rejectAll(make: (dst: string) => RemoteError): void {
    this.rejectWhere(() => true, make);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - Date.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const call of this.#calls.values()) {
      if (call.deadline <= now + DEADLINE_SLACK_MS) {
        this.#settle(call.id);
        call.reject(
          new RemoteError(
            ErrorCode.Timeout,
            `${describeCall(call.dst, call.path, call.intf, call.method)}: no answer within ${call.timeoutMs} ms`,
          ),
        );
        this.#onGiveUp(call.dst, call.id);
      } else if (call.deadline < next) {
        next = call.deadline;
      }
    }
    if (next !== Infinity) this.#arm(Math.max(next, now + DEADLINE_MIN_GAP_MS));
  }

  #settle(id: number): PendingCall | undefined {
    const call = this.#calls.delete(id);
    if (call === undefined) return undefined;
    if (call.onAbort !== undefined) call.signal?.removeEventListener("abort", call.onAbort);
    // Nothing left to time out: the timer must not keep the process alive. It stays armed, which costs less than
    // clearing it and setting another for the next call (one call at a time would do that for every call); when
    // it fires with nothing due it finds nothing.
    if (this.#calls.size === 0) this.#timer?.unref();
    return call;
  }

  #allocateId(): number {
    // Skip ids whose slot is taken (by a call still in flight); the table is at most half full, so this ends soon.
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= 0xffff_fffe ? 1 : id + 1;
      if (this.#calls.isFree(id)) return id;
    }
  }
}
