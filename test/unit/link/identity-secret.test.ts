/**
 * The shared secret (link/auth.ts): the strength rule, the scrypt stretching and the proofs, byte for byte as
 * docs/PROTOCOL.md states them, so that another implementation can check itself against these.
 */
import { createHmac, scryptSync } from "node:crypto";
import {
  SCRYPT,
  acceptorProof,
  connectorProof,
  estimateSecretBits,
  secretStrengthProblem,
  stretchSecret,
} from "../../../packages/supcon/src/link/auth";

const lp = (x: string | Uint8Array): Buffer => {
  const b = typeof x === "string" ? Buffer.from(x, "utf8") : Buffer.from(x);
  const n = Buffer.alloc(4);
  n.writeUInt32BE(b.length);
  return Buffer.concat([n, b]);
};

describe("the strength rule", () => {
  it.each([
    ["18 random lowercase letters", "qwhzkeoprtynvbmsxl", true],
    ["17 random lowercase letters", "qwhzkeoprtynvbmsx", false],
    ["24 digits", "820394857102938475610293", false],
    ["base64 of 24 random bytes", "p0Zq1s9sW3xgR8c2YJb6mTq4VnL0aK7e", true],
    ["a phrase", "correct horse battery staple", true],
    ["a repeated pattern", "abababababababababababab", false],
    ["a short mixed password", "Tr0ub4dor&3", false],
  ])("%s: %s", (_what, text, ok) => {
    expect(secretStrengthProblem(text) === undefined).toBe(ok);
  });

  it("counts each distinct character at most 3 times, over the classes used", () => {
    expect(estimateSecretBits("aaaa")).toBeCloseTo(3 * Math.log2(26));
    expect(estimateSecretBits("aB3!")).toBeCloseTo(4 * Math.log2(95));
    expect(estimateSecretBits("é")).toBeCloseTo(Math.log2(100));
  });

  it("needs 16 bytes of a binary secret, and never repeats the secret in its message", () => {
    expect(secretStrengthProblem(new Uint8Array(16))).toBeUndefined();
    expect(secretStrengthProblem(new Uint8Array(15))).toMatch(
      /15 bytes long, and binary secrets need at least 16/,
    );
    expect(secretStrengthProblem("hunter2")).not.toContain("hunter2");
  });
});

describe("stretching and proofs", () => {
  const secret = new TextEncoder().encode("correct horse battery staple");
  const nc = Buffer.alloc(32, 1);
  const na = Buffer.alloc(32, 2);

  it("stretches with scrypt(N = 2^15, r = 8, p = 1) and the documented salt, once per process", () => {
    const expected = scryptSync(secret, "supcon/3 shared secret", 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(SCRYPT).toMatchObject({ N: 32768, r: 8, p: 1, keyBytes: 32 });
    expect(Buffer.from(stretchSecret(secret))).toEqual(expected);
    const started = Date.now();
    stretchSecret(secret);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it("computes Pc and Pa as docs/PROTOCOL.md says", () => {
    const k = stretchSecret(secret);
    const pc = createHmac("sha256", k)
      .update(Buffer.concat([Buffer.from("supcon/3 connector\0"), lp(na), lp(nc), lp("client")]))
      .digest();
    expect(Buffer.from(connectorProof(secret, na, nc, "client"))).toEqual(pc);
    const pa = createHmac("sha256", k)
      .update(
        Buffer.concat([
          Buffer.from("supcon/3 acceptor\0"),
          lp(nc),
          lp(na),
          lp("client"),
          lp("server"),
          lp("s1"),
        ]),
      )
      .digest();
    const t = {
      connectorNonce: nc,
      acceptorNonce: na,
      connectorName: "client",
      acceptorName: "server",
      acceptorInstance: "s1",
    };
    expect(Buffer.from(acceptorProof(secret, t))).toEqual(pa);
    expect(
      Buffer.from(connectorProof(new TextEncoder().encode("another secret, also long"), na, nc, "client")),
    ).not.toEqual(pc);
  });
});
