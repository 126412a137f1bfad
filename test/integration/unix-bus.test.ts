/**
 * Nodes over Unix domain sockets, across processes: calls and events on a Unix link, a relay between a Unix link
 * and a TCP link, a stale socket file replaced, a live one never stolen, and file permissions honoured.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode } from "../../packages/supcon/src/index";
import type { Node } from "../../packages/supcon/src/index";
import { Bus, eventually } from "../helpers/bus";
import { startFixture, stopAll } from "../helpers/processes";
import { makeTempDir, removeTempDirs } from "../helpers/unix-sockets";

const CALC = "com.example.Calc";
const root = path.resolve(__dirname, "../..");

describe("Unix domain sockets", () => {
  const bus = new Bus();
  afterEach(async () => {
    await bus.close();
    await stopAll();
    removeTempDirs();
  });

  it("carries calls and events between two processes", async () => {
    const socket = path.join(makeTempDir(), "bus.sock");
    await startFixture("reliability-node.js", ["--name", "server", "--listen-unix", socket]);
    const client = bus.node("client");
    await client.connect({ path: socket });
    await client.waitFor("server", { path: "/calc" });
    expect(client.links()).toEqual([{ peer: "server", remote: `unix:${socket}` }]);
    await expect(client.call("server", "/calc", CALC, "add", { a: 20, b: 22 })).resolves.toEqual({ sum: 42 });
    await expect(client.call("server", "/calc", CALC, "div", { a: 1, b: 0 })).rejects.toMatchObject({
      code: "com.example.Calc.DivByZero",
    });
    const seen: number[] = [];
    client.on("server", "/rel", "test.Reliability", "seq", (args: { n: number }) => seen.push(args.n));
    // Subscribing takes a round trip: fire single events until one arrives, then count a burst of 100 in order.
    for (let i = 0; i < 100 && seen.length === 0; i++) {
      await client.call("server", "/rel", "test.Reliability", "burst", { count: 1, padBytes: 0 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen.length).toBeGreaterThan(0);
    const before = seen.length;
    const { last } = (await client.call("server", "/rel", "test.Reliability", "burst", {
      count: 100,
      padBytes: 16,
    })) as { last: number };
    await eventually(() => seen.length >= before + 100, 5_000, "100 events");
    expect(seen.at(-1)).toBe(last);
    expect(seen.slice(before)).toEqual(Array.from({ length: 100 }, (_, i) => last - 99 + i));
  });

  it("relays between a Unix link and a TCP link", async () => {
    const socket = path.join(makeTempDir(), "relay.sock");
    // server (Unix) ← relay → (TCP) client: the relay listens on both.
    const relay = await startFixture("reliability-node.js", [
      "--name",
      "relay",
      "--listen",
      "0",
      "--listen-unix",
      socket,
    ]);
    await startFixture("reliability-node.js", ["--name", "server", "--connect-unix", socket]);
    const client = bus.node("client");
    await client.connect({ port: relay.port });
    await client.waitFor("server", { path: "/calc", timeoutMs: 10_000 });
    await expect(client.call("server", "/calc", CALC, "add", { a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    const view = client.nodes();
    expect(Object.keys(view).sort()).toEqual(["client", "relay", "server"]);
  });

  it("replaces a stale socket file left by a killed process", async () => {
    const socket = path.join(makeTempDir(), "stale.sock");
    const first = await startFixture("reliability-node.js", ["--name", "first", "--listen-unix", socket]);
    await first.stop("SIGKILL");
    expect(fs.statSync(socket).isSocket()).toBe(true);
    const second = bus.node("second");
    await expect(second.listen({ path: socket })).resolves.toEqual({ path: socket });
    const client = bus.node("client");
    await client.connect({ path: socket });
    await client.waitFor("second");
  });

  it("never steals the socket of a live listener", async () => {
    const socket = path.join(makeTempDir(), "live.sock");
    await startFixture("reliability-node.js", ["--name", "owner", "--listen-unix", socket]);
    const thief = bus.node("thief");
    await expect(thief.listen({ path: socket })).rejects.toThrow(/another process is listening on/);
    // The owner still serves on its socket.
    const client = bus.node("client");
    await client.connect({ path: socket });
    await client.waitFor("owner", { path: "/calc" });
    await expect(client.call("owner", "/calc", CALC, "add", { a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
  });

  it("applies the socket's mode, and a user it excludes cannot connect", async () => {
    const dir = makeTempDir(0o755);
    const socket = path.join(dir, "private.sock");
    const owner = bus.node("owner");
    await owner.listen({ path: socket, mode: 0o600 });
    expect(fs.statSync(socket).mode & 0o777).toBe(0o600);
    // Root ignores file modes: connect as an unprivileged user, with the built runtime.
    const script = `
      const { Node } = require(${JSON.stringify(path.join(root, "packages/supcon/dist/index.js"))});
      const node = new Node("outsider", { callTimeoutMs: 1500, logger: { warn() {} } });
      node.connect({ path: ${JSON.stringify(socket)} }).then(
        () => { console.log("CONNECTED"); process.exit(0); },
        (e) => { console.log("REFUSED " + e.message); node.close().then(() => process.exit(0)); },
      );
    `;
    const run = spawnSync(process.execPath, ["-e", script], {
      uid: 65534,
      gid: 65534,
      encoding: "utf8",
      timeout: 20_000,
      env: { ...process.env, HOME: dir },
    });
    expect(run.stdout).toMatch(/permission denied/i);
    expect(run.stdout).not.toMatch(/CONNECTED/);
  }, 30_000);

  it("refuses options that mix a socket path with TCP settings, and bad paths", async () => {
    const node: Node = bus.node("n");
    await expect(node.listen({ path: "/tmp/x.sock", port: 7 } as never)).rejects.toThrow(
      /'port' cannot be combined with 'path'/,
    );
    expect(() => node.connect({ path: "" })).toThrow(/path must be the file name of a Unix socket/);
    await expect(node.listen({ path: "/tmp/x.sock", mode: 0o1777 })).rejects.toThrow(
      /mode must be a file mode/,
    );
    await expect(node.listen({ path: `/tmp/${"x".repeat(200)}.sock` })).rejects.toThrow(/too long|108/);
  });

  it("removes its socket file when the node closes", async () => {
    const socket = path.join(makeTempDir(), "gone.sock");
    const node = bus.node("closing");
    await node.listen({ path: socket });
    expect(fs.existsSync(socket)).toBe(true);
    await node.close();
    expect(fs.existsSync(socket)).toBe(false);
    await expect(node.listen({ path: socket })).rejects.toMatchObject({ code: ErrorCode.Closed });
  });
});
