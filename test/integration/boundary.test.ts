/**
 * What crosses the boundary between two processes: optional members stay absent when they have no value (sent as
 * undefined or null, or left out), validation and encoding messages name the path in the value, a handler's
 * `ctx.signal.reason` says why with a code, and a declared error without a description gets a message made from
 * its name. The server runs the built package in a process of its own (test/fixtures/boundary-node.js; build
 * with `npx tsc -p packages/supcon/tsconfig.build.json` first); this process calls it with the runtime's source.
 */
import type { InterfaceDescription, Node, RemoteError } from "../../packages/supcon/src/index";
import { Interface } from "../../packages/supcon/src/index";
import { Bus, eventually } from "../helpers/bus";
import type { Child } from "../helpers/processes";
import { startFixture, stopAll } from "../helpers/processes";

const BOUNDARY: InterfaceDescription = {
  name: "test.Boundary",
  types: [
    {
      name: "Reading",
      fields: [
        { name: "sensor", type: "string" },
        { name: "value", type: "float" },
        { name: "note", type: "string", optional: true },
      ],
    },
  ],
  errors: [{ name: "UnknownProtocol" }, { name: "Busy", description: "The instrument is busy." }],
  events: [
    {
      name: "measured",
      args: [
        { name: "reading", type: "Reading" },
        { name: "label", type: "string?" },
      ],
    },
  ],
  methods: [
    {
      name: "record",
      inArgs: [
        { name: "readings", type: "Reading[]" },
        { name: "label", type: "string?" },
        { name: "extra", type: "any", optional: true },
      ],
      outArgs: [
        { name: "readings", type: "Reading[]" },
        { name: "label", type: "string?" },
        { name: "seen", type: "any" },
      ],
    },
    { name: "fire", inArgs: [{ name: "with", type: "string" }] },
    { name: "wait", inArgs: [{ name: "ms", type: "int" }], outArgs: [{ name: "aborted", type: "bool" }] },
    { name: "reasons", outArgs: [{ name: "reasons", type: "any" }] },
    { name: "fail", inArgs: [{ name: "how", type: "string" }] },
  ],
};
const intf = new Interface(BOUNDARY);

interface Seen {
  keys: string[];
  readingKeys: string[][];
  label: unknown;
}
interface Reason {
  caller: string;
  isRemoteError: boolean;
  code: string;
  message: string;
}

describe("the boundary between two processes", () => {
  const bus = new Bus();
  let server: Child;
  let client: Node;

  beforeAll(async () => {
    server = await startFixture("boundary-node.js", [
      "--name",
      "server",
      "--interface",
      JSON.stringify(BOUNDARY),
    ]);
    client = bus.node("client");
    await client.connect({ port: server.port });
    await client.waitFor("server", { path: "/b", intf: "test.Boundary" });
  }, 30_000);

  afterAll(async () => {
    await bus.close();
    await stopAll();
  });

  const record = (args: object, typed: boolean): Promise<Record<string, unknown>> =>
    client.call("server", "/b", typed ? intf : "test.Boundary", "record", args) as Promise<
      Record<string, unknown>
    >;

  describe("optional members", () => {
    const withoutValues = {
      readings: [
        { sensor: "a", value: 1, note: undefined },
        { sensor: "b", value: 2, note: null },
        { sensor: "c", value: 3 },
      ],
      label: undefined,
      extra: null,
    };

    it.each([
      ["a name, no descriptor: sent as nil, removed by the callee", false],
      ["the Interface: left out by the caller", true],
    ])("arrive absent when given as undefined or null, or left out (%s)", async (_how, typed) => {
      const out = await record(withoutValues, typed);
      const seen = out["seen"] as Seen;
      expect(seen.keys).toEqual(["readings"]);
      expect(seen.readingKeys).toEqual([
        ["sensor", "value"],
        ["sensor", "value"],
        ["sensor", "value"],
      ]);
      expect(seen.label).toBe("absent");
      // The handler returned `label: undefined` and every note as null: none of them comes back.
      expect(Object.keys(out).sort()).toEqual(["readings", "seen"]);
      for (const reading of out["readings"] as object[])
        expect(Object.keys(reading)).toEqual(["sensor", "value"]);
    });

    it("keep their values when they have one", async () => {
      const out = await record(
        { readings: [{ sensor: "a", value: 1, note: "n" }], label: "L", extra: 0 },
        true,
      );
      expect((out["seen"] as Seen).keys).toEqual(["readings", "label", "extra"]);
      expect(out).toMatchObject({ label: "L", readings: [{ sensor: "a", value: 1, note: "n" }] });
    });

    it("arrive absent in events, whether the publisher set them to undefined or to null", async () => {
      const received: unknown[] = [];
      const sub = client.on("server", "/b", intf, "measured", (args: never) => received.push(args));
      try {
        // A subscription takes a moment to reach the publisher: fire until one arrives.
        await eventually(
          () => {
            void client.call("server", "/b", intf, "fire", { with: "undefined" });
            return received.length > 0;
          },
          5_000,
          "the first event",
        );
        received.length = 0;
        await client.call("server", "/b", intf, "fire", { with: "null" });
        await client.call("server", "/b", intf, "fire", { with: "undefined" });
        await eventually(() => received.length >= 2, 5_000, "two events");
        for (const args of received) expect(args).toStrictEqual({ reading: { sensor: "s", value: 1.5 } });
      } finally {
        sub.off();
      }
    });
  });

  describe("messages name the path in the value", () => {
    const withNaN = {
      readings: [
        { sensor: "a", value: 1 },
        { sensor: "b", value: NaN },
      ],
    };

    it("of arguments the callee refuses", async () => {
      await expect(
        record(
          {
            readings: [
              { sensor: "a", value: 1 },
              { sensor: "b", value: "2" },
            ],
          },
          false,
        ),
      ).rejects.toMatchObject({
        code: "supcon.InvalidArguments",
        rawMessage: "test.Boundary.record: args.readings[1].value: expected float, got string",
      });
    });

    it("of arguments the caller's descriptor refuses", async () => {
      await expect(record(withNaN, true)).rejects.toMatchObject({
        code: "supcon.InvalidArguments",
        rawMessage: "test.Boundary.record: args.readings[1].value: expected float, got NaN",
      });
    });

    it("of arguments that cannot be encoded", async () => {
      const error = (await record(withNaN, false).catch((e: unknown) => e)) as RemoteError;
      expect(error.code).toBe("supcon.InvalidData");
      expect(error.rawMessage).toMatch(/args\.readings\[1\]\.value: NaN is not a finite number$/);
    });

    it("of a result the handler got wrong", async () => {
      await expect(record({ readings: [], label: "nan" }, false)).rejects.toMatchObject({
        code: "supcon.Internal",
        rawMessage: expect.stringMatching(
          /returned an invalid result: result\.seen\.x: NaN is not a finite number$/,
        ),
      });
    });

    it("of event args the publisher got wrong", async () => {
      await expect(client.call("server", "/b", intf, "fire", { with: "bad" })).rejects.toMatchObject({
        code: "supcon.Internal",
        rawMessage: "test.Boundary.measured: args.reading.value: expected float, got string",
      });
    });
  });

  describe("ctx.signal.reason", () => {
    const reasons = async (): Promise<Reason[]> =>
      ((await client.call("server", "/b", intf, "reasons")) as { reasons: Reason[] }).reasons;

    it("is supcon.Timeout when the deadline passes", async () => {
      const before = (await reasons()).length;
      await expect(
        client.call("server", "/b", intf, "wait", { ms: 10_000 }, { timeoutMs: 150 }),
      ).rejects.toMatchObject({
        code: "supcon.Timeout",
      });
      const all = await until(reasons, (r) => r.length > before);
      expect(all[before]).toEqual({
        caller: "client",
        isRemoteError: true,
        code: "supcon.Timeout",
        message: expect.stringMatching(
          /^supcon\.Timeout: test\.Boundary\.wait: the deadline of the call from client passed/,
        ) as string,
      });
    });

    it("is supcon.Cancelled when the caller aborts", async () => {
      const before = (await reasons()).length;
      const controller = new AbortController();
      const call = client.call("server", "/b", intf, "wait", { ms: 10_000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(call).rejects.toMatchObject({ code: "supcon.Cancelled" });
      const all = await until(reasons, (r) => r.length > before);
      expect(all[before]).toEqual({
        caller: "client",
        isRemoteError: true,
        code: "supcon.Cancelled",
        message: "supcon.Cancelled: test.Boundary.wait: cancelled by client",
      });
    });

    it("is supcon.ConnectionLost when the caller leaves", async () => {
      const before = (await reasons()).length;
      const caller = await startFixture("boundary-node.js", [
        "--name",
        "caller",
        "--connect",
        String(server.port),
      ]);
      await caller.stop("SIGKILL");
      const all = await until(reasons, (r) => r.length > before);
      expect(all[before]).toEqual({
        caller: "caller",
        isRemoteError: true,
        code: "supcon.ConnectionLost",
        message: "supcon.ConnectionLost: test.Boundary.wait: the caller caller left the bus",
      });
    }, 20_000);
  });

  describe("a declared error without a description", () => {
    it.each([
      ["thrown as the class supcon-gen generates", "generated"],
      ["made as a RemoteError of its code alone", "bare"],
    ])("reads as its name and interface (%s)", async (_how, how) => {
      await expect(client.call("server", "/b", intf, "fail", { how })).rejects.toMatchObject({
        code: "test.Boundary.UnknownProtocol",
        message: "test.Boundary.UnknownProtocol: unknown protocol (declared by test.Boundary)",
      });
    });

    it("keeps a message it was given", async () => {
      await expect(client.call("server", "/b", intf, "fail", { how: "described" })).rejects.toMatchObject({
        code: "test.Boundary.Busy",
        rawMessage: "The instrument is busy.",
      });
    });
  });
});

/** Polls `read()` until `done` holds for what it returns; fails after 5 s. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there after 5 s: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
