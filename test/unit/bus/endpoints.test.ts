import { ErrorCode } from "../../../packages/supcon/src/base/errors";
import type { EndpointsHost, Transports } from "../../../packages/supcon/src/bus/endpoints";
import { Endpoints } from "../../../packages/supcon/src/bus/endpoints";
import type { NodeStatus } from "../../../packages/supcon/src/bus/status";
import { StatusReports } from "../../../packages/supcon/src/bus/status";
import type { Link, LinkState } from "../../../packages/supcon/src/link/link";
import { LinkError } from "../../../packages/supcon/src/link/peer-link";
import type { DialLimits } from "../../../packages/supcon/src/transport/tcp";
import type { Listener, Transport } from "../../../packages/supcon/src/transport/transport";
import { PipeEnd } from "./fakes";

const READY_TIMEOUT_MS = 1_000;

/** A link the fake host made: the test opens and ends it. */
class FakeLink {
  state: LinkState = { phase: "handshaking" };
  readonly close = jest.fn(() => this.end());
  #peer: string | undefined;
  readonly #opened: (() => void) | undefined;
  readonly #closed: () => void;
  readonly transport: Transport;
  readonly role: string;
  readonly requireCertifiedName: boolean;

  constructor(
    transport: Transport,
    role: string,
    requireCertifiedName: boolean,
    opened: (() => void) | undefined,
    closed: () => void,
  ) {
    this.transport = transport;
    this.role = role;
    this.requireCertifiedName = requireCertifiedName;
    this.#opened = opened;
    this.#closed = closed;
  }

  get peer(): string | undefined {
    return this.#peer;
  }

  /** Its handshake completes. */
  open(peer = "server"): void {
    this.#peer = peer;
    this.state = { phase: "open", peer, peerInstance: "i" };
    this.#opened?.();
  }

  /** It closes, in its handshake (a refusal when `error` is given) or after. */
  end(error?: LinkError): void {
    if (this.state.phase === "closed") return;
    this.state = { phase: "closed", peer: this.#peer, error };
    this.#closed();
  }
}

class FakeListener implements Listener {
  readonly address = { kind: "tcp", host: "127.0.0.1", port: 7000 } as const;
  readonly host = "127.0.0.1";
  readonly port = 7000;
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Dials fail or succeed as scripted; an attempt with no script left hangs until it is aborted. */
class FakeTransports implements Transports<string, string> {
  readonly script: (() => Promise<Transport>)[] = [];
  readonly dials: DialLimits[] = [];
  readonly listeners: FakeListener[] = [];
  accept: ((transport: Transport) => void) | undefined;

  listen(_spec: string, accept: (transport: Transport) => void): Promise<Listener> {
    this.accept = accept;
    const listener = new FakeListener();
    this.listeners.push(listener);
    return Promise.resolve(listener);
  }

  dial(_spec: string, limits: DialLimits): Promise<Transport> {
    this.dials.push(limits);
    const next = this.script.shift();
    if (next !== undefined) return next();
    return new Promise((_resolve, reject) => {
      limits.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  }

  describe(spec: string): string {
    return spec;
  }

  /** The next dials fail with `message`. */
  fail(times: number, message = "connect ECONNREFUSED 127.0.0.1:7000"): void {
    for (let i = 0; i < times; i++) this.script.push(() => Promise.reject(new Error(message)));
  }

  /** The next dial succeeds. */
  succeed(): void {
    this.script.push(() => Promise.resolve(new PipeEnd("127.0.0.1:7000")));
  }
}

function setup() {
  const transports = new FakeTransports();
  const links: FakeLink[] = [];
  const statuses: NodeStatus[] = [];
  const warnings: string[] = [];
  /** What the node logs of link failures: once per endpoint, as the real node does (bus/status.ts). */
  const failures: string[] = [];
  const reports = new StatusReports({ warn: (message) => failures.push(message) });
  const node = { closed: false, full: false };
  const host: EndpointsHost = {
    isClosed: () => node.closed,
    isFull: () => node.full,
    attach: (transport, role, requireCertifiedName, opened) => {
      let resolveClosed!: () => void;
      const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
      const link = new FakeLink(transport, role, requireCertifiedName, opened, () => resolveClosed());
      links.push(link);
      return { link: link as unknown as Link, closed };
    },
    status: (status) => statuses.push(status),
    warn: (message) => warnings.push(message),
    failed: (source, message) => reports.failed(source, message),
    succeeded: (source) => reports.succeeded(source),
  };
  const endpoints = new Endpoints(
    {
      self: "client",
      connectTimeoutMs: 500,
      maxHandshakingLinks: 4,
      backoff: { minMs: 100, maxMs: 1000, jitter: 0 },
      readyTimeoutMs: READY_TIMEOUT_MS,
    },
    host,
    transports,
  );
  made.push({ endpoints, links });
  const types = (): string[] => statuses.map((s) => s.type);
  return { endpoints, transports, links, statuses, warnings, failures, node, types };
}

const made: { endpoints: Endpoints<string, string>; links: FakeLink[] }[] = [];

/** Lets the dial loop run: pending promise callbacks, then `ms` of (fake) time. */
async function run(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/** What a promise-like settled to so far. */
function outcomeOf(thenable: PromiseLike<unknown>): { settled: boolean; value?: unknown; error?: unknown } {
  const outcome: { settled: boolean; value?: unknown; error?: unknown } = { settled: false };
  thenable.then(
    (value) => Object.assign(outcome, { settled: true, value }),
    (error: unknown) => Object.assign(outcome, { settled: true, error }),
  );
  return outcome;
}

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate"] });
});

afterEach(async () => {
  for (const { endpoints, links } of made.splice(0)) {
    const closing = endpoints.close();
    for (const link of links) link.end();
    await run();
    await closing;
  }
  jest.useRealTimers();
});

describe("Endpoints.listen()", () => {
  it("hands each accepted connection to the link set as acceptor", async () => {
    const { endpoints, transports, links } = setup();
    await endpoints.listen("tcp:7000", true);
    const transport = new PipeEnd("10.0.0.2:50000");
    transports.accept?.(transport);
    expect(links.map((l) => [l.transport, l.role, l.requireCertifiedName])).toEqual([
      [transport, "acceptor", true],
    ]);
  });

  it("sheds a connection, with a warning, when too many are in their handshake", async () => {
    const { endpoints, transports, links, warnings, node } = setup();
    await endpoints.listen("tcp:7000", false);
    node.full = true;
    const transport = new PipeEnd("10.0.0.2:50000");
    transports.accept?.(transport);
    expect(transport.isClosed).toBe(true);
    expect(links).toEqual([]);
    expect(warnings).toEqual([
      "refused a connection from 10.0.0.2:50000: 4 connections are already in their handshake (maxHandshakingLinks)",
    ]);
  });

  describe("shares the handshake slots between remote addresses", () => {
    /** Full when 4 accepted links are in their handshake, as the link set counts them. */
    async function listening() {
      const made = setup();
      Object.defineProperty(made.node, "full", {
        get: () => made.links.filter((l) => l.state.phase === "handshaking").length >= 4,
      });
      await made.endpoints.listen("tcp:7000", false);
      const accept = (remote: string): PipeEnd => {
        const transport = new PipeEnd(remote);
        made.transports.accept?.(transport);
        return transport;
      };
      return { ...made, accept };
    }

    it("closes the oldest connection of the address holding the most to make room for a new one", async () => {
      const { endpoints, accept, links, warnings } = await listening();
      const flood = [1, 2, 3].map((i) => accept(`10.0.0.9:${50_000 + i}`));
      const other = accept("10.0.0.2:40000");
      expect([endpoints.handshaking(), endpoints.handshaking("10.0.0.9")]).toEqual([4, 3]);
      const newcomer = accept("10.0.0.3:40000");
      // The flooding address gives up its oldest; the other address keeps its connection.
      expect(flood.map((t) => t.isClosed)).toEqual([true, false, false]);
      expect(links[0]?.close).toHaveBeenCalled();
      expect([other.isClosed, newcomer.isClosed]).toEqual([false, false]);
      expect([endpoints.handshaking(), endpoints.handshaking("10.0.0.9")]).toEqual([4, 2]);
      expect(warnings).toEqual([
        "closed a connection from 10.0.0.9:50001 still in its handshake to make room for one from 10.0.0.3:40000: 4 connections are in their handshake (maxHandshakingLinks), 3 of them from 10.0.0.9",
      ]);
    });

    it("lets a newcomer from the flooding address in too, at the cost of that address's oldest", async () => {
      const { accept } = await listening();
      const flood = Array.from({ length: 4 }, (_, i) => accept(`10.0.0.9:${50_000 + i}`));
      const newcomer = accept("10.0.0.9:60000");
      expect([...flood, newcomer].map((t) => t.isClosed)).toEqual([true, false, false, false, false]);
    });

    it("among addresses holding as many, closes the connection accepted first", async () => {
      const { accept } = await listening();
      const a = [accept("10.0.0.1:1"), accept("10.0.0.2:1"), accept("10.0.0.2:2"), accept("10.0.0.1:2")];
      accept("10.0.0.3:1");
      expect(a.map((t) => t.isClosed)).toEqual([true, false, false, false]);
    });

    it("gives the slot back when a link opens or closes", async () => {
      const { endpoints, accept, links } = await listening();
      accept("10.0.0.9:1");
      accept("10.0.0.9:2");
      links[0]?.open("peer");
      links[1]?.end();
      await run();
      expect(endpoints.handshaking()).toBe(0);
      expect(endpoints.handshaking("10.0.0.9")).toBe(0);
    });
  });

  it("drops a connection that arrives once the node is closed", async () => {
    const { endpoints, transports, links, node } = setup();
    await endpoints.listen("tcp:7000", false);
    node.closed = true;
    const transport = new PipeEnd("10.0.0.2:50000");
    transports.accept?.(transport);
    expect(transport.isClosed).toBe(true);
    expect(links).toEqual([]);
  });

  it("rejects with supcon.Closed, and closes its listener, when the node closed while it bound", async () => {
    const { endpoints, transports, node } = setup();
    node.closed = true;
    await expect(endpoints.listen("tcp:7000", false)).rejects.toMatchObject({ code: ErrorCode.Closed });
    expect(transports.listeners.map((l) => l.closed)).toEqual([true]);
  });

  it("closes every listener on close()", async () => {
    const { endpoints, transports } = setup();
    await endpoints.listen("tcp:7000", false);
    await endpoints.listen("unix:/run/bus.sock", false);
    await endpoints.close();
    expect(transports.listeners.map((l) => l.closed)).toEqual([true, true]);
  });
});

describe("Endpoints.connect()", () => {
  it("dials its endpoint and runs a link over it as connector", async () => {
    const { endpoints, transports, links, statuses } = setup();
    transports.succeed();
    endpoints.connect("tcp:server:7000", true);
    await run();
    expect(statuses).toEqual([{ type: "connecting", endpoint: "tcp:server:7000" }]);
    expect(transports.dials.map((d) => d.timeoutMs)).toEqual([500]);
    expect(links.map((l) => [l.role, l.requireCertifiedName])).toEqual([["connector", true]]);
  });

  it("retries a failed dial after a growing backoff, reporting each failure", async () => {
    const { endpoints, transports, statuses, links } = setup();
    transports.fail(2);
    transports.succeed();
    endpoints.connect("tcp:server:7000", false);
    await run();
    await run(99);
    expect(transports.dials).toHaveLength(1);
    await run(1);
    expect(transports.dials).toHaveLength(2);
    await run(200);
    expect(transports.dials).toHaveLength(3);
    expect(links).toHaveLength(1);
    expect(statuses).toEqual([
      { type: "connecting", endpoint: "tcp:server:7000" },
      {
        type: "connectFailed",
        endpoint: "tcp:server:7000",
        error: new Error("connect ECONNREFUSED 127.0.0.1:7000"),
        attempt: 1,
        retryInMs: 100,
      },
      { type: "connecting", endpoint: "tcp:server:7000" },
      expect.objectContaining({ type: "connectFailed", attempt: 2, retryInMs: 200 }),
      { type: "connecting", endpoint: "tcp:server:7000" },
    ]);
  });

  it("connects again after its link closes", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    transports.succeed();
    endpoints.connect("tcp:server:7000", false);
    await run();
    links[0]?.open();
    links[0]?.end(new LinkError(ErrorCode.HeartbeatTimeout, "server silent"));
    await run(100);
    expect(links).toHaveLength(2);
  });

  it("resolves an await once the first link opens", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    const connection = endpoints.connect("tcp:server:7000", false);
    const outcome = outcomeOf(connection);
    await run();
    expect(outcome.settled).toBe(false);
    links[0]?.open();
    await run();
    expect(outcome.value).toEqual({ endpoint: "tcp:server:7000", close: expect.any(Function) as unknown });
  });

  it("resolves an await at once when a link has been up already, even if it has closed since", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    const connection = endpoints.connect("tcp:server:7000", false);
    await run();
    links[0]?.open();
    links[0]?.end();
    await expect(connection).resolves.toMatchObject({ endpoint: "tcp:server:7000" });
  });

  it("rejects an await at once on a refusal retrying cannot mend (supcon.AuthFailed), and keeps trying", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    transports.succeed();
    const connection = endpoints.connect("tcp:server:7000", false);
    const outcome = outcomeOf(connection);
    await run();
    links[0]?.end(
      new LinkError(ErrorCode.AuthFailed, "the peer did not prove that it knows the shared secret"),
    );
    await run();
    expect(outcome.error).toMatchObject({
      code: ErrorCode.AuthFailed,
      rawMessage: "connect tcp:server:7000: the peer did not prove that it knows the shared secret",
    });
    await run(100);
    expect(links).toHaveLength(2);
  });

  it("waits on through a refusal that retrying can mend", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    transports.succeed();
    const connection = endpoints.connect("tcp:server:7000", false);
    const outcome = outcomeOf(connection);
    await run();
    links[0]?.end(new LinkError(ErrorCode.HandshakeTimeout, "handshake not complete"));
    await run(100);
    expect(outcome.settled).toBe(false);
    links[1]?.open();
    await run();
    expect(outcome.value).toMatchObject({ endpoint: "tcp:server:7000" });
  });

  it("rejects an await after readyTimeoutMs with supcon.Timeout, naming the last failure", async () => {
    const { endpoints, transports } = setup();
    transports.fail(100, "connect ECONNREFUSED 127.0.0.1:7000");
    const connection = endpoints.connect("tcp:server:7000", false);
    const outcome = outcomeOf(connection);
    await run(READY_TIMEOUT_MS - 1);
    expect(outcome.settled).toBe(false);
    await run(1);
    expect(outcome.error).toMatchObject({
      code: ErrorCode.Timeout,
      rawMessage: `connect tcp:server:7000: no link within ${READY_TIMEOUT_MS} ms (last failure: connect ECONNREFUSED 127.0.0.1:7000); still trying`,
    });
  });

  it("never makes an unhandled rejection when nobody awaits it", async () => {
    // Jest fails a test during which a promise rejects unhandled; this one goes through every way an await fails.
    const { endpoints, transports, links, types } = setup();
    transports.succeed();
    transports.fail(100);
    const refused = endpoints.connect("tcp:server:7000", false);
    const timedOut = endpoints.connect("tcp:other:7000", false);
    await run();
    links[0]?.end(new LinkError(ErrorCode.AuthFailed, "wrong secret"));
    await run(READY_TIMEOUT_MS * 3);
    await Promise.all([refused.close(), timedOut.close()]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(types()).toContain("connectFailed");
  });

  it("stops dialing on close(), abandoning an attempt under way", async () => {
    const { endpoints, transports } = setup();
    transports.fail(1);
    endpoints.connect("tcp:server:7000", false);
    await run(100);
    expect(transports.dials).toHaveLength(2);
    // The second attempt hangs until it is aborted.
    await endpoints.close();
    expect(transports.dials[1]?.signal.aborted).toBe(true);
    await run(60_000);
    expect(transports.dials).toHaveLength(2);
  });

  it("stops dialing on close() while it waits to retry", async () => {
    const { endpoints, transports } = setup();
    transports.fail(1);
    endpoints.connect("tcp:server:7000", false);
    await run();
    await endpoints.close();
    await run(60_000);
    expect(transports.dials).toHaveLength(1);
  });

  it("rejects an await with supcon.Closed when it is closed before a link came up", async () => {
    const { endpoints } = setup();
    const connection = endpoints.connect("tcp:server:7000", false);
    const before = outcomeOf(connection);
    await connection.close();
    await run();
    expect(before.error).toMatchObject({ code: ErrorCode.Closed });
    await expect(connection).rejects.toMatchObject({ code: ErrorCode.Closed });
  });

  it("close() of a connection closes its link and stops reconnecting", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    transports.succeed();
    const connection = await (async () => {
      const c = endpoints.connect("tcp:server:7000", false);
      await run();
      links[0]?.open();
      return c;
    })();
    await connection.close();
    expect(links[0]?.close).toHaveBeenCalled();
    await run(60_000);
    expect(links).toHaveLength(1);
    expect(transports.dials).toHaveLength(1);
  });

  it("rejects an await made after a final refusal at once, with that refusal", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    const connection = endpoints.connect("tcp:server:7000", false);
    await run();
    links[0]?.end(new LinkError(ErrorCode.AuthFailed, "wrong secret"));
    await run();
    const outcome = outcomeOf(connection);
    await run();
    expect(outcome.error).toMatchObject({ code: ErrorCode.AuthFailed });
  });

  it("resolves an await made after a link came up, though an earlier await timed out", async () => {
    const { endpoints, transports, links } = setup();
    transports.fail(1);
    transports.succeed();
    const connection = endpoints.connect("tcp:server:7000", false);
    const first = outcomeOf(connection);
    await run(READY_TIMEOUT_MS);
    expect(first.error).toMatchObject({ code: ErrorCode.Timeout });
    links[0]?.open();
    const second = outcomeOf(connection);
    await run();
    expect(second.value).toMatchObject({ endpoint: "tcp:server:7000" });
  });
});

describe("Endpoints.connect() failures", () => {
  const SUFFIX = " (the node keeps trying; this is logged again when the failure changes)";

  it("logs a failure once per endpoint however often it recurs, again when it changes", async () => {
    const { endpoints, transports, links, failures, types } = setup();
    transports.fail(3, "connection to 127.0.0.1:7000 refused (ECONNREFUSED)");
    transports.succeed();
    transports.succeed();
    transports.succeed();
    endpoints.connect("tcp:server:7000", false);
    await run(100 + 200 + 400);
    links[0]?.end(new LinkError(ErrorCode.AuthFailed, "127.0.0.1:7000 refused us: wrong secret"));
    await run(800);
    links[1]?.end(new LinkError(ErrorCode.AuthFailed, "127.0.0.1:7000 refused us: wrong secret"));
    await run(1000);
    expect(types().filter((t) => t === "connectFailed")).toHaveLength(3);
    expect(links).toHaveLength(3);
    expect(failures).toEqual([
      `connect tcp:server:7000: connection to 127.0.0.1:7000 refused (ECONNREFUSED)${SUFFIX}`,
      `connect tcp:server:7000: supcon.AuthFailed: 127.0.0.1:7000 refused us: wrong secret${SUFFIX}`,
    ]);
  });

  it("says the link is up after logged failures, and logs the next failure anew", async () => {
    const { endpoints, transports, links, failures, warnings } = setup();
    transports.fail(2, "connection to 127.0.0.1:7000 refused (ECONNREFUSED)");
    transports.succeed();
    transports.fail(1, "connection to 127.0.0.1:7000 refused (ECONNREFUSED)");
    endpoints.connect("tcp:server:7000", false);
    await run(100 + 200);
    links[0]?.open("server");
    expect(warnings).toEqual(["connect tcp:server:7000: linked to server after 2 failed attempts"]);
    links[0]?.end(new LinkError(ErrorCode.HeartbeatTimeout, "server silent"));
    await run(400);
    expect(failures).toHaveLength(2);
    expect(failures[1]).toBe(failures[0]);
  });

  it("logs nothing when it links at once", async () => {
    const { endpoints, transports, links, failures, warnings } = setup();
    transports.succeed();
    endpoints.connect("tcp:server:7000", false);
    await run();
    links[0]?.open("server");
    expect([...failures, ...warnings]).toEqual([]);
  });

  it("tells each connection's peer, or its last failure (for waitFor)", async () => {
    const { endpoints, transports, links } = setup();
    transports.succeed();
    endpoints.connect("tcp:server:7000", false);
    endpoints.connect("tcp:other:7000", false);
    await run();
    expect(endpoints.connections()).toEqual([
      { endpoint: "tcp:server:7000", linkedTo: undefined, lastFailure: undefined },
      { endpoint: "tcp:other:7000", linkedTo: undefined, lastFailure: undefined },
    ]);
    links[0]?.open("server");
    transports.fail(1, "connection to other:7000 refused (ECONNREFUSED)");
    await run(100);
    const states = endpoints.connections();
    expect(states[0]).toMatchObject({ linkedTo: "server", lastFailure: undefined });
    expect(states[1]).toMatchObject({ linkedTo: undefined });
    links[0]?.end(new LinkError(ErrorCode.HeartbeatTimeout, "server silent"));
    await run();
    expect(endpoints.connections()[0]).toEqual({
      endpoint: "tcp:server:7000",
      linkedTo: undefined,
      lastFailure: "supcon.HeartbeatTimeout: server silent",
    });
  });

  it("forgets what it logged of an endpoint when its connection is closed", async () => {
    const { endpoints, transports, failures } = setup();
    transports.fail(1, "connection to 127.0.0.1:7000 refused (ECONNREFUSED)");
    const first = endpoints.connect("tcp:server:7000", false);
    await run();
    await first.close();
    transports.fail(1, "connection to 127.0.0.1:7000 refused (ECONNREFUSED)");
    endpoints.connect("tcp:server:7000", false);
    await run();
    expect(failures).toHaveLength(2);
  });
});
