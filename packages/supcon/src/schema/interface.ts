/**
 * `Interface`: a parsed, validated interface description with compiled argument validators.
 */
import type { InterfaceDescription, NormalInterfaceDescription } from "./descriptor.js";
import { normalizeInterface } from "./normalize.js";
import { ValidatorCompiler } from "./validate.js";
import type { Validator } from "./validate.js";

export type { Validator } from "./validate.js";

/** A method of an interface, ready to use at the boundary. */
export interface MethodSchema {
  readonly name: string;
  /** Validates an in-args object (`undefined` counts as `{}`). */
  readonly validateIn: Validator;
  /** Validates an out-args object (`undefined` counts as `{}`). */
  readonly validateOut: Validator;
  /** Declared error names (not codes) this method may raise. */
  readonly errors: readonly string[];
}

/** An event of an interface, ready to use at the boundary. */
export interface EventSchema {
  readonly name: string;
  /** Validates an event's args object (`undefined` counts as `{}`). */
  readonly validateArgs: Validator;
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
    this.#methods = new Map(
      model.methods.map((m) => [
        m.name,
        Object.freeze({
          name: m.name,
          validateIn: compiler.args(m.inArgs, "argument"),
          validateOut: compiler.args(m.outArgs, "result"),
          errors: m.errors,
        }),
      ]),
    );
    this.#events = new Map(
      model.events.map((e) => [
        e.name,
        Object.freeze({ name: e.name, validateArgs: compiler.args(e.args, "argument") }),
      ]),
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
