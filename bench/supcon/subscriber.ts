/**
 * supcon fan-out subscriber process: `--conns` nodes in this process, each with its own link to the publisher and
 * its own subscription to tick (through the generated `BenchClient.on`).
 */
import type { Node } from "supcon";
import { argMap, die, makeRequest, numArg, say } from "../lib/common.js";
import { ConnCounter, reportSubs, waitDone } from "../lib/fanout.js";
import { BenchClient } from "../generated/com.example.Bench.js";
import { PATH, SERVER, connectedNode } from "./common.js";

const args = argMap();
const n = numArg(args, "n", 200000);
const conns = numArg(args, "conns", 5);
const proc = args["proc"] ?? "0";

async function main(): Promise<void> {
  const counters: ConnCounter[] = [];
  const nodes: Node[] = [];
  for (let i = 0; i < conns; i++) {
    const c = new ConnCounter(n);
    counters.push(c);
    const node = await connectedNode(`sub-${proc}-${i}`, Number(args["port"]));
    nodes.push(node);
    const client = new BenchClient(node, SERVER, PATH);
    client.on("tick", (ev) => c.onEvent(ev));
    // Messages on a link are handled in order: once this reply is back, the publisher has the subscription.
    await client.echo(makeRequest());
  }
  say("READY");
  const reason = await waitDone(counters);
  reportSubs(counters, reason);
  process.exit(0);
}
main().catch(die);
