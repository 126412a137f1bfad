/**
 * `--watch`: the library watcher regenerates after a change, also after saves by rename, and keeps running after
 * errors; the CLI stops cleanly on SIGINT. Real files in a temporary folder; every wait is bounded.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { WatchRun } from "../../packages/supcon-gen/src/watch.js";
import { watch } from "../../packages/supcon-gen/src/watch.js";
import { CLI, ECHO_YAML, TIMER_YAML, ensureBuilt, tempProject } from "./helpers.js";

/** A watcher on `project` whose runs can be awaited one by one (each wait bounded). */
function watchProject(dir: string, inputs: readonly string[]) {
  const runs: WatchRun[] = [];
  const waiters: ((run: WatchRun) => void)[] = [];
  const watcher = watch({
    inputs,
    out: "generated",
    cwd: dir,
    debounceMs: 50,
    onRun: (run) => {
      runs.push(run);
      waiters.shift()?.(run);
    },
  });
  /** Resolves with the next run, or rejects after `ms`. */
  const nextRun = (ms = 5_000): Promise<WatchRun> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no run within ${ms} ms`)), ms);
      waiters.push((run) => {
        clearTimeout(timer);
        resolve(run);
      });
    });
  return { watcher, runs, nextRun };
}

/** Saves `file` as `sed -i` and most editors do: a new file next to it, renamed over it (a new inode). */
function renameSave(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `sed${process.pid}x`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

describe("watch()", () => {
  it("generates at once, again after a change, reports errors and keeps going, and stops on close()", async () => {
    const project = tempProject({ "interfaces/timer.yaml": TIMER_YAML });
    const { watcher, runs, nextRun } = watchProject(project.dir, ["interfaces"]);
    try {
      await watcher.ready;
      expect(runs).toHaveLength(1);
      expect(runs[0]?.trigger).toBeNull();
      expect(runs[0]?.summary?.written).toContain("generated/com.example.Timer.ts");

      let next = nextRun();
      project.write("interfaces/echo.yaml", ECHO_YAML);
      const second = await next;
      expect(second.trigger).toBe("interfaces/echo.yaml");
      expect(second.summary?.written).toEqual(["generated/com.example.Echo.ts", "generated/index.ts"]);
      expect(project.exists("generated/com.example.Echo.ts")).toBe(true);

      next = nextRun();
      project.write("interfaces/echo.yaml", ECHO_YAML.replace("type: string", "type: strng"));
      const broken = await next;
      expect(broken.summary).toBeNull();
      expect(broken.diagnostics.map((d) => d.message)).toEqual([
        "unknown type 'strng' (did you mean 'string'?)",
      ]);

      next = nextRun();
      project.write("interfaces/echo.yaml", ECHO_YAML.replace("com.example.Echo", "com.example.Echo2"));
      const fixed = await next;
      expect(fixed.summary?.removed).toEqual(["generated/com.example.Echo.ts"]);
    } finally {
      await watcher.close();
      await watcher.close();
      project.cleanup();
    }
    const count = runs.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(runs).toHaveLength(count);
  }, 30_000);

  // `fs.watch` follows the inode it was given: after the first save by rename it went deaf (issue 11).
  it.each([
    ["a folder", "interfaces"],
    ["a file", "interfaces/timer.yaml"],
  ])(
    "keeps seeing a file of %s saved by rename, then edited twice more",
    async (_what, input) => {
      const project = tempProject({ "interfaces/timer.yaml": TIMER_YAML });
      const file = path.join(project.dir, "interfaces/timer.yaml");
      const { watcher, nextRun } = watchProject(project.dir, [input]);
      const described = (text: string): string =>
        TIMER_YAML.replace("description: Named one-shot timers.", `description: ${text}`);
      try {
        await watcher.ready;
        const edits: [string, (text: string) => void][] = [
          ["a rename-save", (text) => renameSave(file, described(text))],
          ["an edit in place", (text) => fs.writeFileSync(file, described(text))],
          ["another rename-save", (text) => renameSave(file, described(text))],
        ];
        for (const [i, [how, edit]] of edits.entries()) {
          const next = nextRun();
          edit(`Edited ${i + 1}.`);
          const run = await next.catch((err: Error) => {
            throw new Error(`${how} (edit ${i + 1}) started no run: ${err.message}`);
          });
          expect(run.trigger).toBe("interfaces/timer.yaml");
          expect(run.summary?.written).toEqual(["generated/com.example.Timer.ts"]);
          expect(project.read("generated/com.example.Timer.ts")).toContain(`/** Edited ${i + 1}. */`);
        }
      } finally {
        await watcher.close();
        project.cleanup();
      }
    },
    30_000,
  );

  it("is ready (and closes) even when closed before its first run", async () => {
    const project = tempProject({ "interfaces/timer.yaml": TIMER_YAML });
    const { watcher, runs } = watchProject(project.dir, ["interfaces"]);
    try {
      await watcher.close();
      await watcher.ready;
      expect(runs).toHaveLength(0);
    } finally {
      project.cleanup();
    }
  });
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
      await waitFor("after a change of interfaces/echo.yaml");
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
