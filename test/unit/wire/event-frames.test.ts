import { createEventFrames, decodeMessage, encodeMessage } from "../../../runtime/wire/codec";
import { MessageType } from "../../../runtime/wire/messages";

describe("createEventFrames()", () => {
  const args = { timer: "abc", seconds: 1.5, nested: { list: [1, 2, 3] } };

  it.each([
    ["a short name", "sub", 1],
    ["a long name and a large seq", "x".repeat(40), 70_000],
    ["a 300-character name", "n".repeat(300), 2 ** 33],
    ["a 70,000-character name", "m".repeat(70_000), 255],
    ["non-ASCII", "späti-ノード", 128],
  ])("builds the same message as encodeMessage() for %s", (_what, dst, seq) => {
    const frame = createEventFrames("pub", "/p", "com.example.I", "tick", args)(dst, seq);
    const expected = {
      type: MessageType.Event,
      dst,
      src: "pub",
      hops: 0,
      path: "/p",
      intf: "com.example.I",
      event: "tick",
      args,
      seq,
    };
    const body = frame.subarray(4);
    expect(Buffer.from(frame).readUInt32BE(0)).toBe(body.length);
    expect(decodeMessage(body)).toEqual({ ok: true, message: expected });
    const generic = encodeMessage(expected, 1 << 24);
    expect(decodeMessage(generic.subarray(4))).toEqual({ ok: true, message: expected });
  });

  it("refuses args that are not plain data, and frames above the limit", () => {
    expect(() => createEventFrames("p", "/p", "I", "e", { when: new Date() })).toThrow(
      /InvalidData|not plain|extension/i,
    );
    const build = createEventFrames("p", "/p", "I", "e", { blob: "x".repeat(100) }, 64);
    expect(() => build("dst", 1)).toThrow(/exceeds maxFrameBytes/);
  });
});
