/**
 * Raw floor RPC server: node `net`, length-prefixed msgpack frames (shared/bench-peers/peers/raw/server.js).
 *   --mode=perframe   one socket.write() per reply frame
 *   --mode=coalesced  all replies produced from one 'data' chunk go out in one write()
 */
import * as net from "node:net";
import { argMap, die, exitOnSigterm, say } from "../../lib/common.js";
import { FrameDecoder, decode, encodeFrame } from "../../lib/frame.js";

const args = argMap();
const coalesced = (args["mode"] ?? "perframe") === "coalesced";

const server = net.createServer((sock) => {
  sock.setNoDelay(true);
  let out: Buffer[] = [];
  const dec = new FrameDecoder((body) => {
    const req = decode(body) as { timer?: unknown };
    if (typeof req.timer !== "string") throw new Error("bad request");
    const frame = encodeFrame({ ok: true });
    if (coalesced) out.push(frame);
    else sock.write(frame);
  });
  sock.on("data", (chunk: Buffer) => {
    dec.push(chunk);
    if (coalesced && out.length > 0) {
      sock.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
      out = [];
    }
  });
  sock.on("error", () => undefined);
});
server.on("error", die);
server.listen(0, "127.0.0.1", () => say("READY", { port: (server.address() as net.AddressInfo).port }));
exitOnSigterm();
