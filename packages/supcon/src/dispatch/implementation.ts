import { didYouMean } from "../base/did-you-mean.js";
import { InvalidArgumentError } from "../base/errors.js";
import { Interface } from "../schema/interface.js";
import { kAttach, kDetach, kHandler } from "../base/internal.js";
import type { CallCallback, CallContext } from "../base/types.js";

/** Where an implementation is registered: the node delivers what it fires. */
export interface ImplementationHost {
  emitEvent(path: string, intf: string, event: string, args: Record<string, unknown>): void;
}

/** Event names mapped to their args objects; the default allows any event of the interface. */
export type EventMap = object;
type DynamicEvents = Record<string, Record<string, unknown>>;

/**
 * An implementation of an interface, registered on a node under a path with `node.register(path, impl)`.
 * The dynamic API sets a callback per method with `setCallCb`; a generated server skeleton (`TimerServer`)
 * extends this class and binds its abstract methods.
 */
export class Implementation<Events extends EventMap = DynamicEvents> {
  /** The interface this object implements. */
  readonly intf: Interface;
  readonly #handlers = new Map<string, CallCallback>();
  readonly #hosts: { host: ImplementationHost; path: string }[] = [];

  constructor(intf: Interface) {
    if (!(intf instanceof Interface)) {
      throw new InvalidArgumentError(
        "Implementation: the argument must be an Interface (new Interface({...}))",
      );
    }
    this.intf = intf;
  }

  /**
   * Sets the handler of `method`. It receives the in-args object (already validated against the interface) and
   * the call context, and returns the out-args object (or a promise of it).
   * @throws InvalidArgumentError when the interface has no such method.
   */
  setCallCb<A = Record<string, unknown>>(method: string, cb: (args: A, ctx: CallContext) => unknown): void {
    if (this.intf.method(method) === undefined) {
      const names = (this.intf.description.methods ?? []).map((m) => m.name);
      throw new InvalidArgumentError(
        `${this.intf.name} has no method '${method}'${didYouMean(method, names)}`,
      );
    }
    if (typeof cb !== "function")
      throw new InvalidArgumentError(`setCallCb('${method}'): cb must be a function`);
    this.#handlers.set(method, cb as CallCallback);
  }

  /**
   * Fires an event: every node that subscribed to it on a path where this object is registered receives `args`.
   * @throws InvalidArgumentError when the interface has no such event or `args` do not match it.
   */
  fire<E extends keyof Events & string>(event: E, args: Events[E]): void {
    const schema = this.intf.event(event);
    if (schema === undefined) {
      const names = (this.intf.description.events ?? []).map((e) => e.name);
      throw new InvalidArgumentError(`${this.intf.name} has no event '${event}'${didYouMean(event, names)}`);
    }
    const problem = schema.validateArgs(args);
    if (problem !== undefined) {
      throw new InvalidArgumentError(`${this.intf.name}.${event}: ${problem}`);
    }
    // Its integral floats marked, so that they travel as floats (schema/float-marks.ts).
    const plain = schema.wireArgs(args ?? {}) as Record<string, unknown>;
    for (const { host, path } of this.#hosts) host.emitEvent(path, this.intf.name, event, plain);
  }

  /** @internal The handler of `method`, if one is set. */
  [kHandler](method: string): CallCallback | undefined {
    return this.#handlers.get(method);
  }

  /** @internal Called by a node when this object is registered on it. */
  [kAttach](host: ImplementationHost, path: string): void {
    this.#hosts.push({ host, path });
  }

  /** @internal Called by a node when this object is unregistered from it. */
  [kDetach](host: ImplementationHost, path: string): void {
    const i = this.#hosts.findIndex((h) => h.host === host && h.path === path);
    if (i >= 0) this.#hosts.splice(i, 1);
  }
}
