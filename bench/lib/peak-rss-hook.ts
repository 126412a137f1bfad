/**
 * Preloaded with `node -r` into a process the benchmark measures from outside (the code generator): on exit, the
 * main thread writes the process's peak RSS (VmHWM, KiB; worker threads included, they share the process) to the
 * file named by BENCH_PEAK_RSS_FILE.
 */
import * as fs from "node:fs";
import { isMainThread } from "node:worker_threads";
import { readStatusKb } from "./common.js";

const file = process.env["BENCH_PEAK_RSS_FILE"];
if (isMainThread && file !== undefined && file !== "") {
  process.on("exit", () => {
    fs.writeFileSync(file, String(readStatusKb().VmHWM));
  });
}
