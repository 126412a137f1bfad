/**
 * The defaults and bounds of a node: limits every layer may need (the wire reads frames up to the largest frame,
 * the router drops messages past the hop limit). Public through `NodeOptions`, whose fields they default.
 */
/** Default deadline of a call. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Largest frame accepted or sent (header excluded). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** A link with no outgoing traffic for this long sends a ping. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
/** A link with no incoming traffic for this long is considered dead and closed. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 6_000;
/** A connection attempt not established after this long is abandoned (and retried). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** A connection whose handshake is not complete after this long is closed. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
/** First reconnect delay; each failure doubles it up to the maximum, with ±`jitter` of randomness. */
export const DEFAULT_RECONNECT_MIN_MS = 100;
export const DEFAULT_RECONNECT_MAX_MS = 5_000;
export const DEFAULT_RECONNECT_JITTER = 0.3;
/** Most calls a node may have in flight (as caller) before new ones fail with `supcon.Overloaded`. */
export const DEFAULT_MAX_PENDING_CALLS = 65_536;
/** Most calls a node serves at once (handlers not finished yet) before new ones fail with `supcon.Overloaded`. */
export const DEFAULT_MAX_SERVING_CALLS = 10_000;
/** Connections in their handshake at once. */
export const DEFAULT_MAX_HANDSHAKING_LINKS = 128;
/** Event subscriptions one remote node may hold. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_NODE = 10_000;
/** Bytes queued on one link beyond which new frames are refused with `supcon.Overloaded`. */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** How long `close()` waits for calls being served to finish. */
export const DEFAULT_CLOSE_DRAIN_MS = 2_000;
/** Routed messages that have crossed this many links are dropped (loop guard). */
export const DEFAULT_MAX_HOPS = 32;
/**
 * Event subscriptions that the SUBSCRIBEs arriving over one link may hold on this node, whatever nodes they name:
 * a peer that announces many nodes behind it cannot multiply `DEFAULT_MAX_SUBSCRIPTIONS_PER_NODE` by their number,
 * and one event fired sends at most this many EVENTs on one link.
 */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK = 4_096;
/** Most calls a node forwards for others at once; more are answered with `supcon.Overloaded`. */
export const DEFAULT_MAX_RELAYED_CALLS = 65_536;
/**
 * The least share of a limit shared between holders (`FairShare`) that one holder keeps however many others there
 * are, unless the limit itself is smaller.
 */
export const FAIR_SHARE_FLOOR = 16;
/** A warning of the same kind (the same text but for its numbers) is logged at most once per this interval. */
export const WARNING_INTERVAL_MS = 5_000;
/** Most warnings logged per `WARNING_INTERVAL_MS`, of all kinds together; more are counted, not logged. */
export const MAX_WARNINGS_PER_INTERVAL = 100;
/** Kinds of warning remembered for rate limiting; the least recently logged is forgotten first. */
export const MAX_WARNING_KINDS = 1_024;
