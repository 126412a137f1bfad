/** gRPC unary client: ONE channel (one HTTP/2 connection), calls multiplexed on it. */
import { argMap, die, makeRequest, say } from "../../lib/common.js";
import { rpcOptions, runRpcClient } from "../../lib/rpc-harness.js";
import { Bench, grpc } from "./proto.js";

const args = argMap();

async function main(): Promise<void> {
  const client = new Bench(`127.0.0.1:${args["port"]}`, grpc.credentials.createInsecure());
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 10000, (e) => (e ? reject(e) : resolve())),
  );
  const call = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const r = makeRequest();
      client.Echo({ name: r.timer, seconds: r.seconds }, (err, rep) => {
        if (err !== null) reject(err);
        else if (rep.ok !== true) reject(new Error("bad reply"));
        else resolve(rep);
      });
    });
  const r = await runRpcClient(call, rpcOptions(args));
  say("RESULT", r);
  client.close();
  process.exit(0);
}
main().catch(die);
