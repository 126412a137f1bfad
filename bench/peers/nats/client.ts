/** NATS request/reply client over ONE connection (nats.js v2 default muxed inbox). */
import { connect } from "nats";
import { argMap, die, makeRequest, say } from "../../lib/common.js";
import { packr, unpackr } from "../../lib/frame.js";
import { rpcOptions, runRpcClient } from "../../lib/rpc-harness.js";

const args = argMap();

async function main(): Promise<void> {
  const nc = await connect({ servers: `127.0.0.1:${args["port"]}`, name: "bench-client" });
  const opts = { timeout: 10000 };
  const call = (): Promise<unknown> =>
    nc.request("bench.echo", packr.pack(makeRequest()), opts).then((m) => {
      const rep = unpackr.unpack(m.data) as { ok?: unknown };
      if (rep.ok !== true) throw new Error("bad reply");
      return rep;
    });
  const r = await runRpcClient(call, rpcOptions(args));
  say("RESULT", r);
  await nc.close();
  process.exit(0);
}
main().catch(die);
