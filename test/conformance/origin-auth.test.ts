/**
 * Conformance, docs/PROTOCOL.md "Origin authentication": a node with `trust` driven over TCP by peers that prove
 * their names with credentials, sign their adverts and seal their messages with the bytes the document lays out
 * (origin.ts), and check what the node signs and seals. Each test is named after the rule it checks.
 */
import { generateKeyPairSync, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { call, replyTo } from "./helpers";
import { encode } from "./msgpack";
import { advertBytes, macOf, pairKey } from "./origin";
import type { Sealed } from "./origin";
import { T, credentialOf, frame, payloadOf } from "./peer";
import type { Peer } from "./peer";
import { startTarget } from "./target";
import type { Target } from "./target";

const node = generateKeyPairSync("ed25519");
/** The members of the bus, by name: each test joins as one of its own. */
const members = Array.from({ length: 8 }, (_, i) => ({
  name: `m${i}`,
  keys: generateKeyPairSync("ed25519"),
}));
let next = 0;

let target: Target;
beforeAll(async () => {
  const pem = (key: KeyObject): string => key.export({ type: "spki", format: "pem" }).toString();
  const keys = Object.fromEntries([
    ["target", pem(node.publicKey)],
    ...members.map((m) => [m.name, pem(m.keys.publicKey)]),
  ]);
  target = await startTarget({ identity: { key: node.privateKey }, trust: { keys } });
});
afterAll(() => target.close());

interface Member {
  readonly peer: Peer;
  readonly name: string;
  /** The node's first ADVERT. */
  readonly advert: readonly unknown[];
  /** Seals a message from this member to the target. */
  mac(m: Omit<Sealed, "dst" | "src">, payload: Uint8Array): Buffer;
  /** The MAC the target owes on a message to this member. */
  expected(m: Omit<Sealed, "dst" | "src">, payload: Uint8Array): Buffer;
}

async function member(): Promise<Member> {
  const { name, keys } = members[next++] as (typeof members)[number];
  const identity = { ...keys, acceptorKey: node.publicKey };
  const { peer, hello, advert } = await target.join({ name, identity });
  await target.node.waitFor(name, { timeoutMs: 3000 });
  const auth = advert[6] as Buffer[];
  const key = pairKey(
    { name, instance: peer.instance, dhKey: peer.dhKey, privateKey: peer.dh.privateKey },
    { name: "target", instance: (hello[3] as { instance: string }).instance, dhKey: auth[1] as Buffer },
  );
  return {
    peer,
    name,
    advert,
    mac: (m, payload) => macOf(key, { ...m, dst: "target", src: name }, payload),
    expected: (m, payload) => macOf(key, { ...m, dst: name, src: "target" }, payload),
  };
}

const COUNT = { path: "/conf", intf: "conf.Test", member: "count", timeoutMs: 5000 };

/** A CALL of `count` from `src`, its payload packed (a bin) and sealed with `mac`. */
function sealed(src: string, id: number, payload: Uint8Array, mac: Uint8Array): unknown[] {
  const message = call(src, id, "count", payload);
  message[10] = mac;
  return message;
}

describe("Origin authentication", () => {
  it("an ADVERT carries auth [credential, dhKey, signature]: the signature of A with the origin's key", async () => {
    const { advert } = await member();
    const [, origin, instance, seq, neighbors, objects, auth] = advert as [
      number,
      string,
      string,
      number,
      string[],
      Record<string, string[]>,
      Buffer[],
    ];
    const [credential, dhKey, signature] = auth as [Buffer, Buffer, Buffer];
    expect(credential).toEqual(credentialOf(node.publicKey));
    expect(dhKey).toHaveLength(32);
    const signed = advertBytes(origin, instance, seq, neighbors, objects, dhKey, credential);
    expect(verify(null, signed, node.publicKey, signature)).toBe(true);
  });

  it("a sealed CALL (full form, its payload a bin) runs, and the RESULT comes sealed with the pair key", async () => {
    const m = await member();
    const payload = encode({});
    m.peer.send(sealed(m.name, 1, payload, m.mac({ type: T.CALL, id: 1, ...COUNT }, payload)));
    const result = await m.peer.nextReceived((r) => replyTo(1)(r.array));
    expect(result.array[0]).toBe(T.RESULT);
    expect(result.array[6]).toEqual(m.expected({ type: T.RESULT, id: 1 }, payloadOf(result)));
  });

  it("a sealed CHANNEL CALL (mac a bin 8 of 16 bytes, the payload as it is) runs", async () => {
    const m = await member();
    const payload = encode({});
    m.peer.send([T.BIND, 0, "target", m.name, "/conf", "conf.Test", "count"]);
    const fixed = [T.CHANNEL_CALL, 0, 0, 2, 5000, m.mac({ type: T.CALL, id: 2, ...COUNT }, payload)];
    m.peer.write(frame(Buffer.concat([Uint8Array.of(0x97), ...fixed.map((v) => encode(v)), payload])));
    const result = await m.peer.nextReceived((r) => replyTo(2)(r.array));
    expect(result.array[0]).toBe(T.RESULT);
    expect(result.array[6]).toEqual(m.expected({ type: T.RESULT, id: 2 }, payloadOf(result)));
  });

  it("a CALL without a MAC, or with a wrong one, runs no handler, and is answered with a sealed supcon.PermissionDenied", async () => {
    const m = await member();
    const before = target.state.counted;
    const payload = encode({});
    m.peer.send(call(m.name, 3, "count", {}));
    m.peer.send(sealed(m.name, 4, payload, Buffer.alloc(16)));
    for (const id of [3, 4]) {
      const error = await m.peer.nextReceived((r) => replyTo(id)(r.array));
      const [, , , , , code, message, , mac] = error.array;
      expect(code).toBe("supcon.PermissionDenied");
      expect(mac).toEqual(
        m.expected({ type: T.ERROR, id, code: code as string, message: message as string }, payloadOf(error)),
      );
    }
    expect(target.state.counted).toBe(before);
  });

  it("SUBSCRIBE is sealed over path, intf and event with an empty payload, and each EVENT comes sealed over its seq and payload", async () => {
    const m = await member();
    const tick = { path: "/conf", intf: "conf.Test", member: "tick" };
    m.peer.send([
      T.SUBSCRIBE,
      "target",
      m.name,
      0,
      "/conf",
      "conf.Test",
      "tick",
      m.mac({ type: T.SUBSCRIBE, ...tick }, new Uint8Array(0)),
    ]);
    await m.peer.alive();
    target.impl.fire("tick", { n: 1, x: 0.5 });
    const event = await m.peer.nextReceived((r) => r.array[0] === T.EVENT);
    expect(event.array[9]).toEqual(
      m.expected({ type: T.EVENT, ...tick, seq: event.array[8] as number }, payloadOf(event)),
    );
  });

  it("an ADVERT without auth, or with a signature that does not verify, is dropped", async () => {
    const m = await member();
    const seq = m.peer.seq + 1;
    m.peer.send([T.ADVERT, m.name, m.peer.instance, seq, ["target"], { "/unsigned": ["x.Y"] }, null]);
    const credential = credentialOf(members[0]?.keys.publicKey as KeyObject);
    m.peer.send([
      T.ADVERT,
      m.name,
      m.peer.instance,
      seq + 1,
      ["target"],
      { "/forged": ["x.Y"] },
      [credential, m.peer.dhKey, Buffer.alloc(64)],
    ]);
    await m.peer.alive();
    expect(Object.keys(target.node.nodes()[m.name] ?? {})).toEqual([]);
  });
});
