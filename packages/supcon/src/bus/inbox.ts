/**
 * Delivery: hands each message addressed to this node, from a link or the loopback, to the module that handles it.
 */
import { ErrorCode, RemoteError } from "../base/errors.js";
import type { ServedCalls } from "../dispatch/served-calls.js";
import type { AddressedMessage } from "../link/peer-link.js";
import { MessageType } from "../wire/messages.js";
import type { OutgoingCalls } from "./calls.js";
import type { Events } from "./events.js";

/** The codes a relay answers a call with when it cannot forward it (bus/router.ts). */
const RELAY_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.UnknownNode,
  ErrorCode.ConnectionLost,
  ErrorCode.Overloaded,
  ErrorCode.FrameTooLarge,
]);

export function createInbox(
  served: ServedCalls,
  calls: OutgoingCalls,
  events: Events,
): (message: AddressedMessage, from?: string) => void {
  // `from`: the neighbour the message came from, undefined for this node's own (served and events default it).
  return (message, from) => {
    switch (message.type) {
      case MessageType.Call:
        // No time left (docs/PROTOCOL.md, "Calls"): dropped unanswered, so no handler runs for it; its caller's
        // own deadline fails it.
        if (message.timeoutMs === 0) return;
        served.serve(message, from);
        return;
      case MessageType.Result:
        calls.resolve(message.id, message.out ?? {}, message.src);
        return;
      case MessageType.Error:
        calls.reject(
          message.id,
          new RemoteError(message.code, message.message, message.data == null ? {} : { data: message.data }),
          // A relay on the route answers for the node it could not reach, with one of these codes: such an error
          // may fail a call, never complete it with a forged result.
          RELAY_ERRORS.has(message.code) ? undefined : message.src,
        );
        return;
      case MessageType.Cancel:
        served.cancel(message.src, message.id);
        return;
      case MessageType.Event:
        events.onEvent(message);
        return;
      case MessageType.Subscribe:
        events.onSubscribe(message, from);
        return;
      case MessageType.Unsubscribe:
        events.onUnsubscribe(message);
        return;
    }
  };
}
