/**
 * `--watch`: the library watcher regenerates after a change and keeps running after errors; the CLI stops cleanly
 * on SIGINT. Every wait is bounded.
 */
import { spawn } from "node:child_process";
import type { WatchRun } from "../../packages/supcon-gen/src/watch.js";
import { watch } from "../../packages/supcon-gen/src/watch.js";
import { CLI, ECHO_YAML, TIMER_YAML, ensureBuilt, tempProject } from "./helpers.js";

/** Resolves with the next run, or rejects after `ms`. */
function nextRun(runs: WatchRun[], waiters: ((run: WatchRun) => void)[], ms = 5_000): Promise<WatchRun> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no run within ${ms} ms`)), ms);
    waiters.push((run) => {
      clearTimeout(timer);
      resolve(run);
    });
    void runs;
  });
}

describe("watch()", () => {
  it("generates at once, again after a change, reports errors and keeps going, and stops on close()", async () => {
    const project = tempProject({ "interfaces/timer.yaml": TIMER_YAML });
    const runs: WatchRun[] = [];
    const waiters: ((run: WatchRun) => void)[] = [];
    const watcher = watch({
      inputs: ["interfaces"],
      out: "generated",
      cwd: project.dir,
      debounceMs: 50,
      onRun: (run) => {
        runs.push(run);
        waiters.shift()?.(run);
      },
    });
    try {
      expect(runs).toHaveLength(1);
      expect(runs[0]?.trigger).toBeNull();
      expect(runs[0]?.summary?.written).toContain("generated/com.example.Timer.ts");

      let next = nextRun(runs, waiters);
      project.write("interfaces/echo.yaml", ECHO_YAML);
      const second = await next;
      expect(second.trigger).toBe("echo.yaml");
      expect(second.summary?.written).toEqual(["generated/com.example.Echo.ts", "generated/index.ts"]);
      expect(project.exists("generated/com.example.Echo.ts")).toBe(true);

      next = nextRun(runs, waiters);
      project.write("interfaces/echo.yaml", ECHO_YAML.replace("type: string", "type: strng"));
      const broken = await next;
      expect(broken.summary).toBeNull();
      expect(broken.diagnostics.map((d) => d.message)).toEqual([
        "unknown type 'strng' (did you mean 'string'?)",
      ]);

      next = nextRun(runs, waiters);
      project.write("interfaces/echo.yaml", ECHO_YAML.replace("com.example.Echo", "com.example.Echo2"));
      const fixed = await next;
      expect(fixed.summary?.removed).toEqual(["generated/com.example.Echo.ts"]);
    } finally {
      watcher.close();
      watcher.close();
      project.cleanup();
    }
    const count = runs.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(runs).toHaveLength(count);
  }, 30_000);
});

describe("supcon-gen --watch", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it("regenerates on change and exits 0 on SIGINT", async () => {
    const project = tempProject({ "interfaces/timer.yaml": TIMER_YAML });
    const child = spawn(process.execPath, [CLI, "interfaces", "--out", "generated", "--watch"], {
      cwd: project.dir,
    });
    let stdout = "";
    const waitFor = (text: string, ms = 10_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" within ${ms} ms; got:\n${stdout}`)),
          ms,
        );
        const check = (): void => {
          if (stdout.includes(text)) {
            clearTimeout(timer);
            child.stdout.off("data", check);
            resolve();
          }
        };
        child.stdout.on("data", check);
        check();
      });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    try {
      await waitFor("watching for changes");
      project.write("interfaces/echo.yaml", ECHO_YAML);
      await waitFor("after a change of echo.yaml");
      expect(project.exists("generated/com.example.Echo.ts")).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      project.cleanup();
    }
  }, 30_000);
});
