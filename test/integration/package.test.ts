/**
 * The two packages, packed as `npm publish` would, work in an empty project: `supcon` imported from an ES module
 * and from CommonJS with nothing of the generator in its production tree, and `supcon-gen` (a dev dependency)
 * generating code there that type-checks strictly against the installed runtime, and a project of its own built as
 * the README says (ES module, NodeNext, strict) running a generated server and client in two processes. Needs
 * `npm run build` first (the test command does it).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

const USE_IT = `
const server = new Node("server");
const intf = new Interface({
  name: "com.example.Echo",
  methods: [{ name: "echo", inArgs: { text: "(str) - Some text" }, outArgs: [{ name: "text", type: "string" }] }],
});
const impl = new Implementation(intf);
impl.setCallCb("echo", ({ text }) => ({ text: text + "!" }));
server.register("/echo", impl);
const { port } = await server.listen({ port: 0 });
const client = new Node("client");
client.connect({ port });
await client.waitFor("server", { path: "/echo" });
const out = await client.call("server", "/echo", "com.example.Echo", "echo", { text: "hi" });
const described = await new NodeClient(client, "server", "/").describe();
if (!described.objects.some((o) => o.path === "/echo")) throw new Error("describe does not list /echo");
console.log(JSON.stringify(out));
await client.close();
await server.close();
`;

/** Packs workspace `name` into `dir`; returns the tarball's path. */
function pack(name: string, dir: string): string {
  const packed = execFileSync(npm, ["pack", "--json", "--pack-destination", dir, "--workspace", name], {
    cwd: root,
    encoding: "utf8",
  });
  return path.join(dir, (JSON.parse(packed) as { filename: string }[])[0]?.filename ?? "");
}

function npmIn(cwd: string, args: string[]): void {
  execFileSync(npm, [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd, stdio: "pipe" });
}

/** Every package name in the installed tree of `project`. */
function installedPackages(project: string): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir)) {
      if (entry.startsWith(".")) continue;
      if (entry.startsWith("@")) {
        for (const scoped of fs.readdirSync(path.join(dir, entry))) names.push(`${entry}/${scoped}`);
      } else {
        names.push(entry);
        walk(path.join(dir, entry, "node_modules"));
      }
    }
  };
  walk(path.join(project, "node_modules"));
  return names;
}

describe("the packed packages", () => {
  let dir: string;
  let runtimeTarball: string;
  let genTarball: string;
  let production: string;
  let development: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-pack-"));
    runtimeTarball = pack("supcon", dir);
    genTarball = pack("supcon-gen", dir);
    // A production install of the runtime alone.
    production = path.join(dir, "production");
    fs.mkdirSync(production);
    fs.writeFileSync(
      path.join(production, "package.json"),
      JSON.stringify({ name: "consumer", private: true }),
    );
    npmIn(production, ["install", "--omit=dev", runtimeTarball]);
    // A project with the generator as a dev dependency.
    development = path.join(dir, "development");
    fs.mkdirSync(development);
    fs.writeFileSync(
      path.join(development, "package.json"),
      JSON.stringify({ name: "consumer-dev", private: true, dependencies: {}, devDependencies: {} }),
    );
    npmIn(development, ["install", runtimeTarball]);
    npmIn(development, ["install", "--save-dev", genTarball]);
  }, 240_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("ships the runtime built, with its own interface file, and nothing of the sources or the generator", () => {
    const pkg = path.join(production, "node_modules/supcon");
    expect(fs.existsSync(path.join(pkg, "dist/index.d.ts"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "interfaces/supcon.Node.yaml"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "LICENSE"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "src"))).toBe(false);
    const tree = installedPackages(production);
    for (const heavy of ["yaml", "handlebars", "ts-morph", "yargs", "typescript", "supcon-gen"]) {
      expect(tree).not.toContain(heavy);
    }
  });

  it("ships the generator built, with its templates", () => {
    const pkg = path.join(development, "node_modules/supcon-gen");
    expect(fs.existsSync(path.join(pkg, "dist/cli.js"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "templates/interface.ts.hbs"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "LICENSE"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "src"))).toBe(false);
  });

  it("works from an ES module", () => {
    fs.writeFileSync(
      path.join(production, "esm.mjs"),
      `import { Node, Interface, Implementation, NodeClient } from "supcon";\n${USE_IT}`,
    );
    const out = execFileSync(process.execPath, ["esm.mjs"], { cwd: production, encoding: "utf8" });
    expect(out.trim()).toBe('{"text":"hi!"}');
  });

  it("works from CommonJS", () => {
    fs.writeFileSync(
      path.join(production, "cjs.cjs"),
      `const { Node, Interface, Implementation, NodeClient } = require("supcon");\n(async () => {${USE_IT}})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const out = execFileSync(process.execPath, ["cjs.cjs"], { cwd: production, encoding: "utf8" });
    expect(out.trim()).toBe('{"text":"hi!"}');
  });

  it("puts supcon-gen on the PATH of npm scripts, and its output type-checks against the installed runtime", () => {
    fs.mkdirSync(path.join(development, "interfaces"), { recursive: true });
    fs.copyFileSync(
      path.join(root, "interfaces/com.example.Timer.yaml"),
      path.join(development, "interfaces/com.example.Timer.yaml"),
    );
    const result = spawnSync(npm, ["exec", "--", "supcon-gen", "interfaces", "--out", "generated"], {
      cwd: development,
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const generated = fs.readFileSync(path.join(development, "generated/com.example.Timer.ts"), "utf8");
    expect(generated).toMatch(
      /^\/\/ Code generated by supcon-gen from interfaces\/com.example.Timer.yaml. DO NOT EDIT./,
    );
    expect(generated).toContain('from "supcon"');
    const check = spawnSync(
      npm,
      ["exec", "--", "supcon-gen", "interfaces", "--out", "generated", "--check"],
      { cwd: development, encoding: "utf8" },
    );
    expect(check.status).toBe(0);
    fs.writeFileSync(
      path.join(development, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ["generated"],
      }),
    );
    const typecheck = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: development, encoding: "utf8" });
    expect(typecheck.stdout + typecheck.stderr).toBe("");
    expect(typecheck.status).toBe(0);
  });

  it("builds a server and a client of its own with the generated code, and runs them in two processes", async () => {
    // As the README's "Using it in your own project" says: an ES module project, NodeNext, strict.
    const project = path.join(dir, "own-project");
    fs.mkdirSync(path.join(project, "src"), { recursive: true });
    fs.cpSync(path.join(development, "node_modules"), path.join(project, "node_modules"), {
      recursive: true,
    });
    fs.cpSync(path.join(development, "generated"), path.join(project, "src/generated"), { recursive: true });
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "own-project", private: true, type: "module" }),
    );
    fs.writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          outDir: "dist",
          rootDir: "src",
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [path.join(root, "node_modules/@types")],
        },
        include: ["src"],
      }),
    );
    fs.writeFileSync(path.join(project, "src/server.ts"), OWN_SERVER);
    fs.writeFileSync(path.join(project, "src/client.ts"), OWN_CLIENT);
    const build = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: project, encoding: "utf8" });
    expect(build.stdout + build.stderr).toBe("");
    const server = spawn(process.execPath, ["dist/server.js"], {
      cwd: project,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 15_000);
        server.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (\d+)/.exec(out);
          if (m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        server.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
      });
      const client = spawnSync(process.execPath, ["dist/client.js", String(port)], {
        cwd: project,
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(client.stderr).toBe("");
      expect(client.stdout.trim().split("\n")).toEqual([
        'added: [{"timer":"tea","remaining":0.2}]',
        "timeout: tea",
        "declared error: com.example.Timer.AlreadyExists",
      ]);
      expect(client.status).toBe(0);
    } finally {
      server.kill();
    }
  }, 60_000);
});

/** The server of the project: the generated handlers form, no annotations. */
const OWN_SERVER = `import { Node } from "supcon";
import { TimerAlreadyExistsError, createTimerServer } from "./generated/com.example.Timer.js";

const pending = new Map<string, NodeJS.Timeout>();
const timer = createTimerServer({
  add({ timer: name, seconds }) {
    if (pending.has(name)) throw new TimerAlreadyExistsError(\`'\${name}' is pending\`);
    pending.set(name, setTimeout(() => {
      pending.delete(name);
      timer.fire("timeout", { timer: name });
    }, seconds * 1000));
  },
  list() {
    return { timers: [...pending.keys()].map((name) => ({ timer: name, remaining: 0.2 })) };
  },
  cancel({ timer: name }) {
    const handle = pending.get(name);
    clearTimeout(handle);
    pending.delete(name);
    return { cancelled: handle !== undefined };
  },
});
const node = new Node("timer-server");
node.register("/timer", timer);
const { port } = await node.listen({ host: "127.0.0.1", port: 0 });
console.log(\`listening on \${port}\`);
`;

/** The client of the project: the generated client, awaited connect(), an event and a declared error. */
const OWN_CLIENT = `import { Node, RemoteError } from "supcon";
import { TimerClient } from "./generated/com.example.Timer.js";

const node = new Node("timer-client");
await node.connect({ host: "127.0.0.1", port: Number(process.argv[2]) });
await node.waitFor("timer-server", { path: "/timer" });
const timer = new TimerClient(node, "timer-server", "/timer");
const fired = new Promise<string>((resolve) => timer.on("timeout", ({ timer: name }) => resolve(name)));
await timer.add({ timer: "tea", seconds: 0.2 });
console.log(\`added: \${JSON.stringify((await timer.list()).timers)}\`);
console.log(\`timeout: \${await fired}\`);
await timer.add({ timer: "tea", seconds: 5 });
try {
  await timer.add({ timer: "tea", seconds: 5 });
} catch (err) {
  console.log(\`declared error: \${err instanceof RemoteError ? err.code : String(err)}\`);
}
await timer.cancel({ timer: "tea" });
await node.close();
`;
