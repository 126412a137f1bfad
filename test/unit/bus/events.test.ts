import { Events } from "../../../packages/supcon/src/bus/events";
import { Router } from "../../../packages/supcon/src/bus/router";
import type { NodeStatus } from "../../../packages/supcon/src/bus/status";
import type { AccessRequest } from "../../../packages/supcon/src/dispatch/policy";
import { RelayedCalls } from "../../../packages/supcon/src/dispatch/relayed-calls";
import { LoopbackLink } from "../../../packages/supcon/src/link/loopback";
import type { AddressedMessage, OutgoingEvent, PeerLink } from "../../../packages/supcon/src/link/peer-link";
import type { EventMessage, SubscribeMessage } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { FakePeerLink } from "./fakes";

const I = "com.example.Ticker";

/**
 * The events of node `self`, with links to `peers` (each its own next hop). Its messages go through a router; what
 * reaches the node itself (through the loopback link) is handed back to the events.
 */
function setup(
  self = "me",
  peers: string[] = ["pub", "sub", "sub2"],
  maxSubscriptionsPerNode = 100,
  maxSubscriptionsPerLink = 1_000,
) {
  const links = new Map<string, PeerLink>();
  const routes = new Map<string, string>([[self, self]]);
  const known = new Set<string>([self]);
  const statuses: NodeStatus[] = [];
  const warnings: string[] = [];
  const policy = { allowed: (_request: AccessRequest): boolean => true };
  const deliver = (message: AddressedMessage): void => {
    if (message.type === MessageType.Event) events.onEvent(message);
    else if (message.type === MessageType.Subscribe) events.onSubscribe(message);
    else if (message.type === MessageType.Unsubscribe) events.onUnsubscribe(message);
  };
  links.set(self, new LoopbackLink(self, deliver));
  const peerLinks = new Map<string, FakePeerLink>();
  const addPeer = (peer: string): FakePeerLink => {
    const link = new FakePeerLink(peer);
    links.set(peer, link);
    peerLinks.set(peer, link);
    routes.set(peer, peer);
    known.add(peer);
    return link;
  };
  for (const peer of peers) addPeer(peer);
  const router = new Router(
    {
      self,
      maxHops: 32,
      maxQueuedBytes: 1000,
      warn: () => undefined,
      nextHop: (node) => routes.get(node),
      link: (peer) => links.get(peer),
      known: () => [...known],
      deliver,
    },
    new RelayedCalls(),
  );
  const events: Events = new Events(
    { self, maxSubscriptionsPerNode, maxSubscriptionsPerLink },
    {
      allowed: (request) => policy.allowed(request),
      isKnown: (node) => known.has(node),
      nextHop: (node) => routes.get(node),
      link: (peer) => links.get(peer),
      route: (message) => router.route(message),
      status: (status) => statuses.push(status),
      warn: (message) => warnings.push(message),
    },
  );
  const link = (peer: string): FakePeerLink => peerLinks.get(peer) as FakePeerLink;
  /** `node` becomes reachable through the neighbour `via`. */
  const behind = (node: string, via: string): void => {
    routes.set(node, via);
    known.add(node);
  };
  return { events, link, addPeer, behind, statuses, warnings, policy };
}

function eventFrom(
  src: string,
  seq: number,
  event = "tick",
  args: Record<string, unknown> | null = { n: seq },
): EventMessage {
  return { type: MessageType.Event, dst: "me", src, hops: 0, path: "/t", intf: I, event, args, seq };
}

function subscribe(src: string, event = "tick", path = "/t"): SubscribeMessage {
  return { type: MessageType.Subscribe, dst: "me", src, hops: 0, path, intf: I, event };
}

const noop = (): void => undefined;

describe("Events, as subscriber", () => {
  it("subscribes on the wire once per key, however many listeners it has", () => {
    const { events, link } = setup();
    events.on("pub", "/t", I, "tick", noop);
    events.on("pub", "/t", I, "tick", () => undefined);
    expect(link("pub").messages()).toEqual([
      { type: MessageType.Subscribe, dst: "pub", src: "me", hops: 0, path: "/t", intf: I, event: "tick" },
    ]);
  });

  it("unsubscribes when the last listener of a key goes", () => {
    const { events, link } = setup();
    const first = jest.fn();
    const second = jest.fn();
    events.on("pub", "/t", I, "tick", first);
    events.on("pub", "/t", I, "tick", second);
    events.off("pub", "/t", I, "tick", first);
    events.off("pub", "/t", I, "tick", first);
    expect(
      link("pub")
        .messages()
        .map((m) => m.type),
    ).toEqual([MessageType.Subscribe]);
    events.off("pub", "/t", I, "tick", second);
    expect(
      link("pub")
        .messages()
        .map((m) => m.type),
    ).toEqual([MessageType.Subscribe, MessageType.Unsubscribe]);
  });

  it("hands an event to every listener with its source; one that throws is reported and the others still run", () => {
    const { events, warnings } = setup();
    const got: unknown[] = [];
    events.on("pub", "/t", I, "tick", () => {
      throw new Error("listener bug");
    });
    events.on("pub", "/t", I, "tick", (args, source) => got.push(args, source));
    events.onEvent(eventFrom("pub", 1));
    expect(got).toEqual([{ n: 1 }, { node: "pub", path: "/t", intf: I, event: "tick" }]);
    expect(warnings).toEqual([`an event listener of pub:/t ${I}.tick threw: Error: listener bug`]);
  });

  it("hands listeners an empty object for an event without args", () => {
    const { events } = setup();
    const listener = jest.fn();
    events.on("pub", "/t", I, "tick", listener);
    events.onEvent(eventFrom("pub", 1, "tick", null));
    expect(listener).toHaveBeenCalledWith({}, expect.anything());
  });

  it("reports a gap in the publisher's sequence numbers as an eventGap status", () => {
    const { events, statuses } = setup();
    const listener = jest.fn();
    events.on("pub", "/t", I, "tick", listener);
    events.onEvent(eventFrom("pub", 1));
    events.onEvent(eventFrom("pub", 2));
    expect(statuses).toEqual([]);
    events.onEvent(eventFrom("pub", 5));
    expect(statuses).toEqual([{ type: "eventGap", node: "pub", missed: 2 }]);
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it("does not count a late event, nor the one after it, as a gap", () => {
    const { events, statuses } = setup();
    events.on("pub", "/t", I, "tick", noop);
    for (const seq of [1, 2, 4, 3, 5]) events.onEvent(eventFrom("pub", seq));
    expect(statuses).toEqual([{ type: "eventGap", node: "pub", missed: 1 }]);
  });

  it("counts the publisher's events from the start again when it reappears", () => {
    const { events, statuses } = setup();
    events.on("pub", "/t", I, "tick", noop);
    events.onEvent(eventFrom("pub", 7));
    events.nodeUp("pub");
    events.onEvent(eventFrom("pub", 1));
    expect(statuses).toEqual([]);
  });

  it("keeps no sequence number of a source it has no listener on, whatever sources events name", () => {
    const { events, statuses } = setup();
    // Unwanted events (of forged sources, or crossing an unsubscription) leave nothing behind that would later
    // count as the last number seen.
    for (let seq = 1; seq <= 5; seq++) events.onEvent(eventFrom("pub", seq));
    for (let i = 0; i < 100; i++) events.onEvent(eventFrom(`forged-${i}`, 1));
    events.on("pub", "/t", I, "tick", noop);
    events.onEvent(eventFrom("pub", 9));
    events.onEvent(eventFrom("pub", 10));
    expect(statuses).toEqual([]);
  });

  it("keeps the sequence numbers of a publisher across its keys, and forgets them with its last listener", () => {
    const { events, statuses } = setup();
    events.on("pub", "/t", I, "tick", noop);
    events.onEvent(eventFrom("pub", 1));
    // An event of a key it no longer listens to still counts as seen.
    events.onEvent(eventFrom("pub", 2, "tock"));
    events.onEvent(eventFrom("pub", 3));
    expect(statuses).toEqual([]);
    events.off("pub", "/t", I, "tick", noop);
    events.on("pub", "/t", I, "tick", noop);
    events.onEvent(eventFrom("pub", 7));
    events.onEvent(eventFrom("pub", 8));
    expect(statuses).toEqual([]);
  });

  it("sends its subscriptions to a node again when that node appears, and only those", () => {
    const { events, addPeer, link } = setup();
    events.on("later", "/t", I, "tick", noop);
    events.on("later", "/u", I, "tock", noop);
    events.on("pub", "/t", I, "tick", noop);
    // "later" was not reachable: nothing went out for it.
    const laterLink = addPeer("later");
    expect(laterLink.sent).toEqual([]);
    events.nodeUp("later");
    expect(laterLink.messages()).toEqual([
      { type: MessageType.Subscribe, dst: "later", src: "me", hops: 0, path: "/t", intf: I, event: "tick" },
      { type: MessageType.Subscribe, dst: "later", src: "me", hops: 0, path: "/u", intf: I, event: "tock" },
    ]);
    expect(link("pub").sent).toHaveLength(1);
  });

  it("unsubscribes again from an event it has no listener for", () => {
    const { events, link } = setup();
    events.onEvent(eventFrom("pub", 1, "tock"));
    expect(link("pub").messages()).toEqual([
      { type: MessageType.Unsubscribe, dst: "pub", src: "me", hops: 0, path: "/t", intf: I, event: "tock" },
    ]);
  });

  it("after clear(), has no listener left and unsubscribes from what still arrives", () => {
    const { events, link } = setup();
    const listener = jest.fn();
    events.on("pub", "/t", I, "tick", listener);
    events.clear();
    events.onEvent(eventFrom("pub", 1));
    expect(listener).not.toHaveBeenCalled();
    expect(
      link("pub")
        .messages()
        .map((m) => m.type),
    ).toEqual([MessageType.Subscribe, MessageType.Unsubscribe]);
  });
});

describe("Events, as publisher", () => {
  it("sends an event to each subscriber, numbered per subscriber from 1", () => {
    const { events, link } = setup();
    events.onSubscribe(subscribe("sub"), "sub");
    events.emit("/t", I, "tick", { n: 1 });
    events.onSubscribe(subscribe("sub2"), "sub2");
    events.emit("/t", I, "tick", { n: 2 });
    expect(link("sub").events.map((e) => [e.dst, e.seq, e.event.args])).toEqual([
      ["sub", 1, { n: 1 }],
      ["sub", 2, { n: 2 }],
    ]);
    expect(link("sub2").events.map((e) => [e.dst, e.seq, e.event.args])).toEqual([["sub2", 1, { n: 2 }]]);
    expect(link("sub").events[0]?.event).toMatchObject({ src: "me", path: "/t", intf: I, event: "tick" });
  });

  it("sends nothing for an event nobody subscribed to", () => {
    const { events, link } = setup();
    events.onSubscribe(subscribe("sub", "tick"), "sub");
    events.emit("/t", I, "tock", {});
    events.emit("/other", I, "tick", {});
    expect(link("sub").events).toEqual([]);
  });

  it("stops sending to a node that unsubscribed or left the bus", () => {
    const { events, link } = setup();
    events.onSubscribe(subscribe("sub"), "sub");
    events.onSubscribe(subscribe("sub2"), "sub2");
    events.onUnsubscribe({ ...subscribe("sub"), type: MessageType.Unsubscribe });
    events.nodeDown("sub2");
    events.emit("/t", I, "tick", {});
    expect(link("sub").events).toEqual([]);
    expect(link("sub2").events).toEqual([]);
  });

  it("ignores a subscription from a node not on the bus", () => {
    const { events, addPeer } = setup();
    events.onSubscribe(subscribe("ghost"), "ghost");
    const ghost = addPeer("ghost");
    events.emit("/t", I, "tick", {});
    expect(ghost.events).toEqual([]);
  });

  it("ignores, with a warning, a subscription the access policy denies", () => {
    const { events, link, policy, warnings } = setup();
    const asked: AccessRequest[] = [];
    policy.allowed = (request) => {
      asked.push(request);
      return false;
    };
    events.onSubscribe(subscribe("sub"), "sub");
    events.emit("/t", I, "tick", {});
    expect(asked).toEqual([{ caller: "sub", path: "/t", intf: I, member: "tick" }]);
    expect(link("sub").events).toEqual([]);
    expect(warnings).toEqual([
      `ignored a subscription of sub to ${I}.tick at /t: the access policy denies it`,
    ]);
  });

  it("ignores, with a warning, a subscription beyond maxSubscriptionsPerNode of that node", () => {
    const { events, link, warnings } = setup("me", ["sub", "sub2"], 2);
    events.onSubscribe(subscribe("sub", "a"), "sub");
    events.onSubscribe(subscribe("sub", "b"), "sub");
    events.onSubscribe(subscribe("sub", "c"), "sub");
    events.onSubscribe(subscribe("sub2", "c"), "sub2");
    for (const name of ["a", "b", "c"]) events.emit("/t", I, name, {});
    expect(link("sub").events.map((e) => e.event.event)).toEqual(["a", "b"]);
    expect(link("sub2").events.map((e) => e.event.event)).toEqual(["c"]);
    expect(warnings).toEqual([
      `ignored a subscription of sub to ${I}.c at /t: it holds 2 already (maxSubscriptionsPerNode)`,
    ]);
  });

  it("counts a subscription against the link it came over, even one in the name of a node elsewhere", () => {
    const { events, link, warnings } = setup("me", ["sub", "sub2"], 100, 1);
    // Routes may differ in the two directions: it is taken, and its events go by the route to sub2.
    events.onSubscribe(subscribe("sub2"), "sub");
    events.onSubscribe(subscribe("sub", "tock"), "sub");
    events.onSubscribe(subscribe("sub2", "tock"), "sub2");
    events.emit("/t", I, "tick", {});
    events.emit("/t", I, "tock", {});
    expect(link("sub").events).toEqual([]);
    expect(link("sub2").events.map((e) => e.event.event)).toEqual(["tick", "tock"]);
    expect(warnings).toEqual([
      `ignored a subscription of sub to ${I}.tock at /t: the subscriptions that came from sub hold 1 already (maxSubscriptionsPerLink)`,
    ]);
  });

  it("bounds the subscriptions that came over one link as a whole, whatever nodes they name", () => {
    const { events, link, behind, warnings } = setup("me", ["sub", "sub2"], 100, 3);
    for (let i = 1; i <= 5; i++) behind(`fake${i}`, "sub");
    for (let i = 1; i <= 5; i++) events.onSubscribe(subscribe(`fake${i}`), "sub");
    events.onSubscribe(subscribe("sub2"), "sub2");
    events.emit("/t", I, "tick", {});
    // One event fired sends at most maxSubscriptionsPerLink EVENTs on the link.
    expect(link("sub").events.map((e) => e.dst)).toEqual(["fake1", "fake2", "fake3"]);
    expect(link("sub2").events.map((e) => e.dst)).toEqual(["sub2"]);
    expect(warnings).toEqual(
      [4, 5].map(
        (i) =>
          `ignored a subscription of fake${i} to ${I}.tick at /t: the subscriptions that came from sub hold 3 already (maxSubscriptionsPerLink)`,
      ),
    );
    // A subscription that goes (or a node that leaves) frees its place.
    events.onUnsubscribe({ ...subscribe("fake1"), type: MessageType.Unsubscribe });
    events.nodeDown("fake2");
    events.onSubscribe(subscribe("fake4"), "sub");
    events.onSubscribe(subscribe("fake5"), "sub");
    events.emit("/t", I, "tick", {});
    expect(
      link("sub")
        .events.slice(3)
        .map((e) => e.dst),
    ).toEqual(["fake3", "fake4", "fake5"]);
  });

  it("does not count this node's own subscriptions against a link", () => {
    const { events } = setup("me", ["sub"], 100, 1);
    const got: string[] = [];
    for (const name of ["a", "b", "c"]) events.on("me", "/t", I, name, () => got.push(name));
    for (const name of ["a", "b", "c"]) events.emit("/t", I, name, {});
    expect(got).toEqual(["a", "b", "c"]);
  });

  it("accepts again, without a warning, a subscription it holds already at the limit", () => {
    const { events, link, warnings } = setup("me", ["sub"], 1);
    events.onSubscribe(subscribe("sub"), "sub");
    events.onSubscribe(subscribe("sub"), "sub");
    events.emit("/t", I, "tick", {});
    expect(link("sub").events).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it("skips a subscriber whose link is overloaded, which then sees the gap", () => {
    // A publisher and a subscriber, joined by a link that can be overloaded.
    const publisher = setup("pub", ["me"]);
    const subscriber = setup("me", ["pub"]);
    const toSubscriber = publisher.link("me");
    toSubscriber.onEvent = (event: OutgoingEvent, dst: string, seq: number) => {
      const { src, path, intf, args } = event;
      subscriber.events.onEvent({
        type: MessageType.Event,
        dst,
        src,
        hops: 0,
        path,
        intf,
        event: event.event,
        args,
        seq,
      });
    };
    const got: unknown[] = [];
    subscriber.events.on("pub", "/t", I, "tick", (args) => got.push(args));
    publisher.events.onSubscribe(subscriber.link("pub").messages()[0] as SubscribeMessage, "me");
    publisher.events.emit("/t", I, "tick", { n: 1 });
    toSubscriber.outcome = "overloaded";
    publisher.events.emit("/t", I, "tick", { n: 2 });
    toSubscriber.outcome = "sent";
    publisher.events.emit("/t", I, "tick", { n: 3 });
    expect(got).toEqual([{ n: 1 }, { n: 3 }]);
    expect(subscriber.statuses).toEqual([{ type: "eventGap", node: "pub", missed: 1 }]);
  });

  it("numbers events from 1 again for a subscriber that reappears", () => {
    const { events, link } = setup();
    events.onSubscribe(subscribe("sub"), "sub");
    events.emit("/t", I, "tick", {});
    events.nodeUp("sub");
    events.emit("/t", I, "tick", {});
    expect(link("sub").events.map((e) => e.seq)).toEqual([1, 1]);
  });
});

describe("Events to the node itself", () => {
  it("go through the loopback link: subscription, event and unsubscription", () => {
    const { events, link } = setup();
    const got: unknown[] = [];
    const listener = (args: never, source: unknown): void => {
      got.push(args, source);
    };
    events.on("me", "/t", I, "tick", listener);
    events.emit("/t", I, "tick", { n: 1 });
    expect(got).toEqual([{ n: 1 }, { node: "me", path: "/t", intf: I, event: "tick" }]);
    events.off("me", "/t", I, "tick", listener);
    events.emit("/t", I, "tick", { n: 2 });
    expect(got).toHaveLength(2);
    expect(link("pub").sent).toEqual([]);
  });
});
