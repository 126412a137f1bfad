/**
 * What a soak node reports to the soak driver once a second, over the IPC channel.
 */
import type { CallSummary, EventSummary } from "../../test/helpers/ledger.js";

export interface SoakReport {
  readonly type: "report";
  readonly name: string;
  readonly pid: number;
  /** Random id of this process: the driver sums the last report of each process. */
  readonly inst: string;
  /** True for the report sent after the load stopped and every call ended. */
  readonly final: boolean;
  readonly calls: CallSummary;
  readonly events: EventSummary & {
    /** Events this process fired (each goes to every subscriber). */
    readonly fired: number;
    /**
     * Streams that stopped although the publisher was on the bus all along (> 5 s up, nothing for 3 s): events
     * lost with no report at all. Must be 0.
     */
    readonly stalled: number;
  };
  readonly rss: number;
  readonly heapUsed: number;
  /** Heap in use after a full garbage collection (made every 10 s and for the final report). */
  readonly heapAfterGc: number;
  /** `process.getActiveResourcesInfo()` counted by kind. */
  readonly handles: Readonly<Record<string, number>>;
  /** Event-loop delay since the previous report, beyond the 10 ms sampling period, in milliseconds. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly links: number;
  readonly reachable: number;
}

/** What the driver tells a soak node. */
export type SoakCommand = { readonly type: "stop" };
