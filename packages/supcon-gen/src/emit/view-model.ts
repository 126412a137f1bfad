/**
 * The view model: exactly what the templates print, with every identifier, type and comment line computed here
 * (templates only loop and branch). Built from the model; knows TypeScript, but not YAML.
 */
import type { TypeExpr } from "supcon/schema";
import { formatTypeExpr } from "supcon/schema";
import { typeRefs } from "../model/build-model.js";
import type {
  ModelArg,
  ModelError,
  ModelEvent,
  ModelInterface,
  ModelMethod,
  ModelNamedType,
  ModelType,
} from "../model/model.js";
import { compareStrings } from "../paths.js";
import { inputsLabel, tsHeader } from "./header.js";

/** One import declaration. */
export interface ImportView {
  readonly keyword: "import" | "import type";
  readonly names: readonly string[];
  readonly from: string;
}

/** An argument or field in the descriptor (normal form: explicit canonical type, `?` for optional). */
export interface DescriptorArgView {
  readonly name: string;
  readonly type: string;
  readonly description: string | null;
}

/** A named type in the descriptor: `fields` for a struct, `values` for an enum. */
export interface DescriptorTypeView {
  readonly name: string;
  readonly description: string | null;
  readonly isEnum: boolean;
  readonly fields: readonly DescriptorArgView[];
  readonly values: readonly string[];
}

/** A declared error in the descriptor. */
export interface DescriptorErrorView {
  readonly name: string;
  readonly description: string | null;
}

/** An event in the descriptor. */
export interface DescriptorEventView {
  readonly name: string;
  readonly description: string | null;
  readonly args: readonly DescriptorArgView[];
}

/** A method in the descriptor. */
export interface DescriptorMethodView {
  readonly name: string;
  readonly description: string | null;
  readonly inArgs: readonly DescriptorArgView[];
  readonly outArgs: readonly DescriptorArgView[];
  readonly errors: readonly string[];
}

/** The `new Interface({...})` literal. */
export interface DescriptorView {
  readonly constName: string;
  readonly doc: readonly string[];
  readonly name: string;
  readonly description: string | null;
  readonly types: readonly DescriptorTypeView[];
  readonly errors: readonly DescriptorErrorView[];
  readonly events: readonly DescriptorEventView[];
  readonly methods: readonly DescriptorMethodView[];
}

/** A property of a generated interface type. */
export interface FieldView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly optional: boolean;
  readonly type: string;
}

/**
 * A generated type declaration: an enum (`union`), an interface (`fields`), or, without fields, an empty record.
 */
export interface TypeDeclView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly isEnum: boolean;
  readonly union: string;
  readonly fields: readonly FieldView[];
}

/** The `TimerEvents` map. */
export interface EventsMapView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly fields: readonly FieldView[];
}

/** The class of a declared error. */
export interface ErrorClassView {
  readonly className: string;
  readonly doc: readonly string[];
  readonly code: string;
  readonly message: string;
}

/** A method of the client: its parameters, the args it passes on and what it resolves to. */
export interface ClientMethodView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly params: string;
  readonly argsExpr: string;
  readonly resultType: string;
}

/** The client class. */
export interface ClientView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly base: string;
  readonly superArgs: readonly string[];
  readonly methods: readonly ClientMethodView[];
}

/** An abstract method of the server skeleton. */
export interface ServerMethodView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly inType: string;
  readonly outType: string;
}

/** The server skeleton class. */
export interface ServerView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly base: string;
  readonly descriptorName: string;
  readonly methods: readonly ServerMethodView[];
}

/** Everything `interface.ts.hbs` prints. */
export interface ModuleView {
  readonly header: string;
  readonly imports: readonly ImportView[];
  readonly descriptor: DescriptorView;
  readonly types: readonly TypeDeclView[];
  readonly argTypes: readonly TypeDeclView[];
  readonly eventTypes: readonly TypeDeclView[];
  readonly eventsMap: EventsMapView | null;
  readonly errors: readonly ErrorClassView[];
  readonly client: ClientView;
  readonly server: ServerView;
}

/** Everything `index.ts.hbs` prints. */
export interface IndexView {
  readonly header: string;
  /** Module specifiers to re-export, sorted by interface name. */
  readonly modules: readonly string[];
}

/** Options of the view models. */
export interface ViewOptions {
  /** The module generated code imports the runtime from (`supcon`, or a relative path inside this repo). */
  readonly runtimeImport: string;
}

const EMPTY_ARGS = "Record<string, never>";

/** The view of the module of `intf`. */
export function moduleView(intf: ModelInterface, options: ViewOptions): ModuleView {
  const hasEvents = intf.eventsName !== null;
  return {
    header: tsHeader(intf.source),
    imports: imports(intf, options.runtimeImport),
    descriptor: descriptorView(intf),
    types: intf.types.map((t) => namedTypeDecl(t)),
    argTypes: intf.methods.flatMap((m) => methodTypeDecls(m)),
    eventTypes: intf.events.map((e) => eventTypeDecl(e)),
    eventsMap:
      intf.eventsName === null
        ? null
        : {
            name: intf.eventsName,
            doc: [`Events of \`${intf.name}\`: the args type of each event, by event name.`],
            fields: intf.events.map((e) => ({
              name: e.name,
              doc: docLines(e.description),
              optional: false,
              type: e.typeName,
            })),
          },
    errors: intf.errors.map((e) => errorClass(e)),
    client: {
      name: intf.clientName,
      doc: docLines(`Client of \`${intf.name}\`${intf.description === null ? "." : `: ${intf.description}`}`),
      base: hasEvents ? `Client<${intf.eventsName}>` : "Client",
      superArgs: [
        "node",
        "nodeName",
        "path",
        intf.descriptorName,
        ...(intf.errors.length > 0 ? [`[${intf.errors.map((e) => e.className).join(", ")}]`] : []),
      ],
      methods: intf.methods.map((m) => ({
        name: m.name,
        doc: methodDoc(m),
        params:
          m.inTypeName === null ? "options?: CallOptions" : `args: ${m.inTypeName}, options?: CallOptions`,
        argsExpr: m.inTypeName === null ? "undefined" : "args",
        resultType: m.outTypeName ?? "void",
      })),
    },
    server: {
      name: intf.serverName,
      doc: [
        `Server skeleton of \`${intf.name}\`: extend it, implement each method, register with`,
        "`node.register(path, impl)`.",
        ...(intf.description === null ? [] : ["", ...docLines(intf.description)]),
      ],
      base: hasEvents ? `Implementation<${intf.eventsName}>` : "Implementation",
      descriptorName: intf.descriptorName,
      methods: intf.methods.map((m) => ({
        name: m.name,
        doc: methodDoc(m),
        inType: m.inTypeName ?? EMPTY_ARGS,
        outType: m.outTypeName ?? "void",
      })),
    },
  };
}

/** The view of `index.ts`. */
export function indexView(interfaces: readonly ModelInterface[], inputs: readonly string[]): IndexView {
  return {
    header: tsHeader(inputsLabel(inputs)),
    modules: interfaces.map((i) => `./${i.moduleName}.js`),
  };
}

// ---- imports ----------------------------------------------------------------------------------------------

function imports(intf: ModelInterface, runtime: string): ImportView[] {
  const hasMethods = intf.methods.length > 0;
  const hasErrors = intf.errors.length > 0;
  const runtimeTypes = [
    ...(hasMethods ? ["CallContext", "CallOptions"] : []),
    "Node",
    ...(hasErrors ? ["RemoteErrorOptions"] : []),
  ];
  const runtimeValues = ["Client", "Implementation", "Interface", ...(hasErrors ? ["RemoteError"] : [])];
  const out: ImportView[] = [
    { keyword: "import type", names: sorted(runtimeTypes), from: runtime },
    { keyword: "import", names: sorted(runtimeValues), from: runtime },
  ];
  // Only types the TypeScript declarations of this module name; the descriptor refers to the rest by string.
  const used = new Map<string, Set<string>>();
  const args = [
    ...intf.types.flatMap((t) => (t.kind === "struct" ? t.fields : [])),
    ...intf.events.flatMap((e) => e.args),
    ...intf.methods.flatMap((m) => [...m.inArgs, ...m.outArgs]),
  ];
  for (const arg of args) {
    for (const ref of typeRefs(arg.type)) {
      if (ref.intf === intf.name) continue;
      const names = used.get(ref.intf) ?? new Set<string>();
      names.add(ref.name);
      used.set(ref.intf, names);
    }
  }
  const foreign = [...used.entries()]
    .map(([module, names]): ImportView => ({
      keyword: "import type",
      names: sorted(names),
      from: `./${module}.js`,
    }))
    .sort((a, b) => compareStrings(a.from, b.from));
  return [...out, ...foreign];
}

function sorted(names: Iterable<string>): string[] {
  return [...names].sort(compareStrings);
}

// ---- descriptor -------------------------------------------------------------------------------------------

function descriptorView(intf: ModelInterface): DescriptorView {
  const arg = (a: ModelArg): DescriptorArgView => ({
    name: a.name,
    type: descriptorType(a.type, intf.name) + (a.optional ? "?" : ""),
    description: a.description,
  });
  const type = (t: ModelNamedType, name: string): DescriptorTypeView => ({
    name,
    description: t.description,
    isEnum: t.kind === "enum",
    fields: t.kind === "struct" ? t.fields.map(arg) : [],
    values: t.kind === "enum" ? t.values : [],
  });
  return {
    constName: intf.descriptorName,
    doc: docLines(intf.description ?? `Descriptor of \`${intf.name}\`.`),
    name: intf.name,
    description: intf.description,
    types: [
      ...intf.types.map((t) => type(t, t.name)),
      ...intf.foreignTypes.map((t) => type(t, t.qualifiedName)),
    ],
    errors: intf.errors.map((e) => ({ name: e.name, description: e.description })),
    events: intf.events.map((e) => ({ name: e.name, description: e.description, args: e.args.map(arg) })),
    methods: intf.methods.map((m) => ({
      name: m.name,
      description: m.description,
      inArgs: m.inArgs.map(arg),
      outArgs: m.outArgs.map(arg),
      errors: m.errors.map((e) => e.name),
    })),
  };
}

/**
 * The canonical type expression of `type` as the descriptor of interface `self` writes it: types of `self` by
 * their bare name, types of other interfaces by their qualified name (the name of their embedded copy).
 */
export function descriptorType(type: ModelType, self: string): string {
  const toExpr = (t: ModelType): TypeExpr => {
    switch (t.kind) {
      case "primitive":
        return t;
      case "named":
        return {
          kind: "named",
          name: t.ref.intf === self ? t.ref.name : `${t.ref.intf}.${t.ref.name}`,
          offset: 0,
        };
      case "array":
        return { kind: "array", element: toExpr(t.element) };
      case "map":
        return { kind: "map", value: toExpr(t.value) };
      case "optional":
        return { kind: "optional", inner: toExpr(t.inner) };
    }
  };
  return formatTypeExpr(toExpr(type));
}

// ---- TypeScript types -------------------------------------------------------------------------------------

const PRIMITIVE_TS: Readonly<Record<string, string>> = {
  string: "string",
  float: "number",
  int: "number",
  bool: "boolean",
  bytes: "Uint8Array",
  any: "unknown",
};

/** The TypeScript type of a model type. A `?` inside an array or map means the element may be `null`. */
export function tsType(type: ModelType): string {
  switch (type.kind) {
    case "primitive":
      return PRIMITIVE_TS[type.name] ?? "unknown";
    case "named":
      return type.ref.name;
    case "array":
      return type.element.kind === "optional" ? `(${tsType(type.element)})[]` : `${tsType(type.element)}[]`;
    case "map":
      return `Record<string, ${tsType(type.value)}>`;
    case "optional":
      return `${tsType(type.inner)} | null`;
  }
}

function fieldView(arg: ModelArg): FieldView {
  return { name: arg.name, doc: docLines(arg.description), optional: arg.optional, type: tsType(arg.type) };
}

function namedTypeDecl(t: ModelNamedType): TypeDeclView {
  return {
    name: t.name,
    doc: docLines(t.description),
    isEnum: t.kind === "enum",
    union: t.kind === "enum" ? t.values.map((v) => JSON.stringify(v)).join(" | ") : "",
    fields: t.kind === "struct" ? t.fields.map(fieldView) : [],
  };
}

function methodTypeDecls(m: ModelMethod): TypeDeclView[] {
  const out: TypeDeclView[] = [];
  if (m.inTypeName !== null) {
    out.push({
      name: m.inTypeName,
      doc: [`In-args of method \`${m.name}\`.`],
      isEnum: false,
      union: "",
      fields: m.inArgs.map(fieldView),
    });
  }
  if (m.outTypeName !== null) {
    out.push({
      name: m.outTypeName,
      doc: [`Out-args of method \`${m.name}\`.`],
      isEnum: false,
      union: "",
      fields: m.outArgs.map(fieldView),
    });
  }
  return out;
}

function eventTypeDecl(e: ModelEvent): TypeDeclView {
  return {
    name: e.typeName,
    doc: docLines(`Args of event \`${e.name}\`${e.description === null ? "." : `: ${e.description}`}`),
    isEnum: false,
    union: "",
    fields: e.args.map(fieldView),
  };
}

function errorClass(e: ModelError): ErrorClassView {
  return {
    className: e.className,
    doc: docLines(e.description ?? `The declared error \`${e.code}\`.`),
    code: e.code,
    message: e.description ?? e.name,
  };
}

function methodDoc(m: ModelMethod): string[] {
  const throws = m.errors.map(
    (e) => `@throws {@link ${e.className}}${e.description === null ? "" : ` ${oneLine(e.description)}`}`,
  );
  const description = docLines(m.description);
  return description.length > 0 && throws.length > 0
    ? [...description, "", ...throws]
    : [...description, ...throws];
}

/** The lines of a TSDoc comment for a description (none for no description). */
export function docLines(description: string | null): string[] {
  if (description === null) return [];
  return description.split(/\r?\n/).map((line) => line.trimEnd());
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ");
}
