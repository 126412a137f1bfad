/**
 * Options of a `Link` for unit tests: an acceptor named `self` with no secret, timers long enough never to fire.
 */
import type { LinkOptions } from "../../../packages/supcon/src/link/link";

export function testLinkOptions(overrides: Partial<LinkOptions> = {}): LinkOptions {
  return {
    self: "self",
    instance: "0000000000000001",
    role: "acceptor",
    maxFrameBytes: 1 << 20,
    maxQueuedBytes: 1 << 24,
    heartbeatIntervalMs: 60_000,
    heartbeatTimeoutMs: 180_000,
    handshakeTimeoutMs: 60_000,
    secret: undefined,
    requireCertifiedName: false,
    checkPeer: () => undefined,
    ...overrides,
  };
}
