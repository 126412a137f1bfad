/**
 * `Interface`: a parsed, validated interface description with compiled argument validators.
 *
 * CONTRACT (implemented by the schema work): see the TSDoc of each member.
 */
import type { InterfaceDescription } from "../schema/descriptor.js";
import { InvalidArgumentError } from "./errors.js";

/** Checks a value; returns undefined when it is valid, otherwise a message naming the first problem. */
export type Validator = (value: unknown) => string | undefined;

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
 * Throws `InvalidArgumentError` naming the first problem when the description is invalid.
 */
export class Interface {
  /** Dotted interface name. */
  readonly name: string;
  /** The description in normal form: list-form args, explicit canonical `type` on every arg and field. */
  readonly description: InterfaceDescription;

  constructor(description: InterfaceDescription) {
    if (typeof description !== "object" || description === null || typeof description.name !== "string") {
      throw new InvalidArgumentError("Interface: description.name must be a string");
    }
    this.name = description.name;
    this.description = description;
  }

  /** The method named `name`, or undefined. */
  method(name: string): MethodSchema | undefined {
    void name;
    return undefined;
  }

  /** The event named `name`, or undefined. */
  event(name: string): EventSchema | undefined {
    void name;
    return undefined;
  }

  /** The description in normal form (what crosses the wire in introspection). */
  toJSON(): InterfaceDescription {
    return this.description;
  }
}
