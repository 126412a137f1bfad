/**
 * Entry of the compiler's worker thread (see `parallel.ts`): runs each job it is sent and raises the `done` flag.
 */
import { parentPort } from "node:worker_threads";
import type { WorkerAnswer, WorkerRequest } from "./parallel.js";
import { runJob } from "./parallel.js";

parentPort?.on("message", (request: WorkerRequest) => {
  let answer: WorkerAnswer;
  try {
    answer = runJob(request.job);
  } catch (err) {
    answer = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  request.port.postMessage(answer);
  request.port.close();
  Atomics.store(request.done, 0, 1);
  Atomics.notify(request.done, 0);
});
