/**
 * MACs on the wire (wire/link-codec.ts with bus/origin-auth.ts as its sealer): the source seals, relays forward the
 * MAC and the payload bytes unchanged, in channel and in full form, and the destination verifies them.
 */
import { OriginAuth } from "../../../packages/supcon/src/bus/origin-auth";
import { Trust, createLocalIdentity, resolveIdentity } from "../../../packages/supcon/src/link/identity";
import { LinkReader, LinkWriter } from "../../../packages/supcon/src/wire/link-codec";
import { createFrameDecoder } from "../../../packages/supcon/src/wire/frame";
import type { Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { createTestKeyring } from "../../helpers/certs";

const ring = createTestKeyring(["alice", "bob", "relay"]);
const trust = Trust.from(ring.trust);

function nodeAuth(name: string): OriginAuth {
  const identity = createLocalIdentity(name, resolveIdentity({ key: ring.keys[name]?.key ?? "" }), trust);
  return new OriginAuth({ self: name, instance: `${name}-1`, identity, trust, maxNodes: 10 });
}

/** alice and bob know each other's keys; the relay knows nobody's. */
function nodes(): { alice: OriginAuth; bob: OriginAuth } {
  const alice = nodeAuth("alice");
  const bob = nodeAuth("bob");
  const advert = (a: OriginAuth, origin: string) =>
    a.signAdvert({ origin, instance: `${origin}-1`, seq: 1, neighbors: [], objects: {} });
  bob.verifyAdvert(advert(alice, "alice"));
  alice.verifyAdvert(advert(bob, "bob"));
  return { alice, bob };
}

/** Every message in `bytes` (frames), read by `reader`, each with the payload bytes the reader kept. */
function readAll(
  reader: LinkReader,
  bytes: Uint8Array,
): { message: Message; payload: Uint8Array | undefined }[] {
  const out: { message: Message; payload: Uint8Array | undefined }[] = [];
  createFrameDecoder(1 << 24).push(
    bytes,
    (b, start, end) => {
      const message = reader.read(b, start, end);
      if (typeof message === "string") throw new Error(message);
      const payload = reader.payload === undefined ? undefined : Uint8Array.from(reader.payload);
      if (message.type !== MessageType.Bind) out.push({ message, payload });
    },
    (problem) => {
      throw new Error(problem);
    },
  );
  return out;
}

const call = (path: string): Message => ({
  type: MessageType.Call,
  dst: "bob",
  src: "alice",
  hops: 0,
  id: 42,
  path,
  intf: "test.Admin",
  method: "grant",
  args: { who: "alice", n: 1.5 },
  timeoutMs: 1000,
});

describe.each([
  ["on channels", "/admin"],
  // A path longer than 255 bytes cannot be bound: the message goes in full, its payload packed as a bin.
  ["in full form", `/${"p".repeat(300)}`],
])("MACs %s", (_form, path) => {
  it("are made by the source, carried unchanged by a relay, and verified by the destination", () => {
    const { alice, bob } = nodes();
    const fromAlice = new LinkWriter(1 << 24, undefined, alice);
    fromAlice.write(call(path));
    const atRelay = readAll(new LinkReader("relay"), fromAlice.take() as Uint8Array);
    expect(atRelay).toHaveLength(1);
    const [{ message, payload }] = atRelay as [{ message: Message; payload: Uint8Array | undefined }];
    expect(message).toMatchObject({ type: MessageType.Call, src: "alice", args: null });
    expect((message as { mac?: Uint8Array }).mac).toHaveLength(16);
    // The relay seals nothing of its own onto what it forwards (it has a sealer, and nobody's key).
    const fromRelay = new LinkWriter(1 << 24, undefined, nodeAuth("relay"));
    fromRelay.write(message, payload, 1);
    const atBob = readAll(new LinkReader("bob"), fromRelay.take() as Uint8Array);
    const [{ message: received, payload: bytes }] = atBob as [
      { message: Message; payload: Uint8Array | undefined },
    ];
    expect(received).toMatchObject({ type: MessageType.Call, hops: 1, args: { who: "alice", n: 1.5 } });
    expect(bob.verify(received as Message & { type: typeof MessageType.Call }, bytes)).toBe("ok");
    // The same bytes claiming another method do not verify.
    expect(
      bob.verify(
        {
          ...(received as { type: number; dst: string; src: string }),
          method: "revoke",
          mac: (received as { mac: Uint8Array }).mac,
        },
        bytes,
      ),
    ).toBe("bad");
  });
});

it("seals ERROR data packed, and CANCEL, SUBSCRIBE and UNSUBSCRIBE without a payload", () => {
  const { alice, bob } = nodes();
  const w = new LinkWriter(1 << 24, undefined, alice);
  const routed = { dst: "bob", src: "alice", hops: 0 };
  w.write({
    type: MessageType.Error,
    ...routed,
    id: 1,
    code: "x.Failed",
    message: "no",
    data: { why: [1, 2] },
  });
  w.write({ type: MessageType.Cancel, ...routed, id: 1 });
  w.write({ type: MessageType.Subscribe, ...routed, path: "/t", intf: "i", event: "e" });
  w.write({ type: MessageType.Unsubscribe, ...routed, path: "/t", intf: "i", event: "e" });
  const got = readAll(new LinkReader("bob"), w.take() as Uint8Array);
  expect(got.map((g) => g.message.type)).toEqual([
    MessageType.Error,
    MessageType.Cancel,
    MessageType.Subscribe,
    MessageType.Unsubscribe,
  ]);
  expect(got[0]?.message).toMatchObject({ data: { why: [1, 2] } });
  for (const { message, payload } of got) {
    expect(bob.verify(message as Message & { type: typeof MessageType.Cancel }, payload)).toBe("ok");
  }
});

it("sends no MAC without a sealer, and reads a message without one as before", () => {
  const w = new LinkWriter(1 << 24);
  w.write(call("/admin"));
  const got = readAll(new LinkReader("bob"), w.take() as Uint8Array);
  expect(got.map((g) => g.message)).toEqual([call("/admin")]);
});
