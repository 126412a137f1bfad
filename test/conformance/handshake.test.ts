/**
 * Conformance, docs/PROTOCOL.md "Handshake" (with "Refusals" and "TLS"): a real node driven over TCP, and over TLS
 * through node:tls, by a peer that does the handshake by hand (peer.ts), each test named after the rule it checks.
 * The TLS certificates are made by openssl at test time in a temporary directory (test/helpers/certs.ts).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { NodeStatus } from "../../packages/supcon/src/index";
import { createTestPki } from "../helpers/certs";
import type { KeyPair, TestPki } from "../helpers/certs";
import { call, replyTo, uniqueName } from "./helpers";
import { kindOf } from "./msgpack";
import { Peer, T, VERSION, acceptorProof, connectorProof, credentialOf, secretKey } from "./peer";
import { startTarget } from "./target";
import type { Target } from "./target";

const SECRET = "Xq7#mP2$vL9@kR4&wT6!zN8%";

let plain: Target;
let secret: Target;
let impatient: Target;
/** A node with credentials, the keys of its trust file, and the key pair of a member of the bus. */
const trusted = {
  node: generateKeyPairSync("ed25519"),
  member: generateKeyPairSync("ed25519"),
  target: undefined as unknown as Target,
};
/** A node listening with TLS (mutual, `checkNodeName`), its PKI, and the certificate of a peer named "alice". */
const withTls = {
  target: undefined as unknown as Target,
  port: 0,
  pki: undefined as unknown as TestPki,
  alice: undefined as unknown as KeyPair,
};
beforeAll(async () => {
  const pem = (key: KeyObject): string => key.export({ type: "spki", format: "pem" }).toString();
  [plain, secret, impatient, trusted.target, withTls.target] = await Promise.all([
    startTarget(),
    startTarget({ secret: SECRET }),
    startTarget({ handshakeTimeoutMs: 300 }),
    startTarget({
      identity: { key: trusted.node.privateKey },
      trust: { keys: { target: pem(trusted.node.publicKey), member: pem(trusted.member.publicKey) } },
    }),
    startTarget(),
  ]);
  const pki = (withTls.pki = createTestPki());
  withTls.alice = pki.issue("alice");
  const tls = { ...pki.issue("target"), ca: pki.ca, requestCert: true, rejectUnauthorized: true };
  withTls.port = (
    await withTls.target.node.listen({ host: "127.0.0.1", port: 0, tls: { ...tls, checkNodeName: true } })
  ).port;
});
afterAll(async () => {
  await Promise.all([
    plain.close(),
    secret.close(),
    impatient.close(),
    trusted.target.close(),
    withTls.target.close(),
  ]);
  withTls.pki.dispose();
});

const instance = (): string => randomBytes(8).toString("hex");

/** The REFUSE the node answers with, once it has closed the connection. */
async function refusal(peer: Peer): Promise<readonly unknown[]> {
  const refuse = await peer.next((m) => m[0] === T.REFUSE);
  await peer.closedWithin();
  return refuse;
}

/** The connection closes with nothing received (but for what `expected` allows). */
async function closesWithoutAWord(peer: Peer, expected: number[] = []): Promise<void> {
  await peer.closedWithin();
  expect(peer.received.map((r) => r.raw[0])).toEqual(expected);
}

describe("Handshake without a shared secret", () => {
  it("the connector's HELLO is answered by the acceptor's: version 3, its name, info.instance of 16 hex digits", async () => {
    const peer = await plain.connect();
    peer.send([T.HELLO, VERSION, uniqueName(), { instance: instance() }]);
    const hello = await peer.next((m) => m[0] === T.HELLO);
    expect(hello).toHaveLength(4);
    expect([hello[1], kindOf(hello[1]), hello[2]]).toEqual([3, "int", "target"]);
    expect((hello[3] as Record<string, unknown>)["instance"]).toMatch(/^[0-9a-f]{16}$/);
  });

  it("then each side sends its ADVERT, the node's listing the new peer and the instance of its HELLO", async () => {
    const name = uniqueName();
    const { hello, advert, peer } = await plain.join({ name });
    expect(peer.received[0]?.raw[0]).toBe(T.HELLO);
    expect(peer.received[1]?.raw[0]).toBe(T.ADVERT);
    expect(advert).toHaveLength(7);
    const [, origin, advertInstance, , neighbors, objects, auth] = advert;
    expect([origin, advertInstance, auth]).toEqual([
      "target",
      (hello[3] as { instance: string }).instance,
      null,
    ]);
    expect(neighbors).toContain(name);
    expect(objects).toEqual({ "/": ["supcon.Node"], "/conf": ["conf.Test"] });
  });

  it("unknown keys of HELLO info are ignored", async () => {
    const peer = await plain.connect();
    peer.send([T.HELLO, VERSION, uniqueName(), { instance: instance(), later: { a: [1, 2] }, x: 1.5 }]);
    expect((await peer.next((m) => m[0] === T.HELLO))[2]).toBe("target");
  });
});

describe("Handshake with a shared secret", () => {
  it("CHALLENGE carries a fresh 32-byte nonce and an empty proof; AUTH with Pc gets the acceptor's HELLO with Pa", async () => {
    const key = secretKey(SECRET);
    const nonces: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const peer = await secret.connect();
      const nc = randomBytes(32);
      const name = uniqueName();
      peer.send([T.HELLO, VERSION, "", { instance: instance(), nonce: nc, auth: ["secret"] }]);
      const challenge = await peer.next((m) => m[0] === T.CHALLENGE);
      expect(challenge).toHaveLength(3);
      const [, na, proof] = challenge as [number, Buffer, Buffer];
      expect([na.length, proof.length]).toEqual([32, 0]);
      nonces.push(na);
      // AUTH info may be nil.
      peer.send([T.AUTH, name, connectorProof(key, na, nc, name), null]);
      const hello = await peer.next((m) => m[0] === T.HELLO);
      const info = hello[3] as { instance: string; proof: Buffer };
      expect(info.proof).toEqual(acceptorProof(key, nc, na, name, "target", info.instance));
      expect(hello[2]).toBe("target");
    }
    expect(nonces[0]).not.toEqual(nonces[1]);
  });

  it("a HELLO with a nonce and no info.auth offers the shared secret", async () => {
    const peer = await secret.connect();
    peer.send([T.HELLO, VERSION, "", { instance: instance(), nonce: randomBytes(32) }]);
    expect((await peer.next((m) => m[0] === T.CHALLENGE))[0]).toBe(T.CHALLENGE);
  });

  it("a peer that joins with the secret can call", async () => {
    const name = uniqueName();
    const { peer } = await secret.join({ name, secret: SECRET });
    peer.send([T.CALL, "target", name, 0, 1, "/conf", "conf.Test", "count", null, 5000, null]);
    expect((await peer.next((m) => m[0] === T.RESULT && m[4] === 1))[0]).toBe(T.RESULT);
  });
});

describe("Handshake with credentials (trust.keys)", () => {
  /** Joins the trusted node as "member" with `privateKey`, presenting the credential of `publicKey`. */
  async function join(privateKey: KeyObject, publicKey: KeyObject): Promise<readonly unknown[]> {
    const peer = await trusted.target.connect();
    const credential = credentialOf(publicKey);
    const identity = { privateKey, publicKey, credential, acceptorKey: trusted.node.publicKey };
    return (await peer.join({ name: "member", identity })).hello;
  }

  it("AUTH carries the connector's credential and Sc; the acceptor's HELLO its credential and Sa, over the transcript", async () => {
    // join() signs the transcript as the document says, and checks the acceptor's signature the same way.
    const hello = await join(trusted.member.privateKey, trusted.member.publicKey);
    expect((hello[3] as { credential: Buffer }).credential).toEqual(credentialOf(trusted.node.publicKey));
  });

  it.each<[string, string, boolean]>([
    ["supcon.PermissionDenied", "the credential does not prove the name under the node's trust", false],
    ["supcon.AuthFailed", "the signature does not verify with the credential's key", true],
  ])("%s: %s", async (code, _, memberCredential) => {
    const stranger = generateKeyPairSync("ed25519");
    const credentialKey = memberCredential ? trusted.member.publicKey : stranger.publicKey;
    await expect(join(stranger.privateKey, credentialKey)).rejects.toThrow(`refused: ${code}`);
  });
});

describe("Refusals: REFUSE [1, code, message], then the sender closes", () => {
  it("supcon.VersionMismatch: a version the node does not speak", async () => {
    const peer = await plain.connect();
    peer.send([T.HELLO, 2, uniqueName(), { instance: instance() }]);
    const refuse = await refusal(peer);
    expect(refuse).toHaveLength(3);
    expect(refuse[1]).toBe("supcon.VersionMismatch");
    expect(typeof refuse[2]).toBe("string");
  });

  it("supcon.AuthRequired: the node requires a shared secret and the connector offers none", async () => {
    const peer = await secret.connect();
    peer.send([T.HELLO, VERSION, uniqueName(), { instance: instance() }]);
    expect((await refusal(peer))[1]).toBe("supcon.AuthRequired");
  });

  it("supcon.AuthFailed: a wrong proof", async () => {
    const peer = await secret.connect();
    const nc = randomBytes(32);
    peer.send([T.HELLO, VERSION, "", { instance: instance(), nonce: nc, auth: ["secret"] }]);
    const na = (await peer.next((m) => m[0] === T.CHALLENGE))[1] as Buffer;
    const name = uniqueName();
    peer.send([
      T.AUTH,
      name,
      connectorProof(secretKey("another secret, also long enough!"), na, nc, name),
      {},
    ]);
    expect((await refusal(peer))[1]).toBe("supcon.AuthFailed");
  });

  it("supcon.AuthFailed: the connector offers a proof the node cannot check (it has no secret)", async () => {
    const peer = await plain.connect();
    peer.send([T.HELLO, VERSION, "", { instance: instance(), nonce: randomBytes(32), auth: ["secret"] }]);
    expect((await refusal(peer))[1]).toBe("supcon.AuthFailed");
  });

  it("supcon.NameTaken: the node's own name, or a name linked already", async () => {
    const own = await plain.connect();
    own.send([T.HELLO, VERSION, "target", { instance: instance() }]);
    expect((await refusal(own))[1]).toBe("supcon.NameTaken");
    const name = uniqueName();
    await plain.join({ name });
    const second = await plain.connect();
    second.send([T.HELLO, VERSION, name, { instance: instance() }]);
    expect((await refusal(second))[1]).toBe("supcon.NameTaken");
  });

  it('supcon.ProtocolError: info.auth is not a non-empty array of "secret" and "identity"', async () => {
    for (const auth of [["password"], [], "secret"]) {
      const peer = await secret.connect();
      peer.send([T.HELLO, VERSION, "", { instance: instance(), nonce: randomBytes(32), auth }]);
      expect((await refusal(peer))[1]).toBe("supcon.ProtocolError");
    }
  });
});

describe("Handshake: what closes the connection without a word (no BYE, no REFUSE)", () => {
  it("a message other than a handshake message before the handshake is complete", async () => {
    const peer = await plain.connect();
    peer.send([T.PING]);
    await closesWithoutAWord(peer);
  });

  it("a handshake message not expected at that point: a CHALLENGE to the acceptor", async () => {
    const peer = await plain.connect();
    peer.send([T.CHALLENGE, randomBytes(32), new Uint8Array(0)]);
    await closesWithoutAWord(peer);
  });

  it("a handshake message not expected at that point: a second HELLO after the CHALLENGE", async () => {
    const peer = await secret.connect();
    const hello = [T.HELLO, VERSION, "", { instance: instance(), nonce: randomBytes(32), auth: ["secret"] }];
    peer.send(hello);
    await peer.next((m) => m[0] === T.CHALLENGE);
    peer.send(hello);
    await closesWithoutAWord(peer, [T.CHALLENGE]);
  });

  it("a body that breaks a rule of Frames", async () => {
    const peer = await plain.connect();
    peer.send([T.HELLO, VERSION, uniqueName(), { instance: instance(), bad: NaN }]);
    await closesWithoutAWord(peer);
  });

  it("a handshake not complete within handshakeTimeoutMs", async () => {
    const peer = await impatient.connect();
    const started = Date.now();
    await peer.closedWithin(3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(peer.received).toEqual([]);
  });
});

describe("TLS", () => {
  /** A peer speaking inside TLS to the TLS listener, with alice's certificate. */
  const overTls = (): Promise<Peer> =>
    Peer.connectTls(withTls.port, {
      ca: withTls.pki.ca,
      key: withTls.alice.key,
      cert: withTls.alice.cert,
      servername: "target",
    });

  it("the whole stream runs inside TLS: the same handshake, then a CALL and its RESULT", async () => {
    const { peer, hello, advert } = await withTls.target.join({ name: "alice" }, overTls);
    expect(hello.slice(0, 3)).toEqual([T.HELLO, VERSION, "target"]);
    expect(advert[4]).toContain("alice");
    peer.send(call("alice", 1, "count", null));
    expect((await peer.next(replyTo(1))).slice(0, 5)).toEqual([T.RESULT, "alice", "target", 0, 1]);
  });

  it("with checkNodeName, a HELLO name neither the common name nor a DNS name of the peer's verified certificate is refused with supcon.PermissionDenied", async () => {
    const peer = await withTls.target.connect(overTls);
    peer.send([T.HELLO, VERSION, uniqueName("mallory"), { instance: instance() }]);
    const refuse = await refusal(peer);
    expect(refuse[1]).toBe("supcon.PermissionDenied");
  });

  it("a TLS listener closes a plain connection without a word", async () => {
    const peer = await withTls.target.connect(() => Peer.connect(withTls.port));
    peer.send([T.HELLO, VERSION, uniqueName(), { instance: instance() }]);
    await closesWithoutAWord(peer);
  });

  it("a plain listener that reads a TLS record where the first frame should be closes the connection with supcon.ProtocolError, saying the peer speaks TLS", async () => {
    const statuses: NodeStatus[] = [];
    const subscription = plain.node.onStatus((s) => statuses.push(s));
    try {
      await expect(
        Peer.connectTls(plain.port, { ca: withTls.pki.ca, servername: "target" }),
      ).rejects.toThrow();
      for (let i = 0; i < 100 && !statuses.some((s) => s.type === "handshakeFailed"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const failed = statuses.find((s) => s.type === "handshakeFailed");
      expect(failed?.type === "handshakeFailed" && [failed.error.code, failed.error.message]).toEqual([
        "supcon.ProtocolError",
        expect.stringMatching(/the peer speaks TLS/),
      ]);
    } finally {
      subscription.off();
    }
  });
});
