/**
 * The model: interfaces with every type resolved and every generated identifier computed. Readonly; emitters and
 * the docs writer read only this (never YAML nodes).
 */
import type { PrimitiveTypeName } from "supcon/schema";

/**
 * A resolved type. `optional` is kept only inside `array`/`map`, where it means "the element may be null";
 * a top-level `?` is folded into `ModelArg.optional`.
 */
export type ModelType =
  | { readonly kind: "primitive"; readonly name: PrimitiveTypeName }
  | { readonly kind: "named"; readonly ref: TypeRef }
  | { readonly kind: "array"; readonly element: ModelType }
  | { readonly kind: "map"; readonly value: ModelType }
  | { readonly kind: "optional"; readonly inner: ModelType };

/** A reference to a named type: the interface that declares it and its name there. */
export interface TypeRef {
  readonly intf: string;
  readonly name: string;
}

/** An argument of a method or event, or a field of a struct. */
export interface ModelArg {
  readonly name: string;
  readonly type: ModelType;
  /** The argument may be absent (`T?` or `optional: true`). */
  readonly optional: boolean;
  readonly description: string | null;
}

/** A struct type: an object with named fields. */
export interface ModelStruct {
  readonly kind: "struct";
  readonly name: string;
  /** `<interface>.<name>`, the name other interfaces use. */
  readonly qualifiedName: string;
  readonly intf: string;
  readonly description: string | null;
  readonly fields: readonly ModelArg[];
}

/** An enum type: one of a list of strings. */
export interface ModelEnum {
  readonly kind: "enum";
  readonly name: string;
  readonly qualifiedName: string;
  readonly intf: string;
  readonly description: string | null;
  readonly values: readonly string[];
}

export type ModelNamedType = ModelStruct | ModelEnum;

/** A declared error of an interface. */
export interface ModelError {
  readonly name: string;
  readonly description: string | null;
  /** `<interface>.<name>`, the `code` of the `RemoteError`. */
  readonly code: string;
  /** The generated class, `TimerAlreadyExistsError`. */
  readonly className: string;
}

/** An event of an interface. */
export interface ModelEvent {
  readonly name: string;
  readonly description: string | null;
  readonly args: readonly ModelArg[];
  /** The generated args type, `TimerTimeoutEvent`. */
  readonly typeName: string;
}

/** A method of an interface. */
export interface ModelMethod {
  readonly name: string;
  readonly description: string | null;
  readonly inArgs: readonly ModelArg[];
  readonly outArgs: readonly ModelArg[];
  /** The declared errors the method may raise, in the order the method lists them. */
  readonly errors: readonly ModelError[];
  /** `TimerAddIn`, or null when the method has no in-args. */
  readonly inTypeName: string | null;
  /** `TimerAddOut`, or null when the method has no out-args. */
  readonly outTypeName: string | null;
}

/** One interface, with the identifiers of everything its module declares. */
export interface ModelInterface {
  readonly name: string;
  readonly description: string | null;
  /** The YAML file it comes from, relative to the working directory. */
  readonly source: string;
  /** PascalCase of the last dotted segment: `Timer`. */
  readonly pascal: string;
  /** `TimerInterface`. */
  readonly descriptorName: string;
  /** `TimerClient`. */
  readonly clientName: string;
  /** `TimerServer`. */
  readonly serverName: string;
  /** `TimerEvents`, or null when the interface has no events. */
  readonly eventsName: string | null;
  /** `TimerHandlers`: one handler per method. */
  readonly handlersName: string;
  /** `createTimerServer`: an implementation from handlers. */
  readonly createServerName: string;
  /** `ComExampleTimer`: the namespace `index.ts` exports the module as. */
  readonly namespaceName: string;
  /** Every identifier the module exports, in its order, and whether it is a type (or a value). */
  readonly exports: readonly { readonly id: string; readonly typeOnly: boolean }[];
  /** The module file name without extension: the interface name (`com.example.Timer`). */
  readonly moduleName: string;
  readonly types: readonly ModelNamedType[];
  readonly errors: readonly ModelError[];
  readonly events: readonly ModelEvent[];
  readonly methods: readonly ModelMethod[];
  /**
   * Named types of other interfaces that this one refers to, directly or through other types, sorted by qualified
   * name. The descriptor embeds copies of them so that it is self-contained.
   */
  readonly foreignTypes: readonly ModelNamedType[];
}

/** Every interface of a compilation, sorted by name. */
export interface Model {
  readonly interfaces: readonly ModelInterface[];
  /** Every named type by qualified name. */
  readonly types: ReadonlyMap<string, ModelNamedType>;
}

/** Every named type referenced by `type`, in order. */
export function typeRefs(type: ModelType): TypeRef[] {
  switch (type.kind) {
    case "primitive":
      return [];
    case "named":
      return [type.ref];
    case "array":
      return typeRefs(type.element);
    case "map":
      return typeRefs(type.value);
    case "optional":
      return typeRefs(type.inner);
  }
}
