/**
 * Generated code end to end: `supcon-gen` compiles a rich interface (every type, a named type of another file,
 * declared errors, events, methods without arguments), the server runs the generated skeleton in a process of its
 * own, and this process calls it through the generated client. Uses the built package (`npm run build`).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import type * as Runtime from "../../packages/supcon/src/index";
import type { Child } from "../helpers/processes";
import { startFixture, stopAll } from "../helpers/processes";

const root = path.resolve(__dirname, "../..");
const runtimePath = path.join(root, "packages/supcon/dist/index.js");

const LAB_YAML = `
name: com.example.Lab
description: A lab instrument, to exercise every type of the interface language.
types:
  - name: Reading
    description: One measurement.
    fields:
      - { name: sensor, type: string }
      - { name: value, type: float }
      - { name: count, type: int }
      - { name: ok, type: bool }
      - { name: raw, type: bytes }
      - { name: extra, type: any, optional: true }
      - { name: tags, type: "map<string>" }
      - { name: history, type: "float?[]" }
      - { name: where, type: com.example.geo.Point }
      - { name: unit, type: Unit }
  - name: Unit
    enum: [celsius, kelvin]
errors:
  - { name: Busy, description: The instrument is busy. }
events:
  - name: measured
    description: A reading was taken.
    args:
      - { name: reading, type: Reading }
methods:
  - name: measure
    inArgs:
      sensor: (str) - Which sensor
      unit: { type: "Unit?", description: The unit; celsius when absent }
    outArgs:
      - { name: reading, type: Reading }
    errors: [Busy]
  - name: calibrate
    description: Takes no arguments and returns nothing.
`;

const GEO_YAML = `
name: com.example.geo
description: Geometry shared by other interfaces.
types:
  - name: Point
    fields:
      - { name: x, type: float }
      - { name: y, type: float }
`;

const SERVER_JS = `
const { Node } = require(${JSON.stringify(runtimePath)});
const lab = require("./gen/com.example.Lab.js");
class Lab extends lab.LabServer {
  measure({ sensor, unit }) {
    if (sensor === "busy") throw new lab.LabBusyError("sensor 'busy' is always busy");
    const reading = {
      sensor, value: 21.5, count: 3, ok: true, raw: new Uint8Array([1, 2, 255]),
      extra: { any: ["thing", 1, null] }, tags: { room: "b12" }, history: [1.5, null, 2],
      where: { x: 1, y: -2.5 }, unit: unit ?? "celsius",
    };
    this.fire("measured", { reading });
    return { reading };
  }
  calibrate() {}
}
(async () => {
  const node = new Node("lab", { logger: { warn() {} } });
  node.register("/lab", new Lab());
  const { port } = await node.listen({ port: 0 });
  process.stdout.write("READY " + port + "\\n");
  process.on("SIGTERM", () => node.close().then(() => process.exit(0)));
})();
`;

describe("generated code across two processes", () => {
  let dir: string;
  let server: Child;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-e2e-"));
    fs.mkdirSync(path.join(dir, "interfaces"));
    fs.writeFileSync(path.join(dir, "interfaces/lab.yaml"), LAB_YAML);
    fs.writeFileSync(path.join(dir, "interfaces/geo.yaml"), GEO_YAML);
    execFileSync(
      process.execPath,
      [
        path.join(root, "packages/supcon-gen/dist/cli.js"),
        "interfaces",
        "--out",
        "gen",
        "--runtime-import",
        runtimePath,
      ],
      { cwd: dir, stdio: "pipe" },
    );
    for (const file of fs.readdirSync(path.join(dir, "gen"))) {
      const source = fs.readFileSync(path.join(dir, "gen", file), "utf8");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      });
      fs.writeFileSync(path.join(dir, "gen", file.replace(/\.ts$/, ".js")), outputText);
    }
    fs.writeFileSync(path.join(dir, "server.js"), SERVER_JS);
    server = await startFixture(path.join(dir, "server.js"), []);
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("calls every kind of method, gets declared errors as their classes, and receives typed events", async () => {
    // The generated modules and the runtime, as the client's program would load them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Node } = require(runtimePath) as typeof Runtime;
    const lab = require(path.join(dir, "gen/com.example.Lab.js")) as {
      LabClient: new (
        node: unknown,
        nodeName: string,
        path: string,
      ) => {
        measure(args: { sensor: string; unit?: string }): Promise<{ reading: Record<string, unknown> }>;
        calibrate(): Promise<unknown>;
        on(event: "measured", cb: (args: { reading: Record<string, unknown> }) => void): { off(): void };
      };
      LabBusyError: new (...args: unknown[]) => Error;
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = new Node("client", { logger: { warn: () => undefined } });
    try {
      client.connect({ port: server.port });
      await client.waitFor("lab", { path: "/lab", intf: "com.example.Lab" });
      const remote = new lab.LabClient(client, "lab", "/lab");
      const events: Record<string, unknown>[] = [];
      remote.on("measured", ({ reading }) => events.push(reading));
      await remote.calibrate();

      const { reading } = await remote.measure({ sensor: "t1", unit: "kelvin" });
      expect(reading).toEqual({
        sensor: "t1",
        value: 21.5,
        count: 3,
        ok: true,
        raw: new Uint8Array([1, 2, 255]),
        extra: { any: ["thing", 1, null] },
        tags: { room: "b12" },
        history: [1.5, null, 2],
        where: { x: 1, y: -2.5 },
        unit: "kelvin",
      });
      expect(reading["raw"]).toBeInstanceOf(Uint8Array);

      const busy = await remote.measure({ sensor: "busy" }).catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(lab.LabBusyError);
      expect(busy).toMatchObject({
        code: "com.example.Lab.Busy",
        rawMessage: "sensor 'busy' is always busy",
      });

      await expect(remote.measure({ sensor: "t1", unit: "fahrenheit" })).rejects.toMatchObject({
        code: "supcon.InvalidArguments",
      });
      await expect(
        client.call("lab", "/lab", "com.example.Lab", "measure", { sensor: "t1", unit: "fahrenheit" }),
      ).rejects.toMatchObject({ code: "supcon.InvalidArguments", message: expect.stringMatching(/unit/) });

      const deadline = Date.now() + 5_000;
      while (events.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(events[0]).toMatchObject({ sensor: "t1", unit: "kelvin" });
    } finally {
      await client.close();
    }
  });
});
