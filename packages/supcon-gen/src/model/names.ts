/**
 * Every identifier the generated code declares, computed in one place. A clash between them is reported by
 * `validate/clashes.ts` as a diagnostic, never resolved by a silent suffix.
 */
import { TYPE_ALIASES } from "supcon/schema";
import type { InterfaceAst } from "../ast.js";
import type { Span } from "../diagnostics.js";
import { compareStrings } from "../paths.js";

/** `add` → `Add`, `get_value` → `GetValue`, `timer` → `Timer`; never empty, never starting with a digit. */
export function pascalCase(name: string): string {
  const out = name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  return out === "" || /^[0-9]/.test(out) ? `_${out}` : out;
}

/** PascalCase of the last dotted segment: `com.example.Timer` → `Timer`. */
export function interfacePascal(interfaceName: string): string {
  return pascalCase(interfaceName.slice(interfaceName.lastIndexOf(".") + 1));
}

/** The interface-level identifiers of a generated module. */
export interface InterfaceNames {
  readonly pascal: string;
  /** `TimerInterface`: the descriptor. */
  readonly descriptor: string;
  /** `TimerClient`. */
  readonly client: string;
  /** `TimerServer`. */
  readonly server: string;
  /** `TimerEvents`: event name → args type (declared only when the interface has events). */
  readonly events: string;
  /** `TimerHandlers`: one handler per method, the argument of `createTimerServer`. */
  readonly handlers: string;
  /** `createTimerServer`: an implementation from an object of handlers. */
  readonly createServer: string;
  /** `ComExampleTimer`: the namespace `index.ts` exports the module as. */
  readonly namespace: string;
}

export function interfaceNames(interfaceName: string): InterfaceNames {
  const pascal = interfacePascal(interfaceName);
  return {
    pascal,
    descriptor: `${pascal}Interface`,
    client: `${pascal}Client`,
    server: `${pascal}Server`,
    events: `${pascal}Events`,
    handlers: `${pascal}Handlers`,
    createServer: `create${pascal}Server`,
    // Every segment, so that interfaces of different owners with one last segment get different namespaces.
    namespace: pascalCase(interfaceName),
  };
}

/** `TimerAddIn`: the in-args of a method. */
export function methodInName(pascal: string, method: string): string {
  return `${pascal}${pascalCase(method)}In`;
}

/** `TimerListOut`: the out-args of a method. */
export function methodOutName(pascal: string, method: string): string {
  return `${pascal}${pascalCase(method)}Out`;
}

/** `TimerTimeoutEvent`: the args of an event. */
export function eventTypeName(pascal: string, event: string): string {
  return `${pascal}${pascalCase(event)}Event`;
}

/** `TimerAlreadyExistsError`: the class of a declared error. */
export function errorClassName(pascal: string, error: string): string {
  return `${pascal}${pascalCase(error)}Error`;
}

/** The code of a declared error: `com.example.Timer.AlreadyExists`. */
export function errorCode(interfaceName: string, error: string): string {
  return `${interfaceName}.${error}`;
}

/** Global types the generated code uses; a user type with one of these names would shadow them. */
export const GLOBAL_TYPE_NAMES: readonly string[] = ["Promise", "Record", "Uint8Array"];

/**
 * Names special in every JavaScript object, refused for every member by the runtime: the wire refuses them as keys
 * in payloads (assigning them would change an object's prototype or shadow what code expects of objects), and
 * `new Interface()` refuses them as names.
 */
export const WIRE_REFUSED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The members of `Object.prototype`, which every object of a generated class has. */
export const OBJECT_PROTOTYPE_MEMBERS: readonly string[] = [
  "constructor",
  "__proto__",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toString",
  "toLocaleString",
  "valueOf",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
];

/**
 * Names a method cannot take: members of the base classes of generated clients (`Client`) and servers
 * (`Implementation`) and of every object, which a method of the same name would override or shadow, and `then`.
 * Each maps to what the name is for, for the message. `test/unit/compiler/model/names.test.ts` checks that every
 * member of the runtime's classes is listed.
 */
export const RESERVED_METHOD_NAMES: ReadonlyMap<string, string> = new Map([
  ["constructor", "the class constructor"],
  ["node", "Client.node, the node a client calls through"],
  ["nodeName", "Client.nodeName, the name of the node a client calls"],
  ["path", "Client.path, the object path a client calls"],
  ["intf", "Client.intf and Implementation.intf, the interface descriptor"],
  ["call", "Client.call, which generated client methods call"],
  ["on", "Client.on, which subscribes to events"],
  ["off", "off, kept for the client's counterpart of on"],
  ["setCallCb", "Implementation.setCallCb, which binds method handlers"],
  ["fire", "Implementation.fire, which fires events"],
  [
    "then",
    "then: it would make clients and servers thenables, so awaiting one, or returning it from an async " +
      "function, would call the method instead",
  ],
  ...OBJECT_PROTOTYPE_MEMBERS.filter((name) => name !== "constructor").map((name): [string, string] => [
    name,
    `Object.prototype.${name}`,
  ]),
]);

/**
 * True for a member of `Object.prototype` (`toString`, `valueOf`, …) that is not a built-in alias: refused as a type
 * name, because descriptors, validators and older runtimes (whose alias lookup was not limited to own keys, and
 * took `toString` for an alias) look types up by name in plain objects.
 */
export function isInheritedAliasName(name: string): boolean {
  return name in TYPE_ALIASES && !Object.hasOwn(TYPE_ALIASES, name);
}

/**
 * Words that cannot name a TypeScript interface or type alias, or cannot be referred to as one: reserved words
 * (strict mode and modules included), built-in type names, and the type operators (`keyof T`, `readonly T[]`,
 * `infer T`, `unique symbol`), which a reference like `keyof[]` would be parsed as.
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while " +
    "with implements interface let package private protected public static yield await any boolean never number " +
    "object string symbol undefined unknown bigint keyof readonly infer unique"
  ).split(" "),
);

/** One identifier a generated module exports, and what in the input makes it. */
export interface ExportedName {
  readonly id: string;
  /** What declares it, for messages: `type 'TimerInfo'`, `in-args type of method 'add'`. */
  readonly what: string;
  readonly span: Span;
  /** True for a named type the user declared (the one to rename when it clashes with a generated name). */
  readonly user: boolean;
  /** True for a type (an interface or type alias), false for a value (a constant, class or function). */
  readonly typeOnly: boolean;
}

/** Every identifier the module of `intf` exports, in the order the module declares them. */
export function exportedNames(intf: InterfaceAst): ExportedName[] {
  if (intf.name === null) return [];
  const names = interfaceNames(intf.name.value);
  const at = intf.name;
  const generated = (id: string, what: string, span: Span, typeOnly: boolean): ExportedName => ({
    id,
    what,
    span,
    user: false,
    typeOnly,
  });
  const out: ExportedName[] = [generated(names.descriptor, "descriptor of the interface", at, false)];
  for (const t of intf.types)
    out.push({ id: t.name.value, what: `type '${t.name.value}'`, span: t.name, user: true, typeOnly: true });
  for (const m of intf.methods) {
    const method = `method '${m.name.value}'`;
    if (m.inArgs.length > 0) {
      out.push(
        generated(methodInName(names.pascal, m.name.value), `in-args type of ${method}`, m.name, true),
      );
    }
    if (m.outArgs.length > 0) {
      out.push(
        generated(methodOutName(names.pascal, m.name.value), `out-args type of ${method}`, m.name, true),
      );
    }
  }
  for (const e of intf.events) {
    const what = `args type of event '${e.name.value}'`;
    out.push(generated(eventTypeName(names.pascal, e.name.value), what, e.name, true));
  }
  if (intf.events.length > 0) out.push(generated(names.events, "events map of the interface", at, true));
  for (const e of intf.errors) {
    const what = `class of error '${e.name.value}'`;
    out.push(generated(errorClassName(names.pascal, e.name.value), what, e.name, false));
  }
  out.push(
    generated(names.client, "client class of the interface", at, false),
    generated(names.server, "server class of the interface", at, false),
    generated(names.handlers, "handlers type of the interface", at, true),
    generated(names.createServer, "server factory of the interface", at, false),
  );
  return out;
}

/** One module as `index.ts` re-exports it. */
export interface IndexModule {
  /** The module specifier, `./com.example.Timer.js`. */
  readonly from: string;
  /** The namespace it is exported as, `ComExampleTimer`. */
  readonly namespace: string;
  /** What it exports. */
  readonly exports: readonly { readonly id: string; readonly typeOnly: boolean }[];
}

/** What `index.ts` re-exports of one module. */
export interface IndexEntry {
  readonly from: string;
  readonly namespace: string;
  /** True when every export of the module is re-exported by its own name too (`export *`). */
  readonly all: boolean;
  /** Otherwise, the types and values re-exported by their own names, in the module's order. */
  readonly types: readonly string[];
  readonly values: readonly string[];
}

/**
 * What `index.ts` re-exports: every module as a namespace (`ComExampleTimer`), and by their own names the exports
 * no other module (and no namespace) shares, so that two interfaces may each declare a type `Status`: both are
 * then reached only through their namespaces (`ComAPump.Status`). `shared` lists those names, with the
 * namespaces that have them, sorted by name.
 */
export function planIndex(modules: readonly IndexModule[]): {
  readonly entries: readonly IndexEntry[];
  readonly shared: readonly { readonly id: string; readonly namespaces: readonly string[] }[];
} {
  const owners = new Map<string, string[]>();
  for (const m of modules) {
    for (const { id } of m.exports) owners.set(id, [...(owners.get(id) ?? []), m.namespace]);
  }
  const namespaces = new Set(modules.map((m) => m.namespace));
  const isShared = (id: string): boolean => (owners.get(id)?.length ?? 0) > 1 || namespaces.has(id);
  const entries = modules.map((m): IndexEntry => {
    const own = m.exports.filter((e) => !isShared(e.id));
    return {
      from: m.from,
      namespace: m.namespace,
      all: own.length === m.exports.length,
      types: own.filter((e) => e.typeOnly).map((e) => e.id),
      values: own.filter((e) => !e.typeOnly).map((e) => e.id),
    };
  });
  const shared = [...owners]
    .filter(([id]) => isShared(id))
    .map(([id, list]) => ({ id, namespaces: list }))
    .sort((a, b) => compareStrings(a.id, b.id));
  return { entries, shared };
}
