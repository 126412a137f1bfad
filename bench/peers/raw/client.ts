/**
 * Raw floor RPC client over ONE TCP connection (shared/bench-peers/peers/raw/client.js). Replies arrive in request
 * order, so pending calls are a FIFO of resolvers (no ids on the wire).
 */
import * as net from "node:net";
import { argMap, die, makeRequest, say } from "../../lib/common.js";
import { FrameDecoder, decode, encodeFrame } from "../../lib/frame.js";
import { rpcOptions, runRpcClient } from "../../lib/rpc-harness.js";

const args = argMap();
const coalesced = (args["mode"] ?? "perframe") === "coalesced";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

async function main(): Promise<void> {
  const sock = net.connect({ host: "127.0.0.1", port: Number(args["port"]) });
  sock.setNoDelay(true);
  await new Promise((resolve, reject) => {
    sock.once("connect", resolve);
    sock.once("error", reject);
  });
  sock.on("error", die);

  // A ring of pending calls; the harness never has more than 64 in flight.
  const mask = 1023;
  const q: (Pending | undefined)[] = new Array<Pending | undefined>(mask + 1);
  let head = 0;
  let tail = 0;
  const dec = new FrameDecoder((body) => {
    const rep = decode(body) as { ok?: unknown };
    const p = q[head] as Pending;
    q[head] = undefined;
    head = (head + 1) & mask;
    if (rep.ok !== true) p.reject(new Error("bad reply"));
    else p.resolve(rep);
  });
  sock.on("data", (c: Buffer) => dec.push(c));

  let out: Buffer[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    sock.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
    out = [];
  };

  const call = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      q[tail] = { resolve, reject };
      tail = (tail + 1) & mask;
      const frame = encodeFrame(makeRequest());
      if (!coalesced) sock.write(frame);
      else {
        out.push(frame);
        if (!flushScheduled) {
          flushScheduled = true;
          process.nextTick(flush);
        }
      }
    });

  const r = await runRpcClient(call, rpcOptions(args));
  say("RESULT", r);
  sock.destroy();
  process.exit(0);
}
main().catch(die);
