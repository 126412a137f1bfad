/**
 * Floods of connections: many idle links, half-open TLS handshakes, silent or trickling connections that hold the
 * handshake slots, links that trickle an endless frame, churn, and malformed frames on fresh connections.
 *
 * In trust mode every authenticated link is mallory's (the only name the attacker can prove), with its identity:
 * parallel links of one proven name and process instance are admitted, so the floods keep their counts of links.
 * What happens before or without a handshake (TLS, silent and trickling connections) is the same in both modes.
 */
import * as net from "node:net";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { encodeMessage } from "../../../packages/supcon/src/wire/codec.js";
import { MessageType, PROTOCOL_VERSION } from "../../../packages/supcon/src/wire/messages.js";
import type { Attack, AttackContext } from "../attack.js";
import { ATTACKER, VICTIM, pool, sleep } from "../attack.js";
import type { HostilePeer } from "../peer.js";
import { instanceOf } from "../peer.js";
import { frame, frameOfValue } from "../wire.js";

/**
 * Opens an authenticated link over TCP, as `name` (as mallory in trust mode), which then advertises itself or stays
 * silent.
 */
async function link(ctx: AttackContext, wanted: string, advertise: boolean): Promise<HostilePeer> {
  const name = ctx.linkName(wanted);
  const peer = await ctx.connect(ctx.tcp, {}, name);
  try {
    await peer.handshake({ ...ctx.proofs, name, ...(advertise ? {} : { neighbors: false }) });
  } catch (err) {
    peer.destroy();
    throw err;
  }
  // What the victim sends from now on (adverts, pings) is only counted.
  peer.stopDecoding();
  peer.keepAlive();
  return peer;
}

/**
 * Opens `count` links (32 at a time, below the victim's handshake limit), each under a name of its own (a second
 * link in a linked node's name is refused), and holds them until the deadline.
 */
async function idleLinks(
  ctx: AttackContext,
  count: number,
  prefix: string,
  advertise: boolean,
): Promise<void> {
  let open = 0;
  let failed = 0;
  await pool(
    count,
    32,
    async (i) => {
      try {
        await link(ctx, `${prefix}-${i}`, advertise);
        open++;
      } catch {
        failed++;
      }
    },
    () => ctx.stopped,
  );
  ctx.note(`${open} of ${count} links open (${failed} failed) after ${Date.now() - ctx.started} ms`);
  await ctx.untilDeadline();
}

const idle: Attack = {
  name: "idle-links",
  kind: "flood",
  summary: "2,000 idle authenticated links, each a node of its own that sends nothing (not even its advert)",
  trustSummary: "2,000 idle authenticated links, all of them mallory's (one process), that send nothing",
  run: (ctx) => idleLinks(ctx, ctx.count(2_000), "idle", false),
};

const named: Attack = {
  name: "named-links",
  kind: "flood",
  summary: "2,000 idle authenticated links, each a node of its own that advertises itself, as a node does",
  trustSummary:
    "2,000 authenticated links, all of them mallory's, each sending a new signed advert of mallory (which the victim floods to the others)",
  run: (ctx) => idleLinks(ctx, ctx.count(2_000), "link", true),
};

/** The ClientHello a TLS client sends first, captured from Node's own TLS client over a fake socket. */
function captureClientHello(servername: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fake = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        callback();
        clearTimeout(timer);
        resolve(Buffer.from(chunk));
        // The write may come from within tls.connect(): let it return first.
        setImmediate(() => client.destroy());
      },
    });
    const timer = setTimeout(() => reject(new Error("no ClientHello was written within 2 s")), 2_000);
    const client = tls.connect({ socket: fake, servername, rejectUnauthorized: false });
    client.on("error", () => undefined);
  });
}

const tlsFlood: Attack = {
  name: "tls-flood",
  kind: "flood",
  probeJoins: true,
  summary:
    "5,000 TLS connections that send a ClientHello and never answer the server (the server does its crypto)",
  async run(ctx) {
    const hello = await captureClientHello(VICTIM);
    const n = ctx.count(5_000);
    let opened = 0;
    let closedByVictim = 0;
    await pool(
      n,
      100,
      () =>
        new Promise<void>((resolve) => {
          const socket = net.connect({ host: "127.0.0.1", port: ctx.settings.tlsPort });
          ctx.track(socket);
          socket.on("error", () => undefined);
          socket.once("connect", () => {
            opened++;
            socket.write(hello);
            // Never read: the server's answer stays in the socket buffers, and the handshake never completes.
            socket.pause();
            resolve();
          });
          socket.once("close", () => {
            closedByVictim++;
            ctx.untrack(socket);
            resolve();
          });
        }),
      () => ctx.stopped,
    );
    ctx.note(`${opened} of ${n} half-open TLS connections opened in ${Date.now() - ctx.started} ms`);
    await ctx.untilDeadline();
    ctx.note(`${closedByVictim} closed by the victim before the end`);
  },
};

/**
 * Keeps `slots` connections in their handshake at all times: silent ones, reopened as soon as the victim drops
 * them, up to `total` opened in all.
 */
/** At a scale below 1 the victim's handshake slots shrink with the attack, so that it still fills them. */
const scaledSlots = (scale: number): Record<string, unknown> =>
  scale < 1 ? { maxHandshakingLinks: Math.max(8, Math.round(128 * scale)) } : {};

const handshakeSlots: Attack = {
  name: "handshake-slots",
  kind: "flood",
  probeJoins: true,
  victimOptions: scaledSlots,
  summary: "256 silent connections kept open before their handshake, each reopened as soon as it is dropped",
  async run(ctx) {
    const slots = ctx.count(256);
    const total = ctx.count(20_000);
    let opened = 0;
    const hold = async (): Promise<void> => {
      while (!ctx.stopped && opened < total) {
        opened++;
        const peer = await ctx.connect(ctx.tcp).catch(() => undefined);
        if (peer === undefined) {
          await sleep(10);
          continue;
        }
        await Promise.race([peer.closed, sleep(Math.max(0, ctx.deadline - Date.now()))]);
        peer.destroy();
      }
    };
    await Promise.all(Array.from({ length: slots }, () => hold()));
    ctx.note(`${opened} silent connections opened, ${slots} at a time`);
  },
};

/** Writes `bytes` one byte every `periodMs` until the deadline or the close. */
async function trickle(
  ctx: AttackContext,
  peer: HostilePeer,
  bytes: Uint8Array,
  periodMs: number,
): Promise<void> {
  for (let i = 0; i < bytes.length && !ctx.stopped && !peer.isClosed; i++) {
    peer.write(bytes.subarray(i, i + 1));
    await sleep(periodMs);
  }
}

const slowloris: Attack = {
  name: "slowloris",
  kind: "flood",
  probeJoins: true,
  victimOptions: scaledSlots,
  summary:
    "100 connections trickling HELLO 1 byte per 200 ms, and 100 links (100 names) trickling a frame that declares 1 MiB",
  trustSummary:
    "100 connections trickling HELLO 1 byte per 200 ms, and 100 links of mallory's trickling a frame that declares 1 MiB",
  async run(ctx) {
    const hello = encodeMessage({
      type: MessageType.Hello,
      version: PROTOCOL_VERSION,
      name: ATTACKER,
      info: { instance: instanceOf(ATTACKER) },
    });
    const pre = ctx.count(100);
    const post = ctx.count(100);
    let preOpened = 0;
    let postOpened = 0;
    const before = async (): Promise<void> => {
      // Reopened when the victim drops it (its handshake timeout), at most 4 times each.
      for (let round = 0; round < 4 && !ctx.stopped; round++) {
        const peer = await ctx.connect(ctx.tcp).catch(() => undefined);
        if (peer === undefined) return;
        preOpened++;
        await trickle(ctx, peer, hello, 200);
        peer.destroy();
      }
    };
    // 1 MiB: the largest body a node allocates in full as soon as it reads the header.
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1024 * 1024);
    const after = async (i: number): Promise<void> => {
      const peer = await link(ctx, `slow-${i}`, false).catch(() => undefined);
      if (peer === undefined) return;
      postOpened++;
      peer.write(header);
      await trickle(ctx, peer, Buffer.alloc(1024 * 1024, 0x90), 500);
    };
    await Promise.all([
      ...Array.from({ length: pre }, () => before()),
      ...Array.from({ length: post }, (_, i) => after(i)),
    ]);
    ctx.note(`${preOpened} trickling handshakes, ${postOpened} links trickling a 1 MiB frame`);
  },
};

const churn: Attack = {
  name: "churn",
  kind: "flood",
  probeJoins: true,
  summary: "2,000 links opened (full handshake) and closed at once, 8 at a time, under 8 names",
  trustSummary:
    "2,000 links of mallory's opened (full handshake with its identity) and closed at once, 8 at a time",
  async run(ctx) {
    const n = ctx.count(2_000);
    let done = 0;
    const started = await pool(
      n,
      8,
      async (_, worker) => {
        // One name per worker: a name is free again once its link has closed (mallory's links may be parallel).
        const name = ctx.linkName(`churn-${worker}`);
        const peer = await ctx.connect(ctx.tcp, {}, name);
        try {
          await peer.handshake({ ...ctx.proofs, name });
          done++;
        } finally {
          peer.destroy();
        }
        await peer.closed;
      },
      () => ctx.stopped,
    );
    ctx.note(`${done} of ${started} links opened and closed`);
  },
};

/** Bodies no node may send; each must make the victim close that connection, and nothing else. */
function malformedBodies(): Buffer[] {
  const noise = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) & 0xff));
  return [
    noise,
    frame(Buffer.from([0xc1, 0xc1])),
    frame(Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61])),
    frame(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01])),
    frame(Buffer.concat([Buffer.alloc(5_000, 0x91), Buffer.from([0xc0])])),
    Buffer.from([0, 0, 0, 0]),
    frameOfValue([99, "x"]),
    frameOfValue([MessageType.Call, VICTIM, ATTACKER]),
    frameOfValue({ type: MessageType.Call }),
    frameOfValue([MessageType.ChannelCall, 7, 0, 1, 1_000, null, {}]),
    frameOfValue([MessageType.Hello, PROTOCOL_VERSION, ATTACKER, { instance: instanceOf(ATTACKER) }]),
  ];
}

const malformed: Attack = {
  name: "malformed",
  kind: "flood",
  probeJoins: true,
  summary: "1,000 connections, half authenticated first, each sending one malformed frame (11 kinds)",
  trustSummary:
    "1,000 connections, half authenticated first (as mallory, with its identity), each sending one malformed frame (11 kinds)",
  async run(ctx) {
    const bodies = malformedBodies();
    const n = ctx.count(1_000);
    let closed = 0;
    const started = await pool(
      n,
      8,
      async (i, worker) => {
        const name = ctx.linkName(`malformed-${worker}`);
        const peer = await ctx.connect(ctx.tcp, {}, name);
        try {
          if (i % 2 === 1) await peer.handshake({ ...ctx.proofs, name });
          peer.write(bodies[i % bodies.length] as Buffer);
          if (await peer.waitClosed(3_000)) closed++;
        } finally {
          peer.destroy();
        }
      },
      () => ctx.stopped,
    );
    ctx.note(`${started} malformed connections, ${closed} closed by the victim within 3 s`);
    await ctx.untilDeadline();
  },
};

export const connectionAttacks: readonly Attack[] = [
  idle,
  named,
  tlsFlood,
  handshakeSlots,
  slowloris,
  churn,
  malformed,
];
