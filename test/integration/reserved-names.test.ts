/**
 * Names that cannot travel are refused, and every other name travels. Each JavaScript/TypeScript reserved or
 * built-in word (and each member of `Object.prototype` and of the generated classes' bases) is tried as a field,
 * an in- and out-argument, an event argument, a method, an event, a struct and an enum type, an enum value and an
 * error name. Compiled alone, it is either refused with a `file:line:col: error:` diagnostic that says what to do
 * instead, or accepted. All accepted uses then go into one interface file, whose generated code must type-check
 * strictly (with typed user code for both sides) and round-trip across two processes: every method called, every
 * argument and field echoed, every event fired and received, every error thrown and caught as its class.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { analyze, compileSources } from "../../packages/supcon-gen/src/compile.js";
import { formatDiagnostic } from "../../packages/supcon-gen/src/diagnostics.js";
import { pascalCase } from "../../packages/supcon-gen/src/model/names.js";
import type * as Runtime from "../../packages/supcon/src/index";
import type { Child } from "../helpers/processes";
import { startFixture, stopAll } from "../helpers/processes";

const root = path.resolve(__dirname, "../..");
const runtimePath = path.join(root, "packages/supcon/dist/index.js");

const words = (text: string): string[] => text.trim().split(/\s+/);

/** The words tried, by where they come from. */
const WORDS = [
  ...new Set([
    // ECMAScript reserved words and literals.
    ...words(`break case catch class const continue debugger default delete do else enum export extends false
      finally for function if import in instanceof new null return super switch this throw true try typeof var
      void while with`),
    // Reserved in strict mode and in modules, and restricted there as bindings.
    ...words("implements interface let package private protected public static yield await arguments eval"),
    // TypeScript keywords and contextual keywords.
    ...words(`abstract accessor any as asserts assert async bigint boolean constructor declare defer from get
      global infer intrinsic is keyof module namespace never number object of out override readonly require
      satisfies set string symbol type undefined unique unknown using`),
    // Global built-ins and TypeScript's global types.
    ...words(`Object Array Promise Error Symbol Map Set WeakMap WeakSet WeakRef Function String Number Boolean
      BigInt Date RegExp JSON Math Reflect Proxy Intl ArrayBuffer SharedArrayBuffer DataView Uint8Array Int8Array
      Float64Array Record Partial Readonly Required Pick Omit Exclude Extract NonNullable ReturnType Parameters
      InstanceType Awaited PromiseLike ArrayLike Iterable Iterator AsyncIterable Generator TypeError RangeError
      SyntaxError ReferenceError EvalError URIError AggregateError undefined NaN Infinity globalThis isNaN isFinite
      parseInt parseFloat console process Buffer setTimeout structuredClone exports`),
    // Every member of Object.prototype.
    ...words(`constructor __proto__ hasOwnProperty isPrototypeOf propertyIsEnumerable toString toLocaleString
      valueOf __defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__`),
    // Members of the generated classes' bases (Client, Implementation) and of functions and promises.
    ...words(
      "on off fire node nodeName path intf call setCallCb then prototype length name caller callee apply bind",
    ),
    ...words("toJSON inspect"),
    // The runtime's names a generated module imports.
    ...words("Node Client Implementation Interface RemoteError RemoteErrorOptions CallContext CallOptions"),
  ]),
];

/** Where a word can be used, and the smallest interface that uses it so. */
const ROLES = {
  field: (w: string) => `types:\n  - name: T\n    fields:\n      - { name: ${q(w)}, type: string }\n`,
  inArg: (w: string) => `methods:\n  - name: m\n    inArgs:\n      - { name: ${q(w)}, type: string }\n`,
  outArg: (w: string) => `methods:\n  - name: m\n    outArgs:\n      - { name: ${q(w)}, type: string }\n`,
  eventArg: (w: string) => `events:\n  - name: e\n    args:\n      - { name: ${q(w)}, type: string }\n`,
  method: (w: string) => `methods:\n  - name: ${q(w)}\n`,
  event: (w: string) => `events:\n  - name: ${q(w)}\n`,
  struct: (w: string) =>
    `types:\n  - name: ${q(w)}\n    fields:\n      - { name: x, type: string }\n` +
    `methods:\n  - name: m\n    inArgs:\n      - { name: t, type: ${q(`${w}[]`)} }\n`,
  enum: (w: string) =>
    `types:\n  - name: ${q(w)}\n    enum: [a]\n` +
    `methods:\n  - name: m\n    inArgs:\n      - { name: t, type: ${q(`map<${w}>`)} }\n`,
  enumValue: (w: string) => `types:\n  - name: E\n    enum: [${q(w)}]\n`,
  error: (w: string) => `errors:\n  - { name: ${q(w)} }\nmethods:\n  - name: m\n    errors: [${q(w)}]\n`,
} as const;
type Role = keyof typeof ROLES;

function q(text: string): string {
  return JSON.stringify(text);
}

/** Compiles each word in each role alone: the accepted words by role, and every refusal printed. */
function classify(): { accepted: Record<Role, string[]>; refusals: string[]; problems: string[] } {
  const accepted = Object.fromEntries(Object.keys(ROLES).map((r) => [r, [] as string[]])) as Record<
    Role,
    string[]
  >;
  const refusals: string[] = [];
  const problems: string[] = [];
  for (const [role, make] of Object.entries(ROLES) as [Role, (w: string) => string][]) {
    for (const word of WORDS) {
      const text = `name: com.example.Words\n${make(word)}`;
      const { diagnostics } = analyze([{ path: "words.yaml", text }]);
      const errors = diagnostics.filter((d) => d.severity === "error");
      if (errors.length === 0) {
        accepted[role].push(word);
        continue;
      }
      for (const d of errors) {
        const printed = formatDiagnostic(d);
        refusals.push(`${role} ${word}: ${printed}`);
        // Each refusal points into the file, names the word, and says what to do instead.
        const line = text.split("\n")[d.line - 1] ?? "";
        if (!/^words\.yaml:\d+:\d+: error: /.test(printed)) problems.push(`no position: ${printed}`);
        if (!line.slice(d.col - 1).startsWith(word))
          problems.push(`${role} ${word}: not at the word: ${printed}`);
        if (!d.message.includes(`'${word}'`)) problems.push(`${role} ${word}: does not name it: ${printed}`);
        if (!/; (rename|use|choose)\b/.test(d.message)) problems.push(`${role} ${word}: no hint: ${printed}`);
      }
    }
  }
  return { accepted, refusals, problems };
}

/** The members of one generated interface that uses accepted words. */
interface Plan {
  readonly name: string;
  readonly pascal: string;
  readonly fields: readonly string[];
  readonly inArgs: readonly string[];
  readonly outArgs: readonly string[];
  readonly eventArgs: readonly string[];
  readonly methods: readonly string[];
  readonly events: readonly string[];
  readonly structs: readonly string[];
  readonly enums: readonly string[];
  readonly values: readonly string[];
  readonly errors: readonly string[];
}

/** Field types, in turn: every kind of type, so that user types named like globals meet what the code prints. */
const FIELD_TYPES = [
  "string",
  "int",
  "float?",
  "bytes",
  "any",
  "string[]",
  "map<int>",
  "bool",
  "WordsValues",
  "int?[]",
];

function fieldValue(type: string, i: number): string {
  switch (type) {
    case "string":
      return q(`s${i}`);
    case "int":
      return String(i);
    case "float?":
      return String(i + 0.5);
    case "bytes":
      return `new Uint8Array([${i % 256}, 255])`;
    case "any":
      return `{ nested: [${i}, "x", null] }`;
    case "string[]":
      return `["a", "b${i}"]`;
    case "map<int>":
      return `{ k: ${i} }`;
    case "bool":
      return i % 2 === 0 ? "true" : "false";
    case "WordsValues":
      return '"a"';
    default:
      return `[${i}, null]`;
  }
}

/**
 * Splits the accepted words into interfaces: methods, events and errors whose generated names (PascalCase) would
 * clash with an earlier word's (`string` and `String` both make `WordsStringIn`) go to the next interface.
 */
function plans(accepted: Record<Role, string[]>): Plan[] {
  const seats = (list: readonly string[]): string[][] => {
    const out: string[][] = [];
    for (const w of list) {
      let k = 0;
      while (out[k]?.some((v) => pascalCase(v) === pascalCase(w))) k++;
      (out[k] ??= []).push(w);
    }
    return out;
  };
  const methods = seats(accepted.method);
  const events = seats(accepted.event);
  const errors = seats(accepted.error);
  const count = Math.max(methods.length, events.length, errors.length, 1);
  // Type names are used as written, and two words never differ only in case in one role, so all go first.
  const structs = accepted.struct.filter((_, i) => i % 2 === 0);
  const enums = accepted.enum.filter((w) => !structs.includes(w));
  return Array.from({ length: count }, (_, k) => ({
    name: k === 0 ? "com.example.Words" : `com.example.Words${k + 1}`,
    pascal: k === 0 ? "Words" : `Words${k + 1}`,
    fields: k === 0 ? accepted.field : [],
    inArgs: k === 0 ? accepted.inArg : [],
    outArgs: k === 0 ? accepted.outArg : [],
    eventArgs: k === 0 ? accepted.eventArg : [],
    methods: methods[k] ?? [],
    events: events[k] ?? [],
    structs: k === 0 ? structs : [],
    enums: k === 0 ? enums : [],
    values: k === 0 ? accepted.enumValue : [],
    errors: errors[k] ?? [],
  }));
}

function interfaceYaml(p: Plan): string {
  const lines = [`name: ${p.name}`, "description: Every name that may travel.", "types:"];
  lines.push(`  - name: ${p.pascal}Values`, `    enum: [a, ${p.values.map(q).join(", ")}]`);
  lines.push(`  - name: ${p.pascal}Fields`, "    fields:", "      - { name: zz_id, type: int }");
  p.fields.forEach((w, i) =>
    lines.push(`      - { name: ${q(w)}, type: ${q(FIELD_TYPES[i % FIELD_TYPES.length] as string)} }`),
  );
  for (const w of p.structs)
    lines.push(`  - name: ${q(w)}`, "    fields:", "      - { name: v, type: string }");
  for (const w of p.enums) lines.push(`  - name: ${q(w)}`, "    enum: [a, b]");
  lines.push("errors:", "  - { name: zz_none }");
  for (const w of p.errors) lines.push(`  - { name: ${q(w)}, description: ${q(`Error ${w}.`)} }`);
  lines.push("events:", "  - name: allArgs", "    args:", "      - { name: zz_id, type: int }");
  for (const w of p.eventArgs) lines.push(`      - { name: ${q(w)}, type: string }`);
  for (const w of p.events) lines.push(`  - name: ${q(w)}`, "    args:", "      - { name: n, type: string }");
  lines.push("methods:");
  for (const w of p.methods) {
    lines.push(`  - name: ${q(w)}`, "    inArgs:", "      - { name: a, type: string }");
    lines.push("    outArgs:", "      - { name: a, type: string }");
  }
  lines.push("  - name: echoFields", "    inArgs:", `      - { name: value, type: ${p.pascal}Fields }`);
  lines.push("    outArgs:", `      - { name: value, type: ${p.pascal}Fields }`);
  lines.push("  - name: echoArgs", "    inArgs:", "      - { name: zz_id, type: int }");
  for (const w of p.inArgs) lines.push(`      - { name: ${q(w)}, type: string }`);
  lines.push("    outArgs:", "      - { name: zz_id, type: int }");
  for (const w of p.outArgs) lines.push(`      - { name: ${q(w)}, type: string }`);
  lines.push("  - name: echoTypes", "    inArgs:", "      - { name: zz_id, type: int }");
  [...p.structs, ...p.enums].forEach((w, i) => lines.push(`      - { name: t${i}, type: ${q(`${w}?`)} }`));
  lines.push("    outArgs:", "      - { name: zz_id, type: int }");
  [...p.structs, ...p.enums].forEach((w, i) => lines.push(`      - { name: t${i}, type: ${q(`${w}[]`)} }`));
  lines.push("  - name: echoValues", "    inArgs:", `      - { name: values, type: "${p.pascal}Values[]" }`);
  lines.push("    outArgs:", `      - { name: values, type: "${p.pascal}Values[]" }`);
  lines.push("  - name: fireAll", "  - name: raise", "    inArgs:", "      - { name: which, type: string }");
  lines.push(`    errors: [zz_none, ${p.errors.map(q).join(", ")}]`);
  return lines.join("\n") + "\n";
}

/** The server side, typed: a class per interface that implements every method. */
function serverTs(all: readonly Plan[]): string {
  const out = ["// User code of the server: implements every generated server skeleton."];
  for (const p of all) out.push(`import * as ${p.pascal} from "./gen/${p.name}.js";`);
  for (const p of all) {
    const m = p.pascal;
    out.push(`export class ${m}Impl extends ${m}.${m}Server {`);
    for (const w of p.methods) {
      out.push(`  override ${w}(args: ${m}.${m}${pascalCase(w)}In): ${m}.${m}${pascalCase(w)}Out {`);
      out.push(`    return { a: args.a + ":" + ${q(w)} };`, "  }");
    }
    out.push(`  override echoFields(args: ${m}.${m}EchoFieldsIn): ${m}.${m}EchoFieldsOut {`);
    out.push("    return { value: args.value };", "  }");
    out.push(`  override echoArgs(args: ${m}.${m}EchoArgsIn): ${m}.${m}EchoArgsOut {`);
    out.push("    return {", "      zz_id: args.zz_id,");
    for (const w of p.outArgs) out.push(`      ${w}: ${p.inArgs.includes(w) ? `args.${w}` : q(`out ${w}`)},`);
    out.push("    };", "  }");
    const types = [...p.structs, ...p.enums];
    out.push(`  override echoTypes(args: ${m}.${m}EchoTypesIn): ${m}.${m}EchoTypesOut {`);
    out.push("    return {", "      zz_id: args.zz_id,");
    types.forEach((_, i) => out.push(`      t${i}: args.t${i} === undefined ? [] : [args.t${i}],`));
    out.push("    };", "  }");
    out.push(`  override echoValues(args: ${m}.${m}EchoValuesIn): ${m}.${m}EchoValuesOut {`);
    out.push("    return { values: args.values };", "  }");
    out.push("  override fireAll(): void {");
    out.push(
      `    this.fire("allArgs", { zz_id: 1${p.eventArgs.map((w) => `, ${w}: ${q(`arg ${w}`)}`).join("")} });`,
    );
    for (const w of p.events) out.push(`    this.fire(${q(w)}, { n: ${q(`event ${w}`)} });`);
    out.push("  }");
    out.push(`  override raise(args: ${m}.${m}RaiseIn): void {`, "    switch (args.which) {");
    for (const w of p.errors)
      out.push(`      case ${q(w)}:`, `        throw new ${m}.${m}${pascalCase(w)}Error();`);
    out.push("    }", `    throw new ${m}.${m}ZzNoneError();`, "  }", "}");
  }
  return out.join("\n") + "\n";
}

/** The client side, typed: calls everything and reports what came back, keyed by what was tried. */
function clientTs(all: readonly Plan[]): string {
  const out = [
    "// User code of the client: calls every method, subscribes to every event.",
    `import type { Node } from ${q(runtimePath)};`,
    ...all.map((p) => `import * as ${p.pascal} from "./gen/${p.name}.js";`),
    "",
    "export async function run(node: Node, nodeName: string): Promise<Map<string, unknown>> {",
    "  const got = new Map<string, unknown>();",
    "  const events = new Map<string, unknown>();",
    "  let expected = 0;",
  ];
  for (const p of all) {
    const m = p.pascal;
    const c = `c${m}`;
    out.push(`  const ${c} = new ${m}.${m}Client(node, nodeName, "/${p.name}");`);
    out.push(`  const subs${m} = [`);
    out.push(`    ${c}.on("allArgs", (args) => events.set(${q(`${m} allArgs`)}, args)),`);
    for (const w of p.events)
      out.push(`    ${c}.on(${q(w)}, (args) => events.set(${q(`${m} ${w}`)}, args.n)),`);
    out.push("  ];", `  expected += subs${m}.length;`, "  {");
    for (const w of p.methods)
      out.push(`  got.set(${q(`${m} method ${w}`)}, (await ${c}.${w}({ a: ${q(w)} })).a);`);
    out.push(`  const fields: ${m}.${m}Fields = {`, "    zz_id: 7,");
    p.fields.forEach((w, i) =>
      out.push(`    ${w}: ${fieldValue(FIELD_TYPES[i % FIELD_TYPES.length] as string, i)},`),
    );
    out.push("  };");
    out.push(`  got.set(${q(`${m} fields`)}, [fields, (await ${c}.echoFields({ value: fields })).value]);`);
    out.push(`  const args: ${m}.${m}EchoArgsIn = {`, "    zz_id: 8,");
    for (const w of p.inArgs) out.push(`    ${w}: ${q(`in ${w}`)},`);
    out.push("  };", `  got.set(${q(`${m} args`)}, await ${c}.echoArgs(args));`);
    const types = [...p.structs, ...p.enums];
    out.push(`  const types: ${m}.${m}EchoTypesIn = {`, "    zz_id: 9,");
    types.forEach((w, i) => out.push(`    t${i}: ${p.structs.includes(w) ? `{ v: ${q(w)} }` : '"b"'},`));
    out.push("  };", `  got.set(${q(`${m} types`)}, await ${c}.echoTypes(types));`);
    out.push(`  const values: ${m}.${m}Values[] = ["a", ${p.values.map(q).join(", ")}];`);
    out.push(`  got.set(${q(`${m} values`)}, (await ${c}.echoValues({ values })).values);`);
    for (const w of p.errors) {
      const cls = `${m}.${m}${pascalCase(w)}Error`;
      out.push(`  got.set(${q(`${m} error ${w}`)}, await ${c}.raise({ which: ${q(w)} }).then(`);
      out.push('    () => "no error",');
      out.push(`    (e: unknown) => e instanceof ${cls} && e.code === ${cls}.code,`);
      out.push("  ));");
    }
    out.push(`  await ${c}.fireAll();`, "  }");
  }
  out.push(
    "  for (let i = 0; i < 500 && events.size < expected; i++) await new Promise((r) => setTimeout(r, 10));",
    "  for (const [key, value] of events) got.set(`event ${key}`, value);",
    ...all.map((p) => `  for (const s of subs${p.pascal}) s.off();`),
    "  return got;",
    "}",
  );
  return out.join("\n") + "\n";
}

const SERVER_JS = (all: readonly Plan[]): string => `
const { Node } = require(${q(runtimePath)});
const impl = require("./server.js");
(async () => {
  const node = new Node("words", { logger: { warn() {} } });
${all.map((p) => `  node.register("/${p.name}", new impl.${p.pascal}Impl());`).join("\n")}
  const { port } = await node.listen({ port: 0 });
  process.stdout.write("READY " + port + "\\n");
  process.on("SIGTERM", () => node.close().then(() => process.exit(0)));
})();
`;

/** Type-checks `files` as the project does (strict, exactOptionalPropertyTypes, noUnused*, noImplicitOverride). */
function typeCheck(files: readonly string[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    typeRoots: [path.join(root, "node_modules/@types")],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    useUnknownInCatchVariables: true,
    isolatedModules: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const program = ts.createProgram([...files], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const text = d.file.text.split("\n")[line]?.trim() ?? "";
    return `${path.basename(d.file.fileName)}:${line + 1}: ${message} (in: ${text})`;
  });
}

function transpile(file: string): void {
  const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  fs.writeFileSync(file.replace(/\.ts$/, ".js"), outputText);
}

describe("reserved and built-in words as names", () => {
  const { accepted, refusals, problems } = classify();
  const all = plans(accepted);
  let dir: string;
  let server: Child | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-words-"));
  });

  afterAll(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a word only with a positioned diagnostic that names it and says what to do instead", () => {
    expect(problems).toEqual([]);
    expect(refusals.length).toBeGreaterThan(0);
  });

  it("accepts every word as a field, an argument and an enum value, except the keys the wire refuses", () => {
    const refused = (role: Role): string[] => WORDS.filter((w) => !accepted[role].includes(w));
    const wire = WORDS.filter((w) => ["__proto__", "constructor", "prototype"].includes(w));
    for (const role of ["field", "inArg", "outArg", "eventArg"] as const) expect(refused(role)).toEqual(wire);
    expect(refused("enumValue")).toEqual([]);
    expect(refused("event")).toEqual(wire);
    expect(refused("error")).toEqual(wire);
  });

  it("refuses a method only where it would override a member, a type only where TypeScript cannot", () => {
    const refused = (role: Role): string[] => WORDS.filter((w) => !accepted[role].includes(w)).sort();
    expect(refused("method")).toEqual(
      words(`constructor __proto__ prototype hasOwnProperty isPrototypeOf propertyIsEnumerable toString
        toLocaleString valueOf __defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__ on off fire
        node nodeName path intf call setCallCb then`).sort(),
    );
    const types = words(`break case catch class const continue debugger default delete do else enum export
      extends false finally for function if import in instanceof new null return super switch this throw true
      try typeof var void while with implements interface let package private protected public static yield await
      any bigint boolean never number object string symbol undefined unknown keyof readonly infer unique
      constructor __proto__ prototype hasOwnProperty isPrototypeOf propertyIsEnumerable toString toLocaleString
      valueOf __defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__ Promise Record Uint8Array`).sort();
    expect(refused("struct")).toEqual(types);
    expect(refused("enum")).toEqual(types);
    // What stays: every other keyword and built-in, and the runtime's own names (imported under an alias).
    for (const w of ["static", "get", "delete", "class", "new", "Object", "String", "length", "name"]) {
      expect(accepted.method).toContain(w);
    }
    for (const w of [
      "Object",
      "Array",
      "Map",
      "Error",
      "Symbol",
      "globalThis",
      "NaN",
      "arguments",
      "Node",
      "Client",
    ]) {
      expect(accepted.struct).toContain(w);
    }
  });

  it("generates code that type-checks strictly and round-trips across two processes", async () => {
    const yaml = all.map(interfaceYaml).join("---\n");
    const result = compileSources([{ path: "interfaces/words.yaml", text: yaml }], {
      inputs: ["interfaces"],
      out: "gen",
      cwd: dir,
      runtimeImport: runtimePath,
    });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    fs.mkdirSync(path.join(dir, "gen"));
    for (const f of result.files) fs.writeFileSync(f.path, f.content);
    fs.writeFileSync(path.join(dir, "server.ts"), serverTs(all));
    fs.writeFileSync(path.join(dir, "client.ts"), clientTs(all));
    const tsFiles = [
      ...result.files.map((f) => f.path),
      path.join(dir, "server.ts"),
      path.join(dir, "client.ts"),
    ];
    expect(typeCheck(tsFiles)).toEqual([]);
    for (const f of tsFiles) transpile(f);
    fs.writeFileSync(path.join(dir, "server-main.js"), SERVER_JS(all));
    server = await startFixture(path.join(dir, "server-main.js"), []);

    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Node } = require(runtimePath) as typeof Runtime;
    const client = require(path.join(dir, "client.js")) as {
      run(node: unknown, nodeName: string): Promise<Map<string, unknown>>;
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const node = new Node("client", { logger: { warn: () => undefined } });
    try {
      node.connect({ port: server.port });
      await node.waitFor("words", { path: `/${all[0]?.name ?? ""}`, intf: all[0]?.name ?? "" });
      const got = await client.run(node, "words");
      const expected = new Map<string, unknown>();
      for (const p of all) {
        const m = p.pascal;
        for (const w of p.methods) expected.set(`${m} method ${w}`, `${w}:${w}`);
        const fields = (got.get(`${m} fields`) as [unknown, unknown] | undefined)?.[0];
        expected.set(`${m} fields`, [fields, fields]);
        expected.set(
          `${m} args`,
          Object.fromEntries([
            ["zz_id", 8],
            ...p.outArgs.map((w) => [w, p.inArgs.includes(w) ? `in ${w}` : `out ${w}`]),
          ]),
        );
        const types = [...p.structs, ...p.enums];
        expected.set(
          `${m} types`,
          Object.fromEntries([
            ["zz_id", 9],
            ...types.map((w, i) => [`t${i}`, [p.structs.includes(w) ? { v: w } : "b"]]),
          ]),
        );
        expected.set(`${m} values`, ["a", ...p.values]);
        for (const w of p.errors) expected.set(`${m} error ${w}`, true);
        expected.set(
          `event ${m} allArgs`,
          Object.fromEntries([["zz_id", 1], ...p.eventArgs.map((w) => [w, `arg ${w}`])]),
        );
        for (const w of p.events) expected.set(`event ${m} ${w}`, `event ${w}`);
      }
      // Sorted by key: values with a `toString` or `valueOf` field cannot be converted to strings.
      const byKey = (m: Map<string, unknown>): [string, unknown][] =>
        [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      expect(byKey(got)).toEqual(byKey(expected));
      // The echoed fields came back whole: every word, with bytes as bytes.
      const [sent, echoed] = got.get("Words fields") as [Record<string, unknown>, Record<string, unknown>];
      expect(Object.keys(echoed).sort()).toEqual(Object.keys(sent).sort());
      expect(Object.keys(sent)).toHaveLength(accepted.field.length + 1);
    } finally {
      await node.close();
    }
  }, 120_000);
});
