import { RemoteError } from "../../../packages/supcon/src/base/errors";
import type { OutgoingCalls } from "../../../packages/supcon/src/bus/calls";
import type { Events } from "../../../packages/supcon/src/bus/events";
import { createInbox } from "../../../packages/supcon/src/bus/inbox";
import type { ServedCalls } from "../../../packages/supcon/src/dispatch/served-calls";
import type { AddressedMessage } from "../../../packages/supcon/src/link/peer-link";
import type {
  CallMessage,
  EventMessage,
  SubscribeMessage,
  UnsubscribeMessage,
} from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";

/** An inbox over fakes of the modules it delivers to. */
function setup() {
  const served = { serve: jest.fn(), cancel: jest.fn() };
  const calls = { resolve: jest.fn(), reject: jest.fn() };
  const events = { onEvent: jest.fn(), onSubscribe: jest.fn(), onUnsubscribe: jest.fn() };
  const inbox = createInbox(
    served as unknown as ServedCalls,
    calls as unknown as OutgoingCalls,
    events as unknown as Events,
  );
  const all = [
    served.serve,
    served.cancel,
    calls.resolve,
    calls.reject,
    events.onEvent,
    events.onSubscribe,
    events.onUnsubscribe,
  ];
  /** How many of the fakes were called, in all. */
  const handled = (): number => all.reduce((n, f) => n + f.mock.calls.length, 0);
  return { inbox, served, calls, events, handled };
}

const routed = { dst: "me", src: "peer", hops: 0 } as const;

describe("createInbox()", () => {
  it("hands a CALL to the served calls", () => {
    const { inbox, served, handled } = setup();
    const call: CallMessage = {
      type: MessageType.Call,
      ...routed,
      id: 1,
      path: "/p",
      intf: "I",
      method: "m",
      args: null,
      timeoutMs: 5,
    };
    inbox(call);
    expect(served.serve).toHaveBeenCalledWith(call, undefined);
    // With the link it came over, for the per-link limits.
    inbox(call, "alice");
    expect(served.serve).toHaveBeenLastCalledWith(call, "alice");
    expect(handled()).toBe(2);
  });

  it("resolves the call a RESULT answers with its out-args, {} when it has none, naming who answered", () => {
    const { inbox, calls } = setup();
    inbox({ type: MessageType.Result, ...routed, id: 3, out: { sum: 2 } });
    inbox({ type: MessageType.Result, ...routed, id: 4, out: null });
    expect(calls.resolve.mock.calls).toEqual([
      [3, { sum: 2 }, "peer"],
      [4, {}, "peer"],
    ]);
  });

  it("rejects the call an ERROR answers with a RemoteError of its code, message and data", () => {
    const { inbox, calls } = setup();
    inbox({
      type: MessageType.Error,
      ...routed,
      id: 5,
      code: "com.example.Timer.AlreadyExists",
      message: "timer t exists",
      data: { timer: "t" },
    });
    inbox({ type: MessageType.Error, ...routed, id: 6, code: "supcon.Timeout", message: "late", data: null });
    const [[id, error], [, plain]] = calls.reject.mock.calls as [number, RemoteError][];
    expect(id).toBe(5);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      code: "com.example.Timer.AlreadyExists",
      rawMessage: "timer t exists",
      data: { timer: "t" },
    });
    expect(plain).toMatchObject({ code: "supcon.Timeout", rawMessage: "late", data: undefined });
    // Declared errors count only from the node called; a relay's errors (it could not forward) from any node.
    expect(calls.reject.mock.calls.map((c: unknown[]) => c[2])).toEqual(["peer", "peer"]);
    inbox({
      type: MessageType.Error,
      ...routed,
      id: 7,
      code: "supcon.ConnectionLost",
      message: "lost",
      data: null,
    });
    expect(calls.reject.mock.calls[2]?.[2]).toBeUndefined();
  });

  it("cancels the served call a CANCEL names, saying who cancelled", () => {
    const { inbox, served } = setup();
    inbox({ type: MessageType.Cancel, ...routed, id: 9 });
    expect(served.cancel).toHaveBeenCalledWith("peer", 9);
  });

  it("hands EVENT, SUBSCRIBE and UNSUBSCRIBE to the events", () => {
    const { inbox, events, handled } = setup();
    const names = { path: "/p", intf: "I", event: "e" };
    const event: EventMessage = { type: MessageType.Event, ...routed, ...names, args: null, seq: 1 };
    const subscribe: SubscribeMessage = { type: MessageType.Subscribe, ...routed, ...names };
    const unsubscribe: UnsubscribeMessage = { type: MessageType.Unsubscribe, ...routed, ...names };
    for (const message of [event, subscribe, unsubscribe] as AddressedMessage[]) inbox(message);
    expect(events.onEvent).toHaveBeenCalledWith(event);
    expect(events.onSubscribe).toHaveBeenCalledWith(subscribe, undefined);
    expect(events.onUnsubscribe).toHaveBeenCalledWith(unsubscribe);
    expect(handled()).toBe(3);
  });
});
