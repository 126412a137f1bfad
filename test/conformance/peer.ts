/**
 * A peer written from docs/PROTOCOL.md alone, for the conformance tests: a socket (TCP, a Unix domain socket, or TLS
 * over TCP through node:tls) that frames, encodes and reads messages with the test's own MessagePack code
 * (msgpack.ts) and does the handshake by hand (node:crypto for the shared secret), never with the runtime's wire
 * layer. It keeps every message it receives, with channel messages also read against the BINDs it received, so that
 * a test can look for what the node sent in either form.
 */
import {
  createHmac,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { decode, encode } from "./msgpack";
import { advertBytes, lp, rawX25519 } from "./origin";

/** Message types (docs/PROTOCOL.md). */
export const T = {
  HELLO: 0,
  REFUSE: 1,
  CHALLENGE: 2,
  AUTH: 3,
  CALL: 10,
  RESULT: 11,
  ERROR: 12,
  CANCEL: 13,
  CHANNEL_CALL: 14,
  CHANNEL_RESULT: 15,
  EVENT: 20,
  SUBSCRIBE: 21,
  UNSUBSCRIBE: 22,
  CHANNEL_EVENT: 23,
  ADVERT: 30,
  PING: 40,
  PONG: 41,
  BYE: 42,
  BIND: 43,
} as const;

export const VERSION = 3;

/** A message received: as it came (`raw`), in full form (`array`: a channel message read against its BIND). */
export interface Received {
  readonly raw: readonly unknown[];
  readonly array: readonly unknown[];
  readonly form: "full" | "channel";
  readonly body: Buffer;
}

/** A frame: the 4-byte big-endian length of `body`, then `body`. */
export function frame(body: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

const keys = new Map<string, Buffer>();

/** `K = scrypt(secret, salt = "supcon/3 shared secret", N = 2^15, r = 8, p = 1, 32 bytes)`. */
export function secretKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (key === undefined) {
    key = scryptSync(secret, "supcon/3 shared secret", 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    keys.set(secret, key);
  }
  return key;
}

/** `Pc = HMAC-SHA256(K, "supcon/3 connector\0" ‖ lp(Na) ‖ lp(Nc) ‖ lp(name_c))`. */
export function connectorProof(key: Buffer, na: Uint8Array, nc: Uint8Array, nameC: string): Buffer {
  return createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from("supcon/3 connector\0"), lp(na), lp(nc), lp(nameC)]))
    .digest();
}

/** `Pa = HMAC-SHA256(K, "supcon/3 acceptor\0" ‖ lp(Nc) ‖ lp(Na) ‖ lp(name_c) ‖ lp(name_a) ‖ lp(Ia))`. */
export function acceptorProof(
  key: Buffer,
  nc: Uint8Array,
  na: Uint8Array,
  nameC: string,
  nameA: string,
  ia: string,
): Buffer {
  return createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from("supcon/3 acceptor\0"), lp(nc), lp(na), lp(nameC), lp(nameA), lp(ia)]))
    .digest();
}

/** How a peer joins (`Peer.join()`). */
export interface JoinOptions {
  readonly name: string;
  readonly instance?: string;
  /** The shared secret, to authenticate with. */
  readonly secret?: string;
  /** The objects of the peer's ADVERT (path → interface names). */
  readonly objects?: Readonly<Record<string, readonly string[]>>;
  /** Neighbours of the peer's ADVERT: the node it joins by default. */
  readonly neighbors?: readonly string[];
  /** Credentials, to authenticate with (and to sign this peer's adverts with). */
  readonly identity?: PeerIdentity;
}

/** A peer's credentials: an Ed25519 key pair, the credential it presents (its public key's by default). */
export interface PeerIdentity {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly credential?: Buffer;
  /** The acceptor's public key, to check its signature `Sa` with. */
  readonly acceptorKey?: KeyObject;
}

/** A credential of a public key: `0x01` ‖ its SubjectPublicKeyInfo DER. */
export function credentialOf(key: KeyObject): Buffer {
  return Buffer.concat([Uint8Array.of(1), key.export({ type: "spki", format: "der" })]);
}

/**
 * What a side signs in the handshake: `T(role)` = `"supcon/3 handshake\0" ‖ lp(role) ‖ lp(Nc) ‖ lp(Na) ‖
 * lp(name_c) ‖ lp(Ic)`, for the acceptor followed by `lp(name_a) ‖ lp(Ia)`; then `lp(credential)`.
 */
export function transcript(
  role: "connector" | "acceptor",
  t: { nc: Uint8Array; na: Uint8Array; nameC: string; ic: string; nameA?: string; ia?: string },
  credential: Uint8Array,
): Buffer {
  const parts = [Buffer.from("supcon/3 handshake\0"), lp(role), lp(t.nc), lp(t.na), lp(t.nameC), lp(t.ic)];
  if (t.nameA !== undefined) parts.push(lp(t.nameA), lp(t.ia ?? ""));
  return Buffer.concat([...parts, lp(credential)]);
}

/** What the node said in the handshake, and its first ADVERT. */
export interface Joined {
  readonly hello: readonly unknown[];
  readonly advert: readonly unknown[];
}

let instances = 0;

export class Peer {
  readonly socket: net.Socket;
  readonly received: Received[] = [];
  /** Frames that could not be read back (a test fails on any). */
  readonly problems: string[] = [];
  readonly closed: Promise<void>;
  #isClosed = false;
  #buffer = Buffer.alloc(0);
  readonly #taken = new Set<Received>();
  readonly #channels = new Map<number, readonly unknown[]>();
  #waiters = new Set<() => void>();
  /** The node's name, once joined. */
  node = "";
  /** This peer's instance and ADVERT seq. */
  instance = "";
  seq = Date.now();
  /** Its credentials (`join()` with `identity`), and its X25519 key pair for origin authentication. */
  identity: PeerIdentity | undefined;
  readonly dh = generateKeyPairSync("x25519");
  readonly dhKey = rawX25519(this.dh.publicKey);

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on("close", () => {
        this.#isClosed = true;
        resolve();
        this.#wake();
      });
    });
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
  }

  /** A peer on a TCP connection to 127.0.0.1:`port`. */
  static connect(port: number): Promise<Peer> {
    return Peer.#once(net.connect({ host: "127.0.0.1", port }), "connect");
  }

  /** A peer on a connection to the Unix domain socket at `path`. */
  static connectUnix(path: string): Promise<Peer> {
    return Peer.#once(net.connect({ path }), "connect");
  }

  /** A peer speaking inside TLS (node:tls) to 127.0.0.1:`port`, once its TLS handshake is done. */
  static connectTls(port: number, options: tls.ConnectionOptions): Promise<Peer> {
    return Peer.#once(tls.connect({ ...options, host: "127.0.0.1", port }), "secureConnect");
  }

  static #once(socket: net.Socket, ready: "connect" | "secureConnect"): Promise<Peer> {
    return new Promise((resolve, reject) => {
      socket.once(ready, () => resolve(new Peer(socket)));
      socket.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Sends `value` encoded (by msgpack.ts) as one frame. */
  send(value: unknown): void {
    this.socket.write(frame(encode(value)));
  }

  /** Sends bytes as they are. */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * The handshake of docs/PROTOCOL.md as the connector, then this peer's ADVERT (neighbours: the node); resolves with
   * the node's HELLO and its first ADVERT (which lists this peer).
   */
  async join(options: JoinOptions): Promise<Joined> {
    this.instance = options.instance ?? (++instances).toString(16).padStart(16, "0");
    this.identity = options.identity;
    let hello: readonly unknown[];
    if (options.secret !== undefined) hello = await this.#withSecret(options.name, options.secret);
    else if (options.identity !== undefined)
      hello = await this.#withCredentials(options.name, options.identity);
    else {
      this.send([T.HELLO, VERSION, options.name, { instance: this.instance }]);
      hello = await this.next((m) => m[0] === T.HELLO || m[0] === T.REFUSE);
    }
    if (hello[0] === T.REFUSE) throw new Error(`refused: ${String(hello[1])}: ${String(hello[2])}`);
    this.node = hello[2] as string;
    this.advertise(options.objects ?? {}, options.neighbors ?? [this.node], options.name);
    const advert = await this.next((m) => m[0] === T.ADVERT && m[1] === this.node);
    return { hello, advert };
  }

  /** The handshake with a shared secret; resolves with the acceptor's HELLO (its proof checked) or a REFUSE. */
  async #withSecret(name: string, secret: string): Promise<readonly unknown[]> {
    const key = secretKey(secret);
    const nc = randomBytes(32);
    this.send([T.HELLO, VERSION, "", { instance: this.instance, nonce: nc, auth: ["secret"] }]);
    const challenge = await this.next((m) => m[0] === T.CHALLENGE || m[0] === T.REFUSE);
    if (challenge[0] === T.REFUSE) return challenge;
    const na = challenge[1] as Buffer;
    this.send([T.AUTH, name, connectorProof(key, na, nc, name), {}]);
    const hello = await this.next((m) => m[0] === T.HELLO || m[0] === T.REFUSE);
    if (hello[0] === T.HELLO) {
      const info = hello[3] as Record<string, unknown>;
      const expected = acceptorProof(key, nc, na, name, hello[2] as string, info["instance"] as string);
      const proof = info["proof"];
      if (!(proof instanceof Uint8Array) || !timingSafeEqual(proof, expected)) {
        throw new Error("the node's proof of the shared secret is wrong");
      }
    }
    return hello;
  }

  /**
   * The handshake with credentials (`Sc` over the transcript and the credential, Ed25519); resolves with the
   * acceptor's HELLO (its `Sa` checked against `acceptorKey` when given) or a REFUSE.
   */
  async #withCredentials(name: string, identity: PeerIdentity): Promise<readonly unknown[]> {
    const nc = randomBytes(32);
    const ic = this.instance;
    this.send([T.HELLO, VERSION, "", { instance: ic, nonce: nc, auth: ["identity"] }]);
    const challenge = await this.next((m) => m[0] === T.CHALLENGE || m[0] === T.REFUSE);
    if (challenge[0] === T.REFUSE) return challenge;
    const na = challenge[1] as Buffer;
    const credential = identity.credential ?? credentialOf(identity.publicKey);
    const t = { nc, na, nameC: name, ic };
    const signature = sign(null, transcript("connector", t, credential), identity.privateKey);
    this.send([T.AUTH, name, new Uint8Array(0), { credential, signature }]);
    const hello = await this.next((m) => m[0] === T.HELLO || m[0] === T.REFUSE);
    const acceptorKey = identity.acceptorKey;
    if (hello[0] === T.HELLO && acceptorKey !== undefined) {
      const info = hello[3] as { instance: string; credential: Buffer; signature: Buffer };
      const signed = transcript(
        "acceptor",
        { ...t, nameA: hello[2] as string, ia: info.instance },
        info.credential,
      );
      if (!verify(null, signed, acceptorKey, info.signature))
        throw new Error("the node's signature is wrong");
    }
    return hello;
  }

  /**
   * Sends this peer's ADVERT, with a higher `seq` than the last; signed with its identity, if it has one
   * ([credential, dhKey, signature] over the bytes of docs/PROTOCOL.md, "Advert signatures").
   */
  advertise(
    objects: Readonly<Record<string, readonly string[]>>,
    neighbors: readonly string[],
    origin: string,
  ): void {
    this.seq += 1;
    const identity = this.identity;
    let auth: unknown[] | null = null;
    if (identity !== undefined) {
      const credential = identity.credential ?? credentialOf(identity.publicKey);
      const signed = advertBytes(origin, this.instance, this.seq, neighbors, objects, this.dhKey, credential);
      auth = [credential, this.dhKey, sign(null, signed, identity.privateKey)];
    }
    this.send([T.ADVERT, origin, this.instance, this.seq, neighbors, objects, auth]);
  }

  /** The first message not taken yet that matches (full form), taken; waits up to `timeoutMs` for one. */
  async next(match: (m: readonly unknown[]) => boolean, timeoutMs = 3000): Promise<readonly unknown[]> {
    return (await this.nextReceived((r) => match(r.array), timeoutMs)).array;
  }

  /** As `next()`, the whole record. */
  async nextReceived(match: (r: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((r) => !this.#taken.has(r) && match(r));
      if (found !== undefined) {
        this.#taken.add(found);
        return found;
      }
      if (this.#isClosed) throw new Error(`closed while waiting; received ${this.#summary()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; received ${this.#summary()}`);
      await this.#wait(left);
    }
  }

  /** Resolves when nothing matching has come within `ms` (fails at once when something does). */
  async none(match: (m: readonly unknown[]) => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find((r) => !this.#taken.has(r) && match(r.array));
      if (found !== undefined) throw new Error(`unexpected message ${JSON.stringify(show(found.array))}`);
      const left = deadline - Date.now();
      if (left <= 0) return;
      await this.#wait(left);
    }
  }

  /** The BYE the node sent, once the connection has closed. */
  async bye(timeoutMs = 3000): Promise<{ code: string; message: string }> {
    const bye = await this.next((m) => m[0] === T.BYE, timeoutMs);
    await this.closedWithin(timeoutMs);
    return { code: bye[1] as string, message: bye[2] as string };
  }

  async closedWithin(timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** The link is open and read: a PING is answered with a PONG. */
  async alive(): Promise<void> {
    this.send([T.PING]);
    await this.next((m) => m[0] === T.PONG);
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
    });
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #summary(): string {
    return JSON.stringify(this.received.filter((r) => !this.#taken.has(r)).map((r) => show(r.raw)));
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4) {
      const length = this.#buffer.readUInt32BE(0);
      if (this.#buffer.length < 4 + length) break;
      const body = this.#buffer.subarray(4, 4 + length);
      this.#buffer = this.#buffer.subarray(4 + length);
      try {
        this.#onBody(Buffer.from(body));
      } catch (err) {
        this.problems.push(String(err));
      }
    }
    this.#wake();
  }

  #onBody(body: Buffer): void {
    const raw = decode(body) as unknown[];
    if (!Array.isArray(raw)) throw new Error("a body that is not an array");
    let array: readonly unknown[] = raw;
    let form: Received["form"] = "full";
    switch (raw[0]) {
      case T.BIND:
        this.#channels.set(raw[1] as number, raw.slice(2));
        break;
      case T.CHANNEL_CALL: {
        const [dst, src, path, intf, method] = this.#channel(raw[1]);
        array = [T.CALL, dst, src, raw[2], raw[3], path, intf, method, raw[6], raw[4], raw[5]];
        form = "channel";
        break;
      }
      case T.CHANNEL_RESULT: {
        const [dst, src] = this.#channel(raw[1]);
        array = [T.RESULT, dst, src, raw[2], raw[3], raw[5], raw[4]];
        form = "channel";
        break;
      }
      case T.CHANNEL_EVENT: {
        const [dst, src, path, intf, event] = this.#channel(raw[1]);
        array = [T.EVENT, dst, src, raw[2], path, intf, event, raw[5], raw[3], raw[4]];
        form = "channel";
        break;
      }
    }
    this.received.push({ raw, array, form, body });
  }

  #channel(channel: unknown): readonly unknown[] {
    const names = this.#channels.get(channel as number);
    if (names === undefined) throw new Error(`a channel message on channel ${String(channel)}, not bound`);
    return names;
  }
}

/**
 * The payload of a CALL, RESULT or EVENT as it was sent, the bytes a MAC covers: in a channel form the rest of the
 * body after its fixed part, in a full form the bin in the payload's place.
 */
export function payloadOf(r: Received): Buffer {
  if (r.form === "full") {
    const payload = r.array[r.array[0] === T.RESULT ? 5 : r.array[0] === T.CALL ? 8 : 7];
    if (!(payload instanceof Uint8Array)) throw new Error("a full form without a packed payload");
    return Buffer.from(payload);
  }
  // [header, type, channel, hops, id or seq, (timeoutMs,) mac, payload]: skip the integers, then the mac.
  const b = r.body;
  let pos = 2;
  for (let i = r.raw[0] === T.CHANNEL_CALL ? 4 : 3; i > 0; i--) {
    const token = b[pos] as number;
    pos += token < 0x80 ? 1 : 1 + (1 << (token & 0x03));
  }
  pos += b[pos] === 0xc0 ? 1 : 2 + (b[pos + 1] as number);
  return b.subarray(pos);
}

/** A message in a form JSON can show (bins as hex). */
function show(v: unknown): unknown {
  if (v instanceof Uint8Array) return `<bin ${Buffer.from(v).toString("hex")}>`;
  if (Array.isArray(v)) return v.map(show);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)]));
  }
  return v;
}
