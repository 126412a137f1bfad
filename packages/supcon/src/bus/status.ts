/**
 * The node's status reports (`node.onStatus`) and its warnings (`NodeOptions.logger`): one place every module of
 * the node reports through.
 */
import type { Logger } from "../base/types.js";
import type { LinkError } from "../link/peer-link.js";

/** A link is identified by its peer's name and the remote address. */
interface LinkRef {
  readonly peer: string;
  readonly remote: string;
}

export type NodeStatus =
  /** The node listens on this TCP (or TLS) address. */
  | { readonly type: "listening"; readonly host: string; readonly port: number }
  /** The node listens on this Unix domain socket. */
  | { readonly type: "listening"; readonly path: string }
  /** A connection attempt to `endpoint` starts. */
  | { readonly type: "connecting"; readonly endpoint: string }
  /** A connection attempt failed; the next one follows after `retryInMs`. */
  | {
      readonly type: "connectFailed";
      readonly endpoint: string;
      readonly error: Error;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  /** A connection closed before its handshake completed: refused by either side, a timeout or a protocol error. */
  | { readonly type: "handshakeFailed"; readonly remote: string; readonly error: LinkError }
  /** A link completed its handshake. `link` identifies it for the runtime itself. */
  | (LinkRef & { readonly type: "linkUp"; readonly link: unknown })
  /** A link closed; `error` says why when it was not a clean close. */
  | (LinkRef & { readonly type: "linkDown"; readonly error: LinkError | undefined })
  /** A node became reachable. Per node, `nodeUp` and `nodeDown` strictly alternate. */
  | { readonly type: "nodeUp"; readonly node: string }
  /** A node became unreachable. */
  | { readonly type: "nodeDown"; readonly node: string }
  /** An object's interface was registered on a node (this one included). */
  | { readonly type: "registered"; readonly node: string; readonly path: string; readonly intf: string }
  /** An object's interface was unregistered from a node. (A node that leaves the bus is reported by `nodeDown`.) */
  | { readonly type: "unregistered"; readonly node: string; readonly path: string; readonly intf: string }
  /** Events from `node` were lost on the way (an overloaded link): `missed` of them. */
  | { readonly type: "eventGap"; readonly node: string; readonly missed: number }
  /** The node has closed. */
  | { readonly type: "closed" };

export class StatusReports {
  readonly #listeners = new Set<(status: NodeStatus) => void>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: (status: NodeStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener; one that throws is reported and does not stop the others. */
  emit(status: NodeStatus): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(status);
      } catch (err) {
        this.warn(`a status listener threw: ${String(err)}`);
      }
    }
  }

  warn(message: string): void {
    this.#logger.warn(message);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
