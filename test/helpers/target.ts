/**
 * A node under test in its own process (test/fixtures/reliability-node.js), for tests that abuse or break it: a
 * crash shows as the process exiting, not as a failure of the test runner itself.
 */
import type { Node, NodeOptions } from "../../packages/supcon/src/index";
import type { Child } from "./processes";
import { startFixture } from "./processes";

/** What `test.Reliability.state` reports about the node in the child process. */
export interface TargetState {
  readonly name: string;
  /** Random id of the process, also carried by every `seq` event it fires. */
  readonly inst: string;
  readonly pid: number;
  readonly links: readonly { readonly peer: string; readonly remote: string }[];
  /** The last warnings the node logged. */
  readonly warnings: readonly string[];
  /** Status events seen, by type, and `warnings`: the number of warnings logged. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly rss: number;
  readonly heapUsed: number;
  /** `process.getActiveResourcesInfo()` counted by kind. */
  readonly handles: Readonly<Record<string, number>>;
  /** Event-loop delay since the previous `state` call, beyond the 10 ms sampling period, in milliseconds. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Number of the last `seq` event fired. */
  readonly fired: number;
  /** `sleep` handlers running now, and the most that ever ran at once. */
  readonly servingNow: number;
  readonly servingMax: number;
}

export interface Target extends Child {
  readonly name: string;
  /** What the child wrote to stderr after it got ready. */
  readonly stderr: () => string;
  /** True while the process runs. */
  readonly alive: () => boolean;
}

export interface TargetOptions {
  readonly name?: string;
  /** Port to listen on; 0 for any free one. */
  readonly listen?: number;
  readonly connect?: readonly number[];
  readonly options?: NodeOptions;
  /** Fire `perTick` seq events every `periodMs` from the start. */
  readonly stream?: { readonly periodMs: number; readonly perTick: number };
}

/** Starts test/fixtures/reliability-node.js. Stop it with `stop()` or `stopAll()` from ./processes. */
export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const name = options.name ?? "target";
  const args = ["--name", name, "--options", JSON.stringify(options.options ?? {})];
  if (options.listen !== undefined) args.push("--listen", String(options.listen));
  if (options.connect !== undefined && options.connect.length > 0) {
    args.push("--connect", options.connect.join(","));
  }
  if (options.stream !== undefined) {
    args.push("--stream", `${options.stream.periodMs},${options.stream.perTick}`);
  }
  const child = await startFixture("reliability-node.js", args);
  let stderr = "";
  child.process.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    ...child,
    name,
    stderr: () => stderr,
    alive: () => child.process.exitCode === null && child.process.signalCode === null,
  };
}

/** Asks the node `name` (a reliability fixture) for its state, through `via`; `gc` collects garbage first. */
export async function targetState(
  via: Node,
  name: string,
  { gc = false, timeoutMs = 3_000 } = {},
): Promise<TargetState> {
  const out = (await via.call(name, "/rel", "test.Reliability", "state", { gc }, { timeoutMs })) as {
    state: TargetState;
  };
  return out.state;
}

/** Waits until `condition()` resolves to true, polling every 20 ms; fails after `timeoutMs`. */
export async function eventuallyAsync(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
