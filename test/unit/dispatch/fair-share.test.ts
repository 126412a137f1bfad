import { FairShare } from "../../../packages/supcon/src/dispatch/fair-share";

describe("FairShare", () => {
  it("keeps one share free for a newcomer, and shrinks each share as holders come", () => {
    const share = new FairShare(100, 4);
    // Alone, a holder may take half: the other half waits for whoever comes next.
    for (let i = 0; i < 50; i++) {
      expect(share.refusal("a")).toBeUndefined();
      share.take("a");
    }
    expect(share.refusal("a")).toBe("share");
    expect(share.refusal("b")).toBeUndefined();
    share.take("b");
    // Two holders: a third each, so `a` is over its share until it gives some back.
    expect(share.shareOf("a")).toBe(33);
    expect(share.refusal("a")).toBe("share");
    for (let i = 0; i < 18; i++) share.release("a");
    expect(share.refusal("a")).toBeUndefined();
  });

  it("never shares below its floor, refuses everybody once full, and forgets holders with nothing held", () => {
    const share = new FairShare(8, 4);
    for (const key of ["a", "b"]) for (let i = 0; i < 4; i++) share.take(key);
    expect(share.shareOf("c")).toBe(4);
    expect(share.refusal("c")).toBe("full");
    for (let i = 0; i < 4; i++) share.release("a");
    expect(share.holders).toBe(1);
    expect(share.total).toBe(4);
    expect(share.heldBy("a")).toBe(0);
  });
});
