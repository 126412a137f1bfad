import { ErrorCode, InvalidArgumentError, RemoteError } from "../../../packages/supcon/src/base/errors";
import type { CallContext } from "../../../packages/supcon/src/base/types";
import { OutgoingCalls } from "../../../packages/supcon/src/bus/calls";
import { Router } from "../../../packages/supcon/src/bus/router";
import { callScope } from "../../../packages/supcon/src/dispatch/call-scope";
import { RelayedCalls } from "../../../packages/supcon/src/dispatch/relayed-calls";
import { LoopbackLink } from "../../../packages/supcon/src/link/loopback";
import type { AddressedMessage, PeerLink } from "../../../packages/supcon/src/link/peer-link";
import { Interface } from "../../../packages/supcon/src/schema/interface";
import type { CallMessage, CancelMessage, Message } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { FakePeerLink } from "./fakes";

const calc = new Interface({
  name: "com.example.Calc",
  methods: [
    {
      name: "add",
      inArgs: [
        { name: "a", type: "int" },
        { name: "b", type: "int" },
      ],
      outArgs: [{ name: "sum", type: "int" }],
    },
  ],
});

/**
 * Node "me" with a link to "srv"; "far" is behind srv. Messages to "me" go through the router to the loopback link,
 * which hands them to `onSelf` (by default: recorded in `toSelf`).
 */
function setup(settings: { callTimeoutMs?: number; maxPendingCalls?: number } = {}) {
  const srv = new FakePeerLink("srv");
  const toSelf: AddressedMessage[] = [];
  const state = {
    closed: false,
    onSelf: (message: AddressedMessage): void => {
      toSelf.push(message);
    },
  };
  const links = new Map<string, PeerLink>([
    ["me", new LoopbackLink("me", (m) => state.onSelf(m))],
    ["srv", srv],
  ]);
  const routes = new Map([
    ["me", "me"],
    ["srv", "srv"],
    ["far", "srv"],
  ]);
  const nextHop = (node: string): string | undefined => routes.get(node);
  const router = new Router(
    {
      self: "me",
      maxHops: 32,
      maxQueuedBytes: 1000,
      warn: () => undefined,
      nextHop,
      link: (peer) => links.get(peer),
      known: () => ["me", "far", "srv"],
      deliver: (m) => state.onSelf(m),
    },
    new RelayedCalls(),
  );
  const calls = new OutgoingCalls(
    {
      self: "me",
      callTimeoutMs: settings.callTimeoutMs ?? 1000,
      maxPendingCalls: settings.maxPendingCalls ?? 100,
    },
    { isClosed: () => state.closed, nextHop },
    router,
  );
  made.push(calls);
  // Every promise gets a handler, so that a call a test leaves to close() is no unhandled rejection.
  const call = (node = "srv", options?: { timeoutMs?: number; signal?: AbortSignal }, args: object = {}) => {
    const promise = calls.call(node, "/calc", "com.example.Calc", "add", args, options);
    promise.catch(() => undefined);
    return promise;
  };
  return { calls, call, srv, toSelf, state };
}

const ofType = <T extends Message>(messages: Message[], type: T["type"]): T[] =>
  messages.filter((m): m is T => m.type === type);

/** The CALLs and CANCELs a link was given. */
const callsOn = (link: FakePeerLink): CallMessage[] => ofType<CallMessage>(link.messages(), MessageType.Call);
const cancelsOn = (link: FakePeerLink): CancelMessage[] =>
  ofType<CancelMessage>(link.messages(), MessageType.Cancel);

function context(signal: AbortSignal): CallContext {
  return { caller: "client", path: "/p", intf: "com.example.I", method: "m", signal, deadline: 0 };
}

const made: OutgoingCalls[] = [];

afterEach(() => {
  for (const calls of made.splice(0)) calls.close();
  jest.useRealTimers();
});

describe("OutgoingCalls", () => {
  it("sends a CALL towards its node and resolves with the out-args of its RESULT", async () => {
    const { calls, call, srv } = setup();
    const promise = call("far", undefined, { a: 1, b: 2 });
    const [sent] = callsOn(srv);
    expect(sent).toEqual({
      type: MessageType.Call,
      dst: "far",
      src: "me",
      hops: 0,
      id: expect.any(Number) as number,
      path: "/calc",
      intf: "com.example.Calc",
      method: "add",
      args: { a: 1, b: 2 },
      timeoutMs: 1000,
    });
    calls.resolve(sent?.id as number, { sum: 3 });
    await expect(promise).resolves.toEqual({ sum: 3 });
    expect(calls.size).toBe(0);
  });

  it("rejects with the error that answers it", async () => {
    const { calls, call, srv } = setup();
    const promise = call();
    calls.reject(callsOn(srv)[0]?.id as number, new RemoteError("com.example.Calc.Overflow", "too big"));
    await expect(promise).rejects.toMatchObject({ code: "com.example.Calc.Overflow" });
  });

  it("times out with supcon.Timeout at its deadline, and cancels the call on its node", async () => {
    jest.useFakeTimers();
    const { calls, call, srv } = setup();
    const promise = call("srv", { timeoutMs: 100 });
    const outcome = promise.catch((e: unknown) => e);
    jest.advanceTimersByTime(90);
    expect(cancelsOn(srv)).toEqual([]);
    jest.advanceTimersByTime(20);
    expect(await outcome).toMatchObject({ code: ErrorCode.Timeout });
    expect(((await outcome) as Error).message).toMatch(/no answer within 100 ms/);
    const id = callsOn(srv)[0]?.id;
    expect(cancelsOn(srv)).toEqual([{ type: MessageType.Cancel, dst: "srv", src: "me", hops: 0, id }]);
    expect(calls.size).toBe(0);
  });

  it("rejects with supcon.Cancelled and sends nothing when the signal is aborted before the call", async () => {
    const { call, srv, calls } = setup();
    const controller = new AbortController();
    controller.abort(new Error("user gave up"));
    await expect(call("srv", { signal: controller.signal })).rejects.toMatchObject({
      code: ErrorCode.Cancelled,
      message: expect.stringMatching(/cancelled before it was sent/) as string,
    });
    expect(srv.sent).toEqual([]);
    expect(calls.size).toBe(0);
  });

  it("rejects with supcon.Cancelled and cancels the call on its node when the signal aborts after sending", async () => {
    const { call, srv, calls } = setup();
    const controller = new AbortController();
    const promise = call("srv", { signal: controller.signal });
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(cancelsOn(srv).map((c) => c.id)).toEqual([callsOn(srv)[0]?.id]);
    expect(calls.size).toBe(0);
  });

  it("inside a served call, inherits what is left of its deadline", async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { call, srv } = setup();
    const scope = { deadline: Date.now() + 200.5, ctx: context(new AbortController().signal) };
    const promise = callScope.run(scope, () => call("srv", { timeoutMs: 5000 }));
    const outcome = promise.catch((e: unknown) => e);
    expect(callsOn(srv)[0]?.timeoutMs).toBe(201);
    jest.advanceTimersByTime(205);
    expect(await outcome).toMatchObject({ code: ErrorCode.Timeout });
  });

  it("inside a served call, keeps its own timeout when it is the shorter", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { call, srv } = setup();
    const scope = { deadline: Date.now() + 60_000, ctx: context(new AbortController().signal) };
    void callScope.run(scope, () => call("srv", { timeoutMs: 300 }));
    expect(callsOn(srv)[0]?.timeoutMs).toBe(300);
  });

  it("inside a served call whose deadline has passed, fails at once with supcon.Timeout", async () => {
    const { call, srv } = setup();
    const scope = { deadline: Date.now() - 1, ctx: context(new AbortController().signal) };
    await expect(callScope.run(scope, () => call())).rejects.toMatchObject({ code: ErrorCode.Timeout });
    expect(srv.sent).toEqual([]);
  });

  it("inside a served call, is cancelled when the served call is", async () => {
    const { call, srv } = setup();
    const served = new AbortController();
    const scope = { deadline: Date.now() + 60_000, ctx: context(served.signal) };
    const promise = callScope.run(scope, () => call());
    served.abort(new Error("caller cancelled"));
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(cancelsOn(srv)).toHaveLength(1);
  });

  it("refuses a call beyond maxPendingCalls with supcon.Overloaded until one settles", async () => {
    const { calls, call, srv } = setup({ maxPendingCalls: 2 });
    const first = call();
    void call();
    await expect(call()).rejects.toMatchObject({
      code: ErrorCode.Overloaded,
      message: expect.stringMatching(/2 calls already in flight from me \(maxPendingCalls\)/) as string,
    });
    expect(callsOn(srv)).toHaveLength(2);
    calls.resolve(callsOn(srv)[0]?.id as number, {});
    await first;
    void call();
    expect(callsOn(srv)).toHaveLength(3);
  });

  it("fails only the call whose arguments cannot be encoded", async () => {
    const { calls, call, srv } = setup();
    const good = call("srv", undefined, { a: 1 });
    await expect(call("srv", undefined, { when: new Date() })).rejects.toMatchObject({
      code: ErrorCode.InvalidData,
      message: expect.stringMatching(
        /srv:\/calc com.example.Calc.add: the arguments cannot be sent/,
      ) as string,
    });
    expect(calls.size).toBe(1);
    calls.resolve(callsOn(srv)[0]?.id as number, { sum: 1 });
    await expect(good).resolves.toEqual({ sum: 1 });
    // A call that never left is not cancelled.
    expect(cancelsOn(srv)).toEqual([]);
  });

  it("sends a call to its own node through the router and the loopback like any other", async () => {
    const { calls, call, state, srv } = setup();
    // Answered at once, as a handler that returns a value is: before the router has returned.
    state.onSelf = (message) => {
      if (message.type === MessageType.Call) calls.resolve(message.id, { echo: message.args });
    };
    await expect(call("me", undefined, { a: 1, b: 1 })).resolves.toEqual({ echo: { a: 1, b: 1 } });
    expect(srv.sent).toEqual([]);
  });

  it("cancels a call to its own node through the loopback when it gives up", async () => {
    jest.useFakeTimers();
    const { call, toSelf } = setup();
    const outcome = call("me", { timeoutMs: 50 }).catch((e: unknown) => e);
    jest.advanceTimersByTime(60);
    expect(await outcome).toMatchObject({ code: ErrorCode.Timeout });
    const [sent, cancel] = toSelf;
    expect(cancel).toEqual({
      type: MessageType.Cancel,
      dst: "me",
      src: "me",
      hops: 0,
      id: (sent as CallMessage).id,
    });
  });

  it("rejects a call to a node not on the bus with supcon.UnknownNode and a hint", async () => {
    const { call, srv, calls } = setup();
    await expect(call("svr")).rejects.toMatchObject({
      code: ErrorCode.UnknownNode,
      message: expect.stringMatching(/node 'svr' is not on the bus \(did you mean 'srv'\?\)/) as string,
    });
    expect(srv.sent).toEqual([]);
    expect(calls.size).toBe(0);
  });

  it("rejects with supcon.Overloaded or supcon.ConnectionLost when its link cannot take it", async () => {
    const { call, srv, calls } = setup();
    srv.outcome = "overloaded";
    await expect(call("far")).rejects.toMatchObject({ code: ErrorCode.Overloaded });
    srv.outcome = "closed";
    await expect(call("far")).rejects.toMatchObject({ code: ErrorCode.ConnectionLost });
    expect(calls.size).toBe(0);
    srv.outcome = "sent";
    expect(cancelsOn(srv)).toEqual([]);
  });

  it("fails the calls that left through a lost link with supcon.ConnectionLost, and only those", async () => {
    const { calls, call } = setup();
    const toSrv = call("srv");
    const toFar = call("far");
    const toSelf = call("me");
    calls.linkLost("srv", " (connection reset)");
    await expect(toSrv).rejects.toMatchObject({
      code: ErrorCode.ConnectionLost,
      message: expect.stringMatching(
        /call to srv failed: the link to srv was lost \(connection reset\)/,
      ) as string,
    });
    await expect(toFar).rejects.toMatchObject({ code: ErrorCode.ConnectionLost });
    expect(calls.size).toBe(1);
    calls.close();
    await expect(toSelf).rejects.toMatchObject({ code: ErrorCode.Closed });
  });

  it("fails the calls to a node that left the bus with supcon.ConnectionLost", async () => {
    const { calls, call } = setup();
    const toFar = call("far");
    const toSrv = call("srv");
    calls.nodeDown("far");
    await expect(toFar).rejects.toMatchObject({
      code: ErrorCode.ConnectionLost,
      message: expect.stringMatching(/far left the bus/) as string,
    });
    expect(calls.size).toBe(1);
    calls.close();
    await expect(toSrv).rejects.toMatchObject({ code: ErrorCode.Closed });
  });

  it("once closed, fails every call in flight and every new one with supcon.Closed", async () => {
    const { calls, call, state, srv } = setup();
    const inFlight = call();
    calls.close();
    state.closed = true;
    await expect(inFlight).rejects.toMatchObject({ code: ErrorCode.Closed });
    await expect(call()).rejects.toMatchObject({ code: ErrorCode.Closed });
    expect(callsOn(srv)).toHaveLength(1);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses timeoutMs %p with InvalidArgumentError",
    async (timeoutMs) => {
      const { call, srv } = setup();
      await expect(call("srv", { timeoutMs })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(srv.sent).toEqual([]);
    },
  );

  it("checks the method and arguments against an Interface before anything is sent", async () => {
    const { calls, srv } = setup();
    await expect(calls.call("srv", "/calc", calc, "sub", {}, undefined)).rejects.toMatchObject({
      code: ErrorCode.UnknownMethod,
    });
    await expect(calls.call("srv", "/calc", calc, "add", { a: 1 }, undefined)).rejects.toMatchObject({
      code: ErrorCode.InvalidArguments,
    });
    expect(srv.sent).toEqual([]);
    const sent = calls.call("srv", "/calc", calc, "add", { a: 1, b: 2 }, undefined);
    expect(callsOn(srv)[0]?.intf).toBe("com.example.Calc");
    calls.close();
    await expect(sent).rejects.toMatchObject({ code: ErrorCode.Closed });
  });
});
