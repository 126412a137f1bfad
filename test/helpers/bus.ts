/**
 * Test fixture for nodes on real TCP sockets: makes nodes with a quiet logger, closes every one of them after the
 * test, and offers bounded waits.
 */
import { Node } from "../../packages/supcon/src/index";
import type { NodeOptions } from "../../packages/supcon/src/index";

export class Bus {
  readonly nodes: Node[] = [];
  readonly warnings: string[] = [];

  /** A node with fast heartbeats and reconnects, suited to tests. */
  node(name: string, options: NodeOptions = {}): Node {
    const node = new Node(name, {
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      logger: { warn: (message) => this.warnings.push(`${name}: ${message}`) },
      ...options,
    });
    this.nodes.push(node);
    return node;
  }

  /** A node listening on a free port of 127.0.0.1. */
  async listening(name: string, options: NodeOptions = {}): Promise<{ node: Node; port: number }> {
    const node = this.node(name, options);
    const { port } = await node.listen({ host: "127.0.0.1", port: 0 });
    return { node, port };
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
    this.nodes.length = 0;
  }
}

/** Waits until `condition()` is true, polling; fails after `timeoutMs`. */
export async function eventually(
  condition: () => boolean,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resource kinds that outlive a test when something was not released. */
export function openHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap" || r === "Timeout");
}
