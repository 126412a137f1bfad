import { decodeMessage, encodeMessage, forwardedFrame } from "../../../runtime/wire/codec";
import type { Message } from "../../../runtime/wire/messages";
import { MessageType } from "../../../runtime/wire/messages";

describe("forwardedFrame()", () => {
  const routed = (dst: string) => ({ dst, src: "caller", hops: 3 });
  const messages = (dst: string): Message[] => [
    {
      type: MessageType.Call,
      ...routed(dst),
      id: 7,
      path: "/p",
      intf: "com.example.I",
      method: "m",
      args: { a: 1 },
      timeoutMs: 1000,
    },
    { type: MessageType.Result, ...routed(dst), id: 7, out: { ok: true } },
    { type: MessageType.Error, ...routed(dst), id: 7, code: "supcon.Internal", message: "x", data: null },
    { type: MessageType.Cancel, ...routed(dst), id: 7 },
    {
      type: MessageType.Event,
      ...routed(dst),
      path: "/p",
      intf: "com.example.I",
      event: "e",
      args: { n: 1 },
      seq: 300,
    },
    { type: MessageType.Subscribe, ...routed(dst), path: "/p", intf: "com.example.I", event: "e" },
  ];

  it.each([["a short"], ["x".repeat(40)], ["y".repeat(300)], ["z".repeat(70_000)]])(
    "patches the hop count of every routed message (dst %#)",
    (dst) => {
      for (const message of messages(dst)) {
        const frame = encodeMessage(message, 1 << 24);
        const forwarded = forwardedFrame(frame.subarray(4), 4);
        expect(forwarded).toBeDefined();
        const body = (forwarded as Uint8Array).subarray(4);
        expect(Buffer.from(forwarded as Uint8Array).readUInt32BE(0)).toBe(body.length);
        expect(decodeMessage(body)).toEqual({ ok: true, message: { ...message, hops: 4 } });
      }
    },
  );

  it("declines bodies it cannot patch, so that the caller re-encodes", () => {
    expect(forwardedFrame(new Uint8Array([0xdc, 0, 5]), 1)).toBeUndefined();
    expect(forwardedFrame(new Uint8Array([0x95, 10, 0xa1]), 1)).toBeUndefined();
    // hops written as a uint8 (0xcc) rather than a fixint.
    expect(forwardedFrame(new Uint8Array([0x95, 13, 0xa1, 0x61, 0xa1, 0x62, 0xcc, 3, 1]), 4)).toBeUndefined();
  });
});
