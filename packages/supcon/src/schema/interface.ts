/**
 * `Interface`: a parsed, validated interface description with compiled argument validators.
 */
import type { InterfaceDescription, NormalInterfaceDescription } from "./descriptor.js";
import { normalizeInterface } from "./normalize.js";
import { FloatMarkerCompiler } from "./float-marks.js";
import type { FloatMarker } from "./float-marks.js";
import type { ArgModel } from "./normalize.js";
import { ValidatorCompiler, withoutAbsent } from "./validate.js";
import type { ArgsNoun, Validator } from "./validate.js";

export type { FloatMarker } from "./float-marks.js";
export type { Validator } from "./validate.js";

/** A method of an interface, ready to use at the boundary. */
export interface MethodSchema {
  readonly name: string;
  /** Validates an in-args object (`undefined` counts as `{}`). */
  readonly validateIn: Validator;
  /**
   * Validates an in-args object received from the wire, like `validateIn`, and deletes from it the optional
   * members given as null, which mean absent. It changes its argument: for values the runtime decoded itself.
   */
  readonly readIn: Validator;
  /** Validates an out-args object (`undefined` counts as `{}`). */
  readonly validateOut: Validator;
  /**
   * An in-args object `validateIn` has passed, as the wire packs it: its optional members given as null or
   * undefined left out (`withoutAbsent()` in schema/validate.ts), its integral `float` values marked
   * (schema/float-marks.ts).
   */
  readonly wireIn: FloatMarker;
  /** A valid out-args object as the wire packs it, like `wireIn`. */
  readonly wireOut: FloatMarker;
  /** Declared error names (not codes) this method may raise. */
  readonly errors: readonly string[];
}

/** An event of an interface, ready to use at the boundary. */
export interface EventSchema {
  readonly name: string;
  /** Validates an event's args object (`undefined` counts as `{}`). */
  readonly validateArgs: Validator;
  /** A valid args object as the wire packs it, like `MethodSchema.wireIn`. */
  readonly wireArgs: FloatMarker;
}

/**
 * An interface: name, methods, events and types, from the dict shape of SPEC §3 (the same as the YAML files).
 *
 * The constructor accepts args and struct fields in list form (`[{ name, type, description, optional }]`) or in the
 * seed's map form (`{ timer: "(str) - The name" }` or `{ timer: { type, description } }`). A missing `type` is
 * taken from a seed-style description, else it is `any`. Undotted type names refer to this description's `types`;
 * dotted ones (`com.example.geo.Point`) to the entry of `types` carrying exactly that name (generated descriptors
 * copy other files' types in), or to this interface's own type when qualified with its name.
 *
 * Validators are compiled once, here; validating a valid args object allocates nothing.
 *
 * @throws InvalidArgumentError naming the first problem when the description is invalid: bad shape, unknown or
 *   duplicate names, unknown keys, bad type expressions, unknown types (with a "did you mean" hint), methods
 *   listing undeclared errors, structs that contain themselves through required fields.
 */
export class Interface {
  /** Dotted interface name. */
  readonly name: string;
  /** The description in normal form (frozen): list-form args, explicit canonical `type` on every arg and field. */
  readonly description: NormalInterfaceDescription;
  readonly #methods: ReadonlyMap<string, MethodSchema>;
  readonly #events: ReadonlyMap<string, EventSchema>;

  constructor(description: InterfaceDescription) {
    const model = normalizeInterface(description);
    this.name = model.description.name;
    this.description = model.description;
    const compiler = new ValidatorCompiler(model);
    const marks = new FloatMarkerCompiler(model);
    const compile = (args: readonly ArgModel[], noun: ArgsNoun): CompiledArgs => {
      const validate = compiler.args(args, noun);
      const received = compiler.received(args, noun);
      return { validate, received, wire: forWire(validate, received, marks.args(args)) };
    };
    this.#methods = new Map(
      model.methods.map((m) => {
        const inArgs = compile(m.inArgs, "argument");
        const outArgs = compile(m.outArgs, "result");
        const schema: MethodSchema = {
          name: m.name,
          validateIn: inArgs.validate,
          readIn: inArgs.received,
          validateOut: outArgs.validate,
          wireIn: inArgs.wire,
          wireOut: outArgs.wire,
          errors: m.errors,
        };
        return [m.name, Object.freeze(schema)];
      }),
    );
    this.#events = new Map(
      model.events.map((e) => {
        const args = compile(e.args, "argument");
        const schema: EventSchema = { name: e.name, validateArgs: args.validate, wireArgs: args.wire };
        return [e.name, Object.freeze(schema)];
      }),
    );
  }

  /** The method named `name`, or undefined. */
  method(name: string): MethodSchema | undefined {
    return this.#methods.get(name);
  }

  /** The event named `name`, or undefined. */
  event(name: string): EventSchema | undefined {
    return this.#events.get(name);
  }

  /** Names of the methods, in declaration order. */
  get methodNames(): readonly string[] {
    return [...this.#methods.keys()];
  }

  /** Names of the events, in declaration order. */
  get eventNames(): readonly string[] {
    return [...this.#events.keys()];
  }

  /** The description in normal form (what crosses the wire in introspection). */
  toJSON(): NormalInterfaceDescription {
    return this.description;
  }
}

/** The functions of one args list: its validator, its twin for values received, and its form for the wire. */
interface CompiledArgs {
  readonly validate: Validator;
  readonly received: Validator;
  readonly wire: FloatMarker;
}

/** What prepares a valid args object for the wire: its absent members left out, then its floats marked. */
function forWire(validate: Validator, strip: Validator, mark: FloatMarker): FloatMarker {
  return (value) => mark(withoutAbsent(value, validate, strip));
}
