import * as net from "node:net";
import type { NodeStatus } from "../../packages/supcon/src/index";
import { decodeMessage, encodeMessage } from "../../packages/supcon/src/wire/codec";
import { createFrameDecoder } from "../../packages/supcon/src/wire/frame";
import { PROTOCOL_VERSION } from "../../packages/supcon/src/wire/messages";
import { Bus, eventually, sleep } from "../helpers/bus";
import { createCalc } from "../helpers/calc";
import type { TestPki } from "../helpers/certs";
import { createTestPki } from "../helpers/certs";

function refusals(statuses: NodeStatus[]): string[] {
  return statuses.flatMap((s) => (s.type === "handshakeFailed" ? [s.error.code] : []));
}

describe("shared-secret handshake", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  it("lets nodes with the same secret in", async () => {
    const { node: server, port } = await bus.listening("server", { secret: "s3cret-but-long-enough-2x" });
    server.register("/calc", createCalc());
    const client = bus.node("client", { secret: "s3cret-but-long-enough-2x" });
    client.connect({ port });
    await client.waitFor("server", { path: "/calc" });
    await expect(client.call("server", "/calc", "com.example.Calc", "add", { a: 1, b: 2 })).resolves.toEqual({
      sum: 3,
    });
  });

  it.each([
    ["a wrong secret", { secret: "a-wrong-guess-of-the-secret" }, "supcon.AuthFailed"],
    ["no secret", {}, "supcon.AuthRequired"],
  ])("refuses a peer with %s, with a clear error on both sides", async (_what, options, code) => {
    const { node: server, port } = await bus.listening("server", { secret: "s3cret-but-long-enough-2x" });
    const serverStatuses: NodeStatus[] = [];
    server.onStatus((s) => serverStatuses.push(s));
    const client = bus.node("client", options);
    const clientStatuses: NodeStatus[] = [];
    client.onStatus((s) => clientStatuses.push(s));
    client.connect({ port });
    await eventually(() => refusals(clientStatuses).length > 0 && refusals(serverStatuses).length > 0);
    expect(refusals(clientStatuses)[0]).toBe(code);
    expect(refusals(serverStatuses)[0]).toBe(code);
    expect(Object.keys(client.nodes())).toEqual(["client"]);
    expect(Object.keys(server.nodes())).toEqual(["server"]);
  });

  it("refuses a server without the secret when the client has one", async () => {
    const { port } = await bus.listening("server");
    const client = bus.node("client", { secret: "s3cret-but-long-enough-2x" });
    const statuses: NodeStatus[] = [];
    client.onStatus((s) => statuses.push(s));
    client.connect({ port });
    await eventually(() => refusals(statuses).length > 0);
    expect(refusals(statuses)[0]).toBe("supcon.AuthFailed");
  });

  it("tells an unauthenticated peer no node name, and does not put the secret on the wire", async () => {
    const { port } = await bus.listening("hidden-server", { secret: "s3cret-but-long-enough-2x" });
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    // A HELLO with a nonce, then a made-up proof.
    socket.write(
      encodeMessage({
        type: 0,
        version: PROTOCOL_VERSION,
        name: "",
        info: { instance: "x", nonce: new Uint8Array(32) },
      }),
    );
    await sleep(50);
    socket.write(encodeMessage({ type: 3, name: "intruder", proof: new Uint8Array(32) }));
    await closed;
    const all = Buffer.concat(received);
    expect(all.includes(Buffer.from("hidden-server"))).toBe(false);
    expect(all.includes(Buffer.from("s3cret-but-long-enough-2x"))).toBe(false);
    const types: number[] = [];
    createFrameDecoder(1 << 20).push(
      all,
      (bytes, start, end) => {
        const decoded = decodeMessage(bytes.subarray(start, end));
        if (decoded.ok) types.push(decoded.message.type);
      },
      () => undefined,
    );
    expect(types).toEqual([2, 1]); // CHALLENGE, then REFUSE
  });
});

describe("TLS", () => {
  const bus = new Bus();
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.dispose());
  afterEach(() => bus.close());

  it("carries calls over TLS with mutual certificates", async () => {
    const serverCert = pki.issue("server");
    const tlsServer = bus.node("server");
    tlsServer.register("/calc", createCalc());
    const { port } = await tlsServer.listen({
      port: 0,
      tls: { ...serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true, checkNodeName: true },
    });
    const client = bus.node("client");
    client.connect({
      port,
      tls: { ...pki.issue("client"), ca: pki.ca, servername: "server", checkNodeName: true },
    });
    await client.waitFor("server", { path: "/calc" });
    await expect(client.call("server", "/calc", "com.example.Calc", "add", { a: 2, b: 2 })).resolves.toEqual({
      sum: 4,
    });
  });

  it("refuses a client whose certificate no trusted CA signed", async () => {
    const tlsServer = bus.node("server");
    const { port } = await tlsServer.listen({
      port: 0,
      tls: { ...pki.issue("server"), ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    });
    const client = bus.node("client");
    const statuses: NodeStatus[] = [];
    client.onStatus((s) => statuses.push(s));
    client.connect({ port, tls: { ...pki.rogue("client"), ca: pki.ca, servername: "server" } });
    await eventually(
      () => bus.warnings.some((w) => /server: TLS handshake .* failed/.test(w)),
      5_000,
      "refusal",
    );
    await sleep(100);
    expect(statuses.some((s) => s.type === "linkUp")).toBe(false);
    expect(Object.keys(tlsServer.nodes())).toEqual(["server"]);
  });

  it("refuses a peer whose node name is not in its certificate", async () => {
    const tlsServer = bus.node("server");
    const serverStatuses: NodeStatus[] = [];
    tlsServer.onStatus((s) => serverStatuses.push(s));
    const { port } = await tlsServer.listen({
      port: 0,
      tls: {
        ...pki.issue("server"),
        ca: pki.ca,
        requestCert: true,
        rejectUnauthorized: true,
        checkNodeName: true,
      },
    });
    const impostor = bus.node("admin");
    impostor.connect({ port, tls: { ...pki.issue("client"), ca: pki.ca, servername: "server" } });
    await eventually(() => refusals(serverStatuses).length > 0, 5_000, "refusal");
    expect(refusals(serverStatuses)[0]).toBe("supcon.PermissionDenied");
    expect(
      bus.warnings.some((w) =>
        /the name 'admin' is not in the peer's certificate \(it names: client/.test(w),
      ),
    ).toBe(true);
  });

  it("refuses a server whose certificate the client does not trust", async () => {
    const tlsServer = bus.node("server");
    const { port } = await tlsServer.listen({ port: 0, tls: pki.rogue("server") });
    const client = bus.node("client");
    const statuses: NodeStatus[] = [];
    client.onStatus((s) => statuses.push(s));
    client.connect({ port, tls: { ca: pki.ca, servername: "server" } });
    await eventually(() => statuses.some((s) => s.type === "connectFailed"), 5_000, "refusal");
    const failed = statuses.find((s) => s.type === "connectFailed");
    expect(failed?.type === "connectFailed" && failed.error.message).toMatch(/TLS/);
  });
});

describe("access policy", () => {
  const bus = new Bus();
  afterEach(() => bus.close());

  it("denies by default what no rule allows, on the serving node", async () => {
    const { node: server, port } = await bus.listening("server", {
      policy: {
        allow: [
          { nodes: ["ops-*"], paths: ["/calc"] },
          { nodes: ["viewer"], intfs: ["com.example.Calc"], members: ["add", "tick"] },
        ],
      },
    });
    const calc = createCalc();
    server.register("/calc", calc);
    const ops = bus.node("ops-1");
    const viewer = bus.node("viewer");
    const stranger = bus.node("stranger");
    for (const n of [ops, viewer, stranger]) n.connect({ port });
    for (const n of [ops, viewer, stranger]) await n.waitFor("server", { path: "/calc" });

    const add = { a: 1, b: 1 };
    await expect(ops.call("server", "/calc", "com.example.Calc", "div", { a: 1, b: 1 })).resolves.toEqual({
      q: 1,
    });
    await expect(viewer.call("server", "/calc", "com.example.Calc", "add", add)).resolves.toEqual({ sum: 2 });
    await expect(
      viewer.call("server", "/calc", "com.example.Calc", "div", { a: 1, b: 1 }),
    ).rejects.toMatchObject({
      code: "supcon.PermissionDenied",
    });
    await expect(stranger.call("server", "/calc", "com.example.Calc", "add", add)).rejects.toMatchObject({
      code: "supcon.PermissionDenied",
    });
    // A denied caller cannot probe what exists: an unknown path is denied the same way.
    await expect(stranger.call("server", "/nothing", "x.Y", "z", {})).rejects.toMatchObject({
      code: "supcon.PermissionDenied",
    });
    // Subscriptions follow the same rules.
    const got: string[] = [];
    viewer.on("server", "/calc", "com.example.Calc", "tick", () => got.push("viewer"));
    stranger.on("server", "/calc", "com.example.Calc", "tick", () => got.push("stranger"));
    await viewer.call("server", "/calc", "com.example.Calc", "add", add);
    await stranger.call("server", "/", "supcon.Node", "ping").catch(() => undefined);
    calc.fire("tick", { n: 1 });
    await eventually(() => got.includes("viewer"));
    await sleep(50);
    expect(got).toEqual(["viewer"]);
    // The node itself is never denied.
    await expect(server.call("server", "/calc", "com.example.Calc", "div", { a: 4, b: 2 })).resolves.toEqual({
      q: 2,
    });
  });
});
