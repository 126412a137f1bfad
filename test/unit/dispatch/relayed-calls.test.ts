import { RelayedCalls } from "../../../packages/supcon/src/dispatch/relayed-calls";

describe("RelayedCalls", () => {
  const call = (caller: string, id: number, next: string, deadline = 1_000) => ({
    caller,
    id,
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
});
