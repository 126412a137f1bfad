import type { LinkSetEvents } from "../../../packages/supcon/src/bus/links";
import { LinkSet } from "../../../packages/supcon/src/bus/links";
import type { Link } from "../../../packages/supcon/src/link/link";
import { LoopbackLink } from "../../../packages/supcon/src/link/loopback";
import type { AddressedMessage, Refusal, RoutedMessage } from "../../../packages/supcon/src/link/peer-link";
import type { AdvertMessage, CallMessage } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { pipe, settle } from "./fakes";

/** A node's link set and what it told the node. */
function node(self: string, maxHandshakingLinks = 8) {
  const opened: [string, string, boolean][] = [];
  const lost: [string, string | undefined, boolean][] = [];
  const refused: (string | undefined)[] = [];
  const messages: { link: Link; message: RoutedMessage }[] = [];
  const toSelf: AddressedMessage[] = [];
  const policy = { admit: (_name: string, _instance: string): Refusal | undefined => undefined };
  const events: LinkSetEvents = {
    admit: (name, instance) => policy.admit(name, instance),
    opened: (_link, peer, instance, first) => opened.push([peer, instance, first]),
    message: (link, message) => messages.push({ link, message }),
    lost: (_link, peer, error, last) => lost.push([peer, error?.code, last]),
    refused: (_link, error) => refused.push(error?.code),
  };
  const loopback = new LoopbackLink(self, (m) => toSelf.push(m));
  const links = new LinkSet(
    {
      self,
      instance: `inst-${self}`,
      maxFrameBytes: 1 << 20,
      maxQueuedBytes: 1 << 20,
      heartbeatIntervalMs: 60_000,
      heartbeatTimeoutMs: 180_000,
      handshakeTimeoutMs: 60_000,
      maxHandshakingLinks,
      secret: undefined,
    },
    events,
    loopback,
  );
  return { self, links, loopback, opened, lost, refused, messages, toSelf, policy };
}

type TestNode = ReturnType<typeof node>;

/** Connects `from` (the connector) to `to` (the acceptor) over an in-memory pipe. */
function connect(from: TestNode, to: TestNode) {
  const [connectorEnd, acceptorEnd] = pipe(`${to.self}.test:7000`, `${from.self}.test:50000`);
  const onOpen = jest.fn();
  const connector = from.links.attach(connectorEnd, "connector", false, onOpen);
  const acceptor = to.links.attach(acceptorEnd, "acceptor", false);
  return { connector, acceptor, onOpen, connectorEnd, acceptorEnd };
}

const nodes: TestNode[] = [];
function make(self: string, maxHandshakingLinks?: number): TestNode {
  const n = node(self, maxHandshakingLinks);
  nodes.push(n);
  return n;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.links.closeAll()));
});

describe("LinkSet", () => {
  it("routes the node's own name to its loopback link, which is no neighbour", () => {
    const a = make("a");
    expect(a.links.get("a")).toBe(a.loopback);
    expect(a.links.neighbours()).toEqual([]);
    expect(a.links.describe()).toEqual([]);
    expect(a.links.get("b")).toBeUndefined();
  });

  it("counts the links in their handshake, and is full at maxHandshakingLinks", async () => {
    const a = make("a", 2);
    // Connections whose other end never answers.
    const [first] = pipe();
    const [second] = pipe();
    const one = a.links.attach(first, "connector", false);
    expect(a.links.full).toBe(false);
    const two = a.links.attach(second, "connector", false);
    expect(a.links.handshaking).toBe(2);
    expect(a.links.full).toBe(true);
    one.link.close();
    two.link.close();
    await Promise.all([one.closed, two.closed]);
    expect(a.links.handshaking).toBe(0);
    expect(a.links.full).toBe(false);
    // Closed by this side before the handshake ended: refused, with no error to report.
    expect(a.refused).toEqual([undefined, undefined]);
  });

  it("refuses a connection whose handshake does not end within handshakeTimeoutMs, and stops counting it", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    try {
      const a = make("a");
      const [silent] = pipe();
      const { closed } = a.links.attach(silent, "acceptor", false);
      jest.advanceTimersByTime(59_000);
      expect(a.refused).toEqual([]);
      jest.advanceTimersByTime(1_000);
      await closed;
      expect(a.refused).toEqual(["supcon.HandshakeTimeout"]);
      expect(a.links.handshaking).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it("opens a link once both sides have shaken hands, and finds it by peer", async () => {
    const a = make("a");
    const b = make("b");
    const { connector, acceptor, onOpen } = connect(a, b);
    expect(connector.link.state).toEqual({ phase: "handshaking" });
    await settle();
    expect(a.opened).toEqual([["b", "inst-b", true]]);
    expect(b.opened).toEqual([["a", "inst-a", true]]);
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(connector.link.state).toEqual({ phase: "open", peer: "b", peerInstance: "inst-b" });
    expect(a.links.get("b")).toBe(connector.link);
    expect(b.links.get("a")).toBe(acceptor.link);
    expect(a.links.neighbours()).toEqual(["b"]);
    expect(a.links.describe()).toEqual([{ peer: "b", remote: "b.test:7000" }]);
    expect(a.links.handshaking).toBe(0);
    expect(b.links.handshaking).toBe(0);
  });

  it("hands each routed message to the node with the link it came on", async () => {
    const a = make("a");
    const b = make("b");
    const { acceptor } = connect(a, b);
    await settle();
    const call: CallMessage = {
      type: MessageType.Call,
      dst: "b",
      src: "a",
      hops: 0,
      id: 1,
      path: "/p",
      intf: "com.example.I",
      method: "m",
      args: { x: 1 },
      timeoutMs: 1000,
    };
    expect(a.links.get("b")?.send(call)).toBe("sent");
    await settle();
    expect(b.messages).toEqual([{ link: acceptor.link, message: call }]);
  });

  it("tells whether a link is the first to its peer, and whether a lost one was the last", async () => {
    const a = make("a");
    const b = make("b");
    const first = connect(a, b);
    await settle();
    const second = connect(a, b);
    await settle();
    expect(a.opened).toEqual([
      ["b", "inst-b", true],
      ["b", "inst-b", false],
    ]);
    expect(a.links.get("b")).toBe(first.connector.link);
    expect(a.links.neighbours()).toEqual(["b"]);
    first.connector.link.close();
    await first.connector.closed;
    expect(a.lost).toEqual([["b", undefined, false]]);
    expect(a.links.get("b")).toBe(second.connector.link);
    second.connector.link.close();
    await second.connector.closed;
    expect(a.lost).toEqual([
      ["b", undefined, false],
      ["b", undefined, true],
    ]);
    expect(a.links.get("b")).toBeUndefined();
    expect(a.links.neighbours()).toEqual([]);
    await settle();
    // The peer saw a goodbye each time: clean closes.
    expect(b.lost).toEqual([
      ["a", undefined, false],
      ["a", undefined, true],
    ]);
  });

  it("reports why a link that dropped without goodbye was lost", async () => {
    const a = make("a");
    const b = make("b");
    const { connector, acceptorEnd } = connect(a, b);
    await settle();
    acceptorEnd.destroy();
    await connector.closed;
    expect(a.lost).toEqual([["b", "supcon.ConnectionLost", true]]);
    expect(connector.link.state).toMatchObject({ phase: "closed", peer: "b" });
  });

  it("never opens a link to a peer admission refuses; both sides learn why", async () => {
    const a = make("a");
    const b = make("b");
    b.policy.admit = () => ({ code: "supcon.NameTaken", message: "the name 'a' is taken" });
    const { connector, acceptor, onOpen } = connect(a, b);
    await Promise.all([connector.closed, acceptor.closed]);
    expect(b.refused).toEqual(["supcon.NameTaken"]);
    expect(a.refused).toEqual(["supcon.NameTaken"]);
    expect([...a.opened, ...b.opened]).toEqual([]);
    expect(onOpen).not.toHaveBeenCalled();
    expect(connector.link.state).toMatchObject({ phase: "closed", peer: undefined });
    expect(connector.link.state.phase === "closed" && connector.link.state.error?.message).toMatch(
      /the name 'a' is taken/,
    );
    expect(a.links.handshaking).toBe(0);
    expect(b.links.handshaking).toBe(0);
    expect(b.links.get("a")).toBeUndefined();
  });

  /** An advert of a node "x" to flood. */
  const advert: AdvertMessage = {
    type: MessageType.Advert,
    origin: "x",
    instance: "i",
    seq: 1,
    neighbors: [],
    objects: {},
  };

  it("broadcasts to every open link but the one excepted, never to the node itself", async () => {
    const a = make("a");
    const b = make("b");
    const c = make("c");
    const toB = connect(a, b);
    connect(a, c);
    await settle();
    a.links.broadcast(advert, toB.connector.link);
    await settle();
    expect(c.messages.map((m) => m.message)).toEqual([advert]);
    expect(b.messages).toEqual([]);
    expect(a.toSelf).toEqual([]);
  });

  it("floods once per peer, however many links it has, and to no peer that the excepted link leads to", async () => {
    const a = make("a");
    const b = make("b");
    const c = make("c");
    const toB = connect(a, b);
    connect(a, b);
    connect(a, c);
    connect(a, c);
    await settle();
    a.links.broadcast(advert);
    await settle();
    expect(b.messages.map((m) => m.message)).toEqual([advert]);
    expect(c.messages.map((m) => m.message)).toEqual([advert]);
    // The link a flood came by stands for its peer: none of that peer's links is sent it back.
    a.links.broadcast({ ...advert, seq: 2 }, toB.connector.link);
    a.links.sendTo("b", { ...advert, seq: 3 }, toB.connector.link);
    a.links.sendTo("c", { ...advert, seq: 4 });
    await settle();
    expect(b.messages.map((m) => (m.message as AdvertMessage).seq)).toEqual([1]);
    expect(c.messages.map((m) => (m.message as AdvertMessage).seq)).toEqual([1, 2, 4]);
  });

  it("closeAll(): says goodbye on every link, closes the loopback, and resolves once all have closed", async () => {
    const a = make("a");
    const b = make("b");
    connect(a, b);
    await settle();
    const [unanswered] = pipe();
    a.links.attach(unanswered, "acceptor", false);
    await a.links.closeAll();
    expect(a.lost).toEqual([["b", undefined, true]]);
    expect(a.refused).toEqual([undefined]);
    expect(a.links.handshaking).toBe(0);
    expect(a.links.neighbours()).toEqual([]);
    expect(a.loopback.send({ type: MessageType.Cancel, dst: "a", src: "a", hops: 0, id: 1 })).toBe("closed");
    await settle();
    expect(b.lost).toEqual([["a", undefined, true]]);
  });
});
