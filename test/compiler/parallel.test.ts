/**
 * Large inputs are parsed and emitted on two threads by the built compiler; the bytes must be exactly those of the
 * single-threaded compiler (which is what runs in-process here, from the TypeScript sources).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSyntheticInterfaces } from "../../bench/codegen.js";
import { compile } from "../../compiler/compile.js";
import { formatDiagnostic } from "../../compiler/diagnostics.js";
import type * as Parallel from "../../compiler/parallel.js";
import { PARALLEL_MIN_BYTES } from "../../compiler/parallel.js";
import { ROOT, ensureBuilt, runCli, tempProject } from "./helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

/** Enough synthetic interfaces (about 4.6 KB each) for the compiler to use its worker thread. */
const COUNT = Math.ceil(PARALLEL_MIN_BYTES / 4000) + 5;

describe("createCompilerWorker() (built)", () => {
  it("runs a job on the worker while the caller does its own share, synchronously", () => {
    // The built module: from TypeScript sources there is no compiled worker to start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const built = require(path.join(ROOT, "dist/compiler/parallel.js")) as typeof Parallel;
    const worker = built.createCompilerWorker();
    if (os.availableParallelism() < 2) {
      expect(worker).toBeNull();
      return;
    }
    expect(worker).not.toBeNull();
    try {
      const sources = [{ path: "a.yaml", text: "name: a.A\nmethods:\n  - name: m\n" }];
      const { own, answer } = (worker as NonNullable<typeof worker>).run(
        { kind: "analyze", sources },
        () => "mine",
      );
      expect(own).toBe("mine");
      expect(answer.analyses?.[0]?.interfaces[0]?.name?.value).toBe("a.A");
      const bad = (worker as NonNullable<typeof worker>).run(
        { kind: "analyze", sources: [{ path: "b.yaml", text: "[" }] },
        () => 0,
      );
      expect(bad.answer.analyses?.[0]?.diagnostics[0]?.message).toMatch(/^YAML: /);
    } finally {
      worker?.close();
    }
  });
});

describe("parallel compilation", () => {
  it("gives the same bytes as one thread", () => {
    const project = tempProject();
    try {
      generateSyntheticInterfaces(COUNT, path.join(project.dir, "interfaces"));
      const r = runCli(["interfaces", "--out", "generated"], project.dir);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const expected = compile({ inputs: ["interfaces"], out: "generated", cwd: project.dir });
      expect(expected.files).toHaveLength(COUNT + 1);
      for (const f of expected.files) expect(fs.readFileSync(f.path, "utf8")).toBe(f.content);
      expect(runCli(["interfaces", "--out", "generated", "--check"], project.dir).status).toBe(0);
    } finally {
      project.cleanup();
    }
  }, 60_000);

  it("reports diagnostics found on the worker thread", () => {
    const project = tempProject();
    try {
      const files = generateSyntheticInterfaces(COUNT, path.join(project.dir, "interfaces"));
      const last = files[files.length - 1] as string;
      fs.writeFileSync(last, fs.readFileSync(last, "utf8").replace("type: int }", "type: itn }"));
      const r = runCli(["interfaces", "--out", "generated"], project.dir);
      expect(r.status).toBe(2);
      // The file sorts into the worker thread's share; its diagnostic is the one a single thread reports.
      const expected = compile({ inputs: ["interfaces"], out: "generated", cwd: project.dir }).diagnostics;
      expect(expected.map((d) => d.message)).toEqual(["unknown type 'itn' (did you mean 'int'?)"]);
      expect(r.stderr).toBe(
        expected.map((d) => formatDiagnostic(d) + "\n").join("") +
          "supcon-gen: 1 error; nothing was written\n",
      );
    } finally {
      project.cleanup();
    }
  }, 60_000);
});
