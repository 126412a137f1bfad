/** What the supcon benchmark processes share: the served object and the names of the bus. */
import { Node } from "supcon";
import type { BenchEchoIn, BenchEchoOut } from "../generated/com.example.Bench.js";
import { BenchInterface, BenchServer } from "../generated/com.example.Bench.js";

/** Name of the serving (and publishing) node. */
export const SERVER = "server";
/** Path of the benchmark object. */
export const PATH = "/bench";
/** Interface name of the benchmark object. */
export const INTF = BenchInterface.name;

/** The benchmark object, written as users write one: a subclass of the generated server skeleton. */
export class EchoServer extends BenchServer {
  echo(args: BenchEchoIn): BenchEchoOut {
    // The runtime has validated the arguments already; this check keeps the work equal to the peers' servers.
    if (typeof args.timer !== "string") throw new Error("bad request");
    return { ok: true };
  }
}

/**
 * A node that connects to `port` (or the Unix socket `unix`) and waits until the benchmark object on the server
 * node is reachable.
 */
export async function connectedNode(name: string, port: number, unix?: string): Promise<Node> {
  const node = new Node(name);
  node.connect(unix === undefined ? { host: "127.0.0.1", port } : { path: unix });
  await node.waitFor(SERVER, { path: PATH, intf: INTF, timeoutMs: 15000 });
  return node;
}
