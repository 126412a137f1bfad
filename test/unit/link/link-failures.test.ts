import { Link } from "../../../packages/supcon/src/link/link";
import type { LinkOptions } from "../../../packages/supcon/src/link/link";
import { testLinkOptions } from "./link-options";
import type { LinkError } from "../../../packages/supcon/src/link/peer-link";
import { PeerRefusal } from "../../../packages/supcon/src/link/peer-link";
import type { Transport, TransportHandlers } from "../../../packages/supcon/src/transport/transport";
import { encodeMessage } from "../../../packages/supcon/src/wire/codec";
import { encodeFrame, foreignProtocol } from "../../../packages/supcon/src/wire/frame";
import { MessageType, PROTOCOL_VERSION } from "../../../packages/supcon/src/wire/messages";

/** A transport the test plays the peer of: it feeds bytes and closes. */
class PeerTransport implements Transport {
  readonly remote = "127.0.0.1:7000";
  readonly queuedBytes = 0;
  isClosed = false;
  handlers: TransportHandlers | undefined;
  readonly encrypted: boolean;
  readonly #identity: readonly string[];

  constructor(encrypted = false, identity: readonly string[] = []) {
    this.encrypted = encrypted;
    this.#identity = identity;
  }
  identity(): readonly string[] {
    return this.#identity;
  }
  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  write(): boolean {
    return true;
  }
  close(): void {
    this.isClosed = true;
  }
  destroy(): void {
    this.isClosed = true;
  }
}

/** A link over `transport`, and the error it closed with (once it has). */
function linkOver(transport: Transport, options: Partial<LinkOptions> = {}) {
  const closed: { error: LinkError | undefined; count: number } = { error: undefined, count: 0 };
  const link = new Link(transport, testLinkOptions(options), {
    open: () => undefined,
    message: () => undefined,
    closed: (_link, error) => {
      closed.error = error;
      closed.count++;
    },
  });
  return { link, closed };
}

const hello = (name: string) =>
  encodeMessage({
    type: MessageType.Hello,
    version: PROTOCOL_VERSION,
    name,
    info: { instance: "0000000000000002" },
  });

/** The start of a TLS 1.2/1.3 ClientHello record, as `tls.connect` sends it first. */
const CLIENT_HELLO = Uint8Array.from([0x16, 0x03, 0x01, 0x01, 0x2c, 0x01, 0x00, 0x01, 0x28, 0x03, 0x03]);
/** A TLS alert record (fatal, protocol_version), as a TLS server may answer bytes it cannot read. */
const ALERT = Uint8Array.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);

describe("foreignProtocol()", () => {
  it("tells a TLS record from a frame header by its first 4 bytes", () => {
    const header = (bytes: number[]): number => Buffer.from(bytes).readUInt32BE(0);
    expect(foreignProtocol(header([0x16, 0x03, 0x01, 0x01]))).toBe("TLS");
    expect(foreignProtocol(header([0x15, 0x03, 0x03, 0x00]))).toBe("TLS");
    expect(foreignProtocol(header([0x17, 0x03, 0x04, 0xff]))).toBe("TLS");
    expect(foreignProtocol(header([0x00, 0x00, 0x00, 0x20]))).toBeUndefined();
    expect(foreignProtocol(header([0x16, 0x02, 0x01, 0x00]))).toBeUndefined();
    expect(foreignProtocol(header([0x16, 0x03, 0x05, 0x00]))).toBeUndefined();
    expect(foreignProtocol(header([0x18, 0x03, 0x01, 0x00]))).toBeUndefined();
    expect(foreignProtocol(header([0x47, 0x45, 0x54, 0x20]))).toBeUndefined(); // "GET "
  });
});

describe("Link failures", () => {
  it("says that the peer speaks TLS when a TLS client meets this plain listener", () => {
    const transport = new PeerTransport();
    const { closed } = linkOver(transport);
    transport.handlers?.data(CLIENT_HELLO);
    expect(closed.error).toMatchObject({
      code: "supcon.ProtocolError",
      message:
        "127.0.0.1:7000: the peer speaks TLS and this listener does not (its first bytes, 16 03 01 01, are a TLS record, not a frame): connect without tls there, or listen with tls here",
    });
    expect(transport.isClosed).toBe(true);
  });

  it("says that TLS was expected when a plain connector gets a TLS record back", () => {
    const transport = new PeerTransport();
    const { closed } = linkOver(transport, { role: "connector" });
    transport.handlers?.data(ALERT);
    expect(closed.error?.message).toBe(
      "127.0.0.1:7000: expected TLS: the peer answered in TLS (its first bytes, 15 03 03 00, are a TLS record, not a frame); connect with tls",
    );
  });

  it("says that TLS may be expected when the peer of a plain connector closes without a word", () => {
    const transport = new PeerTransport();
    const { closed } = linkOver(transport, { role: "connector" });
    transport.handlers?.close(undefined);
    expect(closed.error).toMatchObject({
      code: "supcon.ConnectionLost",
      message:
        "127.0.0.1:7000: connection lost before the peer answered this node's HELLO (expected TLS? A TLS listener closes a plain connection so, without a word: if it listens with tls, connect with tls)",
    });
  });

  it("over TLS, asks about certificates instead; once the peer has spoken, it says nothing more", () => {
    const tls = new PeerTransport(true);
    const overTls = linkOver(tls, { role: "connector" });
    tls.handlers?.close(undefined);
    expect(overTls.closed.error?.message).toBe(
      "127.0.0.1:7000: connection lost before the peer answered this node's HELLO (over TLS: did it refuse this node's certificate, or want one? Its log says)",
    );
    const alerted = new PeerTransport(true);
    const withError = linkOver(alerted, { role: "connector" });
    alerted.handlers?.close(new Error("127.0.0.1:7000 requires a certificate of this node\n"));
    expect(withError.closed.error?.message).toBe(
      "127.0.0.1:7000: connection lost before the peer answered this node's HELLO: 127.0.0.1:7000 requires a certificate of this node",
    );
    const accepted = new PeerTransport(true);
    const acceptor = linkOver(accepted);
    accepted.handlers?.close(undefined);
    expect(acceptor.closed.error?.message).toBe(
      "127.0.0.1:7000: connection lost before the peer's HELLO, after the TLS handshake (did it refuse this node's certificate? Its log says)",
    );

    const plain = new PeerTransport();
    const spoken = linkOver(plain, { role: "connector", secret: new Uint8Array(32) });
    plain.handlers?.data(
      encodeMessage({ type: MessageType.Challenge, nonce: new Uint8Array(32), proof: new Uint8Array(0) }),
    );
    plain.handlers?.close(undefined);
    expect(spoken.closed.error?.message).toBe("127.0.0.1:7000: connection lost");
  });

  it("reports a TLS-looking header after the handshake as the oversized frame it is", () => {
    const transport = new PeerTransport();
    const { link, closed } = linkOver(transport, { maxFrameBytes: 1024 });
    transport.handlers?.data(hello("peer"));
    expect(link.state.phase).toBe("open");
    transport.handlers?.data(CLIENT_HELLO);
    expect(closed.error).toMatchObject({ code: "supcon.FrameTooLarge" });
    expect(closed.error?.message).toMatch(
      /^peer \(127\.0\.0\.1:7000\): frame of \d+ bytes exceeds maxFrameBytes/,
    );
  });

  it("has an acceptor whose HELLO the connector refuses say so, naming the refusal, not a protocol error", () => {
    const transport = new PeerTransport();
    const { link, closed } = linkOver(transport);
    transport.handlers?.data(hello("client"));
    expect(link.state.phase).toBe("open");
    transport.handlers?.data(
      encodeMessage({
        type: MessageType.Refuse,
        code: "supcon.PermissionDenied",
        message: "the name 'self' is not in the peer's certificate (it names: other)",
      }),
    );
    expect(closed.error).toBeInstanceOf(PeerRefusal);
    expect(closed.error).toMatchObject({
      code: "supcon.PermissionDenied",
      message:
        "client (127.0.0.1:7000) refused this node: the name 'self' is not in the peer's certificate (it names: other)",
    });
    expect(closed.count).toBe(1);
  });

  it("has a connector with checkNodeName refuse an acceptor whose certificate does not name it, naming both", () => {
    const transport = new PeerTransport(true, ["other"]);
    const { closed } = linkOver(transport, { role: "connector", requireCertifiedName: true });
    transport.handlers?.data(hello("server"));
    expect(closed.error).toMatchObject({
      code: "supcon.PermissionDenied",
      message:
        "refused 127.0.0.1:7000: the name 'server' is not in the peer's certificate (it names: other), and checkNodeName requires it",
    });
    expect(closed.error).not.toBeInstanceOf(PeerRefusal);
  });

  it("still closes on another handshake message after the handshake", () => {
    const transport = new PeerTransport();
    const { closed } = linkOver(transport);
    transport.handlers?.data(hello("client"));
    transport.handlers?.data(encodeFrame(hello("client").subarray(4)));
    expect(closed.error).toMatchObject({
      code: "supcon.ProtocolError",
      message: "client (127.0.0.1:7000): handshake message after the handshake",
    });
  });
});
