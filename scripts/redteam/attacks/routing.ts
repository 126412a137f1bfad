/**
 * Floods of the routing and event tables: fake nodes advertised behind the attacker, source names sprayed in
 * events, and fake subscribers that turn each event the victim fires into thousands of frames.
 *
 * In trust mode the fake nodes' adverts are signed with mallory's key (the only one it has: the victim must refuse
 * them, since mallory's certificate names only mallory), mallory's own advert listing them is genuine, and the
 * messages in the fakes' names carry forged MACs in turn (none, mallory's own pair key's, a copied one).
 */
import { MessageType } from "../../../packages/supcon/src/wire/messages.js";
import type { Attack, AttackContext } from "../attack.js";
import { ATTACKER, VICTIM, sleep } from "../attack.js";
import type { AddressedMessage } from "../../../packages/supcon/src/link/peer-link.js";
import type { HostilePeer } from "../peer.js";
import { instanceOf } from "../peer.js";
import { advert } from "../wire.js";

const FAKE_INSTANCE = "00000000000fa4e0";

/**
 * Advertises `count` fake nodes linked to the attacker (each lists `mallory`, and mallory lists them all), so that
 * every one of them is reachable through the attacker. Returns their names.
 */
async function advertiseFakes(
  ctx: AttackContext,
  peer: HostilePeer,
  prefix: string,
  count: number,
  batch = 1_000,
): Promise<string[]> {
  const names: string[] = [];
  let seq = Date.now();
  const member = ctx.settings.member;
  for (let i = 0; i < count && !ctx.stopped && !peer.isClosed; i++) {
    const name = `${prefix}-${i}`;
    names.push(name);
    const fake = advert(name, FAKE_INSTANCE, seq, [ATTACKER]);
    if (!peer.send(member?.sign(fake) ?? fake)) await peer.drained();
    if (names.length % batch === 0 || i === count - 1) {
      // The attacker's own advert, listing every fake so far: each becomes reachable.
      const neighbors = [VICTIM, ...names];
      peer.send(member?.advert(neighbors) ?? advert(ATTACKER, instanceOf(ATTACKER), ++seq, neighbors));
      await peer.drained();
    }
  }
  return names;
}

const advertFlood: Attack = {
  name: "advert-flood",
  kind: "flood",
  summary: "50,000 fake nodes advertised behind the attacker, in batches of 1,000",
  trustSummary:
    "50,000 fake nodes advertised behind the attacker, in batches of 1,000, each advert signed with mallory's key (and mallory's genuine advert listing them)",
  async run(ctx) {
    const peer = await ctx.member();
    const n = ctx.count(50_000);
    const names = await advertiseFakes(ctx, peer, "ghost", n);
    ctx.note(`${names.length} of ${n} fake nodes advertised`);
    await ctx.untilDeadline();
  },
};

const sourceSpray: Attack = {
  name: "source-spray",
  kind: "flood",
  summary: "100,000 EVENTs to the victim, each from a different made-up source node",
  trustSummary:
    "100,000 EVENTs to the victim, each from a different made-up source node, with no MAC, mallory's own or a copied one in turn",
  async run(ctx) {
    const peer = await ctx.member();
    const n = ctx.count(100_000);
    let i = 0;
    for (; i < n && !ctx.stopped && !peer.isClosed; i++) {
      const event: AddressedMessage = {
        type: MessageType.Event,
        dst: VICTIM,
        src: `spray-${i}`,
        hops: 0,
        path: "/stream",
        intf: "test.Stream",
        event: "seq",
        args: { n: i },
        seq: 1,
      };
      const full = !peer.send(ctx.forge(event, i));
      if (full) await peer.drained();
    }
    ctx.note(`${i} of ${n} sprayed EVENTs`);
    await ctx.untilDeadline();
  },
};

const subscriptionAmplification: Attack = {
  name: "sub-amplification",
  kind: "flood",
  summary: "5,000 fake subscribers behind the attacker, each subscribed to the victim's /stream seq",
  trustSummary:
    "5,000 fake subscribers behind the attacker (adverts signed with mallory's key), each SUBSCRIBE with no MAC, mallory's own or a copied one in turn",
  async run(ctx) {
    const peer = await ctx.member();
    const n = ctx.count(5_000);
    const names = await advertiseFakes(ctx, peer, "sub", n);
    await sleep(100);
    for (const [i, src] of names.entries()) {
      if (ctx.stopped) break;
      const subscribe: AddressedMessage = {
        type: MessageType.Subscribe,
        dst: VICTIM,
        src,
        hops: 1,
        path: "/stream",
        intf: "test.Stream",
        event: "seq",
      };
      const full = !peer.send(ctx.forge(subscribe, i));
      if (full) await peer.drained();
    }
    // What comes back is only counted: decoding it here would load the machine the victim runs on.
    peer.stopDecoding();
    peer.keepAlive();
    const before = peer.bytesIn;
    await ctx.untilDeadline();
    ctx.note(
      `${names.length} fake subscribers; ${((peer.bytesIn - before) / 1048576).toFixed(1)} MiB came back`,
    );
  },
};

export const routingAttacks: readonly Attack[] = [advertFlood, sourceSpray, subscriptionAmplification];
