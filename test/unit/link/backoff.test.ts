import { backoffDelay } from "../../../packages/supcon/src/link/backoff";

describe("backoffDelay()", () => {
  const options = { minMs: 100, maxMs: 5_000, jitter: 0.3 };

  it("doubles from the minimum up to the maximum", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10, 100].map((a) => backoffDelay(a, options, 0.5));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it("spreads each delay by the jitter", () => {
    expect(backoffDelay(0, options, 0)).toBe(70);
    expect(backoffDelay(0, options, 0.999999)).toBe(130);
    expect(backoffDelay(10, options, 0)).toBe(3500);
  });
});
