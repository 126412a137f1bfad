import { StatusReports, warningKind } from "../../../packages/supcon/src/bus/status";

/** Status reports with a clock the test moves, logging into `lines`. */
function setup(limits: { intervalMs?: number; maxPerInterval?: number; maxKinds?: number } = {}) {
  const lines: string[] = [];
  const clock = { now: 0 };
  const status = new StatusReports(
    { warn: (message) => lines.push(message) },
    { ...limits, now: () => clock.now },
  );
  return { status, lines, clock };
}

describe("StatusReports warnings", () => {
  it("logs a kind of warning once per interval, then says how many were suppressed", () => {
    const { status, lines, clock } = setup({ intervalMs: 1_000 });
    for (let port = 50_000; port < 50_100; port++) {
      status.warn(
        `refused a connection from 10.0.0.2:${port}: 128 connections are already in their handshake`,
      );
    }
    expect(lines).toEqual([
      "refused a connection from 10.0.0.2:50000: 128 connections are already in their handshake",
    ]);
    clock.now = 999;
    status.warn("refused a connection from 10.0.0.2:1: 128 connections are already in their handshake");
    expect(lines).toHaveLength(1);
    clock.now = 1_000;
    status.warn("refused a connection from 10.0.0.2:2: 128 connections are already in their handshake");
    expect(lines[1]).toBe(
      "refused a connection from 10.0.0.2:2: 128 connections are already in their handshake (100 similar warnings suppressed)",
    );
    clock.now = 2_000;
    status.warn("refused a connection from 10.0.0.2:3: 128 connections are already in their handshake");
    expect(lines[2]).toBe(
      "refused a connection from 10.0.0.2:3: 128 connections are already in their handshake",
    );
  });

  it("logs warnings of other kinds at once", () => {
    const { status, lines } = setup();
    status.warn("a status listener threw: Error: x");
    status.warn("could not send the reply of I.m to n");
    status.warn("a status listener threw: Error: y");
    expect(lines).toEqual([
      "a status listener threw: Error: x",
      "could not send the reply of I.m to n",
      "a status listener threw: Error: y",
    ]);
  });

  it("logs at most so many warnings per interval in all, and counts the rest against their kinds", () => {
    const { status, lines, clock } = setup({ intervalMs: 1_000, maxPerInterval: 3 });
    // Names without digits make a kind each: the total bounds them.
    for (const name of ["alpha", "bravo", "charlie", "delta", "echo"]) status.warn(`ignored ${name}`);
    status.warn("ignored delta");
    expect(lines).toEqual(["ignored alpha", "ignored bravo", "ignored charlie"]);
    clock.now = 1_000;
    status.warn("ignored delta");
    expect(lines[3]).toBe("ignored delta (2 similar warnings suppressed)");
  });

  it("remembers a bounded number of kinds, forgetting the one logged longest ago", () => {
    const { status, lines } = setup({ maxKinds: 2, maxPerInterval: 100 });
    status.warn("first");
    status.warn("second");
    status.warn("third");
    // "first" was forgotten: it is logged again at once.
    status.warn("first");
    status.warn("third");
    expect(lines).toEqual(["first", "second", "third", "first"]);
  });

  it("tells every status listener, whatever the warnings", () => {
    const { status, lines } = setup();
    const seen: string[] = [];
    status.listen((s) => seen.push(s.type));
    status.listen(() => {
      throw new Error("listener bug");
    });
    for (let i = 0; i < 3; i++) status.emit({ type: "nodeUp", node: `n${i}` });
    expect(seen).toEqual(["nodeUp", "nodeUp", "nodeUp"]);
    expect(lines).toEqual(["a status listener threw: Error: listener bug"]);
  });
});

describe("StatusReports failures", () => {
  const refused = (port: number): string => `connection to 127.0.0.1:${port} refused (ECONNREFUSED)`;

  it("logs a failure of a source once, again when it changes, and anew after the source worked", () => {
    const { status, lines } = setup();
    for (let i = 0; i < 5; i++) status.failed("connect a", refused(7001));
    expect(lines).toEqual([refused(7001)]);
    expect(status.failed("connect a", "supcon.AuthFailed: wrong secret")).toBe(true);
    // Back to the first failure: a change, so it is said again.
    expect(status.failed("connect a", refused(7001))).toBe(true);
    expect(status.succeeded("connect a")).toBe(true);
    expect(status.succeeded("connect a")).toBe(false);
    status.failed("connect a", refused(7001));
    expect(lines).toEqual([refused(7001), "supcon.AuthFailed: wrong secret", refused(7001), refused(7001)]);
  });

  it("logs the same failure of each source, unlike warnings of one kind", () => {
    const { status, lines } = setup({ intervalMs: 1_000 });
    status.failed("connect a", refused(7001));
    status.failed("connect b", refused(7002));
    status.warn(refused(7003));
    status.warn(refused(7004));
    expect(lines).toEqual([refused(7001), refused(7002), refused(7003)]);
  });

  it("remembers several kinds of a source when asked: peers behind one address each fail their own way", () => {
    const { status, lines } = setup();
    for (let i = 0; i < 3; i++) {
      status.failed("from 10.0.0.2", "the name 'x' is taken", 2);
      status.failed("from 10.0.0.2", "the peer speaks TLS", 2);
    }
    expect(lines).toEqual(["the name 'x' is taken", "the peer speaks TLS"]);
    status.failed("from 10.0.0.2", "handshake not complete", 2);
    status.failed("from 10.0.0.2", "the name 'x' is taken", 2);
    expect(lines).toHaveLength(4);
  });

  it("counts failures against the total per interval, and logs one left out there later", () => {
    const { status, lines, clock } = setup({ intervalMs: 1_000, maxPerInterval: 2 });
    status.warn("first");
    status.warn("second");
    expect(status.failed("connect a", refused(7001))).toBe(false);
    clock.now = 1_000;
    expect(status.failed("connect a", refused(7001))).toBe(true);
    expect(lines).toEqual(["first", "second", refused(7001)]);
  });

  it("remembers a bounded number of sources", () => {
    const { status, lines } = setup({ maxKinds: 2 });
    for (const source of ["a", "b", "c", "a"]) status.failed(source, "down");
    expect(lines).toHaveLength(4);
  });
});

describe("warningKind", () => {
  it("takes the numbers out of a warning", () => {
    expect(warningKind("127.0.0.1:5555: handshake not complete after 300 ms")).toBe(
      "#.#.#.#:#: handshake not complete after # ms",
    );
    expect(warningKind("x".repeat(10_000))).toHaveLength(200);
  });
});
