/**
 * Forged identity: the attacker, a member of the bus with the shared secret and a valid certificate for its own
 * name (`mallory`), sends messages that claim to come from other nodes, claims another node's name, or rewrites
 * what the victim believes about the good client. None of it should take effect: the goals are 0 handler runs,
 * 0 intercepted messages, 0 routes changed and nothing forged accepted.
 *
 * The attacker persists: when the victim closes its link (as it may for a forged message), it comes back on a new
 * one and goes on where it stopped, up to 20 times.
 *
 * In trust mode the attacker is a member with a valid identity for `mallory` alone (member.ts): its links are
 * mallory's, signed and sealed; every message it forges in another name goes with each of the MACs it can come by in
 * turn (none, its own pair key's, one copied from a real message), and every advert it forges for another node goes
 * unsigned, signed by mallory, with that node's credential and mallory's signature, and with the node's genuine
 * signature copied. The goals are the same.
 */
import type { HandshakeIdentity } from "../../../packages/supcon/src/link/handshake.js";
import type { AdvertMessage, CallMessage, Message } from "../../../packages/supcon/src/wire/messages.js";
import { MessageType } from "../../../packages/supcon/src/wire/messages.js";
import type { Attack, AttackContext } from "../attack.js";
import { ADMIN, ATTACKER, GOOD, VICTIM, pool, sleep } from "../attack.js";
import type { AddressedMessage } from "../../../packages/supcon/src/link/peer-link.js";
import type { HostilePeer } from "../peer.js";
import { MAX_SEQ, advert } from "../wire.js";

/** A CALL of the admin-only method, claiming to come from `src`. */
function grant(src: string, id: number, hops = 0): CallMessage {
  return {
    type: MessageType.Call,
    dst: VICTIM,
    src,
    hops,
    id,
    path: "/admin",
    intf: "test.Admin",
    method: "grant",
    args: { who: ATTACKER },
    timeoutMs: 5_000,
  };
}

/** The good client's advert, as the victim floods it to a new neighbour. */
async function goodAdvert(peer: HostilePeer): Promise<AdvertMessage> {
  const m = await peer.next((x) => x.type === MessageType.Advert && x.origin === GOOD, 5_000);
  return m as AdvertMessage;
}

/** How a message goes: in full, or on a channel (BIND, then the channel message). */
type Form = "full" | "channel";

/**
 * Sends messages numbered `from` to `to` on `peer`, in `form`, with back-pressure; returns the next number (the
 * first not sent).
 */
async function sendNumbered(
  ctx: AttackContext,
  peer: HostilePeer,
  from: number,
  to: number,
  make: (i: number) => Message,
  form: (i: number) => Form = () => "full",
): Promise<number> {
  let i = from;
  for (; i <= to && !ctx.stopped && !peer.isClosed; i++) {
    const m = make(i);
    const full = form(i) === "channel" ? !peer.sendOnChannel(m) : !peer.send(m);
    if (full) await peer.drained();
  }
  return i;
}

/** What a forged message goes with in trust mode, for the reports. */
const WITH_MACS =
  "each with no MAC, a MAC under mallory's own pair key with the victim, or the MAC of a RESULT the victim sent mallory, in turn";

/** The `id`-th CALL of /admin, in turn from `admin` and from the victim, each with every forged MAC in trust mode. */
function forgedGrant(ctx: AttackContext, id: number): CallMessage {
  return ctx.forge(grant(id % 2 === 0 ? ADMIN : VICTIM, id), Math.floor(id / 2));
}

/** CALLs of /admin claiming `admin` (allowed by the policy) and the victim itself (always allowed), in full. */
const forgedCallFull: Attack = {
  name: "forged-call-full",
  kind: "identity",
  summary: "CALLs of the admin-only /admin grant in the full form, with src `admin` and src `victim`",
  trustSummary: `the same CALLs from mallory's authenticated link, ${WITH_MACS}`,
  async run(ctx) {
    const n = ctx.count(200, 10);
    let next = 1;
    await ctx.persist(
      () => ctx.member(),
      async (peer) => {
        next = await sendNumbered(ctx, peer, next, n, (id) => forgedGrant(ctx, id));
        await ctx.hold(peer);
      },
    );
    ctx.note(`${next - 1} forged CALLs`);
  },
};

/** The same CALLs on channels the attacker binds to the forged names. */
const forgedCallChannel: Attack = {
  name: "forged-call-channel",
  kind: "identity",
  summary: "the same CALLs on channels, BIND-ed to src `admin` and src `victim`",
  trustSummary: `the same CHANNEL CALLs from mallory's authenticated link, ${WITH_MACS}`,
  async run(ctx) {
    const n = ctx.count(200, 10);
    let next = 1;
    await ctx.persist(
      () => ctx.member(),
      async (peer) => {
        const call = (id: number): Message => forgedGrant(ctx, id);
        next = await sendNumbered(ctx, peer, next, n, call, () => "channel");
        await ctx.hold(peer);
      },
    );
    ctx.note(`${next - 1} forged CHANNEL CALLs`);
  },
};

/** A fake `admin` behind the attacker: adverts make it reachable through `mallory`, then it calls. */
const forgedCallRelayed: Attack = {
  name: "forged-call-relayed",
  kind: "identity",
  summary: "a fake `admin` advertised behind the attacker, calling /admin grant through it (hops 1)",
  trustSummary:
    "mallory's signed advert lists a fake `admin`, whose advert goes unsigned and signed by mallory; then CALLs from it (hops 1), " +
    WITH_MACS,
  async run(ctx) {
    const n = ctx.count(200, 10);
    let next = 1;
    await ctx.persist(
      () => ctx.member({ neighbors: [VICTIM, ADMIN] }),
      async (peer) => {
        for (const m of ctx.forgeAdvert(advert(ADMIN, "00000000000ad000", Date.now(), [ATTACKER])))
          peer.send(m);
        // Let the victim take the adverts in before the calls that rely on them.
        await sleep(100);
        next = await sendNumbered(ctx, peer, next, n, (id) => ctx.forge(grant(ADMIN, id, 1), id));
        await ctx.hold(peer);
      },
    );
    ctx.note(`${next - 1} CALLs from the fake admin`);
  },
};

/** UNSUBSCRIBE of the good client's subscription, sent by the attacker in the good client's name. */
const forgedUnsubscribe: Attack = {
  name: "forged-unsubscribe",
  kind: "identity",
  missedIsBreach: true,
  summary: "UNSUBSCRIBE from the victim's /stream seq in the name of `good`, every 200 ms",
  trustSummary: `the same UNSUBSCRIBEs from mallory's authenticated link, ${WITH_MACS}`,
  async run(ctx) {
    let sent = 0;
    await ctx.persist(
      () => ctx.member(),
      async (peer) => {
        while (!ctx.stopped && !peer.isClosed) {
          const unsubscribe: Message = {
            type: MessageType.Unsubscribe,
            dst: VICTIM,
            src: GOOD,
            hops: 0,
            path: "/stream",
            intf: "test.Stream",
            event: "seq",
          };
          peer.send(ctx.forge(unsubscribe, sent));
          sent++;
          await sleep(200);
        }
      },
    );
    ctx.note(`${sent} forged UNSUBSCRIBEs`);
  },
};

/**
 * Claims the good client's name on a second link, with the instance id its adverts carry (so that the victim takes
 * it for a parallel link of the same process). Over TCP with the shared secret, or over TLS with the attacker's own
 * certificate (which checkNodeName should refuse). In trust mode the handshake presents, in turn, mallory's own
 * credential (which does not prove `good`) and good's certificate copied from its advert, signed with mallory's key.
 */
function nameHijack(over: "tcp" | "tls"): Attack {
  return {
    name: over === "tcp" ? "name-hijack" : "name-hijack-tls",
    kind: "identity",
    summary:
      over === "tcp"
        ? "HELLO/AUTH as `good` with the instance id of good's adverts (shared secret only)"
        : "HELLO/AUTH as `good` with that instance id, over mutual TLS with mallory's certificate",
    trustSummary: `HELLO/AUTH as \`good\` with the instance id of good's adverts${over === "tcp" ? "" : ", over mutual TLS with mallory's certificate"}, presenting in turn mallory's credential and good's certificate (copied from its advert) signed with mallory's key`,
    async run(ctx) {
      const scout = await ctx.member({}, over);
      const instance = (await goodAdvert(scout)).instance;
      const endpoint = over === "tcp" ? ctx.tcp : ctx.tls;
      let tries = 0;
      let refusal = "";
      while (!ctx.stopped && tries < 5) {
        tries++;
        const hijack = await ctx.connect(endpoint, {}, GOOD);
        try {
          // No advert: the attacker only wants the link, and whatever the victim sends on it.
          const identity = hijackIdentity(ctx, tries);
          await hijack.handshake({
            name: GOOD,
            instance,
            secret: ctx.settings.secret,
            neighbors: false,
            ...(identity === undefined ? {} : { identity }),
          });
          ctx.accepted++;
          ctx.note(`the victim accepted a link as '${GOOD}' (instance ${instance}) on try ${tries}`);
          // Keep the victim's traffic coming, as a parallel link of the good client would.
          hijack.keepAlive();
          await ctx.hold(hijack);
          return;
        } catch (err) {
          refusal = err instanceof Error ? err.message : String(err);
          hijack.destroy();
          await sleep(100);
        }
      }
      ctx.note(`the victim refused ${tries} links as '${GOOD}' (${refusal.slice(0, 200)})`);
      await ctx.untilDeadline();
    },
  };
}

/**
 * What the `tries`-th hijack presents in trust mode: mallory's own credential, or good's (copied from its advert)
 * with mallory's signature; nothing with the secret only.
 */
function hijackIdentity(ctx: AttackContext, tries: number): HandshakeIdentity | undefined {
  const member = ctx.settings.member;
  if (member === undefined) return undefined;
  const credential = member.credentialOf(GOOD);
  return tries % 2 === 0 && credential !== undefined
    ? member.impersonating(GOOD, credential)
    : member.identity;
}

/**
 * A forged ADVERT of the good client with the largest seq: it lists the attacker as good's only neighbour, so that
 * the victim routes good's traffic through the attacker, and no genuine advert of good can ever replace it.
 */
const advertOverride: Attack = {
  name: "advert-override",
  kind: "identity",
  summary:
    "ADVERT of `good` with seq 2^53−1 listing only `mallory` as its neighbour (and mallory listing good)",
  trustSummary:
    "the same ADVERT of `good` (unsigned, signed by mallory, with good's certificate and mallory's signature, with good's genuine signature copied), and mallory's signed advert listing good",
  async run(ctx) {
    let sent = 0;
    await ctx.persist(
      () => ctx.member({ neighbors: [VICTIM, GOOD] }),
      async (peer) => {
        const genuine = await goodAdvert(peer);
        const objects = genuine.objects as Record<string, string[]>;
        for (const m of ctx.forgeAdvert(
          advert(GOOD, genuine.instance, MAX_SEQ, [ATTACKER], objects),
          genuine,
        )) {
          peer.send(m);
          sent++;
        }
        await ctx.hold(peer);
      },
    );
    ctx.note(`${sent} forged adverts of ${GOOD} (seq ${MAX_SEQ})`);
  },
};

/** A forged ADVERT of the good client with the largest seq and no neighbours: the victim loses its route to good. */
function advertErase(leaveAfterMs: number | undefined): Attack {
  return {
    name: leaveAfterMs === undefined ? "advert-erase" : "erasure-repair",
    kind: "identity",
    repairOnly: leaveAfterMs !== undefined,
    summary:
      leaveAfterMs === undefined
        ? "ADVERT of `good` with seq 2^53−1 and no neighbours (erases good), held for the attack"
        : "the same erasing ADVERT, then the attacker leaves at once: how soon do calls to `good` succeed again",
    trustSummary: `${leaveAfterMs === undefined ? "the same erasing ADVERT of `good`, held for the attack" : "the same erasing ADVERT of `good`, then the attacker leaves at once"}, in its 4 forged forms (unsigned, signed by mallory, good's certificate with mallory's signature, good's genuine signature copied)`,
    async run(ctx) {
      let sent = 0;
      const erase = async (peer: HostilePeer): Promise<void> => {
        const genuine = await goodAdvert(peer);
        for (const m of ctx.forgeAdvert(advert(GOOD, genuine.instance, MAX_SEQ, [], {}), genuine)) {
          peer.send(m);
          sent++;
        }
      };
      if (leaveAfterMs !== undefined) {
        await erase(await ctx.member());
        await sleep(leaveAfterMs);
        ctx.note(`${sent} erasing adverts sent; the attacker left ${leaveAfterMs} ms later`);
        return;
      }
      await ctx.persist(
        () => ctx.member(),
        async (peer) => {
          await erase(peer);
          await ctx.hold(peer);
        },
      );
      ctx.note(`${sent} erasing adverts of ${GOOD}`);
    },
  };
}

/**
 * RESULTs and ERRORs for call ids the attacker guesses, in the name of the victim towards the good client and in
 * the name of the good client towards the victim (whose probes call good).
 */
const injectedResults: Attack = {
  name: "injected-results",
  kind: "identity",
  summary: "RESULTs (on channels) and ERRORs (in full) for guessed call ids: victim→good and good→victim",
  trustSummary: `the same RESULTs and ERRORs from mallory's authenticated link, ${WITH_MACS}`,
  async run(ctx) {
    // Were ids to start from 1 on every node, both sides' ids would be below this by the end of the attack (each
    // makes about 130 calls a second from its start): guess every one of them, again and again.
    const ids = Math.round(200 * ((ctx.deadline - ctx.started) / 1_000 + 15));
    const forged = { sum: -1, aborted: true };
    let sent = 0;
    let rounds = 0;
    // Three replies for each id: RESULT to good and RESULT to the victim (on channels), ERROR to good (in full).
    const reply = (i: number): Message => ctx.forge(plainReply(i), Math.floor(i / 3));
    const plainReply = (i: number): AddressedMessage => {
      const id = Math.floor(i / 3) + 1;
      if (i % 3 === 0) return { type: MessageType.Result, dst: GOOD, src: VICTIM, hops: 0, id, out: forged };
      if (i % 3 === 1) return { type: MessageType.Result, dst: VICTIM, src: GOOD, hops: 0, id, out: forged };
      return {
        type: MessageType.Error,
        dst: GOOD,
        src: VICTIM,
        hops: 0,
        id,
        code: "supcon.Internal",
        message: "injected by mallory",
        data: null,
      };
    };
    await ctx.persist(
      () => ctx.member(),
      async (peer) => {
        const form = (i: number): Form => (i % 3 === 2 ? "full" : "channel");
        while (!ctx.stopped && !peer.isClosed) {
          rounds++;
          sent += await sendNumbered(ctx, peer, 0, 3 * ids - 1, reply, form);
          await sleep(1);
        }
      },
    );
    ctx.note(`${sent} forged replies over ${rounds} rounds of ids 1 to ${ids}`);
  },
};

/**
 * Replays a recorded handshake: the bytes of a valid connector's HELLO (its nonce) and AUTH (its proof), written
 * again on new connections. Each proof binds the victim's fresh nonce, so every replay must be refused.
 */
const handshakeReplay: Attack = {
  name: "handshake-replay",
  kind: "identity",
  summary: "a recorded HELLO + AUTH (of a valid handshake) replayed on 500 new connections",
  trustSummary:
    "a recorded HELLO + AUTH of a valid handshake with mallory's identity (credential, signature of the transcript) replayed on 500 new connections",
  async run(ctx) {
    const original = await ctx.connect(ctx.tcp);
    original.recording = true;
    await original.handshake({ ...ctx.proofs, name: ATTACKER, neighbors: false });
    original.destroy();
    // One write per message: HELLO, then AUTH.
    const [hello, auth] = original.recorded;
    if (hello === undefined || auth === undefined) throw new Error("the recorded handshake has no AUTH");

    const n = ctx.count(500, 10);
    let refused = 0;
    const started = await pool(
      n,
      16,
      async () => {
        const replay = await ctx.connect(ctx.tcp);
        try {
          replay.write(hello);
          await replay.next((m) => m.type === MessageType.Challenge, 3_000);
          replay.write(auth);
          const answer = await replay.next(
            (m) => m.type === MessageType.Hello || m.type === MessageType.Refuse,
          );
          if (answer.type === MessageType.Hello) ctx.accepted++;
          else refused++;
        } finally {
          replay.destroy();
        }
      },
      () => ctx.stopped,
    );
    ctx.note(`${started} replays: ${ctx.accepted} accepted, ${refused} refused`);
    await ctx.untilDeadline();
  },
};

export const identityAttacks: readonly Attack[] = [
  forgedCallFull,
  forgedCallChannel,
  forgedCallRelayed,
  forgedUnsubscribe,
  nameHijack("tcp"),
  nameHijack("tls"),
  advertOverride,
  advertErase(undefined),
  advertErase(300),
  injectedResults,
  handshakeReplay,
];
