import { ErrorCode } from "../../../packages/supcon/src/base/errors";
import { Router } from "../../../packages/supcon/src/bus/router";
import { RelayedCalls } from "../../../packages/supcon/src/dispatch/relayed-calls";
import { LoopbackLink } from "../../../packages/supcon/src/link/loopback";
import type { AddressedMessage, PeerLink } from "../../../packages/supcon/src/link/peer-link";
import type {
  CallMessage,
  ErrorMessage,
  EventMessage,
  ResultMessage,
} from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { FakePeerLink } from "./fakes";

const MAX_HOPS = 8;

/**
 * A relay node "relay" with links to "alice" and "bob"; "carol" is behind bob, "dave" has a route but no open link
 * (its link has just closed).
 */
function setup(maxRelayedCalls?: number) {
  const delivered: AddressedMessage[] = [];
  const from: (string | undefined)[] = [];
  const warnings: string[] = [];
  const alice = new FakePeerLink("alice");
  const bob = new FakePeerLink("bob");
  const links = new Map<string, PeerLink>([
    ["relay", new LoopbackLink("relay", (m) => delivered.push(m))],
    ["alice", alice],
    ["bob", bob],
  ]);
  const routes = new Map([
    ["relay", "relay"],
    ["alice", "alice"],
    ["bob", "bob"],
    ["carol", "bob"],
    ["dave", "dave"],
  ]);
  const router = new Router(
    {
      self: "relay",
      maxHops: MAX_HOPS,
      maxQueuedBytes: 1000,
      warn: (message) => warnings.push(message),
      nextHop: (node) => routes.get(node),
      link: (peer) => links.get(peer),
      known: () => ["relay", "alice", "bob", "carol", "dave"],
      deliver: (message, via) => {
        delivered.push(message);
        from.push(via);
      },
    },
    new RelayedCalls(maxRelayedCalls),
  );
  return { router, alice, bob, delivered, from, warnings };
}

function call(fields: Partial<CallMessage> = {}): CallMessage {
  return {
    type: MessageType.Call,
    dst: "carol",
    src: "alice",
    hops: 0,
    id: 7,
    path: "/calc",
    intf: "com.example.Calc",
    method: "add",
    args: null,
    timeoutMs: 1000,
    ...fields,
  };
}

function result(fields: Partial<ResultMessage> = {}): ResultMessage {
  return { type: MessageType.Result, dst: "alice", src: "carol", hops: 0, id: 7, out: null, ...fields };
}

function event(fields: Partial<EventMessage> = {}): EventMessage {
  return {
    type: MessageType.Event,
    dst: "carol",
    src: "alice",
    hops: 0,
    path: "/p",
    intf: "com.example.I",
    event: "e",
    args: null,
    seq: 1,
    ...fields,
  };
}

/** The ERRORs a fake link was given. */
function errors(link: FakePeerLink): ErrorMessage[] {
  return link.messages().filter((m): m is ErrorMessage => m.type === MessageType.Error);
}

describe("Router.route()", () => {
  it("delivers a message for this node through the loopback link", () => {
    const { router, delivered, alice, bob } = setup();
    const cancel: AddressedMessage = { type: MessageType.Cancel, dst: "relay", src: "relay", hops: 0, id: 1 };
    expect(router.route(cancel)).toBe("sent");
    expect(delivered).toEqual([cancel]);
    expect(alice.sent).toEqual([]);
    expect(bob.sent).toEqual([]);
  });

  it("sends a message to the link of its next hop", () => {
    const { router, bob } = setup();
    expect(router.route(call({ src: "relay" }))).toBe("sent");
    expect(bob.messages()).toEqual([call({ src: "relay" })]);
  });

  it('returns "unreachable" for a node no route leads to, and sends nothing', () => {
    const { router, alice, bob, delivered } = setup();
    expect(router.route(call({ dst: "zed", src: "relay" }))).toBe("unreachable");
    expect([...alice.sent, ...bob.sent, ...delivered]).toEqual([]);
  });

  it("returns what the link made of the message", () => {
    const { router, bob } = setup();
    bob.outcome = "overloaded";
    expect(router.route(call({ src: "relay" }))).toBe("overloaded");
    bob.outcome = "closed";
    expect(router.route(call({ src: "relay" }))).toBe("closed");
  });

  it('returns "closed" when the next hop has no open link', () => {
    const { router } = setup();
    expect(router.route(call({ dst: "dave", src: "relay" }))).toBe("closed");
  });
});

describe("Router.receive()", () => {
  it("delivers a message addressed to this node, with the neighbour it came from", () => {
    const { router, delivered, from, bob } = setup();
    router.receive("alice", call({ dst: "relay" }), undefined);
    expect(delivered).toEqual([call({ dst: "relay" })]);
    expect(from).toEqual(["alice"]);
    expect(bob.sent).toEqual([]);
  });

  it("answers forwarded CALLs beyond the share of their link with supcon.Overloaded, whatever callers they name", () => {
    const { router, alice, bob } = setup(32);
    // The answers to forged callers go nowhere: look at what the router answers.
    const answer = jest.spyOn(router, "answer");
    // Alone, alice's link may hold half of maxRelayedCalls: the other half stays free for others.
    for (let id = 1; id <= 20; id++) router.receive("alice", call({ src: `forged-${id}`, id }), undefined);
    expect(bob.sent).toHaveLength(16);
    expect(answer.mock.calls.map(([caller, id, code]) => [caller, id, code])).toEqual(
      [17, 18, 19, 20].map((id) => [`forged-${id}`, id, ErrorCode.Overloaded]),
    );
    expect(answer.mock.calls[0]?.[3]).toBe(
      "relay cannot forward the call to carol:/calc com.example.Calc.add: it forwards 16 calls from alice already, that link's share of maxRelayedCalls (32) while calls from 1 links are forwarded; retry when some finish",
    );
    // Another link's calls are forwarded; and once answers pass back, alice's are again.
    router.receive("bob", call({ dst: "alice", src: "carol", id: 1 }), undefined);
    expect(alice.messages().filter((m) => m.type === MessageType.Call)).toHaveLength(1);
    router.receive("bob", result({ dst: "forged-1", id: 1 }), undefined);
    router.receive("alice", call({ src: "later", id: 1 }), undefined);
    expect(bob.sent).toHaveLength(17);
  });

  it("forwards a message for another node with its payload as it came and one more hop", () => {
    const { router, bob } = setup();
    const payload = Uint8Array.of(0x81, 0xa1, 0x61, 0x01);
    router.receive("alice", call({ hops: 2 }), payload);
    expect(bob.sent).toEqual([{ message: call({ hops: 2 }), payload, hops: 3 }]);
  });

  it("answers a forwarded CALL with supcon.Overloaded when the next link is overloaded", () => {
    const { router, alice, bob } = setup();
    bob.outcome = "overloaded";
    router.receive("alice", call(), undefined);
    expect(errors(alice)).toEqual([
      expect.objectContaining({ dst: "alice", src: "relay", id: 7, code: ErrorCode.Overloaded }),
    ]);
    expect(errors(alice)[0]?.message).toMatch(/relay cannot forward the call to bob: its link is overloaded/);
  });

  it("answers a forwarded CALL with supcon.FrameTooLarge when the next link cannot encode the frame", () => {
    const { router, alice, bob } = setup();
    bob.send = () => {
      throw new Error("frame above maxFrameBytes");
    };
    router.receive("alice", call(), undefined);
    expect(errors(alice).map((e) => e.code)).toEqual([ErrorCode.FrameTooLarge]);
  });

  it("answers a forwarded CALL with supcon.ConnectionLost when the next hop's link is gone", () => {
    const { router, alice } = setup();
    router.receive("alice", call({ dst: "dave" }), undefined);
    expect(errors(alice)).toEqual([
      expect.objectContaining({ dst: "alice", id: 7, code: ErrorCode.ConnectionLost }),
    ]);
  });

  it("drops any other message it cannot forward without answering", () => {
    const { router, alice, bob } = setup();
    bob.outcome = "overloaded";
    router.receive("alice", event(), undefined);
    router.receive("alice", event({ dst: "zed" }), undefined);
    expect(alice.sent).toEqual([]);
  });

  it("answers a CALL for a node no route leads to with supcon.UnknownNode", () => {
    const { router, alice, bob } = setup();
    router.receive("alice", call({ dst: "zed" }), undefined);
    expect(bob.sent).toEqual([]);
    expect(errors(alice)).toEqual([
      expect.objectContaining({ dst: "alice", src: "relay", id: 7, code: ErrorCode.UnknownNode }),
    ]);
    expect(errors(alice)[0]?.message).toMatch(/node 'zed' cannot be reached from relay/);
  });

  it("drops a message past maxHops, answering a CALL with supcon.UnknownNode", () => {
    const { router, alice, bob } = setup();
    router.receive("alice", call({ hops: MAX_HOPS }), undefined);
    router.receive("alice", event({ hops: MAX_HOPS }), undefined);
    expect(bob.sent).toEqual([]);
    expect(errors(alice).map((e) => e.code)).toEqual([ErrorCode.UnknownNode]);
    expect(alice.sent).toHaveLength(1);
  });

  it("never sends a message back to the link it came from", () => {
    const { router, bob } = setup();
    // bob's route to carol is stale: it sends carol's messages here, and carol's next hop is bob.
    router.receive("bob", event(), undefined);
    router.receive("bob", call({ src: "alice" }), undefined);
    expect(bob.sent).toEqual([]);
  });

  it("answers a CALL it cannot forward without bouncing it, with supcon.UnknownNode to its caller", () => {
    const { router, alice } = setup();
    router.receive("bob", call({ src: "alice" }), undefined);
    expect(errors(alice).map((e) => e.code)).toEqual([ErrorCode.UnknownNode]);
  });
});

describe("Router.linkLost()", () => {
  it("fails each call forwarded through the lost link with supcon.ConnectionLost, once", () => {
    const { router, alice } = setup();
    router.receive("alice", call({ id: 1 }), undefined);
    router.receive("alice", call({ id: 2 }), undefined);
    router.linkLost("bob");
    router.linkLost("bob");
    expect(errors(alice)).toEqual([
      expect.objectContaining({ dst: "alice", src: "relay", id: 1, code: ErrorCode.ConnectionLost }),
      expect.objectContaining({ dst: "alice", src: "relay", id: 2, code: ErrorCode.ConnectionLost }),
    ]);
    expect(errors(alice)[0]?.message).toMatch(/link from relay to bob was lost/);
  });

  it("leaves calls forwarded through other links alone", () => {
    const { router, alice } = setup();
    router.receive("alice", call(), undefined);
    router.linkLost("alice");
    router.linkLost("dave");
    expect(errors(alice)).toEqual([]);
  });

  it("does not fail a forwarded call whose answer has passed back", () => {
    const { router, alice } = setup();
    router.receive("alice", call({ id: 1 }), undefined);
    router.receive("alice", call({ id: 2 }), undefined);
    router.receive("bob", result({ id: 1 }), undefined);
    router.receive(
      "bob",
      { ...result({ id: 2 }), type: MessageType.Error, code: "x.Y", message: "no", data: null },
      undefined,
    );
    expect(alice.messages().map((m) => m.type)).toEqual([MessageType.Result, MessageType.Error]);
    router.linkLost("bob");
    expect(alice.sent).toHaveLength(2);
  });

  it("does not fail a call it could not forward a second time", () => {
    const { router, alice, bob } = setup();
    bob.outcome = "overloaded";
    router.receive("alice", call(), undefined);
    router.linkLost("bob");
    expect(errors(alice).map((e) => e.code)).toEqual([ErrorCode.Overloaded]);
  });

  it("forgets forwarded calls whose caller stopped waiting, on sweep()", () => {
    const { router, alice } = setup();
    router.receive("alice", call({ id: 1, timeoutMs: 100 }), undefined);
    router.receive("alice", call({ id: 2, timeoutMs: 60_000 }), undefined);
    router.sweep(Date.now() + 1000);
    router.linkLost("bob");
    expect(errors(alice).map((e) => e.id)).toEqual([2]);
  });
});

describe("Router.failure()", () => {
  it("names an unknown node, suggests a close name and lists the known ones", () => {
    const { router } = setup();
    const error = router.failure("carl", "unreachable", "carl:/calc com.example.Calc.add");
    expect(error.code).toBe(ErrorCode.UnknownNode);
    expect(error.rawMessage).toBe(
      "carl:/calc com.example.Calc.add: node 'carl' is not on the bus (did you mean 'carol'?) (known: relay, alice, bob, carol, dave)",
    );
  });

  it("gives no hint when no known name is close", () => {
    const { router } = setup();
    expect(router.failure("zzzzzz", "unreachable", "what").rawMessage).not.toMatch(/did you mean/);
  });

  it("says which link is overloaded, its queue and the limit", () => {
    const { router, bob } = setup();
    bob.queuedBytes = 4096;
    const error = router.failure("carol", "overloaded", "what");
    expect(error.code).toBe(ErrorCode.Overloaded);
    expect(error.rawMessage).toBe(
      "what: the link to bob has 4096 bytes queued (limit 1000); the peer does not keep up",
    );
  });

  it("says which link is gone", () => {
    const { router } = setup();
    const error = router.failure("carol", "closed", "what");
    expect(error.code).toBe(ErrorCode.ConnectionLost);
    expect(error.rawMessage).toBe("what: the link to bob is gone");
  });

  describe("a message in the node's own name", () => {
    it("is dropped when it arrives on a link, delivered or forwarded: it can only be forged", () => {
      const { router, alice, bob, delivered, warnings } = setup();
      router.receive(
        "alice",
        { type: MessageType.Cancel, dst: "relay", src: "relay", hops: 0, id: 1 },
        undefined,
      );
      router.receive(
        "alice",
        { type: MessageType.Cancel, dst: "bob", src: "relay", hops: 0, id: 2 },
        undefined,
      );
      expect(delivered).toEqual([]);
      expect(bob.sent).toEqual([]);
      expect(alice.sent).toEqual([]);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/in this node's own name \(relay\): forged/);
    });
  });
});
