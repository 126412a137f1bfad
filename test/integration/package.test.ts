/**
 * The two packages, packed as `npm publish` would, work in an empty project: `supcon` imported from an ES module
 * and from CommonJS with nothing of the generator in its production tree, and `supcon-gen` (a dev dependency)
 * generating code there that type-checks strictly against the installed runtime. Needs `npm run build` first (the
 * test command does it).
 */
import { execFileSync, spawnSync } from "node:child_process";
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
});
