/**
 * A TCP proxy for fault tests: it forwards between the nodes and a target port, and on command delays, slices,
 * stops forwarding (a silent partition), resets or half-closes the connections that pass through it.
 */
import * as net from "node:net";

export interface FaultProxy {
  readonly port: number;
  /** Delay every chunk by this many milliseconds (0: none). */
  latencyMs: number;
  /** Write every chunk in pieces of this many bytes (0: as received). */
  sliceBytes: number;
  /** Stop forwarding in both directions without closing anything: the peers see silence. */
  blackhole(): void;
  /** Forward again (what arrived meanwhile is dropped, as a partition would). */
  heal(): void;
  /** Stop reading from the nodes that connected to the proxy: their socket buffers fill up (a slow consumer). */
  stopReading(): void;
  /** Read from the nodes again after `stopReading()`. */
  resumeReading(): void;
  /** Reset every connection (RST), as a crashed host or a middlebox would. */
  reset(): void;
  /** Close the direction towards the target (the proxy sends FIN to the target only). */
  halfCloseToTarget(): void;
  /** Number of connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  readonly server: net.Socket;
}

export function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let blackholed = false;
  let accepted = 0;

  const forward = (from: net.Socket, to: net.Socket, proxy: FaultProxy): void => {
    from.on("data", (chunk: Buffer) => {
      if (blackholed) return;
      const send = (): void => {
        if (to.destroyed || blackholed) return;
        const slice = proxy.sliceBytes;
        if (slice <= 0) to.write(chunk);
        else for (let i = 0; i < chunk.length; i += slice) to.write(chunk.subarray(i, i + slice));
      };
      if (proxy.latencyMs > 0) setTimeout(send, proxy.latencyMs);
      else send();
    });
  };

  return new Promise((resolve, reject) => {
    const server = net.createServer((client) => {
      accepted++;
      const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
      const pair = { client, server: upstream };
      pairs.add(pair);
      const end = (): void => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
      forward(client, upstream, proxy);
      forward(upstream, client, proxy);
    });
    const proxy: FaultProxy = {
      port: 0,
      latencyMs: 0,
      sliceBytes: 0,
      get accepted() {
        return accepted;
      },
      blackhole: () => {
        blackholed = true;
      },
      heal: () => {
        blackholed = false;
      },
      stopReading: () => {
        for (const { client } of pairs) client.pause();
      },
      resumeReading: () => {
        for (const { client } of pairs) client.resume();
      },
      reset: () => {
        for (const { client, server: upstream } of pairs) {
          client.resetAndDestroy();
          upstream.resetAndDestroy();
        }
        pairs.clear();
      },
      halfCloseToTarget: () => {
        for (const { server: upstream } of pairs) upstream.end();
      },
      close: () =>
        new Promise<void>((done) => {
          for (const { client, server: upstream } of pairs) {
            client.destroy();
            upstream.destroy();
          }
          pairs.clear();
          server.close(() => done());
        }),
    };
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      (proxy as { port: number }).port = (server.address() as net.AddressInfo).port;
      resolve(proxy);
    });
  });
}
