/**
 * The objects registered on a node: path → interface name → implementation, and attaching each implementation to
 * the node so that what it fires reaches the node's subscribers.
 */
import { InvalidArgumentError } from "../base/errors.js";
import { kAttach, kDetach } from "../base/internal.js";
import { isValidPath } from "../base/names.js";
import type { Implementation, ImplementationHost } from "../dispatch/implementation.js";
import { MAX_ADVERT_ENTRIES, MAX_ADVERT_PATHS, MAX_PATH_INTERFACES } from "../routing/advert.js";

export type ObjectMap = ReadonlyMap<string, ReadonlyMap<string, Implementation<object>>>;

export class ObjectRegistry {
  readonly #self: string;
  readonly #host: ImplementationHost;
  readonly #objects = new Map<string, Map<string, Implementation<object>>>();
  /** Implementations `unregister` leaves in place (the node's own introspection object). */
  readonly #permanent = new Set<Implementation<object>>();
  /** Paths and interfaces registered: entries of this node's advert (`MAX_ADVERT_ENTRIES`). */
  #entries = 0;

  constructor(self: string, host: ImplementationHost) {
    this.#self = self;
    this.#host = host;
  }

  get objects(): ObjectMap {
    return this.#objects;
  }

  /** Path → interface names, as the node's advert lists them. */
  summary(): Record<string, string[]> {
    const summary: Record<string, string[]> = {};
    for (const [path, byIntf] of this.#objects) summary[path] = [...byIntf.keys()];
    return summary;
  }

  /**
   * Registers `impl` under `path`; `permanent` ones cannot be unregistered.
   * @throws InvalidArgumentError for a malformed path, something not an Implementation, or an interface already
   * registered at `path`.
   */
  register(path: string, impl: Implementation<object>, permanent = false): void {
    if (!isValidPath(path)) {
      throw new InvalidArgumentError(
        `register: path must start with '/' and consist of segments of letters, digits, '_', '-', '.' or '~' (like '/myTimer'), got ${JSON.stringify(path)}`,
      );
    }
    if (typeof impl !== "object" || impl === null || typeof impl[kAttach] !== "function") {
      throw new InvalidArgumentError("register: impl must be an Implementation (or a generated server)");
    }
    let byIntf = this.#objects.get(path);
    const intf = impl.intf.name;
    if (byIntf?.has(intf) === true) {
      throw new InvalidArgumentError(
        `register: ${this.#self}:${path} already has an implementation of ${intf}`,
      );
    }
    const beyond = this.#beyondAdvert(path, byIntf);
    if (beyond !== undefined) {
      throw new InvalidArgumentError(
        `register: ${this.#self}:${path} (${intf}) cannot be advertised: ${beyond}, which peers ignore (docs/PROTOCOL.md, "Link state"); serve several interfaces under one path, or spread the objects over more nodes`,
      );
    }
    if (byIntf === undefined) {
      byIntf = new Map();
      this.#objects.set(path, byIntf);
      this.#entries++;
    }
    this.#entries++;
    byIntf.set(intf, impl);
    if (permanent) this.#permanent.add(impl);
    impl[kAttach](this.#host, path);
  }

  /** Unregisters interface `intf` at `path`, or everything there; returns the interface names removed. */
  unregister(path: string, intf?: string): string[] {
    const byIntf = this.#objects.get(path);
    if (byIntf === undefined) return [];
    const names = (intf === undefined ? [...byIntf.keys()] : byIntf.has(intf) ? [intf] : []).filter(
      (name) => !this.#permanent.has(byIntf.get(name) as Implementation<object>),
    );
    for (const name of names) {
      byIntf.get(name)?.[kDetach](this.#host, path);
      byIntf.delete(name);
      this.#entries--;
    }
    if (byIntf.size === 0) {
      this.#objects.delete(path);
      this.#entries--;
    }
    return names;
  }

  /**
   * Why one more interface at `path` (holding `byIntf` so far) would take this node's advert beyond the bounds its
   * peers hold it to (routing/advert.ts), or undefined. Its links count as entries too, so a node with many
   * objects and many links runs into `MAX_ADVERT_ENTRIES` sooner: the advert is then ignored, and said so.
   */
  #beyondAdvert(path: string, byIntf: ReadonlyMap<string, unknown> | undefined): string | undefined {
    if (byIntf === undefined && this.#objects.size >= MAX_ADVERT_PATHS) {
      return `the node's advert would list ${this.#objects.size + 1} paths, more than ${MAX_ADVERT_PATHS}`;
    }
    if (byIntf !== undefined && byIntf.size >= MAX_PATH_INTERFACES) {
      return `${path} would list ${byIntf.size + 1} interfaces, more than ${MAX_PATH_INTERFACES}`;
    }
    const entries = this.#entries + (byIntf === undefined ? 2 : 1);
    if (entries > MAX_ADVERT_ENTRIES) {
      return `the node's advert would list ${entries} paths and interfaces, more than ${MAX_ADVERT_ENTRIES}`;
    }
    return undefined;
  }

  /** Detaches every implementation (the node has closed); they may be registered elsewhere afterwards. */
  detachAll(): void {
    for (const [path, byIntf] of this.#objects) {
      for (const impl of byIntf.values()) impl[kDetach](this.#host, path);
    }
  }
}
