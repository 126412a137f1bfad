import { RemoteError } from "../../packages/supcon/src/index";
import { Bus } from "../helpers/bus";
import { CalcInterface, createCalc } from "../helpers/calc";

describe("calls between two nodes over TCP", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  async function pair() {
    const { node: server, port } = await bus.listening("server");
    const log = { aborted: [] as string[], callers: [] as string[] };
    server.register("/calc", createCalc(log));
    const client = bus.node("client");
    client.connect({ host: "127.0.0.1", port });
    await client.waitFor("server", { path: "/calc", intf: "com.example.Calc", timeoutMs: 5_000 });
    return { server, client, log };
  }

  async function failure(promise: Promise<unknown>): Promise<RemoteError> {
    try {
      await promise;
    } catch (err) {
      expect(err).toBeInstanceOf(RemoteError);
      return err as RemoteError;
    }
    throw new Error("expected the call to fail");
  }

  it("calls a method and gets its out-args", async () => {
    const { client, log } = await pair();
    await expect(
      client.call("server", "/calc", "com.example.Calc", "add", { a: 2, b: 3.5 }),
    ).resolves.toEqual({
      sum: 5.5,
    });
    expect(log.callers).toEqual(["client"]);
  });

  it("names the cause of each failure in the error code", async () => {
    const { client } = await pair();
    const cases: [Promise<unknown>, string, RegExp][] = [
      [
        client.call("nobody", "/calc", "com.example.Calc", "add", {}),
        "supcon.UnknownNode",
        /'nobody' is not on the bus/,
      ],
      [
        client.call("server", "/calc2", "com.example.Calc", "add", {}),
        "supcon.UnknownPath",
        /did you mean '\/calc'/,
      ],
      [
        client.call("server", "/calc", "com.example.Calk", "add", {}),
        "supcon.UnknownInterface",
        /com.example.Calc/,
      ],
      [
        client.call("server", "/calc", "com.example.Calc", "ad", { a: 1, b: 2 }),
        "supcon.UnknownMethod",
        /com.example.Calc has no method 'ad' \(did you mean 'add'\?\)/,
      ],
      [
        client.call("server", "/calc", "com.example.Calc", "add", { a: 1, b: "2" }),
        "supcon.InvalidArguments",
        /com\.example\.Calc\.add: args\.b: expected float, got string$/,
      ],
      [
        client.call("server", "/calc", "com.example.Calc", "fail"),
        "supcon.Internal",
        /something broke inside/,
      ],
      [client.call("server", "/calc", "com.example.Calc", "bad"), "supcon.Internal", /invalid result/],
      [
        client.call("server", "/calc", "com.example.Calc", "div", { a: 1, b: 0 }),
        "com.example.Calc.DivByZero",
        /cannot divide 1 by zero/,
      ],
    ];
    for (const [promise, code, message] of cases) {
      const error = await failure(promise);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(code)).toBe(true);
    }
    const declared = await failure(client.call("server", "/calc", "com.example.Calc", "div", { a: 7, b: 0 }));
    expect(declared.data).toEqual({ a: 7 });
  });

  it("checks arguments before sending when given the Interface", async () => {
    const { client, log } = await pair();
    const error = await failure(client.call("server", "/calc", CalcInterface, "add", { a: 1 }));
    expect(error.code).toBe("supcon.InvalidArguments");
    expect(log.callers).toEqual([]);
  });

  it("keeps serving after a handler throws", async () => {
    const { client } = await pair();
    await failure(client.call("server", "/calc", "com.example.Calc", "fail"));
    await expect(client.call("server", "/calc", "com.example.Calc", "add", { a: 1, b: 1 })).resolves.toEqual({
      sum: 2,
    });
  });

  it("fails with supcon.Timeout at the deadline and aborts the handler", async () => {
    const { client, log } = await pair();
    const error = await failure(
      client.call("server", "/calc", "com.example.Calc", "sleep", { ms: 5_000 }, { timeoutMs: 100 }),
    );
    expect(error.code).toBe("supcon.Timeout");
    await new Promise((r) => setTimeout(r, 200));
    expect(log.aborted).toHaveLength(1);
  });

  it("cancels across the wire with an AbortSignal", async () => {
    const { client, log } = await pair();
    const controller = new AbortController();
    const call = client.call(
      "server",
      "/calc",
      "com.example.Calc",
      "sleep",
      { ms: 5_000 },
      {
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await failure(call);
    expect(error.code).toBe("supcon.Cancelled");
    const deadline = Date.now() + 2_000;
    while (log.aborted.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(log.aborted).toEqual([
      "RemoteError: supcon.Cancelled: com.example.Calc.sleep: cancelled by client",
    ]);
  });

  it("fails calls in flight with supcon.ConnectionLost at once when the link goes", async () => {
    const { node: server, port } = await bus.listening("server");
    server.register("/calc", createCalc());
    const client = bus.node("client");
    const connection = client.connect({ port });
    await client.waitFor("server", { path: "/calc" });
    const call = client.call("server", "/calc", "com.example.Calc", "sleep", { ms: 5_000 });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await connection.close();
    const error = await failure(call);
    expect(error.code).toBe("supcon.ConnectionLost");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("lets calls being served finish when the server closes", async () => {
    const { server, client } = await pair();
    const call = client.call("server", "/calc", "com.example.Calc", "sleep", { ms: 100 });
    await new Promise((r) => setTimeout(r, 20));
    const closed = server.close();
    await expect(call).resolves.toEqual({ aborted: false });
    await closed;
  });

  it("calls itself without the network", async () => {
    const { server } = await pair();
    await expect(server.call("server", "/calc", "com.example.Calc", "add", { a: 1, b: 2 })).resolves.toEqual({
      sum: 3,
    });
  });
});
