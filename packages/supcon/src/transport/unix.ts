/**
 * Unix domain socket transport: `net` sockets on a file-system path, for nodes on one host.
 *
 * Listening never binds the final path itself. It binds `<dir>/.sXXXXXX/s`, in a fresh directory that mkdtemp
 * creates with mode 0700 next to the final path, applies `mode` to that socket, then hard-links it to the final path
 * and removes the temporary name and directory:
 *  - No other user can connect before the mode is set: only the owner (and root) may enter the private directory, so
 *    the socket's mode from the umask does not matter until the chmod, and the socket appears at its final path with
 *    its final mode already set. (Changing the umask around bind would do it too, but the umask is process-wide,
 *    cannot be set from worker threads, and affects files other code creates meanwhile.)
 *  - link(2) fails with EEXIST where rename(2) would silently replace what is there, so nothing at the final path is
 *    ever replaced without the stale check: a socket nobody listens on is removed and the link tried again, once; a
 *    live listener's socket and anything that is not a socket are left alone.
 *  - libuv unlinks the path it bound when the server closes, whatever file is there by then. The path it bound is the
 *    temporary one, already gone, so the final path is removed only by `close`, and only while it is still our file.
 */
import type { BigIntStats } from "node:fs";
import * as fs from "node:fs/promises";
import * as net from "node:net";
import * as nodePath from "node:path";
import { InvalidArgumentError } from "../base/errors.js";
import { describeUnixError, UNIX_REMOTE_PREFIX } from "./socket-errors.js";
import type { DialLimits } from "./tcp.js";
import { SocketTransport, whenReady } from "./tcp.js";
import type { Listener, Transport, UnixAddress } from "./transport.js";

/** The size of `sun_path`, including the terminating NUL: 108 bytes on Linux, 104 on macOS and the BSDs. */
export const MAX_SOCKET_PATH_BYTES = process.platform === "linux" ? 108 : 104;

/** How long the stale check waits to connect to the socket found; one that does not answer in time counts as live. */
const PROBE_TIMEOUT_MS = 1_000;

/** What `listenUnix` takes besides the path. */
export interface UnixListenOptions {
  /** Permission bits of the socket file (0o660: owner and group may connect); default: 0o777 less the umask. */
  readonly mode?: number;
}

/** A Unix domain socket listener; `address.path` is absolute. */
export interface UnixListener extends Listener {
  readonly address: UnixAddress;
}

/**
 * Listens on the socket file at `path` (relative: against the current directory, now) and hands every accepted
 * connection to `onTransport`. A stale socket file there (nobody listening) is replaced; a live one, or anything
 * that is not a socket, is not. Rejects with a readable error when it cannot listen; afterwards reports errors to
 * `onError`. `close` removes the socket file if it is still this listener's.
 */
export async function listenUnix(
  path: string,
  options: UnixListenOptions,
  onTransport: (transport: Transport) => void,
  onError: (message: string) => void,
): Promise<UnixListener> {
  const target = resolveSocketPath(path, "listen on");
  const mode = options.mode;
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o777)) {
    throw new InvalidArgumentError(
      `cannot listen on ${target}: mode must be permission bits from 0 to 0o777, got ${String(mode)}`,
    );
  }
  const dir = nodePath.dirname(target);
  const tempBytes = Buffer.byteLength(nodePath.join(dir, ".sXXXXXX", "s"));
  if (tempBytes >= MAX_SOCKET_PATH_BYTES) {
    throw new InvalidArgumentError(
      `cannot listen on ${target}: listening needs a temporary socket of ${tempBytes} bytes in ${dir}, over the OS limit of ${MAX_SOCKET_PATH_BYTES - 1}; choose a shorter path`,
    );
  }
  // Every file-system step rejects with a readable error that names the path.
  const step = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((err: unknown) => {
      throw listenError(err, target);
    });
  const privateDir = await step(fs.mkdtemp(nodePath.join(dir, ".s")));
  const temp = nodePath.join(privateDir, "s");
  const remote = `${UNIX_REMOTE_PREFIX}${target}`;
  const server = net.createServer((socket) => onTransport(new SocketTransport(socket, remote)));
  let own: BigIntStats | undefined;
  try {
    await step(bind(server, temp));
    // Accept errors (EMFILE, ...) must not crash the process: report them and keep listening.
    server.on("error", (err: Error) => onError(`accepting connections on ${target} failed: ${err.message}`));
    if (mode !== undefined) await step(fs.chmod(temp, mode));
    own = await step(fs.lstat(temp, { bigint: true }));
    await claim(temp, target);
    await step(fs.unlink(temp));
    await step(fs.rmdir(privateDir));
  } catch (err) {
    server.close();
    if (own !== undefined) await removeIfSame(target, own).catch(() => undefined);
    await fs.rm(privateDir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  const identity = own;
  let closing: Promise<void> | undefined;
  return {
    address: { kind: "unix", path: target },
    host: target,
    port: 0,
    close: () =>
      (closing ??= (async () => {
        // The file goes before the socket closes: while we still listen, no other process takes the path for a
        // stale one, so the file there is ours if its device and inode are the ones we created.
        await removeIfSame(target, identity).catch((err: unknown) =>
          onError(`cannot remove the socket file ${target}: ${errorMessage(err)}`),
        );
        await new Promise<void>((done) => server.close(() => done()));
      })()),
  };
}

/** Connects to the socket file at `path`; rejects with a readable error when the connection cannot be made. */
export async function connectUnix(path: string, limits: DialLimits): Promise<Transport> {
  const target = resolveSocketPath(path, "connect to");
  try {
    return await whenReady(
      net.connect({ path: target }),
      "connect",
      `${UNIX_REMOTE_PREFIX}${target}`,
      "",
      limits,
    );
  } catch (err) {
    // Linux refuses a connection to a path that is not a socket as it does one to a stale socket: tell them apart.
    const cause = err instanceof Error ? err.cause : undefined;
    if (errorCode(cause) === "ECONNREFUSED") {
      const found = await lstatIfAny(target).catch(() => undefined);
      if (found !== undefined && !found.isSocket()) {
        throw new Error(describeUnixError({ code: "ENOTSOCK", message: "" }, target, "connect"), {
          cause: err,
        });
      }
    }
    throw err;
  }
}

/** The absolute path for `path`, checked against the OS limit. */
function resolveSocketPath(path: string, operation: "listen on" | "connect to"): string {
  if (process.platform === "win32") {
    throw new InvalidArgumentError(
      `cannot ${operation} ${path}: Unix domain sockets are not supported on Windows`,
    );
  }
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new InvalidArgumentError(
      `cannot ${operation} a Unix socket: the path must be a non-empty string without NUL, got ${JSON.stringify(path)}`,
    );
  }
  const target = nodePath.resolve(path);
  const bytes = Buffer.byteLength(target);
  // Node does not check: it would bind or connect to the path cut at the limit.
  if (bytes >= MAX_SOCKET_PATH_BYTES) {
    throw new InvalidArgumentError(
      `cannot ${operation} ${target}: the path is ${bytes} bytes long and a Unix socket path may have at most ${MAX_SOCKET_PATH_BYTES - 1} (the OS limit, ${MAX_SOCKET_PATH_BYTES} with the terminating NUL); choose a shorter path`,
    );
  }
  return target;
}

function bind(server: net.Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Hard-links the bound socket `temp` to `target`. When `target` exists: a socket nobody listens on is removed and
 * the link tried again (once); a live socket, or anything else, makes it fail with a readable error.
 */
async function claim(temp: string, target: string): Promise<void> {
  let replacedStale = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.link(temp, target);
      return;
    } catch (err) {
      if (errorCode(err) !== "EEXIST") throw listenError(err, target);
    }
    const found = await lstatIfAny(target);
    if (found === undefined) continue; // removed meanwhile
    if (!found.isSocket()) throw listenError({ code: "ENOTSOCK", message: "not a socket" }, target);
    const state = await probe(target);
    if (state === "gone") continue;
    if (state === "live" || replacedStale) break;
    if (state !== "stale") {
      throw new Error(
        `cannot listen on ${target}: a socket is there, and checking whether a process listens on it failed: ${describeUnixError(state, target, "connect")}; remove it or choose another path`,
        { cause: state },
      );
    }
    replacedStale = true;
    try {
      // Only the file probed goes, not one a process starting at the same time may have put there since.
      await removeIfSame(target, found);
    } catch (err) {
      throw new Error(
        `cannot listen on ${target}: a stale socket is there (nobody listens on it) and removing it failed: ${errorMessage(err)}; remove it or choose another path`,
        { cause: err },
      );
    }
  }
  throw listenError({ code: "EADDRINUSE", message: "address in use" }, target);
}

/** Connects to the socket at `path` to learn whether a process listens on it. */
function probe(path: string): Promise<"live" | "stale" | "gone" | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const socket = net.connect({ path });
    const done = (state: "live" | "stale" | "gone" | NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      resolve(state);
    };
    // A listener too busy to accept in time is still a listener.
    const timer = setTimeout(() => {
      socket.destroy();
      done("live");
    }, PROBE_TIMEOUT_MS);
    // Leave politely: an end the listener can read, rather than a reset its writes might meet. The socket goes
    // once both sides have ended (or after the timeout).
    socket.once("connect", () => {
      done("live");
      socket.resume();
      socket.end();
      setTimeout(() => socket.destroy(), PROBE_TIMEOUT_MS).unref();
    });
    socket.once("close", () => clearTimeout(timer));
    socket.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNREFUSED") done("stale");
      else if (err.code === "ENOENT") done("gone");
      // Linux answers EAGAIN when the listener's backlog is full.
      else if (err.code === "EAGAIN") done("live");
      else done(err);
      socket.destroy();
    });
  });
}

/** Removes the file at `path` if it is still the one `stats` describe (same device and inode). */
async function removeIfSame(path: string, stats: BigIntStats): Promise<void> {
  const found = await lstatIfAny(path);
  if (found === undefined || found.dev !== stats.dev || found.ino !== stats.ino) return;
  await fs.unlink(path).catch((err: unknown) => {
    if (errorCode(err) !== "ENOENT") throw err;
  });
}

async function lstatIfAny(path: string): Promise<BigIntStats | undefined> {
  try {
    return await fs.lstat(path, { bigint: true });
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined;
    throw err;
  }
}

function listenError(err: unknown, target: string): Error {
  const error = { code: errorCode(err), message: errorMessage(err) };
  return new Error(describeUnixError(error, target, "listen"), { cause: err });
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
