/** NATS fan-out publisher: publishes each event once to the broker, which fans it out. */
import { connect } from "nats";
import { END, argMap, die, numArg, say } from "../../lib/common.js";
import { publishLoop, reportPublisher, waitGo } from "../../lib/fanout.js";
import { packr } from "../../lib/frame.js";

const args = argMap();
const n = numArg(args, "n", 200000);
const burst = numArg(args, "burst", 1000);

async function main(): Promise<void> {
  const nc = await connect({ servers: `127.0.0.1:${args["port"]}`, name: "bench-publisher" });
  say("READY");
  await waitGo();
  const times = await publishLoop({
    n,
    burst,
    sendEvent: (_seq, ev) => nc.publish("bench.events", packr.pack(ev)),
    sendEnd: () => nc.publish("bench.events", packr.pack({ seq: END })),
  });
  await nc.flush(); // the broker has processed everything sent
  reportPublisher(times);
  await nc.close();
  process.exit(0);
}
main().catch(die);
