/**
 * Raw floor relay for the two-hop scenario: node `net`, listening on 127.0.0.1 and connected to the raw server
 * (`--port`) once per client connection. It forwards whole frames each way, as they come, all the frames of one
 * received chunk in one write (the coalesced floor's rule), without decoding them: the least a relay can do.
 */
import * as net from "node:net";
import { argMap, die, exitOnSigterm, say } from "../../lib/common.js";

const args = argMap();
const serverPort = Number(args["port"]);

/** Forwards the complete frames of each chunk from `from` to `to`; keeps a partial tail for the next chunk. */
function forwardFrames(from: net.Socket, to: net.Socket): void {
  let tail: Buffer | null = null;
  from.on("data", (chunk: Buffer) => {
    const buf = tail === null ? chunk : Buffer.concat([tail, chunk]);
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (buf.length - off - 4 < len) break;
      off += 4 + len;
    }
    if (off > 0) to.write(off === buf.length ? buf : buf.subarray(0, off));
    tail = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
  });
}

const relay = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect({ host: "127.0.0.1", port: serverPort });
  upstream.setNoDelay(true);
  forwardFrames(client, upstream);
  forwardFrames(upstream, client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on("close", close);
  upstream.on("close", close);
  client.on("error", () => undefined);
  upstream.on("error", () => undefined);
});
relay.on("error", die);
relay.listen(0, "127.0.0.1", () => say("READY", { port: (relay.address() as net.AddressInfo).port }));
exitOnSigterm();
