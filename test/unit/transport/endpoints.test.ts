/**
 * transport/endpoints.ts: how specs are described, and that each kind of spec reaches its own transport with its
 * settings (the transports are mocked: no sockets here).
 */
import { InvalidArgumentError } from "../../../packages/supcon/src/base/errors";
import type { DialSpec, ListenSpec } from "../../../packages/supcon/src/transport/endpoints";
import {
  describeEndpoint,
  dialEndpoint,
  listenEndpoint,
} from "../../../packages/supcon/src/transport/endpoints";
import * as tcp from "../../../packages/supcon/src/transport/tcp";
import * as tls from "../../../packages/supcon/src/transport/tls";
import * as unix from "../../../packages/supcon/src/transport/unix";

jest.mock("../../../packages/supcon/src/transport/tcp", () => ({
  connectTcp: jest.fn(async () => "tcp transport"),
  listenTcp: jest.fn(async () => "tcp listener"),
}));
jest.mock("../../../packages/supcon/src/transport/tls", () => ({
  connectTls: jest.fn(async () => "tls transport"),
  listenTls: jest.fn(async () => "tls listener"),
}));
jest.mock("../../../packages/supcon/src/transport/unix", () => ({
  connectUnix: jest.fn(async () => "unix transport"),
  listenUnix: jest.fn(async () => "unix listener"),
}));

const onTransport = (): void => undefined;
const onError = (): void => undefined;
const limits = { timeoutMs: 1000, signal: new AbortController().signal };

beforeEach(() => jest.clearAllMocks());

describe("describeEndpoint", () => {
  it("shows each kind as messages do", () => {
    expect(describeEndpoint({ kind: "tcp", host: "127.0.0.1", port: 7000 })).toBe("127.0.0.1:7000");
    expect(describeEndpoint({ kind: "tcp", host: "::1", port: 7000 })).toBe("[::1]:7000");
    expect(describeEndpoint({ kind: "tls", host: "127.0.0.1", port: 7000, tls: {} })).toBe(
      "tls://127.0.0.1:7000",
    );
    expect(
      describeEndpoint({ kind: "tls", host: "bus.example", port: 7443, tls: {}, handshakeTimeoutMs: 5000 }),
    ).toBe("tls://bus.example:7443");
    expect(describeEndpoint({ kind: "unix", path: "/run/x.sock" })).toBe("unix:/run/x.sock");
    expect(describeEndpoint({ kind: "unix", path: "/run/x.sock", mode: 0o660 })).toBe("unix:/run/x.sock");
  });

  it("shows a listener's address", () => {
    expect(describeEndpoint({ kind: "tcp", host: "0.0.0.0", port: 41234 })).toBe("0.0.0.0:41234");
    expect(describeEndpoint({ kind: "tls", host: "::", port: 7443 })).toBe("tls://[::]:7443");
    expect(describeEndpoint({ kind: "unix", path: "/tmp/a/bus.sock" })).toBe("unix:/tmp/a/bus.sock");
  });

  it("refuses a kind there is no transport for", () => {
    const spec = { kind: "ws", url: "ws://x" } as unknown as ListenSpec;
    expect(() => describeEndpoint(spec)).toThrow(InvalidArgumentError);
    expect(() => describeEndpoint(spec)).toThrow(
      'unknown kind of endpoint "ws": expected one of tcp, tls, unix',
    );
    expect(() => describeEndpoint({ kind: "toString" } as unknown as ListenSpec)).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("listenEndpoint", () => {
  it("listens with the transport of the spec's kind, and its settings", async () => {
    await expect(
      listenEndpoint({ kind: "tcp", host: "127.0.0.1", port: 0 }, onTransport, onError),
    ).resolves.toBe("tcp listener");
    expect(tcp.listenTcp).toHaveBeenCalledWith("127.0.0.1", 0, onTransport, onError);

    const tlsOptions = { key: "k", cert: "c", requestCert: true };
    await expect(
      listenEndpoint(
        { kind: "tls", host: "::", port: 7443, tls: tlsOptions, handshakeTimeoutMs: 2500 },
        onTransport,
        onError,
      ),
    ).resolves.toBe("tls listener");
    expect(tls.listenTls).toHaveBeenCalledWith("::", 7443, tlsOptions, 2500, onTransport, onError);

    await expect(
      listenEndpoint({ kind: "unix", path: "/run/x.sock", mode: 0o660 }, onTransport, onError),
    ).resolves.toBe("unix listener");
    expect(unix.listenUnix).toHaveBeenCalledWith("/run/x.sock", { mode: 0o660 }, onTransport, onError);
    await listenEndpoint({ kind: "unix", path: "rel.sock" }, onTransport, onError);
    expect(unix.listenUnix).toHaveBeenLastCalledWith("rel.sock", {}, onTransport, onError);

    expect(tcp.listenTcp).toHaveBeenCalledTimes(1);
    expect(tls.listenTls).toHaveBeenCalledTimes(1);
    expect(unix.listenUnix).toHaveBeenCalledTimes(2);
    expect(tcp.connectTcp).not.toHaveBeenCalled();
  });

  it("rejects a kind there is no transport for", async () => {
    const spec = { kind: "nats", servers: [] } as unknown as ListenSpec;
    await expect(listenEndpoint(spec, onTransport, onError)).rejects.toThrow(InvalidArgumentError);
  });
});

describe("dialEndpoint", () => {
  it("dials with the transport of the spec's kind, and its settings", async () => {
    await expect(dialEndpoint({ kind: "tcp", host: "10.0.0.1", port: 7000 }, limits)).resolves.toBe(
      "tcp transport",
    );
    expect(tcp.connectTcp).toHaveBeenCalledWith("10.0.0.1", 7000, limits);

    const tlsOptions = { ca: "ca", servername: "bus" };
    await expect(
      dialEndpoint({ kind: "tls", host: "bus", port: 7443, tls: tlsOptions }, limits),
    ).resolves.toBe("tls transport");
    expect(tls.connectTls).toHaveBeenCalledWith("bus", 7443, tlsOptions, limits, false);
    await dialEndpoint(
      { kind: "tls", host: "bus", port: 7443, tls: tlsOptions, checkNodeName: true },
      limits,
    );
    expect(tls.connectTls).toHaveBeenLastCalledWith("bus", 7443, tlsOptions, limits, true);

    await expect(dialEndpoint({ kind: "unix", path: "/run/x.sock" }, limits)).resolves.toBe("unix transport");
    expect(unix.connectUnix).toHaveBeenCalledWith("/run/x.sock", limits);

    expect(tcp.listenTcp).not.toHaveBeenCalled();
    expect(tls.listenTls).not.toHaveBeenCalled();
    expect(unix.listenUnix).not.toHaveBeenCalled();
  });

  it("rejects a kind there is no transport for", async () => {
    const spec = { kind: "ws" } as unknown as DialSpec;
    await expect(dialEndpoint(spec, limits)).rejects.toThrow('unknown kind of endpoint "ws"');
    await expect(dialEndpoint(null as unknown as DialSpec, limits)).rejects.toThrow(InvalidArgumentError);
  });
});
