/**
 * The handshake of a link as a state machine, without I/O: it is given the messages that arrive before the link
 * opens and says what to do with each (send a reply, open the link, refuse the peer, fail). The link carries it
 * out. Without a shared secret: HELLO from the connector, HELLO back. With one: HELLO (no name, a nonce),
 * CHALLENGE (the acceptor's nonce and proof), AUTH (the connector's name and proof), HELLO. Neither side names itself
 * before the other has proved it knows the secret (docs/PROTOCOL.md).
 */
import { ErrorCode } from "../base/errors.js";
import type { Message, PlainMap } from "../wire/messages.js";
import { MessageType, PROTOCOL_VERSION } from "../wire/messages.js";
import { acceptorProof, connectorProof, createNonce, isNonce, proofMatches } from "./auth.js";
import type { Refusal } from "./peer-link.js";

export interface HandshakeOptions {
  readonly self: string;
  readonly instance: string;
  /** The connecting side speaks first. */
  readonly role: "connector" | "acceptor";
  /** Shared secret both sides must prove they know, or undefined for none. */
  readonly secret: Uint8Array | undefined;
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

export class Handshake {
  readonly #options: HandshakeOptions;
  /** This side's nonce for the shared-secret handshake. */
  readonly #nonce = createNonce();
  #peerNonce: Uint8Array | undefined;
  #peerInfo: PlainMap = {};

  constructor(options: HandshakeOptions) {
    this.#options = options;
  }

  /** This side's HELLO: the connector's first message, and the acceptor's answer once the peer is admitted. */
  hello(): Message {
    const { role, secret, self, instance } = this.#options;
    // With a shared secret the connector names itself only in AUTH, after the acceptor has proved the secret.
    const hidden = role === "connector" && secret !== undefined;
    return {
      type: MessageType.Hello,
      version: PROTOCOL_VERSION,
      name: hidden ? "" : self,
      info: hidden ? { instance, nonce: this.#nonce } : { instance },
    };
  }

  /** What to do with `message`, received before the link opened. */
  receive(message: Message): HandshakeStep {
    if (message.type === MessageType.Refuse) {
      return { kind: "refused", code: message.code, message: message.message };
    }
    return this.#options.role === "connector" ? this.#asConnector(message) : this.#asAcceptor(message);
  }

  #asConnector(message: Message): HandshakeStep {
    const secret = this.#options.secret;
    if (message.type === MessageType.Challenge) {
      if (secret === undefined) {
        return refuse(
          ErrorCode.AuthRequired,
          "the peer requires a shared secret and this node has none (NodeOptions.secret)",
        );
      }
      if (
        this.#peerNonce !== undefined ||
        !isNonce(message.nonce) ||
        !proofMatches(message.proof, acceptorProof(secret, this.#nonce, message.nonce))
      ) {
        return refuse(ErrorCode.AuthFailed, "the peer did not prove that it knows the shared secret");
      }
      this.#peerNonce = message.nonce;
      const self = this.#options.self;
      return {
        kind: "send",
        message: {
          type: MessageType.Auth,
          name: self,
          proof: connectorProof(secret, message.nonce, this.#nonce, self),
        },
      };
    }
    if (message.type !== MessageType.Hello) {
      return { kind: "fail", code: ErrorCode.ProtocolError, message: "expected HELLO or CHALLENGE" };
    }
    if (secret !== undefined && this.#peerNonce === undefined) {
      return refuse(
        ErrorCode.AuthFailed,
        "the peer did not authenticate: it has no shared secret, and this node requires one",
      );
    }
    return versionRefusal(message.version) ?? { kind: "open", name: message.name, info: message.info };
  }

  #asAcceptor(message: Message): HandshakeStep {
    const secret = this.#options.secret;
    if (message.type === MessageType.Hello && this.#peerNonce === undefined) {
      const wrongVersion = versionRefusal(message.version);
      if (wrongVersion !== undefined) return wrongVersion;
      if (secret === undefined) {
        if (message.name === "") {
          return refuse(
            ErrorCode.AuthFailed,
            "this node has no shared secret, and the connecting node expects one",
          );
        }
        return { kind: "open", name: message.name, info: message.info };
      }
      const nonce = message.info["nonce"];
      if (!isNonce(nonce))
        return refuse(ErrorCode.AuthRequired, "this node requires a shared secret (NodeOptions.secret)");
      this.#peerNonce = nonce;
      this.#peerInfo = message.info;
      return {
        kind: "send",
        message: {
          type: MessageType.Challenge,
          nonce: this.#nonce,
          proof: acceptorProof(secret, nonce, this.#nonce),
        },
      };
    }
    if (message.type === MessageType.Auth && secret !== undefined && this.#peerNonce !== undefined) {
      if (!proofMatches(message.proof, connectorProof(secret, this.#nonce, this.#peerNonce, message.name))) {
        return refuse(ErrorCode.AuthFailed, "authentication failed");
      }
      return { kind: "open", name: message.name, info: this.#peerInfo };
    }
    return { kind: "fail", code: ErrorCode.ProtocolError, message: "unexpected message in the handshake" };
  }
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
