import { RelayedCalls } from "../../../packages/supcon/src/dispatch/relayed-calls";

describe("RelayedCalls", () => {
  const call = (caller: string, id: number, next: string, deadline = 1_000, from = "in") => ({
    caller,
    id,
    from,
    next,
    deadline,
  });

  it("tracks calls by caller and id until their answer passes back", () => {
    const relayed = new RelayedCalls();
    relayed.track(call("a", 1, "x"));
    relayed.track(call("a", 2, "x"));
    relayed.track(call("b", 1, "y"));
    relayed.track(call("b", 1, "y")); // the same call again counts once
    expect(relayed.size).toBe(3);
    relayed.complete("a", 1);
    relayed.complete("a", 1);
    relayed.complete("c", 1);
    expect(relayed.size).toBe(2);
    expect(relayed.takeVia("x")).toEqual([call("a", 2, "x")]);
    expect(relayed.size).toBe(1);
  });

  it("hands over the calls that went through a neighbour, and forgets them", () => {
    const relayed = new RelayedCalls();
    relayed.track(call("a", 1, "x"));
    relayed.track(call("b", 2, "y"));
    relayed.track(call("c", 3, "x"));
    expect(relayed.takeVia("x")).toEqual([call("a", 1, "x"), call("c", 3, "x")]);
    expect(relayed.takeVia("x")).toEqual([]);
    expect(relayed.size).toBe(1);
  });

  it("forgets calls whose deadline has passed", () => {
    const relayed = new RelayedCalls();
    relayed.track(call("a", 1, "x", 100));
    relayed.track(call("a", 2, "x", 300));
    relayed.sweep(200);
    expect(relayed.size).toBe(1);
    expect(relayed.takeVia("x")).toEqual([call("a", 2, "x", 300)]);
  });

  it("bounds the calls of one link to its share, whatever callers they name, and the total", () => {
    const relayed = new RelayedCalls(64);
    // Alone, a link may hold half of the limit: the other half stays free for others.
    for (let id = 0; id < 32; id++) {
      expect(relayed.refusal(`ghost-${id}`, id, "flood")).toBeUndefined();
      relayed.track(call(`ghost-${id}`, id, "x", 1_000, "flood"));
    }
    expect(relayed.refusal("ghost-99", 99, "flood")).toBe(
      "it forwards 32 calls from flood already, that link's share of maxRelayedCalls (64) while calls from 1 links are forwarded",
    );
    // Another link is served; a repeat of a call tracked already is not refused.
    expect(relayed.refusal("good", 1, "other")).toBeUndefined();
    expect(relayed.refusal("ghost-3", 3, "flood")).toBeUndefined();
    // Once calls pass back, the flooding link may forward again.
    relayed.complete("ghost-0", 0);
    expect(relayed.refusal("ghost-99", 99, "flood")).toBeUndefined();
  });

  it("bounds the calls of one caller to its share, and refuses every call when full", () => {
    const relayed = new RelayedCalls(32);
    for (let id = 0; id < 16; id++) relayed.track(call("greedy", id, "x", 1_000, `link-${id}`));
    expect(relayed.refusal("greedy", 99, "fresh")).toBe(
      "it forwards 16 calls of greedy already, its share of maxRelayedCalls (32) while calls of 1 callers are forwarded",
    );
    for (let id = 0; id < 16; id++) relayed.track(call(`c${id}`, id, "x", 1_000, `l${id}`));
    expect(relayed.refusal("new", 1, "new")).toBe("it forwards 32 calls already (maxRelayedCalls 32)");
    relayed.sweep(2_000);
    expect(relayed.size).toBe(0);
    expect(relayed.refusal("greedy", 99, "fresh")).toBeUndefined();
  });

  it("counts a repeated call once, against the link it came over last", () => {
    const relayed = new RelayedCalls(32);
    relayed.track(call("a", 1, "x", 1_000, "l1"));
    relayed.track(call("a", 1, "x", 1_000, "l2"));
    expect(relayed.size).toBe(1);
    // l1 holds none of it any more: 15 more calls leave it under its share of 16.
    for (let id = 0; id < 15; id++) relayed.track(call("b", id, "x", 1_000, "l1"));
    expect(relayed.refusal("c", 1, "l1")).toBeUndefined();
    relayed.complete("a", 1);
    expect(relayed.size).toBe(15);
  });
});
