/**
 * "Nothing lost" accounting for fault tests and the soak run.
 *
 * Calls: every call ends in exactly one outcome (a result, or a `RemoteError` with a code) no later than its deadline
 * plus some slack; a result must be the one for that call (not another call's). A promise settles at most once, so
 * "exactly one" comes down to "at least one, in time": the ledger counts calls still open past their deadline.
 *
 * Events: each publisher numbers its events 1, 2, 3, … per process (`inst` tells processes apart). A subscriber
 * must receive them in order and without duplicates; every number it misses must be accounted for, either by
 * `eventGap` statuses (the runtime's per-destination sequence numbers) or by the publisher leaving the bus in
 * between (a `nodeDown` status). What is neither is `unexplained`: an event lost silently.
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";
import type { Node, NodeStatus } from "../../packages/supcon/src/index";

/** Counters of a `CallLedger`. */
export interface CallSummary {
  readonly started: number;
  readonly succeeded: number;
  /** Failed calls by error code (`supcon.ConnectionLost`, …; `non-RemoteError` for anything else thrown). */
  readonly failed: Readonly<Record<string, number>>;
  /** Results that do not belong to their call. Must be 0. */
  readonly wrong: number;
  /** Calls that ended after their deadline plus slack. Must be 0. */
  readonly late: number;
  /** Calls not ended yet. */
  readonly inFlight: number;
  /** Calls not ended although their deadline plus slack has passed. Must be 0. */
  readonly unresolvedPastDeadline: number;
  /** Longest time a call took past its deadline (0 when none did), in milliseconds. */
  readonly worstOverrunMs: number;
}

interface OpenCall {
  readonly what: string;
  readonly deadline: number;
}

export class CallLedger {
  readonly #slackMs: number;
  readonly #open = new Map<number, OpenCall>();
  readonly #failed: Record<string, number> = {};
  readonly #examples: string[] = [];
  #nextId = 1;
  #started = 0;
  #succeeded = 0;
  #wrong = 0;
  #late = 0;
  #worstOverrunMs = 0;
  #settledWaiters: (() => void)[] = [];

  /** @param slackMs How long after its deadline a call may still end (timer and scheduling delays). */
  constructor(slackMs = 250) {
    this.#slackMs = slackMs;
  }

  /**
   * Tracks one call. `check` tells whether a result is the right one for this call (a wrong one is counted, and
   * kept as an example). Never rejects.
   */
  track<T>(what: string, timeoutMs: number, call: Promise<T>, check?: (out: T) => boolean): Promise<void> {
    const id = this.#nextId++;
    const deadline = Date.now() + timeoutMs;
    this.#open.set(id, { what, deadline });
    this.#started++;
    const settle = (): void => {
      this.#open.delete(id);
      const overrun = Date.now() - deadline;
      if (overrun > this.#worstOverrunMs) this.#worstOverrunMs = overrun;
      if (overrun > this.#slackMs) {
        this.#late++;
        this.#example(`${what}: ended ${overrun} ms after its deadline`);
      }
      if (this.#open.size === 0) for (const wake of this.#settledWaiters.splice(0)) wake();
    };
    return call.then(
      (out) => {
        settle();
        this.#succeeded++;
        if (check !== undefined && !check(out)) {
          this.#wrong++;
          this.#example(`${what}: wrong result ${JSON.stringify(out)}`);
        }
      },
      (err: unknown) => {
        settle();
        const code =
          typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string"
            ? (err as { code: string }).code
            : "non-RemoteError";
        this.#failed[code] = (this.#failed[code] ?? 0) + 1;
      },
    );
  }

  get inFlight(): number {
    return this.#open.size;
  }

  /** Resolves once no call is open, or after `timeoutMs` (then `summary()` shows what is left). */
  async settled(timeoutMs: number): Promise<void> {
    if (this.#open.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#settledWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  summary(now = Date.now()): CallSummary {
    let unresolved = 0;
    for (const call of this.#open.values()) {
      if (now > call.deadline + this.#slackMs) {
        unresolved++;
        this.#example(`${call.what}: still open ${now - call.deadline} ms after its deadline`);
      }
    }
    return {
      started: this.#started,
      succeeded: this.#succeeded,
      failed: { ...this.#failed },
      wrong: this.#wrong,
      late: this.#late,
      inFlight: this.#open.size,
      unresolvedPastDeadline: unresolved,
      worstOverrunMs: this.#worstOverrunMs,
    };
  }

  /** A few examples of what went wrong, for failure messages. */
  get examples(): readonly string[] {
    return this.#examples;
  }

  #example(text: string): void {
    if (this.#examples.length < 10) this.#examples.push(text);
  }
}

/** Counters of an `EventLedger`. */
export interface EventSummary {
  /** Events received. */
  readonly delivered: number;
  /** Events received twice. Must be 0. */
  readonly duplicated: number;
  /** Events received after a later one of the same publisher process. Must be 0. */
  readonly outOfOrder: number;
  /** Events missed, as seen from the numbers received (the end of a stream included, see `endOfStream`). */
  readonly missed: number;
  /** Of `missed`: accounted for by `eventGap` statuses. */
  readonly explainedByGap: number;
  /** Of `missed`: the publisher left the bus (`nodeDown`) in between. */
  readonly explainedByDown: number;
  /** Of `missed`: neither. Must be 0. */
  readonly unexplained: number;
  /** Sum of `missed` over all `eventGap` statuses received. */
  readonly gapsReported: number;
  /** Publisher processes seen. */
  readonly streams: number;
}

interface Stream {
  readonly inst: string;
  lastN: number;
  /** `eventGap` misses reported since the last event received. */
  gapReported: number;
  /** The publisher left the bus since the last event received. */
  down: boolean;
}

export class EventLedger {
  readonly #streams = new Map<string, Stream>();
  readonly #examples: string[] = [];
  #delivered = 0;
  #duplicated = 0;
  #outOfOrder = 0;
  #missed = 0;
  #explainedByGap = 0;
  #explainedByDown = 0;
  #unexplained = 0;
  #gapsReported = 0;
  #incarnations = 0;

  /** Feeds the ledger with the `eventGap` and `nodeDown` statuses of the subscribing node. */
  watch(node: Node): { off(): void } {
    return node.onStatus((status) => this.onStatus(status));
  }

  onStatus(status: NodeStatus): void {
    if (status.type === "eventGap") this.onGap(status.node, status.missed);
    else if (status.type === "nodeDown") this.onPublisherDown(status.node);
  }

  /** Event `n` of publisher process `inst` of node `publisher` was received. */
  onEvent(publisher: string, inst: string, n: number): void {
    this.#delivered++;
    const stream = this.#streams.get(publisher);
    if (stream === undefined || stream.inst !== inst) {
      // A new publisher process: its first event received is where this subscriber joined its stream.
      this.#streams.set(publisher, { inst, lastN: n, gapReported: 0, down: false });
      this.#incarnations++;
      return;
    }
    if (n === stream.lastN) {
      this.#duplicated++;
      this.#example(`${publisher}/${inst}: event ${n} twice`);
      return;
    }
    if (n < stream.lastN) {
      this.#outOfOrder++;
      this.#example(`${publisher}/${inst}: event ${n} after ${stream.lastN}`);
      return;
    }
    this.#account(publisher, stream, n - stream.lastN - 1);
    stream.lastN = n;
  }

  onGap(publisher: string, missed: number): void {
    this.#gapsReported += missed;
    const stream = this.#streams.get(publisher);
    if (stream !== undefined) stream.gapReported += missed;
  }

  onPublisherDown(publisher: string): void {
    const stream = this.#streams.get(publisher);
    if (stream !== undefined) stream.down = true;
  }

  /**
   * Declares that the publisher fired `lastFired` events in all: what it fired after the last one received is
   * missed too, and must be accounted for like any other.
   */
  endOfStream(publisher: string, inst: string, lastFired: number): void {
    const stream = this.#streams.get(publisher);
    if (stream === undefined || stream.inst !== inst || lastFired <= stream.lastN) return;
    this.#account(publisher, stream, lastFired - stream.lastN);
    stream.lastN = lastFired;
  }

  /** The last event number received from `publisher` (0 before any). */
  lastOf(publisher: string): number {
    return this.#streams.get(publisher)?.lastN ?? 0;
  }

  summary(): EventSummary {
    return {
      delivered: this.#delivered,
      duplicated: this.#duplicated,
      outOfOrder: this.#outOfOrder,
      missed: this.#missed,
      explainedByGap: this.#explainedByGap,
      explainedByDown: this.#explainedByDown,
      unexplained: this.#unexplained,
      gapsReported: this.#gapsReported,
      streams: this.#incarnations,
    };
  }

  get examples(): readonly string[] {
    return this.#examples;
  }

  #account(publisher: string, stream: Stream, missed: number): void {
    if (missed > 0) {
      this.#missed += missed;
      if (stream.down) {
        this.#explainedByDown += missed;
      } else {
        const byGap = Math.min(missed, stream.gapReported);
        this.#explainedByGap += byGap;
        if (missed > byGap) {
          this.#unexplained += missed - byGap;
          this.#example(
            `${publisher}/${stream.inst}: ${missed - byGap} events after ${stream.lastN} lost without a report`,
          );
        }
      }
    }
    stream.gapReported = 0;
    stream.down = false;
  }

  #example(text: string): void {
    if (this.#examples.length < 10) this.#examples.push(text);
  }
}

/** Largest value of `sample()` over a run, for "memory stays bounded" checks. */
export class PeakGauge {
  #peak = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly sample: () => number,
    periodMs = 20,
  ) {
    this.#peak = sample();
    this.#timer = setInterval(() => (this.#peak = Math.max(this.#peak, sample())), periodMs);
  }

  get peak(): number {
    return Math.max(this.#peak, this.sample());
  }

  stop(): number {
    clearInterval(this.#timer);
    return this.peak;
  }
}

/**
 * A full garbage collection, so that memory figures count what is retained rather than garbage not yet collected.
 * Works without `--expose-gc`: the flag is set at run time and the function taken from a fresh context.
 */
export function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/** Heap and buffers in use in this process, in bytes. */
export function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
