import * as fs from "node:fs";
import * as path from "node:path";
import * as Yaml from "yaml";
import { syntheticInterface } from "../../../../bench/codegen.js";
import { yamlTree } from "../../../../packages/supcon-gen/src/parse/parse-yaml.js";
import { parseYamlSubset } from "../../../../packages/supcon-gen/src/parse/yaml-subset.js";
import { linePositions } from "../../../../packages/supcon-gen/src/parse/yaml-tree.js";

const ROOT = path.resolve(__dirname, "../../../..");

/**
 * Reads `text` both ways, as the documents' trees, problems and the position of every offset; null when the
 * subset reader declines it.
 */
function both(text: string): { subset: unknown; yaml: unknown } | null {
  const subset = parseYamlSubset(text);
  if (subset === null) return null;
  const lineCounter = new Yaml.LineCounter();
  const docs = Yaml.parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yaml = Array.isArray(docs)
    ? docs.map((d) => ({
        problems: [...d.errors, ...d.warnings].map((e) => e.message),
        tree: yamlTree(Yaml, d),
      }))
    : "not documents";
  const offsets = Array.from({ length: text.length + 1 }, (_, i) => i);
  const linePos = linePositions(text);
  return {
    subset: { docs: [{ problems: [], tree: subset }], positions: offsets.map(linePos) },
    yaml: { docs: yaml, positions: offsets.map(lineCounter.linePos) },
  };
}

function yamlFilesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((e) => {
    const file = path.join(e.parentPath, e.name);
    return e.isFile() && /\.ya?ml$/.test(e.name) ? [file] : [];
  });
}

/** A small deterministic random generator (mulberry32), so a failing case can be named by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keys and scalars of the subset, and (`EDGE_*`) some just outside it or tricky for its reader. */
const KEYS = ["name", "description", "type", "fields", "a b", "é", "x_1", "fields2"];
const EDGE_KEYS = ["true", "null", "1", "-k", "k#x", "x:y", "k #x", "<<"];
const PLAIN = ["x", "Hello world.", "map<string>", "int?", "S1Record0[]", "a#b", "x, y", "it's", "é ü"];
const PLAIN_BLOCK_ONLY = ["x,y", "a {b}", "[x] y", "a:b"];
const EDGE_PLAIN = [
  "a: b",
  "a #b",
  "[x]",
  "true",
  "False",
  "yes",
  "null",
  "~",
  "12",
  "1.5",
  "-x",
  ".x",
  "a  b",
  "x:",
  "(str) - The name",
  "<x>",
  "@x",
  "!x",
  "&x",
  "*x",
];
const QUOTED = ['"a b"', '"a # b, c: d"', "'a'", '""', "''", "'{x}'", '"it\'s"'];
const EDGE_QUOTED = ["'it''s'", '"a\\"b"', '"x"y', "'x'y"];

/** A YAML-like text near the subset: mostly valid YAML, with the constructs around the subset's edges. */
function generate(seed: number): string {
  const r = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  const chance = (p: number): boolean => r() < p;
  /** Rarely true: then a construct at or beyond the subset's edge is chosen. */
  const edge = (): boolean => chance(0.03);
  const spaces = (): string => (chance(0.85) ? "" : pick([" ", "  ", "   "]));
  const comment = (): string => (chance(0.9) ? "" : edge() ? "# glued" : pick([" # note", " #"]));
  const blank = (indent: number): string =>
    chance(0.9)
      ? ""
      : edge()
        ? pick(["#c\n", " # c\n", `${" ".repeat(indent + 1)}# c\n`])
        : pick(["\n", "  \n", `${" ".repeat(indent)}# c\n`]);

  const scalar = (): string =>
    chance(0.75) ? pick(edge() ? EDGE_PLAIN : PLAIN) : pick(edge() ? EDGE_QUOTED : QUOTED);
  const key = (): string => pick(edge() ? EDGE_KEYS : KEYS);
  const flow = (depth: number): string => {
    const n = Math.floor(r() * 4);
    const item = (): string => (depth < 2 && chance(0.2) ? flow(depth + 1) : scalar());
    const sep = (): string => pick([", ", ",", " , ", ",  "]);
    const trailingComma = (): string => (edge() ? "," : "");
    const inner = (): string => (chance(0.1) ? pick(["", " "]) : pick([" ", ""]));
    if (chance(0.5)) {
      const entries = Array.from(
        { length: n },
        () => `${key()}${edge() ? pick([":", " : "]) : pick([": ", ":  "])}${item()}`,
      );
      return `{${inner()}${entries.join(sep())}${trailingComma()}${inner()}}`;
    }
    const items = Array.from({ length: n }, item);
    return `[${inner()}${items.join(sep())}${trailingComma()}${inner()}]`;
  };
  const inline = (): string =>
    chance(0.3) ? flow(0) : chance(0.1) ? pick(edge() ? EDGE_PLAIN : PLAIN_BLOCK_ONLY) : scalar();

  const block = (indent: number, depth: number, first: string): string => {
    // A map whose first key follows `first` on the same line (a compact map after `- `), or at `indent`.
    const n = 1 + Math.floor(r() * 4);
    let out = "";
    for (let i = 0; i < n; i++) {
      out += (i === 0 ? first : blank(indent) + " ".repeat(indent)) + key() + (edge() ? " :" : ":");
      const kind = depth < 3 ? r() : 0;
      if (kind < 0.6) out += `${edge() ? "" : pick([" ", "  "])}${inline()}${spaces()}${comment()}\n`;
      else if (kind < 0.62) out += `${spaces()}${comment()}\n`;
      else if (kind < 0.8) {
        const child = indent + (edge() ? 0 : pick([1, 2, 2, 4]));
        out += `${spaces()}${comment()}\n${blank(child)}` + block(child, depth + 1, " ".repeat(child));
      } else {
        const child = indent + (edge() ? 1 : pick([0, 2, 2, 3]));
        out += `${spaces()}${comment()}\n${blank(child)}` + seq(child, depth + 1);
      }
    }
    return out;
  };
  const seq = (indent: number, depth: number): string => {
    const n = 1 + Math.floor(r() * 3);
    let out = "";
    for (let i = 0; i < n; i++) {
      const dash = " ".repeat(indent) + (edge() ? "-" : pick(["- ", "- ", "-  "]));
      if (i > 0) out += blank(indent);
      if (depth < 3 && chance(0.4)) out += block(indent + dash.length, depth + 1, dash);
      else if (edge()) out += `${dash}- ${scalar()}\n`;
      else out += `${dash}${inline()}${spaces()}${comment()}\n`;
    }
    return out;
  };

  const text = blank(0) + block(0, 0, "") + blank(0);
  return edge() ? text.replace(/\n$/, "") : text;
}

describe("parseYamlSubset()", () => {
  it("reads the synthetic benchmark interfaces as yaml does", () => {
    for (const i of [0, 1, 7, 123]) {
      const text = syntheticInterface(i);
      const result = both(text);
      expect(result).not.toBeNull();
      expect(result?.subset).toEqual(result?.yaml);
    }
  });

  it("reads the project's interface files as yaml does", () => {
    const files = yamlFilesBelow(path.join(ROOT, "interfaces"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const result = both(fs.readFileSync(file, "utf8"));
      expect(result).not.toBeNull();
      expect(result?.subset).toEqual(result?.yaml);
    }
  });

  it("reads every test input it accepts as yaml does", () => {
    const files = ["test", "bench/interfaces", "examples"].flatMap((d) => yamlFilesBelow(path.join(ROOT, d)));
    let accepted = 0;
    for (const file of files) {
      const result = both(fs.readFileSync(file, "utf8"));
      if (result === null) continue;
      accepted++;
      expect({ file, tree: result.subset }).toEqual({ file, tree: result.yaml });
    }
    expect(accepted).toBeGreaterThan(files.length / 3);
  });

  it("reads every generated text it accepts as yaml does", () => {
    const runs = Number(process.env["FUZZ_RUNS"] ?? 5000);
    let accepted = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const text = generate(seed);
      const result = both(text);
      if (result === null) continue;
      accepted++;
      expect({ seed, text, tree: result.subset }).toEqual({ seed, text, tree: result.yaml });
    }
    // The generator stays near the edges of the subset; enough of its texts must be inside to test anything.
    expect(accepted).toBeGreaterThan(runs / 4);
  });

  it("declines what is outside the subset", () => {
    const outside = [
      "",
      "# only a comment\n",
      "---\nname: x\n",
      "name: x\n---\nname: y\n",
      "- a\n",
      "name: &a x\nother: *a\n",
      "name: !!str x\n",
      "description: |\n  text\n",
      "description: a long\n  text\n",
      "name:\n",
      "name: 12\n",
      "name: null\n",
      "name: x\nname: y\n",
      "name:\tx\n",
      "name: x\r\n",
      "\ufeffname: x\n",
      'name: "a\\nb"\n',
      "name: 'it''s'\n",
      "args: { a, b }\n",
      "args: [a,\n  b]\n",
      "args: { a: b, }\n",
      "? name\n: x\n",
      "name: a: b\n",
    ];
    for (const text of outside)
      expect({ text, parsed: parseYamlSubset(text) }).toEqual({ text, parsed: null });
  });
});

describe("yamlTree()", () => {
  it("keeps an alias with the node its anchor names, shared", () => {
    const doc = Yaml.parseDocument("a: &x [1]\nb: *x\n");
    const tree = yamlTree(Yaml, doc);
    if (tree?.kind !== "map") throw new Error(`not a mapping: ${JSON.stringify(tree)}`);
    const [a, b] = tree.items;
    expect(b?.value).toEqual({ kind: "alias", target: a?.value, range: [13, 15, 16] });
    expect(b?.value?.kind === "alias" && b.value.target === a?.value).toBe(true);
  });

  it("converts a node aliased inside itself once", () => {
    const doc = Yaml.parseDocument("a: &x [*x]\n");
    const tree = yamlTree(Yaml, doc);
    if (tree?.kind !== "map") throw new Error(`not a mapping: ${JSON.stringify(tree)}`);
    const seq = tree.items[0]?.value;
    expect(seq?.kind === "seq" && seq.items[0]?.kind === "alias" && seq.items[0].target === seq).toBe(true);
  });
});
