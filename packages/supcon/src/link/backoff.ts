/**
 * Reconnect delays: exponential backoff with jitter, so that many nodes restarting together do not reconnect in
 * lockstep.
 */

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** Relative randomness, 0 to 1: each delay is scaled by a factor in [1 - jitter, 1 + jitter]. */
  readonly jitter: number;
}

/** The delay before attempt `attempt` (0 for the first retry), with `random` in [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: number = Math.random(),
): number {
  const base = Math.min(options.maxMs, options.minMs * 2 ** Math.min(attempt, 30));
  const factor = 1 + options.jitter * (2 * random - 1);
  return Math.max(0, Math.round(base * factor));
}
