import { RemoteError } from "../../../packages/supcon/src/base/errors";
import { PendingCalls } from "../../../packages/supcon/src/dispatch/pending-calls";

describe("PendingCalls", () => {
  const base = {
    dst: "server",
    via: "server",
    path: "/calc",
    intf: "Calc",
    method: "add",
    signal: undefined,
  };

  it("keeps the process alive by its deadline timer only while calls are pending", async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const calls = new PendingCalls(() => undefined);
    const first = calls.add({ ...base, timeoutMs: 60_000 });
    expect(timers()).toBe(before + 1);
    calls.resolve(first.id, {});
    expect(timers()).toBe(before);
    const second = calls.add({ ...base, timeoutMs: 60_000 });
    expect(timers()).toBe(before + 1);
    calls.rejectAll(() => new RemoteError("supcon.Closed", "closed"));
    await expect(second.promise).rejects.toMatchObject({ code: "supcon.Closed" });
    expect(timers()).toBe(before);
    await expect(first.promise).resolves.toEqual({});
  });

  it("resolves a call by id, once", async () => {
    const calls = new PendingCalls(() => undefined);
    const { id, promise } = calls.add({ ...base, timeoutMs: 1_000 });
    expect(calls.resolve(id, { sum: 3 })).toBe(true);
    expect(calls.resolve(id, { sum: 4 })).toBe(false);
    await expect(promise).resolves.toEqual({ sum: 3 });
    expect(calls.size).toBe(0);
  });

  it("fails at the deadline with supcon.Timeout and tells the callee", async () => {
    const gaveUp: number[] = [];
    const calls = new PendingCalls((_dst, id) => gaveUp.push(id));
    const { id, promise } = calls.add({ ...base, timeoutMs: 20 });
    await expect(promise).rejects.toMatchObject({ code: "supcon.Timeout" });
    expect(gaveUp).toEqual([id]);
    expect(calls.resolve(id, {})).toBe(false);
  });

  it("fails with supcon.Cancelled when the signal aborts", async () => {
    const calls = new PendingCalls(() => undefined);
    const controller = new AbortController();
    const { promise } = calls.add({
      ...base,
      timeoutMs: 1_000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: "supcon.Cancelled" });
  });

  it("fails with supcon.Timeout when the signal of the call being served aborts at its deadline", async () => {
    const calls = new PendingCalls(() => undefined);
    const controller = new AbortController();
    const { promise } = calls.add({ ...base, timeoutMs: 1_000, signal: controller.signal });
    controller.abort(
      new RemoteError("supcon.Timeout", "outer.m: the deadline of the call from c passed (5 ms)"),
    );
    await expect(promise).rejects.toMatchObject({
      code: "supcon.Timeout",
      rawMessage: "server:/calc Calc.add: outer.m: the deadline of the call from c passed (5 ms)",
    });
  });

  it("fails the calls that went through a neighbour", async () => {
    const calls = new PendingCalls(() => undefined);
    const a = calls.add({ ...base, via: "b", timeoutMs: 1_000 });
    const c = calls.add({ ...base, via: "c", timeoutMs: 1_000 });
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
    const calls = new PendingCalls(() => undefined);
    const ids = new Set<number>();
    const promises: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      const { id, promise } = calls.add({ ...base, timeoutMs: 1_000 });
      ids.add(id);
      promises.push(promise);
    }
    expect(ids.size).toBe(100);
    for (const id of ids) calls.resolve(id, {});
  });

  it("times out a short call made after a long one on time, with one timer for the table", async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const calls = new PendingCalls(() => undefined);
    const long = calls.add({ ...base, timeoutMs: 10_000 });
    const started = Date.now();
    const short = calls.add({ ...base, timeoutMs: 30 });
    await expect(short.promise).rejects.toMatchObject({ code: "supcon.Timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls.size).toBe(1);
    calls.resolve(long.id, {});
    await long.promise;
    // Nothing pending: no timer keeps the process alive.
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe("answers from the wrong node", () => {
  it("settle nothing: only the node called can answer its call", async () => {
    const calls = new PendingCalls(() => undefined);
    const { id, promise } = calls.add({
      dst: "server",
      via: "server",
      timeoutMs: 1_000,
      path: "/p",
      intf: "I",
      method: "m",
      signal: undefined,
    });
    expect(calls.resolve(id, { forged: true }, "mallory")).toBe(false);
    expect(calls.reject(id, new RemoteError("x.Y", "forged"), "mallory")).toBe(false);
    expect(calls.size).toBe(1);
    expect(calls.resolve(id, { ok: true }, "server")).toBe(true);
    await expect(promise).resolves.toEqual({ ok: true });
  });

  it("start their ids at a random place, so that a peer cannot guess the ids in flight", () => {
    const first = (): number => {
      const table = new PendingCalls(() => undefined);
      const { id, promise } = table.add({
        dst: "s",
        via: "s",
        timeoutMs: 1_000,
        path: "/p",
        intf: "I",
        method: "m",
        signal: undefined,
      });
      promise.catch(() => undefined);
      table.rejectAll(() => new RemoteError("supcon.Closed", "done"));
      return id;
    };
    const ids = new Set([first(), first(), first(), first()]);
    expect(ids.size).toBeGreaterThan(1);
  });
});
