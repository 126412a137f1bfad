import { Subscribers, Subscriptions } from "../../../packages/supcon/src/dispatch/subscriptions";

describe("Subscriptions", () => {
  it("subscribes on the wire once per key, and unsubscribes with the last listener", () => {
    const subs = new Subscriptions();
    const a = (): void => undefined;
    const b = (): void => undefined;
    expect(subs.add("n", "/p", "I", "e", a)).toBe(true);
    expect(subs.add("n", "/p", "I", "e", b)).toBe(false);
    expect(subs.remove("n", "/p", "I", "e", a)).toBe(false);
    expect(subs.remove("n", "/p", "I", "e", a)).toBe(false);
    expect(subs.remove("n", "/p", "I", "e", b)).toBe(true);
    expect(subs.get("n", "/p", "I", "e")).toBeUndefined();
  });

  it("lists the keys of a node for re-subscribing", () => {
    const subs = new Subscriptions();
    subs.add("n", "/p", "I", "e", () => undefined);
    subs.add("n", "/q", "I", "e", () => undefined);
    subs.add("m", "/p", "I", "e", () => undefined);
    expect(subs.forNode("n").map((e) => e.path)).toEqual(["/p", "/q"]);
  });
});

describe("Subscribers", () => {
  it("tracks subscriber nodes per event and forgets a node that left", () => {
    const subscribers = new Subscribers();
    subscribers.add("a", "/p", "I", "e");
    subscribers.add("b", "/p", "I", "e");
    subscribers.add("a", "/p", "I", "f");
    expect([...(subscribers.of("/p", "I", "e") ?? [])]).toEqual(["a", "b"]);
    subscribers.removeNode("a");
    expect([...(subscribers.of("/p", "I", "e") ?? [])]).toEqual(["b"]);
    expect(subscribers.of("/p", "I", "f")).toBeUndefined();
    subscribers.remove("b", "/p", "I", "e");
    expect(subscribers.of("/p", "I", "e")).toBeUndefined();
  });

  it("counts each subscription against the node and against the link it came over", () => {
    const subscribers = new Subscribers();
    subscribers.add("a", "/p", "I", "e", "relay");
    subscribers.add("a", "/p", "I", "f", "other");
    subscribers.add("b", "/p", "I", "e", "relay");
    subscribers.add("b", "/p", "I", "e", "other"); // held already: not counted again
    const counts = (): number[] => [
      subscribers.countVia("relay"),
      subscribers.countVia("other"),
      subscribers.countOf("a"),
      subscribers.countOf("b"),
    ];
    expect(counts()).toEqual([2, 1, 2, 1]);
    subscribers.remove("b", "/p", "I", "e");
    expect(counts()).toEqual([1, 1, 2, 0]);
    subscribers.removeNode("a");
    expect(counts()).toEqual([0, 0, 0, 0]);
  });
});
