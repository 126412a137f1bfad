import { RemoteError } from "../../../runtime/api/errors";
import { PendingCalls } from "../../../runtime/dispatch/pending-calls";

describe("PendingCalls", () => {
  const base = { dst: "server", via: "server", what: "server:/calc Calc.add", signal: undefined };

  it("resolves a call by id, once", async () => {
    const calls = new PendingCalls();
    const { id, promise } = calls.add({ ...base, timeoutMs: 1_000, onGiveUp: () => undefined });
    expect(calls.resolve(id, { sum: 3 })).toBe(true);
    expect(calls.resolve(id, { sum: 4 })).toBe(false);
    await expect(promise).resolves.toEqual({ sum: 3 });
    expect(calls.size).toBe(0);
  });

  it("fails at the deadline with supcon.Timeout and tells the callee", async () => {
    const calls = new PendingCalls();
    const gaveUp: number[] = [];
    const { id, promise } = calls.add({ ...base, timeoutMs: 20, onGiveUp: (i) => gaveUp.push(i) });
    await expect(promise).rejects.toMatchObject({ code: "supcon.Timeout" });
    expect(gaveUp).toEqual([id]);
    expect(calls.resolve(id, {})).toBe(false);
  });

  it("fails with supcon.Cancelled when the signal aborts", async () => {
    const calls = new PendingCalls();
    const controller = new AbortController();
    const { promise } = calls.add({
      ...base,
      timeoutMs: 1_000,
      signal: controller.signal,
      onGiveUp: () => undefined,
    });
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: "supcon.Cancelled" });
  });

  it("fails the calls that went through a neighbour", async () => {
    const calls = new PendingCalls();
    const a = calls.add({ ...base, via: "b", timeoutMs: 1_000, onGiveUp: () => undefined });
    const c = calls.add({ ...base, via: "c", timeoutMs: 1_000, onGiveUp: () => undefined });
    calls.rejectWhere(
      (_dst, via) => via === "b",
      (dst) => new RemoteError("supcon.ConnectionLost", `lost ${dst}`),
    );
    await expect(a.promise).rejects.toMatchObject({ code: "supcon.ConnectionLost" });
    expect(calls.size).toBe(1);
    calls.resolve(c.id, {});
    await c.promise;
  });

  it("gives distinct ids to calls in flight", () => {
    const calls = new PendingCalls();
    const ids = new Set<number>();
    const promises: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      const { id, promise } = calls.add({ ...base, timeoutMs: 1_000, onGiveUp: () => undefined });
      ids.add(id);
      promises.push(promise);
    }
    expect(ids.size).toBe(100);
    for (const id of ids) calls.resolve(id, {});
  });
});
