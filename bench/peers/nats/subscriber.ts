/**
 * NATS fan-out subscriber process: `--conns` separate NATS connections, each with its own subscription to the
 * event subject (so the broker delivers to every connection).
 */
import type { NatsConnection } from "nats";
import { connect } from "nats";
import { argMap, die, numArg, say } from "../../lib/common.js";
import { ConnCounter, reportSubs, waitDone } from "../../lib/fanout.js";
import { unpackr } from "../../lib/frame.js";

const args = argMap();
const n = numArg(args, "n", 200000);
const conns = numArg(args, "conns", 5);

async function main(): Promise<void> {
  const counters: ConnCounter[] = [];
  const ncs: NatsConnection[] = [];
  const errors: string[] = [];
  for (let i = 0; i < conns; i++) {
    const c = new ConnCounter(n);
    counters.push(c);
    const nc = await connect({ servers: `127.0.0.1:${args["port"]}`, name: `bench-sub-${i}` });
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "error" || s.type === "disconnect") errors.push(`${s.type}:${String(s.data)}`);
      }
    })();
    nc.subscribe("bench.events", {
      callback: (err, msg) => {
        if (err !== null) errors.push(String(err));
        else c.onEvent(unpackr.unpack(msg.data) as { seq: number });
      },
    });
    await nc.flush();
    ncs.push(nc);
  }
  say("READY");
  const reason = await waitDone(counters);
  if (errors.length > 0) process.stderr.write(`nats status events: ${errors.slice(0, 5).join(", ")}\n`);
  reportSubs(counters, errors.length > 0 ? `${reason};errors=${errors.length}` : reason);
  process.exit(0);
}
main().catch(die);
