/**
 * The handshake of a link as a state machine, without I/O: it is given the messages that arrive before the link
 * opens and says what to do with each (send a reply, open the link, refuse the peer, fail). The link carries it
 * out (docs/PROTOCOL.md, "Handshake").
 *
 * Without a shared secret or credentials: HELLO from the connector, HELLO back. With either: HELLO (no name, a
 * nonce, what the connector will prove), CHALLENGE (the acceptor's nonce, nothing else), AUTH (the connector's name,
 * its proof of the secret and/or its credential and signature of the transcript), HELLO (the acceptor's name and
 * its own proofs). The connector proves first and the acceptor says nothing about itself before that proof checks
 * out, so a peer that merely connects learns no name and no proof.
 */
import { ErrorCode } from "../base/errors.js";
import type { Message, PlainMap } from "../wire/messages.js";
import { MessageType, PROTOCOL_VERSION } from "../wire/messages.js";
import type { Transcript } from "./auth.js";
import {
  acceptorProof,
  connectorProof,
  createNonce,
  isNonce,
  proofMatches,
  transcriptBytes,
} from "./auth.js";
import type { LocalIdentity, Trust } from "./identity.js";
import { verifyWith } from "./identity.js";
import type { Refusal } from "./peer-link.js";

/** Credentials: this node's identity, and the trust every peer's credential is checked against. */
export interface HandshakeIdentity {
  readonly local: LocalIdentity;
  readonly trust: Trust;
}

export interface HandshakeOptions {
  readonly self: string;
  readonly instance: string;
  /** The connecting side speaks first. */
  readonly role: "connector" | "acceptor";
  /** Shared secret both sides must prove they know, or undefined for none. */
  readonly secret: Uint8Array | undefined;
  /** Credentials both sides must present and prove, or undefined for none. */
  readonly identity?: HandshakeIdentity | undefined;
}

/** What the link does with a handshake message. */
export type HandshakeStep =
  /** Send this and wait for the next message. */
  | { readonly kind: "send"; readonly message: Message }
  /** The peer proved who it is: admit it (then, as acceptor, send `hello()`) and open the link. */
  | { readonly kind: "open"; readonly name: string; readonly info: PlainMap }
  /** Tell the peer why it is not accepted, then close. */
  | { readonly kind: "refuse"; readonly refusal: Refusal }
  /** The peer refused this node: close, with its reason. */
  | { readonly kind: "refused"; readonly code: string; readonly message: string }
  /** The peer broke the protocol: close without a word. */
  | { readonly kind: "fail"; readonly code: string; readonly message: string };

/** The proofs a connector can offer, as HELLO `info.auth` lists them. */
const SECRET = "secret";
const IDENTITY = "identity";
const EMPTY = new Uint8Array(0);

export class Handshake {
  readonly #options: HandshakeOptions;
  /** This side's nonce. */
  readonly #nonce = createNonce();
  #peerNonce: Uint8Array | undefined;
  #peerInfo: PlainMap = {};
  /** The connector's name, once it has proved it (the acceptor's proofs cover it). */
  #connectorName = "";
  #heard = false;

  constructor(options: HandshakeOptions) {
    this.#options = options;
  }

  /** True when this side proves something: every link then takes the four-message handshake. */
  get #authenticating(): boolean {
    return this.#options.secret !== undefined || this.#options.identity !== undefined;
  }

  /** This side's HELLO: the connector's first message, and the acceptor's answer once the peer is admitted. */
  hello(): Message {
    const { role, secret, identity, self, instance } = this.#options;
    if (!this.#authenticating) {
      return { type: MessageType.Hello, version: PROTOCOL_VERSION, name: self, info: { instance } };
    }
    if (role === "connector") {
      // The connector names itself only in AUTH, after the acceptor has shown it speaks the protocol.
      const auth = [...(secret !== undefined ? [SECRET] : []), ...(identity !== undefined ? [IDENTITY] : [])];
      return {
        type: MessageType.Hello,
        version: PROTOCOL_VERSION,
        name: "",
        info: { instance, nonce: this.#nonce, auth },
      };
    }
    const info: Record<string, unknown> = { instance };
    const t = this.#transcript(self, instance);
    if (secret !== undefined) info["proof"] = acceptorProof(secret, t as Required<Transcript>);
    if (identity !== undefined) {
      info["credential"] = identity.local.credential;
      info["signature"] = identity.local.sign(transcriptBytes("acceptor", t, identity.local.credential));
    }
    return { type: MessageType.Hello, version: PROTOCOL_VERSION, name: self, info };
  }

  /** True once the peer has sent a message of the handshake. */
  get heard(): boolean {
    return this.#heard;
  }

  /** What to do with `message`, received before the link opened. */
  receive(message: Message): HandshakeStep {
    this.#heard = true;
    if (message.type === MessageType.Refuse) {
      return { kind: "refused", code: message.code, message: message.message };
    }
    return this.#options.role === "connector" ? this.#asConnector(message) : this.#asAcceptor(message);
  }

  #transcript(acceptorName?: string, acceptorInstance?: string): Transcript {
    const connector = this.#options.role === "connector";
    const peerInstance = typeof this.#peerInfo["instance"] === "string" ? this.#peerInfo["instance"] : "";
    return {
      connectorNonce: connector ? this.#nonce : (this.#peerNonce as Uint8Array),
      acceptorNonce: connector ? (this.#peerNonce as Uint8Array) : this.#nonce,
      connectorName: connector ? this.#options.self : this.#connectorName,
      connectorInstance: connector ? this.#options.instance : peerInstance,
      ...(acceptorName === undefined ? {} : { acceptorName, acceptorInstance: acceptorInstance ?? "" }),
    };
  }

  #asConnector(message: Message): HandshakeStep {
    const { secret, identity, self } = this.#options;
    if (message.type === MessageType.Challenge) {
      if (!this.#authenticating) {
        return refuse(
          ErrorCode.AuthRequired,
          "the peer requires a shared secret or credentials and this node has neither (NodeOptions.secret, NodeOptions.identity)",
        );
      }
      if (this.#peerNonce !== undefined || !isNonce(message.nonce)) {
        return refuse(ErrorCode.AuthFailed, "the peer sent a second CHALLENGE or a malformed nonce");
      }
      this.#peerNonce = message.nonce;
      const info: Record<string, unknown> = {};
      if (identity !== undefined) {
        const t = this.#transcript();
        info["credential"] = identity.local.credential;
        info["signature"] = identity.local.sign(transcriptBytes("connector", t, identity.local.credential));
      }
      return {
        kind: "send",
        message: {
          type: MessageType.Auth,
          name: self,
          proof: secret === undefined ? EMPTY : connectorProof(secret, message.nonce, this.#nonce, self),
          info,
        },
      };
    }
    if (message.type !== MessageType.Hello) {
      return { kind: "fail", code: ErrorCode.ProtocolError, message: "expected HELLO or CHALLENGE" };
    }
    const wrongVersion = versionRefusal(message.version);
    if (wrongVersion !== undefined) return wrongVersion;
    if (this.#authenticating && this.#peerNonce === undefined) {
      return refuse(
        ErrorCode.AuthFailed,
        `the peer did not authenticate: it has no ${secret !== undefined ? "shared secret" : "credentials"}, and this node requires ${secret !== undefined ? "one" : "them"}`,
      );
    }
    if (!this.#authenticating) return { kind: "open", name: message.name, info: message.info };
    this.#peerInfo = message.info;
    const instance = typeof message.info["instance"] === "string" ? message.info["instance"] : "";
    const t = this.#transcript(message.name, instance);
    if (
      secret !== undefined &&
      !proofMatches(message.info["proof"], acceptorProof(secret, t as Required<Transcript>))
    ) {
      return refuse(ErrorCode.AuthFailed, "the peer did not prove that it knows the shared secret");
    }
    if (identity !== undefined) {
      const problem = credentialProblem(identity.trust, "acceptor", message.name, message.info, t);
      if (problem !== undefined) return problem;
    }
    return { kind: "open", name: message.name, info: message.info };
  }

  #asAcceptor(message: Message): HandshakeStep {
    const { secret, identity } = this.#options;
    if (message.type === MessageType.Hello && this.#peerNonce === undefined) {
      const wrongVersion = versionRefusal(message.version);
      if (wrongVersion !== undefined) return wrongVersion;
      const nonce = message.info["nonce"];
      if (!isNonce(nonce)) {
        if (secret !== undefined) {
          return refuse(ErrorCode.AuthRequired, "this node requires a shared secret (NodeOptions.secret)");
        }
        if (identity !== undefined) {
          return refuse(
            ErrorCode.AuthRequired,
            "this node requires credentials: give the connecting node NodeOptions.identity and NodeOptions.trust",
          );
        }
        if (message.name === "") {
          return refuse(
            ErrorCode.AuthFailed,
            "this node has no shared secret, and the connecting node expects one",
          );
        }
        return { kind: "open", name: message.name, info: message.info };
      }
      // Absent `auth` is what a connector with only a shared secret may send.
      const auth = message.info["auth"] ?? [SECRET];
      if (!Array.isArray(auth) || auth.length === 0 || !auth.every((a) => a === SECRET || a === IDENTITY)) {
        return refuse(ErrorCode.ProtocolError, `HELLO info.auth must list "secret" and/or "identity"`);
      }
      const mismatch =
        mismatchRefusal(
          secret !== undefined,
          auth.includes(SECRET),
          "a shared secret (NodeOptions.secret)",
        ) ??
        mismatchRefusal(
          identity !== undefined,
          auth.includes(IDENTITY),
          "credentials (NodeOptions.identity and trust)",
        );
      if (mismatch !== undefined) return mismatch;
      this.#peerNonce = nonce;
      this.#peerInfo = message.info;
      return { kind: "send", message: { type: MessageType.Challenge, nonce: this.#nonce, proof: EMPTY } };
    }
    if (message.type === MessageType.Auth && this.#peerNonce !== undefined && this.#connectorName === "") {
      const name = message.name;
      if (
        secret !== undefined &&
        !proofMatches(message.proof, connectorProof(secret, this.#nonce, this.#peerNonce, name))
      ) {
        return refuse(ErrorCode.AuthFailed, "authentication failed: the proof of the shared secret is wrong");
      }
      this.#connectorName = name;
      if (identity !== undefined) {
        const problem = credentialProblem(
          identity.trust,
          "connector",
          name,
          message.info ?? {},
          this.#transcript(),
        );
        if (problem !== undefined) return problem;
      }
      return { kind: "open", name, info: this.#peerInfo };
    }
    return { kind: "fail", code: ErrorCode.ProtocolError, message: "unexpected message in the handshake" };
  }
}

/**
 * Why the credential and signature in `info` do not prove `name` for `role` in this handshake, as a refusal; undefined
 * when they do. A credential that does not vouch for the name is `supcon.PermissionDenied`; a missing or wrong
 * signature, `supcon.AuthFailed`.
 */
function credentialProblem(
  trust: Trust,
  role: "connector" | "acceptor",
  name: string,
  info: PlainMap,
  t: Transcript,
): HandshakeStep | undefined {
  const credential = info["credential"];
  const signature = info["signature"];
  if (!(credential instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return refuse(
      ErrorCode.AuthFailed,
      `the ${role} presented no credential and signature, and this node requires them`,
    );
  }
  const key = trust.verify(name, credential);
  if (typeof key === "string")
    return refuse(ErrorCode.PermissionDenied, `the name '${name}' is not proven: ${key}`);
  if (!verifyWith(key, transcriptBytes(role, t, credential), signature)) {
    return refuse(
      ErrorCode.AuthFailed,
      `the ${role}'s signature of the handshake does not verify with the key of '${name}'`,
    );
  }
  return undefined;
}

/** A refusal when one side requires a proof the other does not offer (`required`: this side, `offered`: the peer). */
function mismatchRefusal(required: boolean, offered: boolean, what: string): HandshakeStep | undefined {
  if (required && !offered) return refuse(ErrorCode.AuthRequired, `this node requires ${what}`);
  if (!required && offered) {
    return refuse(ErrorCode.AuthFailed, `this node has no ${what}, and the connecting node expects it`);
  }
  return undefined;
}

function refuse(code: string, message: string): HandshakeStep {
  return { kind: "refuse", refusal: { code, message } };
}

/** A refusal when the peer does not speak this node's protocol version. */
function versionRefusal(version: number): HandshakeStep | undefined {
  if (version === PROTOCOL_VERSION) return undefined;
  return refuse(
    ErrorCode.VersionMismatch,
    `protocol version ${version} is not supported (this node speaks ${PROTOCOL_VERSION})`,
  );
}
