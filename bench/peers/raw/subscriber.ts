/** Raw floor fan-out subscriber process: `--conns` TCP connections to the publisher. */
import * as net from "node:net";
import { argMap, die, numArg, say } from "../../lib/common.js";
import { ConnCounter, reportSubs, waitDone } from "../../lib/fanout.js";
import { FrameDecoder, decode } from "../../lib/frame.js";

const args = argMap();
const n = numArg(args, "n", 200000);
const conns = numArg(args, "conns", 5);

async function main(): Promise<void> {
  const counters: ConnCounter[] = [];
  const socks: net.Socket[] = [];
  for (let i = 0; i < conns; i++) {
    const c = new ConnCounter(n);
    counters.push(c);
    const s = net.connect({ host: "127.0.0.1", port: Number(args["port"]) });
    s.setNoDelay(true);
    await new Promise((resolve, reject) => {
      s.once("connect", resolve);
      s.once("error", reject);
    });
    s.on("error", () => undefined);
    const dec = new FrameDecoder((body) => c.onEvent(decode(body) as { seq: number }));
    s.on("data", (chunk: Buffer) => dec.push(chunk));
    socks.push(s);
  }
  say("READY");
  const reason = await waitDone(counters);
  reportSubs(counters, reason);
  for (const s of socks) s.destroy();
  process.exit(0);
}
main().catch(die);
