/**
 * Raw floor fan-out publisher (shared/bench-peers/peers/raw/publisher.js): a TCP server; every subscriber
 * connection gets every event directly. Each event is encoded once and written to every socket.
 *   --mode=perframe   one write() per event per socket
 *   --mode=coalesced  one write() per burst per socket (frames concatenated)
 * Backpressure: after each burst, wait for 'drain' on any socket whose write() said so.
 */
import { once } from "node:events";
import * as net from "node:net";
import { END, argMap, die, exitOnSigterm, numArg, say, sleep } from "../../lib/common.js";
import { publishLoop, reportPublisher, waitGo } from "../../lib/fanout.js";
import { encodeFrame } from "../../lib/frame.js";

const args = argMap();
const coalesced = (args["mode"] ?? "perframe") === "coalesced";
const n = numArg(args, "n", 200000);
const burst = numArg(args, "burst", 1000);
const conns = numArg(args, "conns", 10);

const socks: net.Socket[] = [];
const server = net.createServer((s) => {
  s.setNoDelay(true);
  s.on("error", () => undefined);
  socks.push(s);
});
server.on("error", die);
server.listen(0, "127.0.0.1", () => say("READY", { port: (server.address() as net.AddressInfo).port }));
exitOnSigterm();

async function main(): Promise<void> {
  await waitGo();
  const tWait = Date.now();
  while (socks.length < conns) {
    if (Date.now() - tWait > 10000) throw new Error(`only ${socks.length}/${conns} subscribers connected`);
    await sleep(5);
  }
  let pending: Buffer[] = [];
  const times = await publishLoop({
    n,
    burst,
    sendEvent: (_seq, ev) => {
      const f = encodeFrame(ev);
      if (coalesced) pending.push(f);
      else for (const s of socks) s.write(f);
    },
    afterBurst: async () => {
      if (coalesced) {
        const b = Buffer.concat(pending);
        pending = [];
        for (const s of socks) s.write(b);
      }
      for (const s of socks) if (s.writableNeedDrain) await once(s, "drain");
    },
    sendEnd: () => {
      const f = encodeFrame({ seq: END });
      for (const s of socks) s.write(f);
    },
  });
  // Wait until userland buffers are handed to the kernel.
  for (const s of socks) if (s.writableLength > 0) await once(s, "drain");
  reportPublisher(times);
}
main().catch(die);
