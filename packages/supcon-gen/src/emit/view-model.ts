/**
 * The view model: exactly what the templates print, with every identifier, type and comment line computed here
 * (templates only loop and branch). Built from the model; knows TypeScript, but not YAML. Every symbol of another
 * module is printed through `ModuleImports` (`imports.ts`), so the imports are those of the printed code.
 */
import type { TypeExpr } from "supcon/schema";
import { formatTypeExpr } from "supcon/schema";
import type {
  ModelArg,
  ModelError,
  ModelEvent,
  ModelInterface,
  ModelMethod,
  ModelNamedType,
  ModelType,
  TypeRef,
} from "../model/model.js";
import type { IndexEntry } from "../model/names.js";
import { planIndex } from "../model/names.js";
import { inputsLabel, tsHeader } from "./header.js";
import type { ImportView, ModuleImports, ModuleSymbol, Printable } from "./imports.js";
import { code, createModuleImports } from "./imports.js";

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
  /** `Interface` as the constant's type. */
  readonly type: Printable;
  /** `Interface` as the class constructed. */
  readonly constructorName: Printable;
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
  readonly type: Printable;
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
  /** `RemoteError`, the base class. */
  readonly base: Printable;
  /** `RemoteErrorOptions`, the type of the constructor's options. */
  readonly optionsType: Printable;
  readonly code: string;
  readonly message: string;
}

/** A method of the client: its parameters, the args it passes on and what it resolves to. */
export interface ClientMethodView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly params: Printable;
  readonly argsExpr: string;
  readonly resultType: string;
}

/** The client class. */
export interface ClientView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly base: Printable;
  /** `Node`, the type of the constructor's first parameter. */
  readonly nodeType: Printable;
  readonly superArgs: readonly string[];
  readonly methods: readonly ClientMethodView[];
}

/** An abstract method of the server skeleton. */
export interface ServerMethodView {
  readonly name: string;
  /**
   * The name as a member of an interface type: quoted where it would otherwise mean something else (`new(...)`
   * declares a construct signature, not a method named `new`).
   */
  readonly key: string;
  readonly doc: readonly string[];
  readonly inType: string;
  readonly outType: string;
  /** `CallContext`, the type of the handler's second parameter. */
  readonly contextType: Printable;
}

/** The server skeleton class. */
export interface ServerView {
  readonly name: string;
  readonly doc: readonly string[];
  readonly base: Printable;
  readonly descriptorName: string;
  readonly methods: readonly ServerMethodView[];
}

/**
 * The handlers interface and the function that makes an implementation of them (`createTimerServer`); for an
 * interface without methods, `handlers-none.hbs` prints a function without parameters instead.
 */
export interface HandlersView {
  /** `TimerHandlers`. */
  readonly name: string;
  readonly doc: readonly string[];
  /** `createTimerServer`. */
  readonly createName: string;
  readonly createDoc: readonly string[];
  /** `Implementation<TimerEvents>`: what the function makes and returns. */
  readonly implementation: Printable;
  readonly descriptorName: string;
  readonly methods: readonly ServerMethodView[];
}

/** Everything `interface.ts.hbs` prints: the header, and the imports of what the body printed. */
export interface ModuleFileView {
  readonly header: string;
  readonly imports: readonly ImportView[];
  /** The printed body (`interface-body.ts.hbs`). */
  readonly body: string;
}

/** Everything `interface-body.ts.hbs` prints: the declarations of a module. */
export interface ModuleView {
  readonly descriptor: DescriptorView;
  readonly types: readonly TypeDeclView[];
  readonly argTypes: readonly TypeDeclView[];
  readonly eventTypes: readonly TypeDeclView[];
  readonly eventsMap: EventsMapView | null;
  readonly errors: readonly ErrorClassView[];
  readonly client: ClientView;
  readonly server: ServerView;
  readonly handlers: HandlersView;
}

/** Everything `index.ts.hbs` prints. */
export interface IndexView {
  readonly header: string;
  /**
   * The lines of the comment on the names more than one module exports (reached only through the namespaces);
   * empty when there are none.
   */
  readonly shared: readonly string[];
  /** What is re-exported of each module, sorted by interface name (see `planIndex`). */
  readonly modules: readonly IndexEntry[];
}

/** Options of the view models. */
export interface ViewOptions {
  /** The module generated code imports the runtime from (`supcon`, or a relative path inside this repo). */
  readonly runtimeImport: string;
}

/** The runtime's symbols a generated module may print. */
export type RuntimeSymbol =
  | "CallContext"
  | "CallOptions"
  | "Client"
  | "Implementation"
  | "Interface"
  | "Node"
  | "RemoteError"
  | "RemoteErrorOptions";

const EMPTY_ARGS = "Record<string, never>";

/**
 * The module of `intf`, printed with `render`: the body first, then the file with the imports of what the body
 * printed.
 */
export function renderModule(
  intf: ModelInterface,
  options: ViewOptions,
  render: (template: "interface.ts" | "interface-body.ts", view: object) => string,
): string {
  const imports = createModuleImports({ first: options.runtimeImport, declared: declaredNames(intf) });
  const body = render("interface-body.ts", moduleView(intf, imports, options));
  const file: ModuleFileView = { header: tsHeader(intf.source), imports: imports.declarations(), body };
  return render("interface.ts", file);
}

/** Every name the module of `intf` declares (and so no import may take). */
export function declaredNames(intf: ModelInterface): string[] {
  return [
    intf.descriptorName,
    ...intf.types.map((t) => t.name),
    ...intf.methods.flatMap((m) => [m.inTypeName, m.outTypeName].filter((n) => n !== null)),
    ...intf.events.map((e) => e.typeName),
    ...(intf.eventsName === null ? [] : [intf.eventsName]),
    ...intf.errors.map((e) => e.className),
    intf.clientName,
    intf.serverName,
  ];
}

/** The view of the module of `intf`; symbols of other modules are named through `imports`. */
export function moduleView(intf: ModelInterface, imports: ModuleImports, options: ViewOptions): ModuleView {
  const runtime = (name: RuntimeSymbol): ModuleSymbol => ({ name, from: options.runtimeImport });
  const named = (ref: TypeRef): Printable =>
    ref.intf === intf.name ? ref.name : imports.type({ name: ref.name, from: `./${ref.intf}.js` });
  const fields = (args: readonly ModelArg[]): FieldView[] => args.map((a) => fieldView(a, named));
  const events = intf.eventsName;
  const implementation = (): Printable =>
    events === null
      ? imports.value(runtime("Implementation"))
      : code`${imports.value(runtime("Implementation"))}<${events}>`;
  const serverMethods = intf.methods.map((m): ServerMethodView => ({
    name: m.name,
    key: m.name === "new" ? JSON.stringify(m.name) : m.name,
    doc: methodDoc(m),
    inType: m.inTypeName ?? EMPTY_ARGS,
    outType: m.outTypeName ?? "void",
    contextType: imports.type(runtime("CallContext")),
  }));
  return {
    descriptor: descriptorView(intf, imports, runtime("Interface")),
    types: intf.types.map((t) => namedTypeDecl(t, fields)),
    argTypes: intf.methods.flatMap((m) => methodTypeDecls(m, fields)),
    eventTypes: intf.events.map((e) => eventTypeDecl(e, fields)),
    eventsMap:
      events === null
        ? null
        : {
            name: events,
            doc: [`Events of \`${intf.name}\`: the args type of each event, by event name.`],
            fields: intf.events.map((e) => ({
              name: e.name,
              doc: docLines(e.description),
              optional: false,
              type: e.typeName,
            })),
          },
    errors: intf.errors.map((e) => errorClass(e, imports, runtime)),
    client: {
      name: intf.clientName,
      doc: docLines(`Client of \`${intf.name}\`${intf.description === null ? "." : `: ${intf.description}`}`),
      base:
        events === null
          ? imports.value(runtime("Client"))
          : code`${imports.value(runtime("Client"))}<${events}>`,
      nodeType: imports.type(runtime("Node")),
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
          m.inTypeName === null
            ? code`options?: ${imports.type(runtime("CallOptions"))}`
            : code`args: ${m.inTypeName}, options?: ${imports.type(runtime("CallOptions"))}`,
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
      base: implementation(),
      descriptorName: intf.descriptorName,
      methods: serverMethods,
    },
    handlers: {
      name: intf.handlersName,
      doc:
        intf.methods.length === 0
          ? [`Handlers of \`${intf.name}\`: none, as it has no methods.`]
          : [
              `Handlers of \`${intf.name}\`, one per method, for {@link ${intf.createServerName}}.`,
              "Typed from the interface, an object literal of them needs no annotations.",
            ],
      createName: intf.createServerName,
      createDoc: [
        intf.methods.length === 0
          ? `An implementation of \`${intf.name}\`.`
          : `An implementation of \`${intf.name}\` that calls \`handlers\`.`,
        "Register it with `node.register(path, impl)`" +
          (events === null ? "." : "; fire events with `impl.fire(event, args)`."),
        "",
        "@example",
        "```ts",
        `node.register("/path", ${intf.createServerName}(${handlersExample(intf.methods)}));`,
        "```",
      ],
      implementation: implementation(),
      descriptorName: intf.descriptorName,
      methods: serverMethods,
    },
  };
}

/** The view of `index.ts`. */
export function indexView(interfaces: readonly ModelInterface[], inputs: readonly string[]): IndexView {
  const plan = planIndex(
    interfaces.map((i) => ({ from: `./${i.moduleName}.js`, namespace: i.namespaceName, exports: i.exports })),
  );
  return {
    header: tsHeader(inputsLabel(inputs)),
    shared:
      plan.shared.length === 0
        ? []
        : [
            "Names that more than one module exports (or that a namespace takes), reached only through the",
            "modules' namespaces:",
            ...plan.shared.map(
              ({ id, namespaces }) => `  ${id}: ${namespaces.map((n) => `${n}.${id}`).join(", ")}`,
            ),
          ],
    modules: plan.entries,
  };
}

// ---- descriptor -------------------------------------------------------------------------------------------

function descriptorView(intf: ModelInterface, imports: ModuleImports, symbol: ModuleSymbol): DescriptorView {
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
    type: imports.type(symbol),
    constructorName: imports.value(symbol),
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

/**
 * The TypeScript type of a model type; `named` prints a reference to a named type. A `?` inside an array or map
 * means the element may be `null`.
 */
export function tsType(type: ModelType, named: (ref: TypeRef) => Printable): Printable {
  switch (type.kind) {
    case "primitive":
      return PRIMITIVE_TS[type.name] ?? "unknown";
    case "named":
      return named(type.ref);
    case "array":
      return type.element.kind === "optional"
        ? code`(${tsType(type.element, named)})[]`
        : code`${tsType(type.element, named)}[]`;
    case "map":
      return code`Record<string, ${tsType(type.value, named)}>`;
    case "optional":
      return code`${tsType(type.inner, named)} | null`;
  }
}

function fieldView(arg: ModelArg, named: (ref: TypeRef) => Printable): FieldView {
  return {
    name: arg.name,
    doc: docLines(arg.description),
    optional: arg.optional,
    type: tsType(arg.type, named),
  };
}

type Fields = (args: readonly ModelArg[]) => FieldView[];

function namedTypeDecl(t: ModelNamedType, fields: Fields): TypeDeclView {
  return {
    name: t.name,
    doc: docLines(t.description),
    isEnum: t.kind === "enum",
    union: t.kind === "enum" ? t.values.map((v) => JSON.stringify(v)).join(" | ") : "",
    fields: t.kind === "struct" ? fields(t.fields) : [],
  };
}

function methodTypeDecls(m: ModelMethod, fields: Fields): TypeDeclView[] {
  const out: TypeDeclView[] = [];
  if (m.inTypeName !== null) {
    out.push({
      name: m.inTypeName,
      doc: [`In-args of method \`${m.name}\`.`],
      isEnum: false,
      union: "",
      fields: fields(m.inArgs),
    });
  }
  if (m.outTypeName !== null) {
    out.push({
      name: m.outTypeName,
      doc: [`Out-args of method \`${m.name}\`.`],
      isEnum: false,
      union: "",
      fields: fields(m.outArgs),
    });
  }
  return out;
}

function eventTypeDecl(e: ModelEvent, fields: Fields): TypeDeclView {
  return {
    name: e.typeName,
    doc: docLines(`Args of event \`${e.name}\`${e.description === null ? "." : `: ${e.description}`}`),
    isEnum: false,
    union: "",
    fields: fields(e.args),
  };
}

function errorClass(
  e: ModelError,
  imports: ModuleImports,
  runtime: (name: RuntimeSymbol) => ModuleSymbol,
): ErrorClassView {
  return {
    className: e.className,
    doc: docLines(e.description ?? `The declared error \`${e.code}\`.`),
    base: imports.value(runtime("RemoteError")),
    optionsType: imports.type(runtime("RemoteErrorOptions")),
    code: e.code,
    message: e.description ?? e.name,
  };
}

/** The handlers in the example of `createTimerServer`: the first method's, and `...` for the others. */
function handlersExample(methods: readonly ModelMethod[]): string {
  const first = methods[0];
  if (first === undefined) return "";
  return `{ ${first.name}(args, ctx) { ... }${methods.length > 1 ? ", ..." : ""} }`;
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
