/**
 * Origin authentication (bus/origin-auth.ts) without sockets: advert signatures and per-pair MACs between
 * OriginAuth instances that stand for nodes, with keys from crypto.generateKeyPairSync.
 */
import {
  OriginAuth,
  RejectionWarnings,
  advertSigningBytes,
  macInput,
} from "../../../packages/supcon/src/bus/origin-auth";
import type { SignedAdvert } from "../../../packages/supcon/src/bus/origin-auth";
import { Trust, createLocalIdentity, resolveIdentity } from "../../../packages/supcon/src/link/identity";
import { packPayload } from "../../../packages/supcon/src/wire/codec";
import type { MacFields } from "../../../packages/supcon/src/wire/messages";
import { MessageType } from "../../../packages/supcon/src/wire/messages";
import { createTestKeyring } from "../../helpers/certs";

const ring = createTestKeyring(["alice", "bob", "mallory"]);
const trust = Trust.from(ring.trust);

function nodeAuth(name: string, instance = `${name}-1`): OriginAuth {
  const keys = ring.keys[name];
  if (keys === undefined) throw new Error(name);
  const identity = createLocalIdentity(name, resolveIdentity({ key: keys.key }), trust);
  return new OriginAuth({ self: name, instance, identity, trust, maxNodes: 100 });
}

function advertOf(auth: OriginAuth, origin: string, instance: string, seq = 1): SignedAdvert {
  return auth.signAdvert({
    origin,
    instance,
    seq,
    neighbors: ["x", "b"],
    objects: { "/b": ["i.B", "i.A"], "/a": ["i.C"] },
  });
}

/** alice and bob, each holding the other's verified advert. */
function pair(): { alice: OriginAuth; bob: OriginAuth } {
  const alice = nodeAuth("alice");
  const bob = nodeAuth("bob");
  expect(bob.verifyAdvert(advertOf(alice, "alice", "alice-1"))).toBeUndefined();
  expect(alice.verifyAdvert(advertOf(bob, "bob", "bob-1"))).toBeUndefined();
  return { alice, bob };
}

const call: MacFields = {
  type: MessageType.Call,
  dst: "bob",
  src: "alice",
  id: 7,
  path: "/admin",
  intf: "test.Admin",
  method: "grant",
  timeoutMs: 5000,
};

describe("advert signatures", () => {
  it("verify an advert as signed, whatever order its lists came in", () => {
    const alice = nodeAuth("alice");
    const bob = nodeAuth("bob");
    const advert = advertOf(alice, "alice", "alice-1");
    const reordered: SignedAdvert = {
      ...advert,
      neighbors: [...advert.neighbors].reverse(),
      objects: { "/a": ["i.C"], "/b": ["i.A", "i.B"] },
    };
    expect(bob.verifyAdvert(advert)).toBeUndefined();
    expect(bob.verifyAdvert(reordered)).toBeUndefined();
  });

  it("refuse an advert changed after signing: seq, neighbours, objects, instance or X25519 key", () => {
    const alice = nodeAuth("alice");
    const bob = nodeAuth("bob");
    const advert = advertOf(alice, "alice", "alice-1");
    const auth = advert.auth as NonNullable<SignedAdvert["auth"]>;
    for (const forged of [
      { ...advert, seq: Number.MAX_SAFE_INTEGER },
      { ...advert, neighbors: ["mallory"] },
      { ...advert, objects: {} },
      { ...advert, instance: "copied" },
      { ...advert, auth: { ...auth, dhKey: nodeAuth("mallory").dhKey } },
    ]) {
      expect(bob.verifyAdvert(forged)).toBe("its signature does not verify with its origin's key");
    }
    expect(bob.rejected.adverts).toBe(5);
  });

  it("refuse an unsigned advert, and one signed by another node's key", () => {
    const bob = nodeAuth("bob");
    const mallory = nodeAuth("mallory");
    const { auth: _auth, ...unsigned } = advertOf(nodeAuth("alice"), "alice", "alice-1");
    expect(bob.verifyAdvert(unsigned)).toMatch(/not signed/);
    // mallory signs an advert of alice with its own credential: it does not prove the name alice.
    expect(bob.verifyAdvert(advertOf(mallory, "alice", "alice-1"))).toMatch(/a key other than the one/);
  });

  it("encode canonically: names sorted by UTF-8 bytes, lengths before every string", () => {
    const bytes = advertSigningBytes(
      { origin: "o", instance: "i", seq: 1, neighbors: ["b", "a"], objects: {} },
      Uint8Array.of(9),
      Uint8Array.of(8),
    );
    const expected = Buffer.concat([
      Buffer.from("supcon/3 advert\0"),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from("o"),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from("i"),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]),
      Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]),
      Buffer.from("a"),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from("b"),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from([0, 0, 0, 1, 9, 0, 0, 0, 1, 8]),
    ]);
    expect(Buffer.from(bytes)).toEqual(expected);
  });
});

describe("message MACs", () => {
  it("verify on the destination what the source sealed, payload bytes as sent", () => {
    const { alice, bob } = pair();
    const payload = packPayload({ who: "alice" }, "CALL");
    const mac = alice.seal(call, payload) as Uint8Array;
    expect(mac).toHaveLength(16);
    expect(bob.verify({ ...call, mac }, payload)).toBe("ok");
    // Relays change the hop count, which the MAC leaves out.
    expect(bob.verify({ ...call, mac, hops: 3 } as MacFields, payload)).toBe("ok");
  });

  it("refuse a forged source, changed fields or payload, a missing MAC and an unknown source", () => {
    const { alice, bob } = pair();
    const mallory = nodeAuth("mallory");
    expect(bob.verifyAdvert(advertOf(mallory, "mallory", "mallory-1"))).toBeUndefined();
    mallory.verifyAdvert(advertOf(bob, "bob", "bob-1"));
    const payload = packPayload({ who: "alice" }, "CALL");
    const mac = alice.seal(call, payload) as Uint8Array;
    // mallory cannot seal in alice's name: it has no key for the pair alice–bob.
    expect(mallory.seal(call, payload)).toBeUndefined();
    const malloryMac = mallory.seal({ ...call, src: "mallory" }, payload) as Uint8Array;
    expect(bob.verify({ ...call, mac: malloryMac }, payload)).toBe("bad");
    expect(bob.verify({ ...call, method: "revoke", mac }, payload)).toBe("bad");
    expect(bob.verify({ ...call, id: 8, mac }, payload)).toBe("bad");
    expect(bob.verify({ ...call, mac }, packPayload({ who: "mallory" }, "CALL"))).toBe("bad");
    expect(bob.verify({ ...call }, payload)).toBe("missing");
    expect(bob.verify({ ...call, mac: null }, payload)).toBe("missing");
    expect(bob.verify({ ...call, src: "stranger", mac }, payload)).toBe("unknown-source");
    expect(bob.rejected.messages).toBe(7);
  });

  it("binds the pair key to both processes: a restarted node has a new one", () => {
    const { alice, bob } = pair();
    const payload = packPayload(null, "CALL");
    const mac = alice.seal(call, payload) as Uint8Array;
    const restarted = nodeAuth("alice", "alice-2");
    expect(bob.verifyAdvert(advertOf(restarted, "alice", "alice-2", 2))).toBeUndefined();
    expect(bob.verify({ ...call, mac }, payload)).toBe("bad");
    restarted.verifyAdvert(advertOf(bob, "bob", "bob-1"));
    const fresh = restarted.seal(call, payload) as Uint8Array;
    expect(bob.verify({ ...call, mac: fresh }, payload)).toBe("ok");
  });

  it("keeps the key of an older advert from replacing a newer one", () => {
    const { alice, bob } = pair();
    const payload = packPayload(null, "CALL");
    const restarted = nodeAuth("alice", "alice-2");
    expect(bob.verifyAdvert(advertOf(restarted, "alice", "alice-2", 5))).toBeUndefined();
    // The old process's advert, replayed: valid, but older.
    expect(bob.verifyAdvert(advertOf(alice, "alice", "alice-1", 1))).toBeUndefined();
    restarted.verifyAdvert(advertOf(bob, "bob", "bob-1"));
    expect(bob.verify({ ...call, mac: restarted.seal(call, payload) as Uint8Array }, payload)).toBe("ok");
  });

  it("covers each type's own fields", () => {
    const base = { dst: "d", src: "s" };
    const inputs = [
      macInput({ ...base, type: MessageType.Result, id: 1 }, new Uint8Array(0)),
      macInput({ ...base, type: MessageType.Cancel, id: 1 }, new Uint8Array(0)),
      macInput({ ...base, type: MessageType.Error, id: 1, code: "c", message: "m" }, new Uint8Array(0)),
      macInput(
        { ...base, type: MessageType.Event, path: "/", intf: "i", event: "e", seq: 1 },
        new Uint8Array(0),
      ),
      macInput({ ...base, type: MessageType.Subscribe, path: "/", intf: "i", event: "e" }, new Uint8Array(0)),
      macInput(
        { ...base, type: MessageType.Unsubscribe, path: "/", intf: "i", event: "e" },
        new Uint8Array(0),
      ),
    ].map((b) => Buffer.from(b).toString("hex"));
    expect(new Set(inputs).size).toBe(inputs.length);
    expect(inputs[0]).toBe("0b" + "0000000164" + "0000000173" + "0000000000000001" + "00000000");
  });
});

describe("RejectionWarnings", () => {
  it("warns once per kind per interval, then says how many it held back", () => {
    const warnings = new RejectionWarnings(10_000);
    expect(warnings.note("first", "adverts", 0)).toBe("first");
    expect(warnings.note("second", "adverts", 1)).toBeUndefined();
    expect(warnings.note("other kind", "messages", 2)).toBe("other kind");
    expect(warnings.note("third", "adverts", 10_001)).toBe("third (2 adverts since the last such warning)");
  });
});
