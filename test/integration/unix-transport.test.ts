/**
 * The Unix domain socket transport with real sockets in temporary directories: bytes both ways, stale socket files,
 * live listeners in other processes, files that are not sockets, removal on close, modes, and the path limit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "../../packages/supcon/src/base/errors";
import type { DialSpec, ListenSpec } from "../../packages/supcon/src/transport/endpoints";
import {
  describeEndpoint,
  dialEndpoint,
  listenEndpoint,
} from "../../packages/supcon/src/transport/endpoints";
import type { Listener } from "../../packages/supcon/src/transport/transport";
import type { Transport } from "../../packages/supcon/src/transport/transport";
import { createTestPki } from "../helpers/certs";
import type { UnixListener } from "../../packages/supcon/src/transport/unix";
import { connectUnix, listenUnix, MAX_SOCKET_PATH_BYTES } from "../../packages/supcon/src/transport/unix";
import {
  collect,
  dialLimits,
  makeTempDir,
  removeTempDirs,
  startNode,
  stopProcesses,
  transpileForChild,
} from "../helpers/unix-sockets";

/** A plain Node.js server on the path in argv[1] that answers every connection with "alive from <pid>". */
const OTHER_SERVER = `
const net = require("node:net");
net.createServer((c) => c.end("alive from " + process.pid)).listen(process.argv[1], () => console.log("READY"));
`;

const listeners: Listener[] = [];
const transports: Transport[] = [];

async function listen(
  socketPath: string,
  mode?: number,
): Promise<{ listener: UnixListener; accepted: Transport[]; errors: string[] }> {
  const accepted: Transport[] = [];
  const errors: string[] = [];
  const listener = await listenUnix(
    socketPath,
    mode === undefined ? {} : { mode },
    (t) => {
      accepted.push(t);
      transports.push(t);
    },
    (message) => errors.push(message),
  );
  listeners.push(listener);
  return { listener, accepted, errors };
}

async function dial(socketPath: string): Promise<Transport> {
  const transport = await connectUnix(socketPath, dialLimits());
  transports.push(transport);
  return transport;
}

/** Connects to `socketPath` and returns what the server sent before closing. */
async function readAll(socketPath: string): Promise<string> {
  const client = collect(await dial(socketPath));
  await client.closed;
  return client.text();
}

function inode(file: string): bigint {
  return fs.lstatSync(file, { bigint: true }).ino;
}

/** Entries of `dir` other than `keep`: the temporary directories of listening must all be gone. */
function leftovers(dir: string, ...keep: string[]): string[] {
  return fs.readdirSync(dir).filter((name) => !keep.includes(name));
}

afterEach(async () => {
  for (const t of transports.splice(0)) t.destroy();
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  await stopProcesses();
  removeTempDirs();
});

describe("unix transport", () => {
  it("moves bytes both ways, reports unix:<path>, and closes", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "bus.sock");
    const { listener, accepted } = await listen(socketPath);
    expect(listener.address).toEqual({ kind: "unix", path: socketPath });
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
    expect(leftovers(dir, "bus.sock")).toEqual([]);

    const client = await dial(socketPath);
    expect(client.remote).toBe(`unix:${socketPath}`);
    const fromServer = collect(client);
    await waitFor(() => accepted.length === 1);
    const server = accepted[0] as Transport;
    expect(server.remote).toBe(`unix:${socketPath}`);
    const fromClient = collect(server);

    client.write(Buffer.from("ping"));
    await fromClient.received("ping");
    server.write(Buffer.from("pong"));
    await fromServer.received("pong");

    client.close();
    await expect(fromClient.closed).resolves.toBeUndefined();
    await expect(fromServer.closed).resolves.toBeUndefined();
    expect(client.isClosed).toBe(true);

    await listener.close();
    expect(fs.existsSync(socketPath)).toBe(false);
    await expect(dial(socketPath)).rejects.toThrow(
      `no socket at ${socketPath} (ENOENT): is the node there listening?`,
    );
  });

  it("resolves a relative path against the current directory and reports it absolute", async () => {
    const dir = makeTempDir();
    const absolute = path.join(dir, "rel.sock");
    const relative = path.relative(process.cwd(), absolute);
    expect(path.isAbsolute(relative)).toBe(false);
    const { listener } = await listen(relative);
    expect(listener.address).toEqual({ kind: "unix", path: absolute });
    const client = await dial(relative);
    expect(client.remote).toBe(`unix:${absolute}`);
  });

  it("replaces a stale socket file left by a process killed with SIGKILL", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "stale.sock");
    const other = startNode(OTHER_SERVER, [socketPath]);
    await other.printed("READY");
    await other.stop("SIGKILL");
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
    const staleInode = inode(socketPath);
    await expect(dial(socketPath)).rejects.toThrow(
      `connection to ${socketPath} refused (ECONNREFUSED): the socket file is stale`,
    );

    const { accepted } = await listen(socketPath);
    expect(inode(socketPath)).not.toBe(staleInode);
    await dial(socketPath);
    await waitFor(() => accepted.length === 1);
    expect(leftovers(dir, "stale.sock")).toEqual([]);
  });

  it("never takes the socket of a live listener in another process", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "live.sock");
    const other = startNode(OTHER_SERVER, [socketPath]);
    await other.printed("READY");
    const before = inode(socketPath);

    await expect(listen(socketPath)).rejects.toThrow(
      `cannot listen on ${socketPath}: another process is listening on ${socketPath}; stop it or choose another path`,
    );
    expect(inode(socketPath)).toBe(before);
    expect(leftovers(dir, "live.sock")).toEqual([]);
    // The other process still serves, on the same file.
    await expect(readAll(socketPath)).resolves.toBe(`alive from ${other.pid}`);
    await other.stop();
  });

  it("never deletes a path that is not a socket", async () => {
    const dir = makeTempDir();
    const file = path.join(dir, "notes.txt");
    fs.writeFileSync(file, "keep me");
    await expect(listen(file)).rejects.toThrow(
      `cannot listen on ${file}: the path exists and is not a socket, so it is left alone; remove it or choose another path`,
    );
    expect(fs.readFileSync(file, "utf8")).toBe("keep me");
    await expect(dial(file)).rejects.toThrow(`cannot connect to ${file}: it is not a socket (ENOTSOCK)`);

    const sub = path.join(dir, "subdir");
    fs.mkdirSync(sub);
    await expect(listen(sub)).rejects.toThrow("is not a socket, so it is left alone");
    expect(fs.statSync(sub).isDirectory()).toBe(true);

    // A symbolic link is not followed, even to a stale socket.
    const other = startNode(OTHER_SERVER, [path.join(dir, "target.sock")]);
    await other.printed("READY");
    await other.stop("SIGKILL");
    const link = path.join(dir, "link.sock");
    fs.symlinkSync(path.join(dir, "target.sock"), link);
    await expect(listen(link)).rejects.toThrow("is not a socket, so it is left alone");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(leftovers(dir, "notes.txt", "subdir", "target.sock", "link.sock")).toEqual([]);
  });

  it("removes its socket file on close, but not a successor's", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "succ.sock");
    const first = await listen(socketPath);
    // Someone removes the first listener's file, and a successor listens at the same path.
    fs.unlinkSync(socketPath);
    const second = await listen(socketPath);
    const successor = inode(socketPath);

    await first.listener.close();
    expect(inode(socketPath)).toBe(successor);
    const client = await dial(socketPath);
    await waitFor(() => second.accepted.length === 1);
    expect(first.accepted).toHaveLength(0);

    // `close` resolves once the connections it accepted have ended.
    client.destroy();
    await second.listener.close();
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it("applies the mode before the socket appears at its path", async () => {
    const dir = makeTempDir();
    const owner = path.join(dir, "owner.sock");
    const group = path.join(dir, "group.sock");
    await listen(owner, 0o600);
    await listen(group, 0o660);
    expect(fs.statSync(owner).mode & 0o777).toBe(0o600);
    expect(fs.statSync(group).mode & 0o777).toBe(0o660);
    await expect(listen(path.join(dir, "bad.sock"), 0o1777)).rejects.toThrow(InvalidArgumentError);
  });

  it("refuses a user the mode does not allow, with a clear error", async () => {
    const dir = makeTempDir(0o755);
    const closed = path.join(dir, "closed.sock");
    const open = path.join(dir, "open.sock");
    await listen(closed, 0o600);
    await listen(open, 0o666);
    const denied = `permission denied connecting to ${closed} (EACCES): the socket's owner or mode does not allow this user`;
    const isRoot = process.getuid?.() === 0;
    if (!isRoot) {
      // The owner is bound by the mode too, when it is not root.
      fs.chmodSync(closed, 0o000);
      await expect(dial(closed)).rejects.toThrow(denied);
      return;
    }
    // Root connects whatever the mode: the connecting side runs as nobody (uid 65534).
    const entry = transpileForChild("transport/unix", path.join(dir, "js"));
    const script = `
      const { connectUnix } = require(process.argv[1]);
      connectUnix(process.argv[2], { timeoutMs: 5000, signal: new AbortController().signal }).then(
        (t) => { t.destroy(); console.log("RESULT " + JSON.stringify({ ok: true })); },
        (e) => console.log("RESULT " + JSON.stringify({ ok: false, message: e.message, code: e.cause && e.cause.code })),
      );`;
    const asNobody = async (
      socketPath: string,
    ): Promise<{ ok: boolean; message?: string; code?: string }> => {
      const child = startNode(script, [entry, socketPath], { uid: 65534, gid: 65534, cwd: dir });
      await child.printed("\n");
      await child.exited;
      const line = /RESULT (.*)/.exec(child.output())?.[1];
      return JSON.parse(line ?? "null") as { ok: boolean; message?: string; code?: string };
    };
    await expect(asNobody(open)).resolves.toEqual({ ok: true });
    await expect(asNobody(closed)).resolves.toEqual({ ok: false, message: denied, code: "EACCES" });
  });

  it("says when the directory is missing", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "missing", "bus.sock");
    await expect(listen(socketPath)).rejects.toThrow(
      `cannot listen on ${socketPath}: the directory ${path.join(dir, "missing")} does not exist (ENOENT)`,
    );
    await expect(dial(socketPath)).rejects.toThrow(`no socket at ${socketPath} (ENOENT)`);
  });

  it("lets one of two listeners starting at once on a path have it", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "race.sock");
    const results = await Promise.allSettled([listen(socketPath), listen(socketPath), listen(socketPath)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    for (const r of lost) expect(String(r.reason)).toContain("another process is listening on");
    await dial(socketPath);
    expect(leftovers(dir, "race.sock")).toEqual([]);
  });

  it("refuses a path over the OS limit before trying", async () => {
    const dir = makeTempDir();
    const room = MAX_SOCKET_PATH_BYTES - 1 - (dir.length + 1);
    const longest = path.join(dir, "x".repeat(room));
    const tooLong = path.join(dir, "x".repeat(room + 1));
    expect(Buffer.byteLength(longest)).toBe(MAX_SOCKET_PATH_BYTES - 1);

    await expect(listen(tooLong)).rejects.toThrow(InvalidArgumentError);
    await expect(listen(tooLong)).rejects.toThrow(
      `the path is ${MAX_SOCKET_PATH_BYTES} bytes long and a Unix socket path may have at most ${MAX_SOCKET_PATH_BYTES - 1}`,
    );
    await expect(dial(tooLong)).rejects.toThrow(InvalidArgumentError);
    expect(leftovers(dir)).toEqual([]);

    // The longest allowed path works, not cut short.
    const { listener } = await listen(longest);
    expect(listener.address).toEqual({ kind: "unix", path: longest });
    expect(fs.lstatSync(longest).isSocket()).toBe(true);
    await dial(longest);
  });
});

describe("endpoints over real sockets", () => {
  it("listens on and dials every kind, and reports what each listener is bound to", async () => {
    const dir = makeTempDir();
    const pki = createTestPki();
    try {
      const server = pki.issue("server");
      const client = pki.issue("client");
      const cases: { listen: ListenSpec; dial: (l: Listener) => DialSpec; shown: RegExp }[] = [
        {
          listen: { kind: "tcp", host: "127.0.0.1", port: 0 },
          dial: (l) => ({ kind: "tcp", host: "127.0.0.1", port: l.port }),
          shown: /^127\.0\.0\.1:\d+$/,
        },
        {
          listen: { kind: "tls", host: "127.0.0.1", port: 0, tls: { ...server }, handshakeTimeoutMs: 5000 },
          dial: (l) => ({
            kind: "tls",
            host: "127.0.0.1",
            port: l.port,
            tls: { ...client, ca: pki.ca, servername: "server" },
          }),
          shown: /^tls:\/\/127\.0\.0\.1:\d+$/,
        },
        {
          listen: { kind: "unix", path: path.join(dir, "ep.sock"), mode: 0o600 },
          dial: () => ({ kind: "unix", path: path.join(dir, "ep.sock") }),
          shown: new RegExp(`^unix:${dir}/ep\\.sock$`),
        },
      ];
      for (const c of cases) {
        const accepted: Transport[] = [];
        const listener = await listenEndpoint(
          c.listen,
          (t) => {
            accepted.push(t);
            transports.push(t);
          },
          () => undefined,
        );
        listeners.push(listener);
        expect(listener.address.kind).toBe(c.listen.kind);
        expect(describeEndpoint(listener.address)).toMatch(c.shown);
        if (listener.address.kind !== "unix") {
          expect(listener.address.port).toBeGreaterThan(0);
          // Kept for the node until it reads `address`.
          expect({ host: listener.host, port: listener.port }).toEqual({
            host: listener.address.host,
            port: listener.address.port,
          });
        }
        const transport = await dialEndpoint(c.dial(listener), dialLimits());
        transports.push(transport);
        const received = collect(transport);
        await waitFor(() => accepted.length === 1);
        (accepted[0] as Transport).write(Buffer.from(`hello over ${c.listen.kind}`));
        await received.received(`hello over ${c.listen.kind}`);
      }
    } finally {
      pki.dispose();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
