/**
 * The node under test for the conformance tests: a real node ("target") listening on 127.0.0.1, serving the test
 * interface `conf.Test` at `/conf`, and optionally a second node ("other", serving the same at `/conf`) linked to
 * it, so that the target relays between a peer and `other`. Peers speak to it with hand-built frames (peer.ts).
 */
import { Implementation, Interface, Node, RemoteError } from "../../packages/supcon/src/index";
import type { NodeOptions } from "../../packages/supcon/src/index";
import { Peer } from "./peer";
import type { JoinOptions, Joined } from "./peer";

const arg = (name: string, type: string): { name: string; type: string } => ({ name, type });
/** The in-args and out-args of `echo`, and the args of `tick` and `fire`. */
const ECHOED = [
  arg("f", "float"),
  arg("i", "int"),
  arg("s", "string?"),
  arg("p", "Point?"),
  arg("a", "any?"),
];
const TICK = [arg("n", "int"), arg("x", "float")];

/** The interface the target serves: every kind of number, a slow method, a declared error, an event. */
export const TEST_INTERFACE = new Interface({
  name: "conf.Test",
  description: "The conformance tests' interface.",
  types: [
    // In the seed's map form: `describe` answers with the normal form, in lists.
    { name: "Point", description: "A point.", fields: { x: { type: "float" }, n: "(int) - A count" } },
    { name: "Mode", enum: ["on", "off"] },
  ],
  errors: [{ name: "Nope", description: "Always refused." }],
  events: [{ name: "tick", args: TICK }],
  methods: [
    { name: "echo", description: "Answers with its arguments.", inArgs: ECHOED, outArgs: ECHOED },
    { name: "slow", inArgs: [arg("ms", "int")], outArgs: [arg("done", "bool")] },
    { name: "count", outArgs: [arg("n", "int")] },
    { name: "fail", errors: ["Nope"] },
    { name: "fire", inArgs: TICK },
  ],
});

/** What the target's handlers saw. */
export interface TargetState {
  counted: number;
  /** Why each `slow` handler's signal aborted, by `ms` argument. */
  readonly aborted: Map<number, string>;
}

export interface Target {
  readonly node: Node;
  readonly port: number;
  readonly state: TargetState;
  readonly impl: Implementation;
  /** The second node, linked to the target, when asked for. */
  readonly other: Node | undefined;
  /**
   * A peer that has joined the target as `name` (with the options given), on the connection `open` makes (a TCP
   * connection to `port` by default).
   */
  join(options: JoinOptions, open?: () => Promise<Peer>): Promise<{ peer: Peer } & Joined>;
  /** A raw connection to the target, not joined (for the handshake tests), made by `open` (TCP by default). */
  connect(open?: () => Promise<Peer>): Promise<Peer>;
  close(): Promise<void>;
}

function testObject(state: TargetState): Implementation {
  const impl = new Implementation(TEST_INTERFACE);
  impl.setCallCb("echo", (args) => args);
  impl.setCallCb("slow", (args: { ms: number }, ctx) => {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ done: true }), args.ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        const reason: unknown = ctx.signal.reason;
        state.aborted.set(args.ms, reason instanceof RemoteError ? reason.code : String(reason));
        resolve({ done: false });
      });
    });
  });
  impl.setCallCb("count", () => ({ n: ++state.counted }));
  impl.setCallCb("fail", () => {
    throw new RemoteError("conf.Test.Nope", "nope", { data: { why: "asked to", n: 2, x: 0.5 } });
  });
  impl.setCallCb("fire", (args: { n: number; x: number }) => {
    impl.fire("tick", args);
    return {};
  });
  return impl;
}

/** Starts the target (and `other`, with `withOther`). */
export async function startTarget(options: NodeOptions = {}, withOther = false): Promise<Target> {
  const quiet = { logger: { warn: () => undefined } };
  const node = new Node("target", { ...quiet, ...options });
  const state: TargetState = { counted: 0, aborted: new Map() };
  const impl = testObject(state);
  node.register("/conf", impl);
  const { port } = await node.listen({ host: "127.0.0.1", port: 0 });
  let other: Node | undefined;
  if (withOther) {
    other = new Node("other", {
      ...quiet,
      ...(options.secret === undefined ? {} : { secret: options.secret }),
    });
    other.register("/conf", testObject({ counted: 0, aborted: new Map() }));
    other.connect({ host: "127.0.0.1", port });
    await node.waitFor("other", { path: "/conf", timeoutMs: 5000 });
  }
  const peers: Peer[] = [];
  const connectPeer = async (open = (): Promise<Peer> => Peer.connect(port)): Promise<Peer> => {
    const peer = await open();
    peers.push(peer);
    return peer;
  };
  return {
    node,
    port,
    state,
    impl,
    other,
    connect: connectPeer,
    async join(joinOptions, open) {
      const peer = await connectPeer(open);
      const joined = await peer.join(joinOptions);
      return { peer, ...joined };
    },
    async close() {
      for (const peer of peers) peer.close();
      await Promise.all([node.close(), other?.close()]);
    },
  };
}
