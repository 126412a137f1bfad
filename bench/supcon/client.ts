/**
 * supcon RPC client process: node "client" connected to `--port` (the server, or a relay in front of it), calling
 * echo through the generated `BenchClient`, measured by the same harness as the peers.
 *   --unix=PATH      connect to a Unix domain socket instead of --port
 *   --soak=SECONDS   instead: pipelined calls (and a tick subscription) for that long, for the memory soak
 */
import { argMap, die, makeRequest, numArg, say } from "../lib/common.js";
import { pipelined, rpcOptions, runRpcClient } from "../lib/rpc-harness.js";
import { BenchClient } from "../generated/com.example.Bench.js";
import { PATH, SERVER, connectedNode } from "./common.js";

const args = argMap();

async function main(): Promise<void> {
  const node = await connectedNode("client", Number(args["port"]), args["unix"]);
  const client = new BenchClient(node, SERVER, PATH);
  const call = async (): Promise<unknown> => {
    const rep = await client.echo(makeRequest());
    if (rep.ok !== true) throw new Error("bad reply");
    return rep;
  };
  const soakSeconds = numArg(args, "soak", 0);
  if (soakSeconds > 0) {
    let events = 0;
    client.on("tick", () => events++);
    const pipe = await pipelined(call, numArg(args, "inflight", 64), soakSeconds);
    say("RESULT", { pipe, events });
  } else {
    say("RESULT", await runRpcClient(call, rpcOptions(args)));
  }
  await node.close();
  process.exit(0);
}
main().catch(die);
