/**
 * Failing well: a node in a process of its own, with the default logger, dials a wrong port, with a wrong secret,
 * with a name taken, with TLS at a plain listener and without it at a TLS one, and to a node whose certificate does
 * not name it. Each failure is logged once on each side, however often the dial loop retries, in words that say
 * what to do; `waitFor`'s timeout names the last failure of each endpoint. Uses the built runtime
 * (`npx tsc -p packages/supcon/tsconfig.build.json`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NodeStatus } from "../../packages/supcon/src/index";
import { Bus, eventually } from "../helpers/bus";
import { createCalc } from "../helpers/calc";
import type { TestPki } from "../helpers/certs";
import { createTestPki } from "../helpers/certs";
import { freePort } from "../helpers/ports";
import { startProcess, stopAll } from "../helpers/processes";

/** Fast retries: within the wait below, a dial loop makes a dozen attempts or more. */
const RETRY = { reconnectMinMs: 20, reconnectMaxMs: 80 };
const WAIT_MS = 2_000;

interface Outcome {
  /** The lines of the default logger (stderr), without their `supcon: ` prefix. */
  readonly logged: string[];
  /** What `waitFor` said: "ok" or its error's message. */
  readonly waitFor: string;
  /** Status reports the node saw, by type. */
  readonly statuses: Record<string, number>;
}

/**
 * Starts test/fixtures/link-failure-node.js with `config`; `outcome` resolves once it has exited (it does after its
 * waitFor; killed by its pid if it overstays), `logged()` is what it has logged so far.
 */
function startNode(config: object): { logged: () => string; outcome: Promise<Outcome> } {
  const { child, exited } = startProcess("link-failure-node.js", [JSON.stringify(config)]);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const outcome = exited.then((code) => {
    clearTimeout(timer);
    return parseOutcome(stdout, stderr, code);
  });
  return { logged: () => stderr, outcome };
}

/**
 * Runs, until it exits, node `client` (retrying fast) connected to `endpoint` (as `connect()` takes it, with file
 * paths in `tls`) and waiting for `server` for `WAIT_MS`; `config` changes that.
 */
function dialFrom(endpoint: object, config: object = {}): Promise<Outcome> {
  return startNode({
    name: "client",
    options: RETRY,
    connect: [endpoint],
    waitFor: { node: "server", timeoutMs: WAIT_MS },
    ...config,
  }).outcome;
}

function parseOutcome(stdout: string, stderr: string, code: number | null): Outcome {
  const waitFor = /^WAITFOR (.*)$/m.exec(stdout)?.[1];
  const statuses = /^STATUSES (.*)$/m.exec(stdout)?.[1];
  if (code !== 0 || waitFor === undefined || statuses === undefined) {
    throw new Error(`the node exited with ${String(code)}:\n${stdout}\n${stderr}`);
  }
  const logged = stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^supcon: /, ""));
  return { logged, waitFor, statuses: JSON.parse(statuses) as Record<string, number> };
}

/**
 * What the nodes of the test process logged, but of a connection that closed without a word: the last one of a
 * client process may, since the process exits (closing its dial loop) however far that connection got, its TLS
 * handshake included.
 */
function serverLog(): string[] {
  const hungUp =
    /: connection lost( before the peer's HELLO, after the TLS handshake \(.*\))?$|failed: socket hang up$/;
  return bus.warnings.filter((w) => !hungUp.test(w));
}

function count(lines: readonly string[], pattern: RegExp): number {
  return lines.filter((line) => pattern.test(line)).length;
}

function handshakeFailures(statuses: readonly NodeStatus[]): number {
  return statuses.filter((s) => s.type === "handshakeFailed" || s.type === "linkDown").length;
}

const bus = new Bus();
let pki: TestPki;
let dir: string;
/** The CA's certificate, as a file for the processes. */
let ca: string;

beforeAll(() => {
  pki = createTestPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "supcon-link-failures-"));
  ca = path.join(dir, "ca.crt");
  fs.writeFileSync(ca, pki.ca);
});

afterEach(async () => {
  await bus.close();
  bus.warnings.length = 0;
});

afterAll(async () => {
  await stopAll();
  pki.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a link failure, logged once per endpoint", () => {
  it("says once that nobody listens on a wrong port, however often it retries; waitFor names it", async () => {
    const port = await freePort();
    const outcome = await dialFrom({ port });
    expect(outcome.statuses["connectFailed"]).toBeGreaterThanOrEqual(5);
    expect(outcome.logged).toEqual([
      `connect 127.0.0.1:${port}: connection to 127.0.0.1:${port} refused (ECONNREFUSED): is the node there listening? (the node keeps trying; this is logged again when the failure changes)`,
    ]);
    expect(outcome.waitFor).toBe(
      `supcon.Timeout: server did not appear within ${WAIT_MS} ms; no other node is on the bus; connect 127.0.0.1:${port}: connection to 127.0.0.1:${port} refused (ECONNREFUSED): is the node there listening?`,
    );
  });

  it("says once, on each side, that the secret is wrong", async () => {
    const { node: server, port } = await bus.listening("server", { secret: "s3cret-but-long-enough-2x" });
    const statuses: NodeStatus[] = [];
    server.onStatus((s) => statuses.push(s));
    const outcome = await dialFrom(
      { port },
      { options: { ...RETRY, secret: "a-wrong-guess-of-the-secret" } },
    );
    expect(outcome.statuses["handshakeFailed"]).toBeGreaterThanOrEqual(3);
    expect(handshakeFailures(statuses)).toBeGreaterThanOrEqual(3);
    expect(outcome.logged).toEqual([
      expect.stringMatching(
        new RegExp(
          `^connect 127\\.0\\.0\\.1:${port}: supcon\\.AuthFailed: 127\\.0\\.0\\.1:${port} refused us: authentication failed: the proof of the shared secret is wrong`,
        ),
      ),
    ]);
    expect(outcome.waitFor).toMatch(
      new RegExp(
        `; connect 127\\.0\\.0\\.1:${port}: supcon\\.AuthFailed: .*proof of the shared secret is wrong$`,
      ),
    );
    expect(serverLog()).toEqual([
      expect.stringMatching(
        /^server: refused 127\.0\.0\.1:\d+: authentication failed: the proof of the shared/,
      ),
    ]);
  });

  it("says once, on each side, that the name is taken", async () => {
    const { port } = await bus.listening("twin");
    const outcome = await dialFrom(
      { port },
      { name: "twin", waitFor: { node: "other", timeoutMs: WAIT_MS } },
    );
    expect(outcome.statuses["handshakeFailed"]).toBeGreaterThanOrEqual(3);
    expect(count(outcome.logged, /supcon\.NameTaken: .*the name 'twin' is taken/)).toBe(1);
    expect(outcome.logged).toHaveLength(1);
    expect(outcome.waitFor).toMatch(/; connect 127\.0\.0\.1:\d+: supcon\.NameTaken: /);
    expect(serverLog()).toEqual([
      expect.stringMatching(/^twin: refused 127\.0\.0\.1:\d+: the name 'twin' is taken/),
    ]);
  });

  it("says a failure again when it changes, and that the link is up once it is", async () => {
    const port = await freePort();
    // The server comes up on that port once the client has failed: a failure, then a success.
    const client = startNode({
      name: "client",
      options: RETRY,
      connect: [{ port }],
      waitFor: { node: "server", timeoutMs: 10_000 },
    });
    await eventually(() => client.logged().includes("ECONNREFUSED"), 10_000, "the first failure");
    const server = bus.node("server");
    await server.listen({ port });
    const outcome = await client.outcome;
    expect(outcome.waitFor).toBe("ok");
    expect(outcome.logged).toEqual([
      expect.stringMatching(/refused \(ECONNREFUSED\)/),
      expect.stringMatching(
        new RegExp(`^connect 127\\.0\\.0\\.1:${port}: linked to server after \\d+ failed attempts?$`),
      ),
    ]);
  });
});

describe("waitFor's timeout", () => {
  it("names the nodes on the bus with a did-you-mean, and each connect() with its peer", async () => {
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    const client = bus.node("client");
    client.connect({ port });
    await client.waitFor("server", { path: "/calc" });
    await expect(client.waitFor("servr", { timeoutMs: 50 })).rejects.toMatchObject({
      code: "supcon.Timeout",
      rawMessage: `servr did not appear within 50 ms; on the bus: server (did you mean 'server'?); connect 127.0.0.1:${port}: linked to server`,
    });
    await expect(client.waitFor("server", { path: "/clac", timeoutMs: 50 })).rejects.toMatchObject({
      rawMessage: `server:/clac did not appear within 50 ms; server is on the bus without /clac; it has / (supcon.Node), /calc (com.example.Calc); connect 127.0.0.1:${port}: linked to server`,
    });
  });

  it("says so when the node has no link at all", async () => {
    await expect(bus.node("alone").waitFor("server", { timeoutMs: 50 })).rejects.toMatchObject({
      rawMessage:
        "server did not appear within 50 ms; no other node is on the bus; this node has no link: connect() it to a node of the bus, or have one connect to it",
    });
  });
});

describe("plaintext meeting TLS", () => {
  it("has a plain listener say that a TLS client speaks TLS, and the client what to do", async () => {
    const { port } = await bus.listening("server");
    const outcome = await dialFrom({ port, tls: { ca, checkNodeName: true } });
    expect(outcome.statuses["connectFailed"]).toBeGreaterThanOrEqual(3);
    expect(outcome.logged).toEqual([
      expect.stringMatching(
        new RegExp(
          `^connect tls://127\\.0\\.0\\.1:${port}: TLS: .*the peer closed the connection in the TLS handshake: if it listens without TLS, connect without tls`,
        ),
      ),
    ]);
    expect(serverLog()).toEqual([
      expect.stringMatching(
        /^server: 127\.0\.0\.1:\d+: the peer speaks TLS and this listener does not \(its first bytes, 16 03 0\d [0-9a-f]{2}, are a TLS record, not a frame\): connect without tls there, or listen with tls here$/,
      ),
    ]);
    expect(bus.warnings.join("\n")).not.toMatch(/FrameTooLarge|exceeds maxFrameBytes/);
  });

  it("has a plain client of a TLS listener say that TLS was expected, and the listener that the peer has no TLS", async () => {
    const server = bus.node("server");
    const { port } = await server.listen({ port: 0, tls: pki.issue("server") });
    const outcome = await dialFrom({ port });
    expect(outcome.statuses["handshakeFailed"]).toBeGreaterThanOrEqual(3);
    expect(outcome.logged).toEqual([
      expect.stringMatching(
        /connection lost before the peer answered this node's HELLO \(expected TLS\? .*connect with tls\)/,
      ),
    ]);
    expect(outcome.waitFor).toMatch(/expected TLS\?/);
    expect(serverLog()).toEqual([
      expect.stringMatching(
        /^server: 127\.0\.0\.1:\d+: connection lost: TLS handshake failed: the peer does not speak TLS, and this listener expected TLS \(ERR_SSL_WRONG_VERSION_NUMBER\)/,
      ),
    ]);
  });

  it("has both sides say that the client refused the server's name (checkNodeName), once", async () => {
    const server = bus.node("server");
    const statuses: NodeStatus[] = [];
    server.onStatus((s) => statuses.push(s));
    // A certificate of the trusted CA, for another name than the node's.
    const { port } = await server.listen({ port: 0, tls: pki.issue("another-name") });
    const outcome = await dialFrom({ port, tls: { ca, checkNodeName: true } });
    expect(outcome.statuses["handshakeFailed"]).toBeGreaterThanOrEqual(3);
    expect(outcome.logged).toEqual([
      expect.stringMatching(
        /supcon\.PermissionDenied: refused 127\.0\.0\.1:\d+: the name 'server' is not in the peer's certificate \(it names: another-name\), and checkNodeName requires it/,
      ),
    ]);
    await eventually(() => handshakeFailures(statuses) >= 3, 5_000, "the refusals on the server");
    expect(serverLog()).toEqual([
      expect.stringMatching(
        /^server: client \(127\.0\.0\.1:\d+\) refused this node: the name 'server' is not in the peer's certificate \(it names: another-name\)/,
      ),
    ]);
    expect(bus.warnings.join("\n")).not.toMatch(/handshake message after the handshake/);
    expect(statuses.some((s) => s.type === "linkDown" && s.error?.code === "supcon.PermissionDenied")).toBe(
      true,
    );
  });
});

describe("mutual TLS without a certificate", () => {
  it("has the client told that the listener wants its certificate, and the listener that it sent none", async () => {
    const server = bus.node("server");
    const { port } = await server.listen({
      port: 0,
      tls: { ...pki.issue("server"), ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    });
    const outcome = await dialFrom({ port, tls: { ca, checkNodeName: true } });
    expect(outcome.logged).toEqual([
      expect.stringMatching(
        /requires a certificate of this node \(mutual TLS; its TLS alert "certificate required"\): give tls\.key and tls\.cert/,
      ),
    ]);
    expect(serverLog()).toEqual([
      expect.stringMatching(
        /^server: 127\.0\.0\.1:\d+: connection lost: TLS handshake failed: the peer sent no certificate, and this listener requires one \(requestCert\)/,
      ),
    ]);
  });
});

describe("TLS certificates named after nodes", () => {
  it("checks the certificate against the node name with checkNodeName, whatever the address dialed", async () => {
    const server = bus.node("server");
    const { port } = await server.listen({ port: 0, tls: pki.issue("server") });
    const outcome = await dialFrom(
      { host: "127.0.0.1", port, tls: { ca, checkNodeName: true } },
      { waitFor: { node: "server", timeoutMs: 5_000 } },
    );
    expect(outcome.waitFor).toBe("ok");
    expect(outcome.logged).toEqual([]);
  });

  it("says what to do when the certificate does not name the address and checkNodeName is off", async () => {
    const server = bus.node("server");
    const { port } = await server.listen({ port: 0, tls: pki.issue("server") });
    const outcome = await dialFrom({ host: "127.0.0.1", port, tls: { ca } });
    expect(outcome.logged).toEqual([
      expect.stringMatching(
        /IP: 127\.0\.0\.1 is not in the cert's list; the certificate does not name the host connected to: with tls\.checkNodeName: true it is checked against the node name the peer gives instead, or set tls\.servername/,
      ),
    ]);
  });
});
