/**
 * The README's "TLS and mutual TLS" section works as written: its OpenSSL commands make the certificates (in a
 * temporary folder, never checked in), its four modules type-check strictly against the built runtime, and each
 * client links to its server, every one in a process of its own. The only change made to the code is the ports
 * (7000 and 7001 become free ones). Uses the built runtime (`npx tsc -p packages/supcon/tsconfig.build.json`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, whenListening } from "../helpers/ports";
import { runFixture, startProcess, stopAll } from "../helpers/processes";

const root = path.resolve(__dirname, "../..");
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

interface Section {
  readonly shell: string;
  /** The modules by file name (`tls-server.mts`, …), as the README gives them. */
  readonly modules: ReadonlyMap<string, string>;
}

/** The code blocks of the README section `heading`: its shell block and its named TypeScript modules. */
function readmeSection(heading: string): Section {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  const text = end < 0 ? rest : rest.slice(0, end);
  let shell = "";
  const modules = new Map<string, string>();
  for (const [, lang, code] of text.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    if (lang === "sh") shell += code;
    const name = /^\/\/ (\S+\.mts)\n/.exec(code ?? "")?.[1];
    if (lang === "ts" && name !== undefined) modules.set(name, code ?? "");
  }
  return { shell, modules };
}

describe("the README's TLS and mutual TLS examples", () => {
  let dir: string;
  const ports = new Map<number, number>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-readme-tls-"));
    const { shell, modules } = readmeSection("### TLS and mutual TLS");
    expect([...modules.keys()]).toEqual([
      "tls-server.mts",
      "tls-client.mts",
      "mtls-server.mts",
      "mtls-client.mts",
    ]);
    execFileSync("sh", ["-e", "-c", shell], { cwd: dir, stdio: "pipe" });
    for (const readmePort of [7000, 7001]) ports.set(readmePort, await freePort());
    for (const [name, code] of modules) {
      const local = code.replace(/\bport: (7000|7001)\b/g, (_, p: string) => `port: ${ports.get(Number(p))}`);
      fs.writeFileSync(path.join(dir, name), local);
    }
    // The project: `supcon` installed (the workspace package, built), and a tsconfig.
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(path.join(root, "packages/supcon"), path.join(dir, "node_modules/supcon"), "dir");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "readme-tls", private: true }));
    // The repository's own strict settings (NodeNext, strict, exactOptionalPropertyTypes, no unused locals).
    const tsconfig = {
      extends: path.join(root, "tsconfig.base.json"),
      compilerOptions: {
        typeRoots: [path.join(root, "node_modules/@types")],
        outDir: "out",
        sourceMap: false,
      },
      include: ["*.mts"],
    };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const compiled = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: dir, encoding: "utf8" });
    expect(compiled.stdout + compiled.stderr).toBe("");
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["TLS", "tls", 7000],
    ["mutual TLS", "mtls", 7001],
  ])(
    "links the %s client to its server, each in a process of its own",
    async (_what, prefix, readmePort) => {
      const { child: server } = startProcess(path.join(dir, "out", `${prefix}-server.mjs`), [], dir);
      let serverErr = "";
      server.stderr?.on("data", (chunk: Buffer) => (serverErr += chunk.toString()));
      await whenListening(ports.get(readmePort) as number);
      const client = await runFixture(path.join(dir, "out", `${prefix}-client.mjs`), [], 20_000, dir);
      expect(client.stderr).toBe("");
      expect(client.code).toBe(0);
      expect(client.stdout.trim()).toBe("[ 'my-client', 'my-unique-server' ]");
      // The server logged nothing either: no refusal, no failure.
      expect(serverErr).toBe("");
    },
    40_000,
  );
});
