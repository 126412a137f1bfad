/**
 * Renders view models with the Handlebars templates of the package's `templates/` folder (shipped beside `dist/`).
 * Strict (a missing field is an error), without HTML escaping, and with only the helpers listed here. A renderer
 * is made per compilation (`createRender`); it keeps nothing between compilations.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Handlebars from "handlebars";
import { InternalCompilerError } from "../diagnostics.js";

/** The package's `templates/` folder, two levels up from both `src/emit/` and `dist/emit/`. */
export const TEMPLATES_DIR = path.resolve(__dirname, "../../templates");

/** Renders `index.ts.hbs`, `interface.ts.hbs` and the docs templates; `view` is the matching view model. */
export type Render = (template: TemplateName, view: object) => string;

/**
 * The entry templates: one per kind of output file, and the body of an interface's module, printed before the file
 * around it because the file's imports are what the body printed (`imports.ts`).
 */
export type TemplateName =
  "interface.ts" | "interface-body.ts" | "index.ts" | "docs/interface.md" | "docs/index.md";

const TEMPLATE_NAMES: readonly TemplateName[] = [
  "interface.ts",
  "interface-body.ts",
  "index.ts",
  "docs/interface.md",
  "docs/index.md",
];

/**
 * The helpers. Pure, and never computing names or types (the view model has them).
 */
export const helpers = {
  /** A TSDoc comment of the given lines: `/** one *\/`, or a block for several. `*\/` in the text is escaped. */
  tsdoc(lines: readonly string[]): string {
    const safe = lines.map((l) => l.replace(/\*\//g, "*\\/"));
    if (safe.length === 1) return `/** ${safe[0]} */`;
    return ["/**", ...safe.map((l) => (l === "" ? " *" : ` * ${l}`)), " */"].join("\n");
  },
  /** A JavaScript literal: a JSON string, or a one-line array of them (`["a", "b"]`). */
  json(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    const out = JSON.stringify(value);
    if (out === undefined) throw new InternalCompilerError(`json: cannot print ${String(value)}`);
    return out;
  },
  /** The items joined with `, `. */
  join(items: readonly string[]): string {
    return items.join(", ");
  },
} as const;

const COMPILE_OPTIONS = {
  strict: true,
  noEscape: true,
  knownHelpersOnly: true,
  knownHelpers: { tsdoc: true, json: true, join: true },
} as const;

/** The renderer for the templates in `dir` (each compiled by Handlebars on its first use). */
export function createRender(dir: string = TEMPLATES_DIR): Render {
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn as Handlebars.HelperDelegate);
  const partialsDir = path.join(dir, "partials");
  for (const file of fs.readdirSync(partialsDir).sort()) {
    if (!file.endsWith(".hbs")) continue;
    const source = fs.readFileSync(path.join(partialsDir, file), "utf8");
    env.registerPartial(file.slice(0, -".hbs".length), env.compile(source, COMPILE_OPTIONS));
  }
  const templates = new Map<TemplateName, HandlebarsTemplateDelegate>();
  for (const name of TEMPLATE_NAMES) {
    const source = fs.readFileSync(path.join(dir, `${name}.hbs`), "utf8");
    templates.set(name, env.compile(source, COMPILE_OPTIONS));
  }
  const render: Render = (template, view) => {
    const fn = templates.get(template);
    if (fn === undefined) throw new InternalCompilerError(`no template ${template}`);
    return fn(view);
  };
  return render;
}
