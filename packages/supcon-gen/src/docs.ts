/**
 * Markdown reference pages: one per interface (methods with argument tables, events, types, errors and every
 * description) plus `index.md`, rendered with the Handlebars templates of `templates/docs/`. Every use of a named
 * type links to its definition, on the same page or on the page of the interface that declares it.
 */
import type { ModelArg, ModelInterface, Model } from "./model/model.js";
import { typeRefs } from "./model/model.js";
import { markdownHeader, inputsLabel } from "./emit/header.js";
import type { Render } from "./emit/render.js";
import { descriptorType } from "./emit/view-model.js";

/** A row of an arguments or fields table. */
export interface ArgRowView {
  readonly name: string;
  /** Markdown: the type in code, a link to the definition of the named type it uses (if it uses one). */
  readonly type: string;
  readonly description: string;
}

/** A method on an interface's page. */
export interface DocsMethodView {
  readonly name: string;
  readonly description: string | null;
  readonly inArgs: readonly ArgRowView[];
  readonly outArgs: readonly ArgRowView[];
  readonly errors: readonly string[];
}

/** An event on an interface's page. */
export interface DocsEventView {
  readonly name: string;
  readonly description: string | null;
  readonly args: readonly ArgRowView[];
}

/** A named type on an interface's page. */
export interface DocsTypeView {
  readonly name: string;
  /** The id of its heading, which uses of the type link to (`type-TimerInfo`). */
  readonly anchor: string;
  readonly description: string | null;
  readonly isEnum: boolean;
  readonly fields: readonly ArgRowView[];
  readonly values: string;
}

/** A declared error on an interface's page. */
export interface DocsErrorView {
  readonly name: string;
  readonly code: string;
  readonly className: string;
  readonly description: string;
}

/** Everything `docs/interface.md.hbs` prints. */
export interface DocsInterfaceView {
  readonly header: string;
  readonly name: string;
  readonly description: string | null;
  readonly module: string;
  readonly clientName: string;
  readonly serverName: string;
  readonly createServerName: string;
  readonly descriptorName: string;
  readonly methods: readonly DocsMethodView[];
  readonly events: readonly DocsEventView[];
  readonly types: readonly DocsTypeView[];
  readonly errors: readonly DocsErrorView[];
}

/** Everything `docs/index.md.hbs` prints. */
export interface DocsIndexView {
  readonly header: string;
  readonly interfaces: readonly { readonly name: string; readonly page: string; readonly summary: string }[];
}

/** The Markdown page of each interface, by file name (`com.example.Timer.md`), and `index.md`. */
export function renderDocs(model: Model, inputs: readonly string[], render: Render): Map<string, string> {
  const pages = new Map<string, string>();
  for (const intf of model.interfaces) {
    pages.set(`${intf.moduleName}.md`, render("docs/interface.md", interfaceDocsView(intf)));
  }
  const index: DocsIndexView = {
    header: markdownHeader(inputsLabel(inputs)),
    interfaces: model.interfaces.map((i) => ({
      name: i.name,
      page: `${i.moduleName}.md`,
      summary: i.description === null ? "" : cell(firstSentence(i.description)),
    })),
  };
  pages.set("index.md", render("docs/index.md", index));
  return pages;
}

/** The view of one interface's page. */
export function interfaceDocsView(intf: ModelInterface): DocsInterfaceView {
  const rows = (args: readonly ModelArg[]): ArgRowView[] =>
    args.map((a) => ({
      name: a.name,
      type: typeCell(a, intf.name),
      description: a.description === null ? "" : cell(a.description),
    }));
  return {
    header: markdownHeader(intf.source),
    name: intf.name,
    description: intf.description,
    module: `${intf.moduleName}.ts`,
    clientName: intf.clientName,
    serverName: intf.serverName,
    createServerName: intf.createServerName,
    descriptorName: intf.descriptorName,
    methods: intf.methods.map((m) => ({
      name: m.name,
      description: m.description,
      inArgs: rows(m.inArgs),
      outArgs: rows(m.outArgs),
      errors: m.errors.map((e) => e.name),
    })),
    events: intf.events.map((e) => ({ name: e.name, description: e.description, args: rows(e.args) })),
    types: intf.types.map((t) => ({
      name: t.name,
      anchor: typeAnchor(t.name),
      description: t.description,
      isEnum: t.kind === "enum",
      fields: t.kind === "struct" ? rows(t.fields) : [],
      values: t.kind === "enum" ? t.values.map((v) => `\`${v}\``).join(", ") : "",
    })),
    errors: intf.errors.map((e) => ({
      name: e.name,
      code: e.code,
      className: e.className,
      description: e.description === null ? "" : cell(e.description),
    })),
  };
}

/**
 * The id of a type's heading. Explicit, not the heading's slug: a method or event of the same name (`status`
 * returning a `Status`) would take the slug first, and the type's would become `status-1`.
 */
function typeAnchor(name: string): string {
  return `type-${name}`;
}

/**
 * The type of an argument or field in its table: the type expression in code, linked to the definition of the named
 * type in it (an expression has at most one): on this page, or on the page of the interface that declares it.
 */
function typeCell(arg: ModelArg, self: string): string {
  const text = `\`${descriptorType(arg.type, self)}${arg.optional ? "?" : ""}\``;
  const ref = typeRefs(arg.type)[0];
  if (ref === undefined) return text;
  const page = ref.intf === self ? "" : `${ref.intf}.md`;
  return `[${text}](${page}#${typeAnchor(ref.name)})`;
}

/** Text fit for one table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").replace(/\|/g, "\\|");
}

function firstSentence(text: string): string {
  const line = text.split(/\r?\n\s*\r?\n/)[0] ?? text;
  return line;
}
