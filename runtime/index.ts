/**
 * The public surface of the runtime: `import { Node, Interface, Implementation } from "supcon"`.
 */
export * from "./core.js";
export { Node } from "./api/node.js";
export type * from "./api/options.js";
export type { NodeStatus } from "./api/status.js";
export type { LinkError } from "./link/link.js";
export type { BusView, Connection } from "./api/node.js";
