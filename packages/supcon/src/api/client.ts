import type { DeclaredErrorClass } from "../base/errors.js";
import { RemoteError } from "../base/errors.js";
import type { Interface } from "../schema/interface.js";
import type { Node } from "./node.js";
import type { CallOptions, EventSource, Subscription } from "../base/types.js";

type DynamicEvents = Record<string, Record<string, unknown>>;

/**
 * Base of generated clients (`TimerClient`): a typed view of one object (`nodeName`, `path`) implementing one
 * interface. Calls are validated against the interface before they are sent, and declared errors come back as
 * instances of their generated classes.
 */
export class Client<Events extends object = DynamicEvents> {
  readonly node: Node;
  readonly nodeName: string;
  readonly path: string;
  readonly intf: Interface;
  readonly #errors: ReadonlyMap<string, DeclaredErrorClass>;

  constructor(
    node: Node,
    nodeName: string,
    path: string,
    intf: Interface,
    errors: readonly DeclaredErrorClass[] = [],
  ) {
    this.node = node;
    this.nodeName = nodeName;
    this.path = path;
    this.intf = intf;
    this.#errors = new Map(errors.map((e) => [e.code, e]));
  }

  /** Subscribes to an event of the object; the subscription survives reconnection. */
  on<E extends keyof Events & string>(
    event: E,
    cb: (args: Events[E], source: EventSource) => void,
  ): Subscription {
    return this.node.on(
      this.nodeName,
      this.path,
      this.intf,
      event,
      cb as (args: unknown, s: EventSource) => void,
    );
  }

  /** Calls `method`; generated methods delegate here. */
  protected call<Out>(method: string, args: object | undefined, options?: CallOptions): Promise<Out> {
    const result = this.node.call(this.nodeName, this.path, this.intf, method, args, options) as Promise<Out>;
    // Without declared errors there is nothing to map: hand over the node's promise, saving a layer per call.
    return this.#errors.size === 0 ? result : this.#mapped(result);
  }

  async #mapped<Out>(result: Promise<Out>): Promise<Out> {
    try {
      return await result;
    } catch (err) {
      // Made here, in the caller's async chain, the declared error's stack shows the caller's code.
      throw this.#declared(err);
    }
  }

  #declared(err: unknown): unknown {
    if (!(err instanceof RemoteError)) return err;
    const cls = this.#errors.get(err.code);
    if (cls === undefined || Object.getPrototypeOf(err) === cls.prototype) return err;
    return new cls(err.rawMessage, { data: err.data, cause: err });
  }
}
