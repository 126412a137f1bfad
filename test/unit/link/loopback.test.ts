import { WireError } from "../../../packages/supcon/src/wire/errors";
import { LoopbackLink } from "../../../packages/supcon/src/link/loopback";
import type { AddressedMessage, OutgoingEvent } from "../../../packages/supcon/src/link/peer-link";
import type { CallMessage } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";

const call: CallMessage = {
  type: MessageType.Call,
  dst: "me",
  src: "me",
  hops: 0,
  id: 1,
  path: "/p",
  intf: "com.example.I",
  method: "m",
  args: { x: 1 },
  timeoutMs: 1000,
};

function setup() {
  const delivered: AddressedMessage[] = [];
  return { link: new LoopbackLink("me", (m) => delivered.push(m)), delivered };
}

describe("LoopbackLink", () => {
  it("is the link of a node to itself, with nothing queued", () => {
    const { link } = setup();
    expect(link.peer).toBe("me");
    expect(link.remote).toBe("loopback");
    expect(link.queuedBytes).toBe(0);
  });

  it("delivers a message to the node before send() returns", () => {
    const { link, delivered } = setup();
    let seen = 0;
    const sync = new LoopbackLink("me", () => seen++);
    expect(sync.send(call)).toBe("sent");
    expect(seen).toBe(1);
    expect(link.send(call)).toBe("sent");
    expect(delivered).toEqual([call]);
  });

  it("delivers an event to subscriber dst as an EVENT from its source with its sequence number", () => {
    const { link, delivered } = setup();
    const event: OutgoingEvent = {
      src: "me",
      path: "/t",
      intf: "com.example.Ticker",
      event: "tick",
      args: { n: 1 },
      payload: undefined,
    };
    expect(link.sendEvent(event, "me", 4)).toBe("sent");
    expect(delivered).toEqual([
      {
        type: MessageType.Event,
        dst: "me",
        src: "me",
        hops: 0,
        path: "/t",
        intf: "com.example.Ticker",
        event: "tick",
        args: { n: 1 },
        seq: 4,
      },
    ]);
  });

  it("carries what a message carries as any link does: a copy to the receiver, and what cannot travel refused", () => {
    const { link, delivered } = setup();
    const args = { list: [1, 2], nested: { a: "x" } };
    expect(link.send({ ...call, args })).toBe("sent");
    const event: OutgoingEvent = { src: "me", path: "/t", intf: "I", event: "e", args, payload: undefined };
    link.sendEvent(event, "me", 1);
    expect(event.payload).toBeInstanceOf(Uint8Array);
    const carried = delivered.map((m) =>
      m.type === MessageType.Event || m.type === MessageType.Call ? m.args : undefined,
    );
    // Equal, but not the sender's objects: the receiver cannot change what the sender holds.
    expect(carried).toEqual([args, args]);
    expect(carried[0]).not.toBe(args);
    expect(carried[1]).not.toBe(args);
    // A Date has no wire form: refused here as on the way to another node.
    expect(() => link.send({ ...call, args: { when: new Date(0) } })).toThrow(WireError);
    expect(() =>
      link.sendEvent(
        { src: "me", path: "/t", intf: "I", event: "e", args: { when: new Date(0) }, payload: undefined },
        "me",
        2,
      ),
    ).toThrow(/cannot encode EVENT/);
    expect(delivered).toHaveLength(2);
  });

  it("refuses everything once closed, as a closed link does", () => {
    const { link, delivered } = setup();
    link.close();
    expect(link.send(call)).toBe("closed");
    expect(
      link.sendEvent({ src: "me", path: "/t", intf: "I", event: "e", args: {}, payload: undefined }, "me", 1),
    ).toBe("closed");
    expect(delivered).toEqual([]);
  });
});
