import { ErrorCode, RemoteError } from "../../../packages/supcon/src/base/errors";
import { WireError, WireErrorCode } from "../../../packages/supcon/src/wire/errors";
import { NameLimit } from "../../../packages/supcon/src/base/names";
import { checkNames } from "../../../packages/supcon/src/wire/message-names";
import { ServedCalls } from "../../../packages/supcon/src/dispatch/served-calls";
import { Implementation } from "../../../packages/supcon/src/dispatch/implementation";
import { Interface } from "../../../packages/supcon/src/schema/interface";
import type { CallMessage, ErrorMessage, ResultMessage } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";

type Reply = ResultMessage | ErrorMessage;

/** A node "srv" serving `impl` at `path`, its replies recorded in `replies` (or handed to `route`). */
function serving(
  path: string,
  impl: Implementation<object>,
  replies: Reply[],
  maxServingCalls = 8,
  route: (reply: Reply) => boolean = (reply) => replies.push(reply) > 0,
): ServedCalls {
  return new ServedCalls({
    name: "srv",
    objects: new Map([[path, new Map([[impl.intf.name, impl]])]]),
    allowed: () => true,
    maxServingCalls,
    closing: () => false,
    route,
    replyLost: () => undefined,
  });
}

/** A CALL from "cli" (unless `fields` says otherwise) to `method` of the object at `path` of "srv". */
function callOf(
  path: string,
  intfName: string,
  method: string,
  fields: Partial<CallMessage> = {},
): CallMessage {
  return {
    type: MessageType.Call,
    dst: "srv",
    src: "cli",
    hops: 0,
    id: 1,
    path,
    intf: intfName,
    method,
    args: null,
    timeoutMs: 1_000,
    ...fields,
  };
}

const intf = new Interface({
  name: "test.Slow",
  methods: [{ name: "wait" }, { name: "now" }],
});

/** A node "srv" with one object whose `wait` handlers finish only when the test says so. */
function setup(maxServingCalls: number) {
  const replies: (ResultMessage | ErrorMessage)[] = [];
  const waiting: (() => void)[] = [];
  const impl = new Implementation(intf);
  impl.setCallCb("wait", () => new Promise<object>((resolve) => waiting.push(() => resolve({}))));
  impl.setCallCb("now", () => ({}));
  const served = serving("/s", impl as Implementation<object>, replies, maxServingCalls);
  let nextId = 1;
  const call = (src: string, via: string, method = "wait"): number => {
    const id = nextId++;
    served.serve(callOf("/s", intf.name, method, { src, id }), via);
    return id;
  };
  const refused = (): string[] =>
    replies.filter((r): r is ErrorMessage => r.type === MessageType.Error).map((r) => `${r.dst} ${r.code}`);
  const finishAll = async (): Promise<void> => {
    for (const finish of waiting.splice(0)) finish();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { served, call, replies, refused, finishAll };
}

describe("ServedCalls load sharing", () => {
  it("lets one caller alone hold half of maxServingCalls, keeping the other half for others", () => {
    const { served, call, refused } = setup(64);
    for (let i = 0; i < 40; i++) call("flood", "flood");
    expect(served.size).toBe(32);
    expect(refused()).toEqual(Array.from({ length: 8 }, () => `flood ${ErrorCode.Overloaded}`));
    for (let i = 0; i < 10; i++) call("good", "good");
    expect(served.size).toBe(42);
    expect(refused()).toHaveLength(8);
  });

  it("bounds the calls that came over one link, whatever callers they name", () => {
    const { call, refused, replies } = setup(64);
    for (let i = 0; i < 40; i++) call(`forged-${i}`, "flood");
    expect(refused()).toHaveLength(8);
    expect(replies.at(-1)).toMatchObject({
      message:
        "srv is serving 32 calls that came from flood, its share of maxServingCalls (64) while calls from 1 links run; retry when some finish",
    });
    call("good", "good");
    expect(refused()).toHaveLength(8);
  });

  it("shrinks each share as more callers come, and serves a caller again once its calls finish", async () => {
    const { served, call, refused, replies, finishAll } = setup(64);
    for (let i = 0; i < 32; i++) call("a", "l");
    // Two callers: each may hold ⌊64 / 3⌋ = 21; a, over it, is refused, b is served.
    call("b", "l2");
    call("a", "l");
    expect(replies.at(-1)).toMatchObject({
      dst: "a",
      code: ErrorCode.Overloaded,
      message:
        "srv is serving 32 calls that came from l, its share of maxServingCalls (64) while calls from 2 links run; retry when some finish",
    });
    await finishAll();
    expect(served.size).toBe(0);
    const before = refused().length;
    call("a", "l");
    expect(refused()).toHaveLength(before);
  });

  it("refuses every call once maxServingCalls handlers run, even ones that would finish at once", () => {
    const { served, call, replies } = setup(32);
    // Shares of ⌊32 / (n + 1)⌋ fall under the floor of 16: then each caller keeps 16, and the total bounds them.
    for (let i = 0; i < 16; i++) call("a", "a");
    for (let i = 0; i < 16; i++) call("b", "b");
    expect(served.size).toBe(32);
    call("c", "c", "now");
    expect(replies.at(-1)).toMatchObject({
      dst: "c",
      code: ErrorCode.Overloaded,
      message: "srv is serving 32 calls already (maxServingCalls 32); retry when some finish",
    });
  });

  it("counts a node's calls to itself against its own name", () => {
    const { served } = setup(4);
    for (let id = 1; id <= 6; id++) served.serve(callOf("/s", intf.name, "wait", { src: "srv", id }));
    // maxServingCalls under the floor: one holder may take all of it.
    expect(served.size).toBe(4);
  });
});

describe("ServedCalls deadlines", () => {
  const slow = new Interface({ name: "test.Deadline", methods: [{ name: "late" }, { name: "watch" }] });

  /** A node "srv" whose `late` finishes when the test says so, and whose `watch` finishes when it is aborted. */
  function setupDeadlines() {
    const replies: (ResultMessage | ErrorMessage)[] = [];
    const finishLate: (() => void)[] = [];
    const impl = new Implementation(slow);
    impl.setCallCb("late", () => new Promise<object>((resolve) => finishLate.push(() => resolve({}))));
    impl.setCallCb(
      "watch",
      (_args, ctx) =>
        new Promise<object>((resolve) => ctx.signal.addEventListener("abort", () => resolve({}))),
    );
    const served = serving("/s", impl as Implementation<object>, replies);
    const call = (id: number, method: string, timeoutMs: number): void =>
      served.serve(callOf("/s", slow.name, method, { id, timeoutMs }), "cli");
    return { served, call, replies, finishLate };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("sends the result of a handler that finishes before the deadline", async () => {
    const { served, call, replies, finishLate } = setupDeadlines();
    call(1, "late", 100);
    jest.advanceTimersByTime(99);
    finishLate[0]?.();
    await Promise.resolve();
    expect(replies).toMatchObject([{ type: MessageType.Result, id: 1 }]);
    expect(served.size).toBe(0);
  });

  it("sends nothing for a handler that finishes after the deadline without watching it", async () => {
    const { served, call, replies, finishLate } = setupDeadlines();
    call(1, "late", 100);
    jest.advanceTimersByTime(100);
    finishLate[0]?.();
    await Promise.resolve();
    expect(replies).toEqual([]);
    expect(served.size).toBe(0);
  });

  it("sends nothing for a handler that returns when the deadline aborts its signal", async () => {
    const { served, call, replies } = setupDeadlines();
    call(1, "watch", 100);
    expect(served.size).toBe(1);
    jest.advanceTimersByTime(100);
    await Promise.resolve();
    expect(replies).toEqual([]);
    expect(served.size).toBe(0);
  });
});

describe("ServedCalls errors that cannot travel", () => {
  it("answers supcon.Internal when a handler's error code is longer than the wire allows", async () => {
    const failing = new Interface({ name: "test.Fail", methods: [{ name: "fail" }] });
    const impl = new Implementation(failing);
    const longCode = `x.${"y".repeat(NameLimit.code)}`;
    impl.setCallCb("fail", () => Promise.reject(new RemoteError(longCode, "too long to send")));
    const replies: (ResultMessage | ErrorMessage)[] = [];
    // As a link does: a message whose names are too long cannot be encoded.
    const served = serving("/f", impl as Implementation<object>, replies, 8, (reply) => {
      const problem = checkNames(reply);
      if (problem !== undefined) throw new WireError(WireErrorCode.InvalidData, problem);
      replies.push(reply);
      return true;
    });
    served.serve(callOf("/f", failing.name, "fail", { id: 7 }), "cli");
    await new Promise((resolve) => setImmediate(resolve));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: MessageType.Error, id: 7, code: ErrorCode.Internal });
    expect((replies[0] as ErrorMessage).message).toMatch(
      /^test\.Fail\.fail on srv:\/f failed with an error that cannot be sent \(code 'x\.y+…'\): code must be at most \d+ characters long/,
    );
  });
});

describe("ctx.signal.reason", () => {
  const waiting = new Interface({
    name: "test.Wait",
    methods: [{ name: "wait", inArgs: [{ name: "note", type: "string?" }] }],
  });

  /** A node "srv" whose `wait` records the args it got and, when its signal aborts, the reason, and finishes. */
  function setupReasons() {
    const reasons: unknown[] = [];
    const args: unknown[] = [];
    const impl = new Implementation(waiting);
    impl.setCallCb("wait", (a, ctx) => {
      args.push(a);
      return new Promise<object>((resolve) =>
        ctx.signal.addEventListener("abort", () => {
          reasons.push(ctx.signal.reason);
          resolve({});
        }),
      );
    });
    const served = serving("/w", impl as Implementation<object>, []);
    const call = (id: number, timeoutMs: number, callArgs: Record<string, unknown> | null = null): void =>
      served.serve(callOf("/w", waiting.name, "wait", { id, timeoutMs, args: callArgs }), "cli");
    return { served, call, reasons, args };
  }

  it("is a RemoteError with supcon.Timeout when the deadline passes", async () => {
    const { call, reasons } = setupReasons();
    call(1, 30);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(RemoteError);
    expect(reasons[0]).toMatchObject({
      code: ErrorCode.Timeout,
      rawMessage: "test.Wait.wait: the deadline of the call from cli passed (30 ms)",
    });
  });

  it("is supcon.Cancelled for a CANCEL, and supcon.Timeout for one that comes as the deadline passes", () => {
    const { served, call, reasons } = setupReasons();
    call(1, 10_000);
    served.cancel("cli", 1);
    call(2, 10);
    served.cancel("cli", 2);
    expect(reasons).toMatchObject([
      { code: ErrorCode.Cancelled, rawMessage: "test.Wait.wait: cancelled by cli" },
      { code: ErrorCode.Timeout },
    ]);
  });

  it("is supcon.ConnectionLost when the caller leaves, supcon.Closed when the node closes", () => {
    const { served, call, reasons } = setupReasons();
    call(1, 10_000);
    served.cancelFrom("cli");
    call(2, 10_000);
    served.cancelAll();
    expect(reasons).toMatchObject([
      { code: ErrorCode.ConnectionLost, rawMessage: "test.Wait.wait: the caller cli left the bus" },
      { code: ErrorCode.Closed, rawMessage: "test.Wait.wait: node srv closed" },
    ]);
  });

  it("removes optional args received as nil before the handler sees them", () => {
    const { served, call, args } = setupReasons();
    call(1, 10_000, { note: null });
    call(2, 10_000, { note: "n" });
    expect(args).toEqual([{}, { note: "n" }]);
    expect(Object.keys(args[0] as object)).toEqual([]);
    served.cancelAll();
  });
});
