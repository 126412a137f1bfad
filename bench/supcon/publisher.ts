/**
 * supcon fan-out publisher process: node "server" listening on 127.0.0.1; the benchmark object fires each tick event
 * once, and the node sends it to every subscribed node over that node's own link.
 */
import { Node } from "supcon";
import { END, argMap, die, exitOnSigterm, makeEvent, numArg, say } from "../lib/common.js";
import { publishLoop, reportPublisher, waitGo } from "../lib/fanout.js";
import { EchoServer, PATH, SERVER, benchNodeOptions } from "./common.js";

const args = argMap();
const n = numArg(args, "n", 200000);
const burst = numArg(args, "burst", 1000);

async function main(): Promise<void> {
  const node = new Node(SERVER, benchNodeOptions(SERVER));
  const impl = new EchoServer();
  node.register(PATH, impl);
  const { port } = await node.listen({ host: "127.0.0.1", port: 0 });
  say("READY", { port });
  exitOnSigterm();
  await waitGo();
  const times = await publishLoop({
    n,
    burst,
    sendEvent: (_seq, ev) => impl.fire("tick", ev),
    sendEnd: () => impl.fire("tick", makeEvent(END)),
  });
  reportPublisher(times);
}
main().catch(die);
