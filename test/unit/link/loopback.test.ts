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

  it("carries no bytes: it packs nothing, so content that has no wire form passes", () => {
    const { link, delivered } = setup();
    const when = new Date(0);
    const event: OutgoingEvent = {
      src: "me",
      path: "/t",
      intf: "I",
      event: "e",
      args: { when },
      payload: undefined,
    };
    link.sendEvent(event, "me", 1);
    expect(event.payload).toBeUndefined();
    expect(link.send({ ...call, args: { when } })).toBe("sent");
    const carried = delivered.map((m) =>
      m.type === MessageType.Event || m.type === MessageType.Call ? m.args?.["when"] : undefined,
    );
    // The very object, not a decoded copy.
    expect(carried[0]).toBe(when);
    expect(carried[1]).toBe(when);
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
