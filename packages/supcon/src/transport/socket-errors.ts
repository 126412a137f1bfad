/**
 * Maps operating-system errors of sockets to messages that say what happened and what to do.
 */
import * as nodePath from "node:path";

/** The prefix of the `remote` of a Unix domain socket transport (`unix:/run/x.sock`). */
export const UNIX_REMOTE_PREFIX = "unix:";

/**
 * A readable description of a socket error, keeping the OS code for searching. A `remote` of the form
 * `unix:/path` is described as a Unix domain socket being connected to.
 */
export function describeSocketError(error: Error & { code?: string }, remote: string): string {
  if (remote.startsWith(UNIX_REMOTE_PREFIX)) {
    return describeUnixError(error, remote.slice(UNIX_REMOTE_PREFIX.length), "connect");
  }
  return describeGeneric(error, remote);
}

/** A readable description of an error met connecting to, or listening on, the Unix domain socket at `path`. */
export function describeUnixError(
  error: { code?: string | undefined; message: string },
  path: string,
  operation: "connect" | "listen",
): string {
  const dir = nodePath.dirname(path);
  if (operation === "listen") {
    switch (error.code) {
      // A socket file that a live process listens on; a stale one (nobody listening) is replaced instead.
      case "EADDRINUSE":
        return `cannot listen on ${path}: another process is listening on ${path}; stop it or choose another path (EADDRINUSE)`;
      // Something that is not a socket (a file, a directory, a symbolic link): never deleted.
      case "EEXIST":
      case "ENOTSOCK":
        return `cannot listen on ${path}: the path exists and is not a socket, so it is left alone; remove it or choose another path (${error.code})`;
      case "EACCES":
      case "EPERM":
        return `cannot listen on ${path}: permission denied creating a socket in ${dir} (${error.code}); choose a directory this user may write`;
      case "ENOENT":
        return `cannot listen on ${path}: the directory ${dir} does not exist (ENOENT); create it first`;
      case "ENOTDIR":
        return `cannot listen on ${path}: a part of ${dir} is not a directory (ENOTDIR)`;
      case "EROFS":
        return `cannot listen on ${path}: the file system is read-only (EROFS); choose another directory`;
      default:
        return `cannot listen on ${path}: ${error.message}`;
    }
  }
  switch (error.code) {
    case "ENOENT":
      return `no socket at ${path} (ENOENT): is the node there listening?`;
    case "ENOTDIR":
      return `no socket at ${path}: a part of ${dir} is not a directory (ENOTDIR)`;
    case "EACCES":
    case "EPERM":
      return `permission denied connecting to ${path} (${error.code}): the socket's owner or mode does not allow this user`;
    // On a Unix path, a refusal means a socket file that nobody listens on: its node died without removing it.
    // The dial loop keeps trying; the node, when it starts again, replaces the stale file.
    case "ECONNREFUSED":
      return `connection to ${path} refused (ECONNREFUSED): the socket file is stale, the node that made it is not running; is the node there listening?`;
    case "ENOTSOCK":
      return `cannot connect to ${path}: it is not a socket (ENOTSOCK); check the path`;
    // Linux refuses a Unix connection at once, instead of queueing it, when the listener's backlog is full.
    case "EAGAIN":
      return `connection to ${path} refused for now (EAGAIN): the node there has too many connections waiting to be accepted`;
    default:
      return describeGeneric(error, `${UNIX_REMOTE_PREFIX}${path}`);
  }
}

function describeGeneric(error: { code?: string | undefined; message: string }, remote: string): string {
  switch (error.code) {
    // Nobody listens there: the peer is not started yet, or the port is wrong. The dial loop keeps trying.
    case "ECONNREFUSED":
      return `connection to ${remote} refused (ECONNREFUSED): is the node there listening?`;
    // The peer's process died or its host dropped the connection; reconnection takes over.
    case "ECONNRESET":
      return `connection to ${remote} reset by the peer (ECONNRESET)`;
    case "EPIPE":
      return `connection to ${remote} closed by the peer while writing (EPIPE)`;
    // The network did not answer: a firewall, a wrong address, or a host that is down.
    case "ETIMEDOUT":
      return `connection to ${remote} timed out (ETIMEDOUT): check the address and the network`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `no route to ${remote} (${error.code}): check the address and the network`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve the host of ${remote} (${error.code}): check the name`;
    case "EADDRINUSE":
      return `cannot listen on ${remote}: the address is in use (EADDRINUSE); pick another port or 0`;
    case "EACCES":
      return `cannot use ${remote}: permission denied (EACCES)`;
    // A TLS 1.3 listener with requestCert tells a client without a certificate so, after the client's handshake.
    case "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED":
      return `${remote} requires a certificate of this node (mutual TLS; its TLS alert "certificate required"): give tls.key and tls.cert, issued by a CA it trusts`;
    default:
      return `${remote}: ${error.message}`;
  }
}
