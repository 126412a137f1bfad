/** supcon relay process: node "relay" listening on 127.0.0.1 and connected to the server node (`--port`). */
import { Node } from "supcon";
import { argMap, die, exitOnSigterm, say } from "../lib/common.js";
import { INTF, PATH, SERVER, benchNodeOptions } from "./common.js";

const args = argMap();

async function main(): Promise<void> {
  const node = new Node("relay", benchNodeOptions("relay"));
  const { port } = await node.listen({ host: "127.0.0.1", port: 0 });
  node.connect({ host: "127.0.0.1", port: Number(args["port"]) });
  await node.waitFor(SERVER, { path: PATH, intf: INTF, timeoutMs: 15000 });
  say("READY", { port });
  exitOnSigterm();
}
main().catch(die);
