/**
 * The codec of one link, with the link's state: its channel tables (docs/PROTOCOL.md, "Channels") and the frames
 * queued for its next write. `LinkWriter` sends CALL, RESULT and EVENT on channels, and everything else in full;
 * `LinkReader` reads both. Pure logic: the link does the I/O.
 *
 * A channel message is `[type, channel, hops, (id | seq), (timeoutMs,) mac, payload]`, the payload (args or out)
 * last, so the fixed part before it is read and written here byte by byte: only the payload is packed by msgpackr,
 * and read by the link's `PlainDecoder`. `mac` is nil, or the 16-byte MAC of the message's source (origin
 * authentication): the writer seals the messages this node makes with its `MessageSealer` and sends those it
 * forwards with the MAC they came with; with a MAC, the full forms carry their payload packed, as a bin.
 */
export type { EventHeader, MessageSealer } from "./channel-format.js";
export { LinkReader } from "./link-reader.js";
export { LinkWriter } from "./link-writer.js";
export type { SharedFrames } from "./link-writer.js";
