/**
 * Maps operating-system errors of sockets to messages that say what happened and what to do.
 */

/** A readable description of a socket error, keeping the OS code for searching. */
export function describeSocketError(error: Error & { code?: string }, remote: string): string {
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
    default:
      return `${remote}: ${error.message}`;
  }
}
