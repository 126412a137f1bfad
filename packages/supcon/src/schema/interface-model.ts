/**
 * The parsed model of a checked interface description, which the validators are compiled from
 * (`normalize.ts` makes it, `validate.ts` reads it).
 */
import type { NormalInterfaceDescription } from "./descriptor.js";
import type { TypeExpr } from "./type-expr.js";

/** An argument or struct field, parsed. */
export interface ArgModel {
  readonly name: string;
  /** The type without a top-level `?`. */
  readonly type: TypeExpr;
  /** The type had a top-level `?` (or `optional: true`): the value may be absent, null or undefined. */
  readonly optional: boolean;
}

/** A named struct type, parsed. */
export interface StructModel {
  readonly kind: "struct";
  readonly name: string;
  readonly fields: readonly ArgModel[];
}

/** A named enum type, parsed. */
export interface EnumModel {
  readonly kind: "enum";
  readonly name: string;
  readonly values: readonly string[];
}

export type TypeModel = StructModel | EnumModel;

export interface MethodModel {
  readonly name: string;
  readonly inArgs: readonly ArgModel[];
  readonly outArgs: readonly ArgModel[];
  readonly errors: readonly string[];
}

export interface EventModel {
  readonly name: string;
  readonly args: readonly ArgModel[];
}

/** A checked interface description: its normal form and the parsed model. */
export interface InterfaceModel {
  /** The description in normal form (frozen). */
  readonly description: NormalInterfaceDescription;
  readonly methods: readonly MethodModel[];
  readonly events: readonly EventModel[];
  /**
   * The named type a reference in this interface denotes: `TimerInfo` (a type of this interface),
   * `com.example.geo.Point` (an entry of `types` carrying exactly that name), or `com.example.Timer.TimerInfo` (this
   * interface's own type, qualified). Every reference in the model resolves; undefined only for other names.
   */
  resolveType(name: string): TypeModel | undefined;
}
