/**
 * The public surface of the runtime: `import { Node, Interface, Implementation } from "supcon"`.
 */
export * from "./core.js";
export { Node } from "./api/node.js";
export type * from "./api/options.js";
export type { NodeStatus } from "./bus/status.js";
export { LinkError } from "./link/peer-link.js";
export type { BusView, Connection } from "./api/node.js";
// The client of the built-in introspection interface every node offers at "/".
export { NodeClient, NodeInterface } from "./generated/supcon.Node.js";
export type {
  InterfaceInfo,
  NodeDescribeOut,
  NodeEvents,
  NodePingOut,
  NodeRegisteredEvent,
  NodeUnregisteredEvent,
  ObjectInfo,
} from "./generated/supcon.Node.js";
