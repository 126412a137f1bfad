import { FrameOutput } from "../../../packages/supcon/src/wire/frame-output";

function write(out: FrameOutput, bytes: number[]): void {
  const at = out.reserve(bytes.length);
  out.buffer.set(bytes, at);
}

describe("FrameOutput", () => {
  it("returns undefined when nothing is queued", () => {
    expect(new FrameOutput().take()).toBeUndefined();
  });

  it("returns what was reserved and appended, in order, and starts afresh", () => {
    const out = new FrameOutput();
    write(out, [1, 2]);
    out.append(Uint8Array.of(3));
    write(out, [4]);
    expect(out.bytes).toBe(4);
    expect(Array.from(out.take() as Uint8Array)).toEqual([1, 2, 3, 4]);
    expect(out.bytes).toBe(0);
    write(out, [5]);
    expect(Array.from(out.take() as Uint8Array)).toEqual([5]);
  });

  it("grows past its first buffer without losing bytes, and never writes over a buffer it returned", () => {
    const out = new FrameOutput();
    const expected: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const bytes = [i & 0xff, (i >> 8) & 0xff, 7];
      expected.push(...bytes);
      write(out, bytes);
    }
    const first = out.take() as Uint8Array;
    const copy = Uint8Array.from(first);
    expect(Array.from(first)).toEqual(expected);
    write(out, new Array<number>(70_000).fill(9));
    out.take();
    expect(first).toEqual(copy);
  });

  it("keeps large frames as chunks of their own, in order with the rest", () => {
    const out = new FrameOutput();
    const large = new Uint8Array(100_000).fill(2);
    write(out, [1]);
    out.append(large);
    write(out, [3]);
    expect(out.bytes).toBe(100_002);
    const all = out.take() as Uint8Array;
    expect(all.length).toBe(100_002);
    expect([all[0], all[1], all[100_000], all[100_001]]).toEqual([1, 2, 2, 3]);
  });

  it("drops what is queued on clear()", () => {
    const out = new FrameOutput();
    write(out, [1]);
    out.append(new Uint8Array(100_000));
    out.clear();
    expect(out.bytes).toBe(0);
    expect(out.take()).toBeUndefined();
  });
});
