/**
 * Credentials and trust (link/identity.ts), and the handshake with credentials (link/handshake.ts): keys made with
 * crypto.generateKeyPairSync, certificates with openssl (test/helpers/certs.ts).
 */
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { ErrorCode } from "../../../packages/supcon/src/base/errors";
import { transcriptBytes } from "../../../packages/supcon/src/link/auth";
import { Handshake } from "../../../packages/supcon/src/link/handshake";
import type { HandshakeIdentity, HandshakeStep } from "../../../packages/supcon/src/link/handshake";
import {
  CredentialKind,
  Trust,
  createLocalIdentity,
  resolveIdentity,
  verifyWith,
} from "../../../packages/supcon/src/link/identity";
import type { Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import type { TestPki } from "../../helpers/certs";
import { createTestKeyring, createTestKeys, createTestPki } from "../../helpers/certs";

const ring = createTestKeyring(["client", "server", "mallory"]);
const trust = Trust.from(ring.trust);

function identityOf(name: string): HandshakeIdentity {
  const keys = ring.keys[name];
  if (keys === undefined) throw new Error(`no keys for ${name}`);
  return { local: createLocalIdentity(name, resolveIdentity({ key: keys.key }), trust), trust };
}

/** Drives a connector against an acceptor; returns each side's last step and what went over the wire. */
function run(
  connector: Handshake,
  acceptor: Handshake,
): { connector: HandshakeStep | undefined; acceptor: HandshakeStep | undefined; wire: Message[] } {
  const wire: Message[] = [];
  let toAcceptor = connector.hello();
  let c: HandshakeStep | undefined;
  let a: HandshakeStep | undefined;
  for (let round = 0; round < 4; round++) {
    wire.push(toAcceptor);
    a = acceptor.receive(toAcceptor);
    if (a.kind === "refuse") {
      c = connector.receive({ type: MessageType.Refuse, ...a.refusal });
      break;
    }
    if (a.kind !== "send" && a.kind !== "open") break;
    const toConnector = a.kind === "send" ? a.message : acceptor.hello();
    wire.push(toConnector);
    c = connector.receive(toConnector);
    if (c.kind !== "send") break;
    toAcceptor = c.message;
  }
  return { connector: c, acceptor: a, wire };
}

const side = (self: string, role: "connector" | "acceptor", identity?: HandshakeIdentity): Handshake =>
  new Handshake({ self, instance: `${self}-1`, role, secret: undefined, identity });

describe("Trust with keys", () => {
  it("proves a name with the key listed for it, and nothing else", () => {
    const client = createLocalIdentity(
      "client",
      resolveIdentity({ key: ring.keys["client"]?.key ?? "" }),
      trust,
    );
    expect(client.credential[0]).toBe(CredentialKind.PublicKey);
    expect(typeof trust.verify("client", client.credential)).toBe("object");
    expect(trust.verify("server", client.credential)).toMatch(
      /a key other than the one this node trusts for it/,
    );
    expect(trust.verify("stranger", client.credential)).toMatch(/'stranger' is not in this node's trust/);
    expect(trust.verify("client", Uint8Array.of(CredentialKind.Certificate, 1, 2))).toMatch(
      /presented a certificate/,
    );
  });

  it("signs and verifies with Ed25519, ECDSA and RSA keys, and refuses a wrong signature", () => {
    for (const [type, options] of [
      ["ed25519", {}],
      ["ec", { namedCurve: "P-256" }],
      ["rsa", { modulusLength: 2048 }],
    ] as const) {
      const { privateKey, publicKey } = generateKeyPairSync(type as "ed25519", options as object);
      const t = Trust.from({ keys: { n: publicKey } });
      const local = createLocalIdentity("n", resolveIdentity({ key: privateKey }), t);
      const data = Buffer.from(`data for ${type}`);
      const signature = local.sign(data);
      expect(verifyWith(publicKey, data, signature)).toBe(true);
      expect(verifyWith(publicKey, Buffer.from("other data"), signature)).toBe(false);
    }
  });

  it("refuses bad options with what to do", () => {
    expect(() => resolveIdentity({ key: "not a key" })).toThrow(
      /NodeOptions.identity.key is not a private key .*generateKeyPairSync/,
    );
    expect(() => resolveIdentity({ key: ring.keys["client"]?.publicKey ?? "" })).toThrow(
      /not a private key|must be the node's private key/,
    );
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(() => resolveIdentity({ key: weak })).toThrow(/RSA key of 1024 bits; use 2048 bits or more/);
    expect(() => resolveIdentity({ key: generateKeyPairSync("x25519").privateKey })).toThrow(
      /x25519 key; use Ed25519/,
    );
    expect(() => Trust.from({} as never)).toThrow(/either \{ ca \} .* or \{ keys \}/);
    expect(() => Trust.from({ keys: {} })).toThrow(/trust.keys is empty/);
    expect(() => Trust.from({ keys: { a: "junk" } })).toThrow(/trust.keys\['a'\] is not a public key/);
    expect(() => Trust.from({ ca: "no pem here" })).toThrow(/holds no PEM certificate/);
    expect(() =>
      createLocalIdentity("stranger", resolveIdentity({ key: createTestKeys().key }), trust),
    ).toThrow(
      /does not prove the name 'stranger' .*put this node's public key under trust.keys\['stranger'\]/,
    );
  });
});

describe("Trust with a CA", () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.dispose());

  it("proves a name with a certificate the CA issued for it, within its validity", () => {
    const caTrust = Trust.from({ ca: pki.ca.toString() });
    const server = pki.issue("server", "ed25519");
    const local = createLocalIdentity(
      "server",
      resolveIdentity({ key: server.key, cert: server.cert }),
      caTrust,
    );
    expect(local.credential[0]).toBe(CredentialKind.Certificate);
    expect(typeof caTrust.verify("server", local.credential)).toBe("object");
    expect(caTrust.verify("admin", local.credential)).toMatch(
      /the certificate presented for 'admin' names server/,
    );
    // The test certificates are valid for 2 days.
    expect(caTrust.verify("server", local.credential, Date.now() + 3 * 86_400_000)).toMatch(/expired/);
    expect(caTrust.verify("server", local.credential, Date.now() - 86_400_000)).toMatch(/not valid yet/);
  });

  it("refuses a certificate of another CA, a certificate of another key, and a missing certificate", () => {
    const caTrust = Trust.from({ ca: [pki.ca] });
    const rogue = pki.rogue("server");
    const rogueCredential = Buffer.concat([
      Buffer.of(CredentialKind.Certificate),
      new X509Certificate(rogue.cert).raw,
    ]);
    expect(caTrust.verify("server", rogueCredential)).toMatch(/not issued by a CA this node trusts/);
    const a = pki.issue("a", "ed25519");
    const b = pki.issue("b", "ed25519");
    expect(() => resolveIdentity({ key: a.key, cert: b.cert })).toThrow(
      /is not the certificate of NodeOptions.identity.key/,
    );
    expect(() => createLocalIdentity("a", resolveIdentity({ key: a.key }), caTrust)).toThrow(
      /identity.cert is missing/,
    );
    expect(() => Trust.from({ ca: a.cert })).toThrow(/is not a CA certificate/);
    expect(() =>
      createLocalIdentity("other", resolveIdentity({ key: a.key, cert: a.cert }), caTrust),
    ).toThrow(/does not prove the name 'other'.*names a/);
  });
});

describe("the handshake with credentials", () => {
  it("opens both sides when each proves its name, and signs the transcript of this connection only", () => {
    const { connector, acceptor, wire } = run(
      side("client", "connector", identityOf("client")),
      side("server", "acceptor", identityOf("server")),
    );
    expect(acceptor).toMatchObject({ kind: "open", name: "client", info: { instance: "client-1" } });
    expect(connector).toMatchObject({ kind: "open", name: "server", info: { instance: "server-1" } });
    expect(wire.map((m) => m.type)).toEqual([
      MessageType.Hello,
      MessageType.Challenge,
      MessageType.Auth,
      MessageType.Hello,
    ]);
    expect(wire[0]).toMatchObject({ name: "", info: { auth: ["identity"] } });
  });

  it("refuses a name its credential does not prove with supcon.PermissionDenied", () => {
    // mallory's own key, claiming to be client: the key is trusted, but for mallory.
    const { acceptor } = run(
      side("client", "connector", identityOf("mallory")),
      side("server", "acceptor", identityOf("server")),
    );
    expect(acceptor).toMatchObject({ kind: "refuse", refusal: { code: ErrorCode.PermissionDenied } });
    if (acceptor?.kind === "refuse")
      expect(acceptor.refusal.message).toMatch(/the name 'client' is not proven/);
  });

  it("refuses a stranger whose key is not trusted, and a node trusted by nobody refuses the acceptor", () => {
    const stranger = createTestKeys();
    const own = Trust.from({ keys: { ...ring.trust.keys, stranger: stranger.publicKey } });
    const strangerId = {
      local: createLocalIdentity("stranger", resolveIdentity({ key: stranger.key }), own),
      trust: own,
    };
    expect(
      run(side("stranger", "connector", strangerId), side("server", "acceptor", identityOf("server")))
        .acceptor,
    ).toMatchObject({
      kind: "refuse",
      refusal: {
        code: ErrorCode.PermissionDenied,
        message: expect.stringMatching(/'stranger' is not in this node's trust/),
      },
    });
  });

  it("refuses an AUTH replayed on another connection: its signature covers the other nonce", () => {
    const first = side("client", "connector", identityOf("client"));
    const acceptor1 = side("server", "acceptor", identityOf("server"));
    const challenge1 = acceptor1.receive(first.hello());
    if (challenge1.kind !== "send") throw new Error("expected CHALLENGE");
    const auth = first.receive(challenge1.message);
    if (auth.kind !== "send") throw new Error("expected AUTH");
    const acceptor2 = side("server", "acceptor", identityOf("server"));
    expect(acceptor2.receive(first.hello()).kind).toBe("send");
    expect(acceptor2.receive(auth.message)).toMatchObject({
      kind: "refuse",
      refusal: {
        code: ErrorCode.AuthFailed,
        message: expect.stringMatching(/signature of the handshake does not verify/),
      },
    });
  });

  it("binds each signature to its role: the connector's transcript is not the acceptor's", () => {
    const t = {
      connectorNonce: Buffer.alloc(32, 1),
      acceptorNonce: Buffer.alloc(32, 2),
      connectorName: "client",
      connectorInstance: "c",
      acceptorName: "server",
      acceptorInstance: "s",
    };
    const credential = Uint8Array.of(1, 2, 3);
    expect(Buffer.from(transcriptBytes("connector", t, credential))).not.toEqual(
      Buffer.from(transcriptBytes("acceptor", t, credential)),
    );
  });

  it("refuses a peer without credentials with supcon.AuthRequired, and one with credentials when it has none", () => {
    expect(
      run(side("client", "connector"), side("server", "acceptor", identityOf("server"))).acceptor,
    ).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthRequired },
    });
    expect(
      run(side("client", "connector", identityOf("client")), side("server", "acceptor")).acceptor,
    ).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthFailed },
    });
  });

  it("has the connector refuse an acceptor whose HELLO is signed for another name", () => {
    const connector = side("client", "connector", identityOf("client"));
    const acceptor = side("server", "acceptor", identityOf("server"));
    const challenge = acceptor.receive(connector.hello());
    if (challenge.kind !== "send") throw new Error("expected CHALLENGE");
    const auth = connector.receive(challenge.message);
    if (auth.kind !== "send") throw new Error("expected AUTH");
    expect(acceptor.receive(auth.message).kind).toBe("open");
    const hello = acceptor.hello();
    if (hello.type !== MessageType.Hello) throw new Error("expected HELLO");
    expect(connector.receive({ ...hello, info: { ...hello.info, instance: "forged" } })).toMatchObject({
      kind: "refuse",
      refusal: { code: ErrorCode.AuthFailed },
    });
  });

  it("combines credentials with a shared secret: both must hold", () => {
    const s = new TextEncoder().encode("a shared secret of 32 characters");
    const c = new Handshake({
      self: "client",
      instance: "c1",
      role: "connector",
      secret: s,
      identity: identityOf("client"),
    });
    const a = new Handshake({
      self: "server",
      instance: "s1",
      role: "acceptor",
      secret: s,
      identity: identityOf("server"),
    });
    const { connector, acceptor, wire } = run(c, a);
    expect(acceptor?.kind).toBe("open");
    expect(connector?.kind).toBe("open");
    expect(wire[0]).toMatchObject({ info: { auth: ["secret", "identity"] } });
  });
});
