/**
 * supcon server process: node "server" listening on 127.0.0.1 with the benchmark object at /bench.
 *   --unix=PATH    listen on a Unix domain socket instead (reports port 0)
 *   --soakEvents   while a client is subscribed, fire 100 tick events every 10 ms (memory soak only)
 */
import { Node } from "supcon";
import { argMap, die, exitOnSigterm, makeEvent, say } from "../lib/common.js";
import { EchoServer, PATH, SERVER, benchNodeOptions } from "./common.js";

const args = argMap();

async function main(): Promise<void> {
  const node = new Node(SERVER, benchNodeOptions(SERVER));
  const impl = new EchoServer();
  node.register(PATH, impl);
  const unix = args["unix"];
  const port =
    unix === undefined
      ? (await node.listen({ host: "127.0.0.1", port: 0 })).port
      : (await node.listen({ path: unix }), 0);
  if (args["soakEvents"] === "true") {
    let seq = 0;
    setInterval(() => {
      for (let i = 0; i < 100; i++) impl.fire("tick", makeEvent(seq++));
    }, 10);
  }
  say("READY", { port });
  exitOnSigterm();
}
main().catch(die);
