import { EARLY_WRITE_BYTES, Link } from "../../../packages/supcon/src/link/link";
import { testLinkOptions } from "./link-options";
import type { Transport, TransportHandlers } from "../../../packages/supcon/src/transport/transport";
import { encodeMessage } from "../../../packages/supcon/src/wire/codec";
import { createFrameDecoder } from "../../../packages/supcon/src/wire/frame";
import { LinkReader } from "../../../packages/supcon/src/wire/link-codec";
import type { CallMessage, Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType, PROTOCOL_VERSION } from "../../../packages/supcon/src/wire/messages";

/** A transport that records what the link writes, and lets the test play the peer. */
class RecordingTransport implements Transport {
  readonly remote = "test-peer";
  readonly writes: Uint8Array[] = [];
  handlers: TransportHandlers | undefined;
  queuedBytes = 0;
  isClosed = false;
  identity(): readonly string[] {
    return [];
  }
  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  write(data: Uint8Array): boolean {
    this.writes.push(Uint8Array.from(data));
    return true;
  }
  close(): void {
    this.isClosed = true;
  }
  destroy(): void {
    this.isClosed = true;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** An open link (acceptor side) on a recording transport, its HELLO already written. */
async function openLink(): Promise<{ link: Link; transport: RecordingTransport }> {
  const transport = new RecordingTransport();
  const link = new Link(transport, testLinkOptions({ self: "server" }), {
    open: () => undefined,
    message: () => undefined,
    closed: () => undefined,
  });
  const hello: Message = {
    type: MessageType.Hello,
    version: PROTOCOL_VERSION,
    name: "client",
    info: { instance: "0000000000000002" },
  };
  transport.handlers?.data(encodeMessage(hello));
  await tick();
  expect(link.state.phase).toBe("open");
  transport.writes.length = 0;
  return { link, transport };
}

function call(id: number): CallMessage {
  return {
    type: MessageType.Call,
    dst: "client",
    src: "server",
    hops: 0,
    id,
    path: "/p",
    intf: "com.example.I",
    method: "m",
    args: { timer: "abc", seconds: 1.5 },
    timeoutMs: 1000,
  };
}

function readAll(writes: readonly Uint8Array[]): Message[] {
  const reader = new LinkReader(undefined);
  const out: Message[] = [];
  const frames = createFrameDecoder(1 << 20);
  for (const chunk of writes) {
    frames.push(
      chunk,
      (bytes, start, end) => {
        const m = reader.read(bytes, start, end);
        if (typeof m === "string") throw new Error(m);
        if (m.type !== MessageType.Bind) out.push(m);
      },
      (message) => {
        throw new Error(message);
      },
    );
  }
  return out;
}

describe("Link writes", () => {
  it("writes what one tick queued in one write at the end of the tick", async () => {
    const { link, transport } = await openLink();
    for (let id = 1; id <= 3; id++) link.send(call(id));
    expect(transport.writes).toHaveLength(0);
    await tick();
    expect(transport.writes).toHaveLength(1);
    expect(readAll(transport.writes)).toEqual([call(1), call(2), call(3)]);
    link.close();
  });

  it("writes early, once per tick, when EARLY_WRITE_BYTES are queued, and keeps the order", async () => {
    const { link, transport } = await openLink();
    const sent: CallMessage[] = [];
    for (let id = 1; id <= 200; id++) {
      sent.push(call(id));
      link.send(call(id));
    }
    expect(transport.writes).toHaveLength(1);
    expect(transport.writes[0]?.length).toBeGreaterThanOrEqual(EARLY_WRITE_BYTES);
    await tick();
    expect(transport.writes).toHaveLength(2);
    // The next tick may write early again.
    for (let id = 201; id <= 400; id++) {
      sent.push(call(id));
      link.send(call(id));
    }
    expect(transport.writes).toHaveLength(3);
    await tick();
    expect(transport.writes).toHaveLength(4);
    expect(readAll(transport.writes)).toEqual(sent);
    link.close();
  });
});
