import { InvalidArgumentError } from "../../../packages/supcon/src/base/errors";
import { WireErrorCode } from "../../../packages/supcon/src/wire/errors";
import {
  FRAME_HEADER_BYTES,
  createFrameDecoder,
  encodeFrame,
  writeFrameHeader,
} from "../../../packages/supcon/src/wire/frame";
import type { FrameDecoder } from "../../../packages/supcon/src/wire/frame";

/** Feeds chunks to a decoder and records everything it reports. */
function run(
  decoder: FrameDecoder,
  chunks: readonly Uint8Array[],
): { frames: number[][]; errors: [string, string][] } {
  const frames: number[][] = [];
  const errors: [string, string][] = [];
  for (const chunk of chunks) {
    decoder.push(
      chunk,
      (bytes, start, end) => frames.push([...bytes.subarray(start, end)]),
      (message, code) => errors.push([code, message]),
    );
  }
  return { frames, errors };
}

function header(length: number): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  writeFrameHeader(h, length);
  return h;
}

const bodies = [[1], [2, 3, 4], Array.from({ length: 300 }, (_, i) => i & 0xff), [5, 6]];
const stream = Buffer.concat(bodies.map((b) => encodeFrame(Uint8Array.from(b))));

describe("encodeFrame()", () => {
  it("prefixes the body with its big-endian length", () => {
    expect([...encodeFrame(Uint8Array.from([9, 8, 7]))]).toEqual([0, 0, 0, 3, 9, 8, 7]);
    expect([...header(0x01020304)]).toEqual([1, 2, 3, 4]);
    expect([...header(0xffffffff)]).toEqual([255, 255, 255, 255]);
  });
});

describe("createFrameDecoder()", () => {
  it("refuses a maxFrameBytes out of range", () => {
    for (const bad of [0, -1, 1.5, NaN, 2 ** 32]) {
      expect(() => createFrameDecoder(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => createFrameDecoder(2 ** 32 - 1)).not.toThrow();
  });

  it("hands out the frames of one chunk in place, as offsets into that chunk, without copying", () => {
    const decoder = createFrameDecoder(1024);
    const views: Uint8Array[] = [];
    decoder.push(
      stream,
      (bytes, start, end) => {
        expect(bytes).toBe(stream);
        views.push(bytes.subarray(start, end));
      },
      () => undefined,
    );
    expect(views.map((v) => [...v])).toEqual(bodies);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("decodes a stream split at every possible boundary", () => {
    for (let i = 0; i <= stream.length; i++) {
      const { frames, errors } = run(createFrameDecoder(1024), [stream.subarray(0, i), stream.subarray(i)]);
      expect(errors).toEqual([]);
      expect(frames).toEqual(bodies);
    }
  });

  it("decodes a stream split at every pair of boundaries", () => {
    const short = stream.subarray(0, 20 + FRAME_HEADER_BYTES * 2); // the first two frames and part of the third
    for (let i = 0; i <= short.length; i++) {
      for (let j = i; j <= short.length; j++) {
        const { frames } = run(createFrameDecoder(1024), [
          short.subarray(0, i),
          short.subarray(i, j),
          short.subarray(j),
        ]);
        expect(frames).toEqual(bodies.slice(0, 2));
      }
    }
  });

  it("decodes 1-byte writes", () => {
    const decoder = createFrameDecoder(1024);
    const chunks = [...stream].map((b) => Uint8Array.of(b));
    const { frames, errors } = run(decoder, chunks);
    expect(errors).toEqual([]);
    expect(frames).toEqual(bodies);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("assembles a spanning frame into one buffer of the declared size", () => {
    const spy = jest.spyOn(Buffer, "allocUnsafe");
    try {
      const frame = encodeFrame(new Uint8Array(5000).fill(7));
      const decoder = createFrameDecoder(10_000);
      const chunks = [];
      for (let i = 0; i < frame.length; i += 7) chunks.push(frame.subarray(i, i + 7));
      spy.mockClear();
      const { frames } = run(decoder, chunks);
      expect(frames).toEqual([Array.from({ length: 5000 }, () => 7)]);
      expect(spy.mock.calls).toEqual([[5000]]);
    } finally {
      spy.mockRestore();
    }
  });

  it("grows a large spanning frame with the bytes that arrive, linearly", () => {
    const size = 3 * 1024 * 1024 + 17;
    const body = new Uint8Array(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31) & 0xff;
    const frame = encodeFrame(body);
    const spy = jest.spyOn(Buffer, "allocUnsafe");
    try {
      const decoder = createFrameDecoder(4 * 1024 * 1024);
      const received: Uint8Array[] = [];
      for (let i = 0; i < frame.length; i += 65536) {
        decoder.push(
          frame.subarray(i, i + 65536),
          (bytes, start, end) => received.push(bytes.subarray(start, end)),
          () => undefined,
        );
        expect(decoder.bufferedBytes).toBe(received.length === 1 ? 0 : Math.min(i + 65536, frame.length));
      }
      expect(received).toHaveLength(1);
      expect(Buffer.compare(received[0] as Uint8Array, body)).toBe(0);
      // 1 MiB first, then doubling, the last allocation landing on the declared size.
      expect(spy.mock.calls.map((c) => c[0])).toEqual([1024 * 1024, 2 * 1024 * 1024, size]);
    } finally {
      spy.mockRestore();
    }
  });

  it("accepts a frame of exactly maxFrameBytes", () => {
    const { frames, errors } = run(createFrameDecoder(3), [encodeFrame(Uint8Array.of(1, 2, 3))]);
    expect(errors).toEqual([]);
    expect(frames).toEqual([[1, 2, 3]]);
  });

  it("reports a declared length of 0 as a protocol error", () => {
    const { frames, errors } = run(createFrameDecoder(1024), [
      Buffer.concat([encodeFrame(Uint8Array.of(1)), header(0)]),
    ]);
    expect(frames).toEqual([[1]]);
    expect(errors).toEqual([[WireErrorCode.ProtocolError, "frame with a declared length of 0"]]);
  });

  it.each([
    ["maxFrameBytes + 1", 101],
    ["0xFFFFFFFF", 0xffffffff],
  ])("refuses a declared length of %s from the header alone, allocating nothing", (_, length) => {
    // Header split over two chunks, followed by the start of a body that must not be buffered.
    const h = header(length);
    const chunks = [h.subarray(0, 2), Buffer.concat([h.subarray(2), new Uint8Array(50)])];
    const spy = jest.spyOn(Buffer, "allocUnsafe");
    try {
      const decoder = createFrameDecoder(100);
      const { errors } = run(decoder, chunks);
      expect(errors).toEqual([
        [WireErrorCode.FrameTooLarge, `frame of ${length} bytes exceeds maxFrameBytes (100)`],
      ]);
      expect(spy).not.toHaveBeenCalled();
      expect(decoder.failed).toBe(true);
      expect(decoder.bufferedBytes).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it("gives the declared length with the error: the first bytes of what the peer sent, for the link to read", () => {
    const declared: number[] = [];
    createFrameDecoder(100).push(
      Uint8Array.of(0x16, 0x03, 0x01, 0x01, 0x2c),
      () => undefined,
      (_message, _code, length) => declared.push(length),
    );
    expect(declared).toEqual([0x16030101]);
  });

  it("reports exactly one error, then ignores all input", () => {
    const decoder = createFrameDecoder(10);
    const { frames, errors } = run(decoder, [
      Buffer.concat([encodeFrame(Uint8Array.of(1)), header(11), encodeFrame(Uint8Array.of(2))]),
      encodeFrame(Uint8Array.of(3)),
      header(0),
      header(1000),
    ]);
    expect(frames).toEqual([[1]]);
    expect(errors).toHaveLength(1);
  });

  it("reports bytes of an incomplete frame", () => {
    const decoder = createFrameDecoder(100);
    run(decoder, [Uint8Array.of(0, 0)]);
    expect(decoder.bufferedBytes).toBe(2);
    run(decoder, [Uint8Array.of(0, 5, 1, 2)]);
    expect(decoder.bufferedBytes).toBe(6);
    run(decoder, [Uint8Array.of(3, 4, 5)]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("ignores empty chunks", () => {
    const { frames } = run(createFrameDecoder(100), [
      new Uint8Array(0),
      stream.subarray(0, 3),
      new Uint8Array(0),
      stream.subarray(3, 5),
    ]);
    expect(frames).toEqual([[1]]);
  });

  it("fails, and stays failed, when a callback throws", () => {
    const decoder = createFrameDecoder(100);
    expect(() =>
      decoder.push(
        stream.subarray(0, 9),
        () => {
          throw new Error("handler bug");
        },
        () => undefined,
      ),
    ).toThrow("handler bug");
    expect(decoder.failed).toBe(true);
    const { frames, errors } = run(decoder, [stream]);
    expect(frames).toEqual([]);
    expect(errors).toEqual([]);
  });
});
