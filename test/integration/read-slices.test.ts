/**
 * A socket that its peer keeps full is read in slices: after 64 KiB it waits for the event loop's next turn, so that
 * one peer's flood cannot hold up every other socket and timer of the node (TCP, and Unix sockets, which share the
 * transport: TLS too).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createTcpTransport } from "../../packages/supcon/src/transport/tcp";

const SLICE = 64 * 1024;
const SENT = 4 * 1024 * 1024;

/** Bytes the transport delivered in each turn of the event loop, once the peer has queued `SENT` bytes. */
async function bytesPerTurn(listenOn: net.ListenOptions): Promise<number[]> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(listenOn, resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const address = server.address();
  const client =
    typeof address === "string"
      ? net.connect(address)
      : net.connect({ host: "127.0.0.1", port: (address as net.AddressInfo).port });
  const socket = await accepted;
  // Fill the socket while nothing reads it: a writer that never waits, as a flooding peer.
  client.write(Buffer.alloc(SENT, 7));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const turns: number[] = [0];
  let received = 0;
  let turnTimer: NodeJS.Immediate | undefined;
  const done = new Promise<void>((resolve) => {
    const transport = createTcpTransport(socket);
    transport.setHandlers({
      data: (chunk) => {
        turns[turns.length - 1] = (turns.at(-1) ?? 0) + chunk.length;
        received += chunk.length;
        turnTimer ??= setImmediate(() => {
          turnTimer = undefined;
          turns.push(0);
        });
        if (received >= SENT) resolve();
      },
      close: () => undefined,
      drain: () => undefined,
    });
    socket.resume();
  });
  await done;
  client.destroy();
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  return turns.filter((n) => n > 0);
}

describe("reading a flooded socket", () => {
  it("delivers at most one slice (plus the chunk that crossed it) per turn over TCP", async () => {
    const turns = await bytesPerTurn({ host: "127.0.0.1", port: 0 });
    expect(turns.length).toBeGreaterThan(SENT / (2 * SLICE) - 1);
    expect(Math.max(...turns)).toBeLessThanOrEqual(2 * SLICE);
  });

  it("does the same over a Unix socket", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-slices-"));
    try {
      const turns = await bytesPerTurn({ path: path.join(dir, "s.sock") });
      expect(Math.max(...turns)).toBeLessThanOrEqual(2 * SLICE);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
