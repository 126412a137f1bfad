/**
 * Unknown option keys are refused, at run time (for plain JavaScript callers and options built at run time) and by
 * the compiler (each `@ts-expect-error` below proves the option type closed: an object literal with a misspelt key
 * does not compile; `npm run typecheck` fails on one that does).
 */
import { InvalidArgumentError } from "../../../packages/supcon/src/base/errors";
import { assertKnownKeys, keysOf, unknownKeyProblem } from "../../../packages/supcon/src/base/known-keys";
import { resolveConnect, resolveListen } from "../../../packages/supcon/src/api/endpoint-options";
import { resolveNodeOptions } from "../../../packages/supcon/src/api/options";
import type { AccessRule } from "../../../packages/supcon/src/api/options";
import { Node } from "../../../packages/supcon/src/index";

/** What `fn` throws, asserting it is an `InvalidArgumentError`. */
function misuse(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe("supcon.Misuse");
    return (err as Error).message;
  }
  throw new Error("expected an InvalidArgumentError, got nothing");
}

describe("unknownKeyProblem()", () => {
  it("names the first own key not known, with the one meant when it is close", () => {
    expect(unknownKeyProblem({ timeoutMs: 1 }, ["timeoutMs", "signal"], "option")).toBeUndefined();
    expect(unknownKeyProblem({ timeout: 1 }, ["timeoutMs", "signal"], "option")).toBe(
      "unknown option 'timeout' (did you mean 'timeoutMs'?)",
    );
    expect(unknownKeyProblem({ colour: 1 }, ["timeoutMs", "signal"], "option")).toBe(
      "unknown option 'colour' (known: timeoutMs, signal)",
    );
  });

  it("counts a key whatever its value, and only own keys", () => {
    expect(unknownKeyProblem({ timeout: undefined }, ["timeoutMs"], "option")).toMatch(/'timeout'/);
    const inherited = Object.create({ timeout: 1 }) as object;
    expect(unknownKeyProblem(inherited, ["timeoutMs"], "option")).toBeUndefined();
  });

  it("is thrown by assertKnownKeys() as an InvalidArgumentError saying where", () => {
    expect(misuse(() => assertKnownKeys({ zzz: 1 }, ["a"], "here", "key"))).toBe(
      "here: unknown key 'zzz' (known: a)",
    );
  });

  it("lists the keys of a type once, proven complete by keysOf()", () => {
    expect(keysOf<{ a?: number; b: string }>({ a: true, b: true })).toEqual(["a", "b"]);
  });
});

describe("unknown option keys", () => {
  it("of NodeOptions", () => {
    // @ts-expect-error -- 'scret' is not an option
    expect(misuse(() => resolveNodeOptions({ scret: "x" }))).toBe(
      "NodeOptions: unknown option 'scret' (did you mean 'secret'?)",
    );
    // @ts-expect-error -- 'callTimeout' is not an option
    expect(misuse(() => resolveNodeOptions({ callTimeout: 5 }))).toMatch(/did you mean 'callTimeoutMs'\?/);
    expect(misuse(() => new Node("x", { colour: "red" } as never))).toMatch(
      /^NodeOptions: unknown option 'colour' \(known: callTimeoutMs, maxFrameBytes, .*, policy\)$/,
    );
  });

  it("of NodeOptions.policy and its rules", () => {
    // @ts-expect-error -- a policy has no 'deny'
    expect(misuse(() => resolveNodeOptions({ policy: { allow: [], deny: [] } }))).toBe(
      "NodeOptions.policy: unknown key 'deny' (known: allow)",
    );
    // @ts-expect-error -- a rule has 'intfs', not 'interfaces'
    const allow = [{ nodes: ["a"], interfaces: ["x"] }] satisfies AccessRule[];
    expect(misuse(() => resolveNodeOptions({ policy: { allow } }))).toBe(
      "NodeOptions.policy.allow[0]: unknown key 'interfaces' (known: nodes, paths, intfs, members)",
    );
  });

  it("of NodeOptions.identity and NodeOptions.trust", () => {
    // @ts-expect-error -- 'certs' is not a key of identity
    expect(misuse(() => resolveNodeOptions({ identity: { key: "k", certs: "c" }, trust: { ca: "c" } }))).toBe(
      "NodeOptions.identity: unknown key 'certs' (did you mean 'cert'?)",
    );
    // @ts-expect-error -- 'cas' is not a key of trust
    expect(misuse(() => resolveNodeOptions({ identity: { key: "k" }, trust: { cas: "c" } }))).toBe(
      "NodeOptions.trust: unknown key 'cas' (did you mean 'ca'?)",
    );
  });

  it("of listen options, both forms", () => {
    // @ts-expect-error -- 'prot' is not an option
    expect(misuse(() => resolveListen({ prot: 7000 }, 1000))).toBe(
      "listen: unknown option 'prot' (did you mean 'port'?)",
    );
    expect(misuse(() => resolveListen({ port: 0, mode: 0o600 } as never, 1000))).toBe(
      "listen: 'mode' applies to a Unix socket only: { path, mode? }",
    );
    expect(misuse(() => resolveListen({ path: "/tmp/x.sock", port: 1 } as never, 1000))).toBe(
      "listen: 'port' cannot be combined with 'path': a Unix socket takes { path, mode? }",
    );
    // @ts-expect-error -- supcon's own TLS option is 'checkNodeName'
    expect(misuse(() => resolveListen({ port: 0, tls: { checkNodeNames: true } }, 1000))).toBe(
      "listen: tls: unknown option 'checkNodeNames' (did you mean 'checkNodeName'?)",
    );
  });

  it("of connect options, both forms", () => {
    // @ts-expect-error -- 'hots' is not an option
    expect(misuse(() => resolveConnect({ hots: "127.0.0.1", port: 7000 }))).toBe(
      "connect: unknown option 'hots' (did you mean 'host'?)",
    );
    expect(misuse(() => resolveConnect({ path: "/tmp/x.sock", mode: 1 } as never))).toBe(
      "connect: unknown option 'mode' (known: host, port, tls, path)",
    );
    // @ts-expect-error -- supcon's own TLS option is 'checkNodeName'
    expect(misuse(() => resolveConnect({ port: 7000, tls: { checkNodename: true } }))).toBe(
      "connect: tls: unknown option 'checkNodename' (did you mean 'checkNodeName'?)",
    );
  });

  describe("of a node's calls and waits", () => {
    let node: Node;
    beforeAll(() => {
      node = new Node("options-test", { logger: { warn: () => undefined } });
    });
    afterAll(() => node.close());

    it("CallOptions", async () => {
      // @ts-expect-error -- 'timeout' is not a call option
      await expect(node.call("n", "/p", "x.Y", "m", {}, { timeout: 1 })).rejects.toThrow(
        new InvalidArgumentError("call: unknown option 'timeout' (did you mean 'timeoutMs'?)"),
      );
    });

    it("WaitForOptions", async () => {
      // @ts-expect-error -- 'interface' is not an option of waitFor
      await expect(node.waitFor("n", { path: "/p", interface: "x.Y" })).rejects.toThrow(
        new InvalidArgumentError(
          "waitFor: unknown option 'interface' (known: path, intf, timeoutMs, signal)",
        ),
      );
      await expect(node.waitFor("n", { timout: 5 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});
