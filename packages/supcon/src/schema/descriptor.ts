/**
 * The shape of an interface description: the dict the seed passes to `Interface`, which is also the shape of the
 * YAML files and of the descriptor embedded in generated code.
 */

/**
 * One argument or struct field. `type` is a type expression (`string`, `TimerInfo[]`, `map<int>?`); where it is
 * absent, a seed-style description `(str) - text` gives it; with neither, the type is `any`.
 */
export interface ArgDescription {
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  /** The argument may be absent; the same as a `?` suffix on `type`. */
  readonly optional?: boolean;
}

/**
 * Arguments as a list of `ArgDescription`, or in the seed's map form `{ timer: "(str) - The name" }`, where each
 * value is a seed-style description or an `ArgDescription` without `name`.
 */
export type ArgsDescription =
  readonly ArgDescription[] | Readonly<Record<string, string | Omit<ArgDescription, "name">>>;

export interface StructTypeDescription {
  readonly name: string;
  readonly description?: string;
  readonly fields: ArgsDescription;
}

export interface EnumTypeDescription {
  readonly name: string;
  readonly description?: string;
  readonly enum: readonly string[];
}

/**
 * A named type. In a descriptor, a name with dots (`com.example.geo.Point`) is a type of another interface file,
 * copied in so that the descriptor is self-contained; references to it use that full name.
 */
export type TypeDescription = StructTypeDescription | EnumTypeDescription;

export interface ErrorDescription {
  readonly name: string;
  readonly description?: string;
}

export interface EventDescription {
  readonly name: string;
  readonly description?: string;
  readonly args?: ArgsDescription;
}

export interface MethodDescription {
  readonly name: string;
  readonly description?: string;
  readonly inArgs?: ArgsDescription;
  readonly outArgs?: ArgsDescription;
  /** Names of declared errors (of this interface's `errors`) the method may raise. */
  readonly errors?: readonly string[];
}

export interface InterfaceDescription {
  /** Dotted name, unique on the bus: `com.example.Timer`. */
  readonly name: string;
  readonly description?: string;
  readonly types?: readonly TypeDescription[];
  readonly errors?: readonly ErrorDescription[];
  readonly events?: readonly EventDescription[];
  readonly methods?: readonly MethodDescription[];
}

/**
 * The normal form of a description, as `Interface.description` holds it: every collection present, args and fields
 * in list form with an explicit canonical `type` (aliases spelt out, optional as a trailing `?`). It is a valid
 * `InterfaceDescription` and normalises to itself.
 */
export interface NormalInterfaceDescription {
  readonly name: string;
  readonly description?: string;
  readonly types: readonly NormalTypeDescription[];
  readonly errors: readonly ErrorDescription[];
  readonly events: readonly NormalEventDescription[];
  readonly methods: readonly NormalMethodDescription[];
}

/** An argument or field in normal form: `type` is canonical (`string`, `TimerInfo[]`, `int?`). */
export interface NormalArgDescription {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
}

export interface NormalStructTypeDescription {
  readonly name: string;
  readonly description?: string;
  readonly fields: readonly NormalArgDescription[];
}

export type NormalTypeDescription = NormalStructTypeDescription | EnumTypeDescription;

export interface NormalEventDescription {
  readonly name: string;
  readonly description?: string;
  readonly args: readonly NormalArgDescription[];
}

export interface NormalMethodDescription {
  readonly name: string;
  readonly description?: string;
  readonly inArgs: readonly NormalArgDescription[];
  readonly outArgs: readonly NormalArgDescription[];
  readonly errors: readonly string[];
}
