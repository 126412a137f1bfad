/**
 * The handshake state machine, driven by the other side's machine: no sockets, every path of docs/PROTOCOL.md.
 */
import { ErrorCode } from "../../../packages/supcon/src/base/errors";
import { Handshake } from "../../../packages/supcon/src/link/handshake";
import type { HandshakeStep } from "../../../packages/supcon/src/link/handshake";
import { MessageType, PROTOCOL_VERSION } from "../../../packages/supcon/src/wire/messages";

const secret = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs a connector against an acceptor until one of them stops sending; returns each side's last step. */
function run(
  connectorSecret: Uint8Array | undefined,
  acceptorSecret: Uint8Array | undefined,
): { connector: HandshakeStep | undefined; acceptor: HandshakeStep | undefined } {
  const connector = new Handshake({
    self: "client",
    instance: "c1",
    role: "connector",
    secret: connectorSecret,
  });
  const acceptor = new Handshake({
    self: "server",
    instance: "s1",
    role: "acceptor",
    secret: acceptorSecret,
  });
  let toAcceptor = connector.hello();
  let connectorStep: HandshakeStep | undefined;
  let acceptorStep: HandshakeStep | undefined;
  for (let round = 0; round < 4; round++) {
    acceptorStep = acceptor.receive(toAcceptor);
    if (acceptorStep.kind === "refuse") {
      connectorStep = connector.receive({ type: MessageType.Refuse, ...acceptorStep.refusal });
      break;
    }
    const toConnector = acceptorStep.kind === "send" ? acceptorStep.message : acceptor.hello();
    if (acceptorStep.kind !== "send" && acceptorStep.kind !== "open") break;
    connectorStep = connector.receive(toConnector);
    if (connectorStep.kind !== "send") break;
    toAcceptor = connectorStep.message;
  }
  return { connector: connectorStep, acceptor: acceptorStep };
}

describe("the handshake", () => {
  it("opens both sides without a secret, each learning the other's name and instance", () => {
    const { connector, acceptor } = run(undefined, undefined);
    expect(acceptor).toEqual({ kind: "open", name: "client", info: { instance: "c1" } });
    expect(connector).toEqual({ kind: "open", name: "server", info: { instance: "s1" } });
  });

  it("opens both sides with the same secret; the connector names itself only after the acceptor's proof", () => {
    const connector = new Handshake({
      self: "client",
      instance: "c1",
      role: "connector",
      secret: secret("s3cret"),
    });
    const hello = connector.hello();
    expect(hello).toMatchObject({ type: MessageType.Hello, name: "" });
    const { connector: c, acceptor: a } = run(secret("s3cret"), secret("s3cret"));
    expect(a).toMatchObject({ kind: "open", name: "client", info: { instance: "c1" } });
    expect(c).toMatchObject({ kind: "open", name: "server" });
  });

  it("refuses a connector with a different secret: the acceptor checks the connector's proof first", () => {
    const { connector, acceptor } = run(secret("one"), secret("two"));
    expect(acceptor).toMatchObject({ kind: "refuse", refusal: { code: ErrorCode.AuthFailed } });
    expect(connector).toMatchObject({ kind: "refused", code: ErrorCode.AuthFailed });
  });

  it("gives a connector nothing to guess the secret against: CHALLENGE holds a nonce and no proof or name", () => {
    const rogue = new Handshake({
      self: "rogue",
      instance: "r1",
      role: "connector",
      secret: secret("guess"),
    });
    const acceptor = new Handshake({
      self: "server",
      instance: "s1",
      role: "acceptor",
      secret: secret("s3cret"),
    });
    const step = acceptor.receive(rogue.hello());
    expect(step).toMatchObject({ kind: "send", message: { type: MessageType.Challenge } });
    if (step.kind !== "send" || step.message.type !== MessageType.Challenge) return;
    expect(step.message.proof).toHaveLength(0);
    expect(JSON.stringify(step.message)).not.toContain("server");
  });

  it("has the connector refuse an acceptor whose HELLO does not prove the secret", () => {
    const connector = new Handshake({
      self: "client",
      instance: "c1",
      role: "connector",
      secret: secret("s3cret"),
    });
    const acceptor = new Handshake({
      self: "server",
      instance: "s1",
      role: "acceptor",
      secret: secret("s3cret"),
    });
    const challenge = acceptor.receive(connector.hello());
    if (challenge.kind !== "send") throw new Error("expected CHALLENGE");
    const auth = connector.receive(challenge.message);
    if (auth.kind !== "send") throw new Error("expected AUTH");
    expect(acceptor.receive(auth.message).kind).toBe("open");
    const hello = acceptor.hello();
    if (hello.type !== MessageType.Hello) throw new Error("expected HELLO");
    // The proof binds the acceptor's name: the same HELLO under another name does not prove anything.
    expect(connector.receive({ ...hello, name: "impostor" })).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthFailed },
    });
  });

  it("refuses a connector without a secret when the acceptor requires one, and the other way round", () => {
    expect(run(undefined, secret("s")).acceptor).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthRequired },
    });
    expect(run(secret("s"), undefined).acceptor).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthFailed },
    });
  });

  it("refuses another protocol version", () => {
    const acceptor = new Handshake({ self: "server", instance: "s1", role: "acceptor", secret: undefined });
    const step = acceptor.receive({
      type: MessageType.Hello,
      version: PROTOCOL_VERSION + 1,
      name: "c",
      info: {},
    });
    expect(step).toMatchObject({ kind: "refuse", refusal: { code: ErrorCode.VersionMismatch } });
  });

  it("reports the peer's refusal, and fails on a message that has no place in the handshake", () => {
    const connector = new Handshake({ self: "client", instance: "c1", role: "connector", secret: undefined });
    expect(
      connector.receive({ type: MessageType.Refuse, code: ErrorCode.NameTaken, message: "taken" }),
    ).toEqual({
      kind: "refused",
      code: ErrorCode.NameTaken,
      message: "taken",
    });
    expect(connector.receive({ type: MessageType.Ping })).toMatchObject({
      kind: "fail",
      code: ErrorCode.ProtocolError,
    });
    const acceptor = new Handshake({ self: "server", instance: "s1", role: "acceptor", secret: undefined });
    expect(acceptor.receive({ type: MessageType.Pong })).toMatchObject({
      kind: "fail",
      code: ErrorCode.ProtocolError,
    });
  });

  it("refuses a second CHALLENGE (a replayed or reflected proof)", () => {
    const s = secret("s3cret");
    const connector = new Handshake({ self: "client", instance: "c1", role: "connector", secret: s });
    const acceptor = new Handshake({ self: "server", instance: "s1", role: "acceptor", secret: s });
    const challenge = acceptor.receive(connector.hello());
    expect(challenge.kind).toBe("send");
    if (challenge.kind !== "send") return;
    expect(connector.receive(challenge.message).kind).toBe("send");
    expect(connector.receive(challenge.message)).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthFailed },
    });
  });
});
