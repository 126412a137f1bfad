/** NATS request/reply responder, a node process; the broker is nats-server (shared/bench-peers/peers/nats). */
import { connect } from "nats";
import { argMap, die, exitOnSigterm, say } from "../../lib/common.js";
import { packr, unpackr } from "../../lib/frame.js";

const args = argMap();

async function main(): Promise<void> {
  const nc = await connect({ servers: `127.0.0.1:${args["port"]}`, name: "bench-responder" });
  nc.subscribe("bench.echo", {
    callback: (err, msg) => {
      if (err !== null) die(err);
      const req = unpackr.unpack(msg.data) as { timer?: unknown };
      if (typeof req.timer !== "string") die(new Error("bad request"));
      msg.respond(packr.pack({ ok: true }));
    },
  });
  await nc.flush(); // the subscription is registered at the broker
  say("READY");
  exitOnSigterm();
}
main().catch(die);
