/**
 * The built-in `supcon.Node` object every node offers at path `/`: what the node has, and events when that changes.
 * It is implemented with the code `supcon-gen` generates from `interfaces/supcon.Node.yaml`, like any other object.
 */
import type { NodeDescribeOut, NodePingOut } from "../generated/supcon.Node.js";
import { NodeServer } from "../generated/supcon.Node.js";
import type { Implementation } from "../dispatch/implementation.js";

/** The path of the introspection object on every node. */
export const INTROSPECTION_PATH = "/";

/** What the introspection object reads from its node. */
export interface IntrospectedNode {
  readonly name: string;
  objects(): ReadonlyMap<string, ReadonlyMap<string, Implementation<object>>>;
}

export class NodeIntrospection extends NodeServer {
  readonly #node: IntrospectedNode;

  constructor(node: IntrospectedNode) {
    super();
    this.#node = node;
  }

  describe(): NodeDescribeOut {
    const objects = [...this.#node.objects()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, byIntf]) => ({
        path,
        interfaces: [...byIntf.values()].map((impl) => ({
          name: impl.intf.name,
          descriptor: impl.intf.toJSON(),
        })),
      }));
    return { name: this.#node.name, objects };
  }

  ping(): NodePingOut {
    return { now: Date.now() };
  }
}
