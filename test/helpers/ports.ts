/**
 * TCP ports for tests that need one before anything listens on it, and a bounded wait for a listener in another
 * process.
 */
import * as fs from "node:fs";
import * as net from "node:net";

/** A port nothing listens on (one was bound on 127.0.0.1 a moment ago, and closed). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Resolves once something listens on `port` of 127.0.0.1; rejects after `timeoutMs`. On Linux it reads the socket
 * table (`/proc/net/tcp`) and makes no connection, so that the listener has nothing to report; elsewhere it tries
 * to connect.
 */
export async function whenListening(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** The state of a socket in LISTEN, in `/proc/net/tcp`. */
const TCP_LISTEN = "0A";

async function isListening(port: number): Promise<boolean> {
  const table = await fs.promises.readFile("/proc/net/tcp", "utf8").catch(() => undefined);
  if (table !== undefined) {
    const local = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
    return table.split("\n").some((line) => {
      const [, address, , state] = line.trim().split(/\s+/);
      return address?.endsWith(local) === true && state === TCP_LISTEN;
    });
  }
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}
