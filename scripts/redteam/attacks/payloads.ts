/**
 * Floods of work per message: slow calls held by the thousand, bodies that decode into far more than they weigh,
 * names at and beyond the protocol's limits, and deep or wide payloads echoed back.
 *
 * In trust mode these are mallory's own messages on mallory's links, sealed with its MAC as a member's are (their
 * payloads then travel packed, as a bin), so that the victim does all the work it does for authenticated traffic.
 */
import type { CallMessage, Message } from "../../../packages/supcon/src/wire/messages.js";
import { MessageType } from "../../../packages/supcon/src/wire/messages.js";
import type { Attack, AttackContext } from "../attack.js";
import { ATTACKER, VICTIM, calcCall, pool, sleep } from "../attack.js";
import type { HostilePeer } from "../peer.js";
import { isReply, rawFrame } from "../wire.js";

const concurrency: Attack = {
  name: "concurrency",
  kind: "flood",
  summary:
    "10,000 slow calls (sleep 10 min) held in flight by the attacker: the victim's default maxServingCalls",
  trustSummary:
    "10,000 slow calls (sleep 10 min) of mallory's own, sealed, held in flight: the victim's default maxServingCalls",
  victimOptions: (scale) => (scale < 1 ? { maxServingCalls: Math.max(20, Math.round(10_000 * scale)) } : {}),
  async run(ctx) {
    const peer = await ctx.member();
    const n = ctx.count(10_000);
    let id = 1;
    for (; id <= n && !ctx.stopped && !peer.isClosed; id++) {
      const sleepCall = calcCall("sleep", id, { ms: 600_000 }, 600_000);
      if (!peer.sendOnChannel(sleepCall)) await peer.drained();
    }
    ctx.note(`${id - 1} slow calls sent`);
    await ctx.untilDeadline();
  },
};

/** A CALL of /echo echo from `src` with `token` as its argument. */
function echoCall(id: number, token: unknown, src = ATTACKER): CallMessage {
  return {
    type: MessageType.Call,
    dst: VICTIM,
    src,
    hops: 0,
    id,
    path: "/echo",
    intf: "test.Echo",
    method: "echo",
    args: { token },
    timeoutMs: 5_000,
  };
}

/** `depth` arrays nested around a 0: `[[[0]]]` for 3. */
function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/**
 * Sends `frames` one at a time on a link, each on a fresh link once the victim has closed the one before; waits
 * for the reply (or the close) of each. Returns how many were answered and how many closed the link.
 */
async function oneByOne(
  ctx: AttackContext,
  frames: () => Generator<Buffer>,
  count: number,
  name = ATTACKER,
): Promise<{ answered: number; closed: number }> {
  let peer: HostilePeer | undefined;
  let answered = 0;
  let closed = 0;
  const it = frames();
  for (let i = 0; i < count && !ctx.stopped; i++) {
    if (peer === undefined || peer.isClosed) {
      // The victim may not have seen the last link of this name close yet: try again shortly.
      peer = await ctx.member({ name: ctx.linkName(name) }, "tcp").catch(() => undefined);
      if (peer === undefined) {
        await sleep(100);
        continue;
      }
    }
    // Taken once a link is up: in trust mode a frame is sealed with keys the first link brings.
    const next = it.next();
    if (next.done === true) break;
    peer.write(next.value);
    // Waiting stops at the deadline (with a little room for a reply already on its way).
    const waitMs = Math.max(500, Math.min(5_000, ctx.deadline - Date.now()));
    // Its frames are all call 1 (mallory's other calls, in trust mode, have other ids).
    const reply = await peer
      .next((m) => isReply(m) && "id" in m && m.id === 1, waitMs)
      .catch(() => undefined);
    if (reply !== undefined) answered++;
    else if (await peer.waitClosed(2_000)) closed++;
  }
  peer?.destroy();
  return { answered, closed };
}

const decodeAmplification: Attack = {
  name: "decode-amp",
  kind: "flood",
  summary:
    "1 MiB frames of empty maps and of chains of 96 nested arrays, and CALLs whose method name is 15 MiB long",
  trustSummary:
    "the same frames, sealed by mallory (the args packed as a bin under its MAC), on mallory's links",
  async run(ctx) {
    const mib = 1024 * 1024;
    const rounds = ctx.count(20);
    const result = await oneByOne(
      ctx,
      function* () {
        // Built once each and sent again and again: one byte of the body per empty map, two per level of a chain.
        // The token sits at the third level of nesting (message, args): chains of 96 stay within the 100 levels
        // allowed.
        const empties = ctx.frameOf(
          echoCall(
            1,
            Array.from({ length: mib }, () => ({})),
          ),
        );
        const deep = ctx.frameOf(
          echoCall(
            1,
            Array.from({ length: Math.floor(mib / 97) }, () => nested(96)),
          ),
        );
        const longName = ctx.frameOf({ ...echoCall(1, null), method: "m".repeat(15 * mib) });
        for (;;) {
          yield empties;
          yield deep;
          yield longName;
        }
      },
      3 * rounds,
    );
    ctx.note(`${result.answered} answered, ${result.closed} refused (link closed) of ${3 * rounds} frames`);
    await ctx.untilDeadline();
  },
};

/** A name of `length` characters, different for each `i`. */
function longName(prefix: string, i: number, length: number): string {
  const head = `${prefix}${i}-`;
  return head + "x".repeat(Math.max(0, length - head.length));
}

const hugeNames: Attack = {
  name: "huge-names",
  kind: "flood",
  summary:
    "names at the limits: 4,096 BINDs per link on 8 links, 10,000 SUBSCRIBEs and 5,000 CALLs to unknown paths; and 20 above them",
  trustSummary:
    "the same on mallory's links (8 parallel ones bind the channels), the SUBSCRIBEs and CALLs sealed by mallory",
  async run(ctx) {
    const links = ctx.count(8);
    const subscribes = ctx.count(10_000);
    const calls = ctx.count(5_000);
    const bound = await pool(
      links,
      4,
      async (l) => {
        const peer = await ctx.member({ name: ctx.linkName(`binder-${l}`) }, "tcp");
        for (let channel = 0; channel < 4096 && !ctx.stopped; channel++) {
          const full = !peer.send({
            type: MessageType.Bind,
            channel,
            dst: longName(`d${l}-`, channel, 255),
            src: longName(`s${l}-`, channel, 255),
            path: longName(`/p${l}-`, channel, 1024),
            intf: longName(`i${l}.`, channel, 1024),
            member: longName(`m${l}-`, channel, 255),
          });
          if (full) await peer.drained();
        }
        peer.stopDecoding();
        peer.keepAlive();
      },
      () => ctx.stopped,
    );
    const peer = await ctx.member({}, "tcp");
    // From the attacker's own name: only the names of what it asks for are long.
    const messages = function* (): Generator<Message> {
      for (let i = 0; i < subscribes; i++) {
        yield {
          type: MessageType.Subscribe,
          dst: VICTIM,
          src: ATTACKER,
          hops: 0,
          path: longName("/stream-", i, 1024),
          intf: longName("test.Stream", i, 1024),
          event: longName("seq", i, 255),
        };
      }
      for (let i = 0; i < calls; i++) {
        yield {
          type: MessageType.Call,
          dst: VICTIM,
          src: ATTACKER,
          hops: 0,
          id: i + 1,
          path: longName("/calc", i, 1024),
          intf: longName("com.example.Calc", i, 1024),
          method: longName("add", i, 255),
          args: { a: 1, b: 2 },
          timeoutMs: 5_000,
        };
      }
    };
    let sent = 0;
    for (const m of messages()) {
      if (ctx.stopped || peer.isClosed) break;
      sent++;
      if (!peer.send(m)) await peer.drained();
    }
    // Above the limits: each should close its link (from a name of its own: `mallory` is linked still; in trust mode
    // another link of mallory's).
    const aboveLimits = ctx.linkName("above-limits");
    const above = ctx.count(20);
    const refused = await oneByOne(
      ctx,
      function* () {
        for (;;) {
          yield rawFrame({ ...echoCall(1, null, aboveLimits), dst: "v".repeat(300) });
          yield rawFrame({
            type: MessageType.Subscribe,
            dst: VICTIM,
            src: aboveLimits,
            hops: 0,
            path: "/".repeat(2_000),
            intf: "x.Y",
            event: "e",
          });
        }
      },
      above,
      aboveLimits,
    );
    ctx.note(
      `${bound} links with 4,096 channels bound; ${sent} SUBSCRIBEs and CALLs with names at the limits; ${refused.closed} of ${above} above them closed the link, ${refused.answered} were answered`,
    );
    await ctx.untilDeadline();
  },
};

const deepWide: Attack = {
  name: "deep-wide",
  kind: "flood",
  summary:
    "echo calls with args 96 levels deep, maps of 100,000 keys and arrays of 2,000,000 numbers, 4 at a time",
  trustSummary: "the same echo calls, sealed by mallory, on 4 links of mallory's",
  async run(ctx) {
    // A CALL's args values may nest 97 levels deep: the message array and the args map are the first two of 100.
    const wideMap: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) wideMap[`k${i}`] = i;
    const tokens = [nested(96), wideMap, new Array<number>(2_000_000).fill(7)];
    const n = ctx.count(150);
    let answered = 0;
    let refused = 0;
    let unanswered = 0;
    let id = 0;
    // 4 links (4 names), each with one call in flight; a link the victim closes is replaced.
    await pool(
      4,
      4,
      async (_, worker) => {
        const name = ctx.linkName(`echo-${worker}`);
        let peer: HostilePeer | undefined;
        while (id < n && !ctx.stopped) {
          if (peer === undefined || peer.isClosed) {
            // The victim may not have seen the last link of this name close yet: try again shortly.
            peer = await ctx.member({ name }, "tcp").catch(() => undefined);
            if (peer === undefined) {
              await sleep(100);
              continue;
            }
          }
          const mine = ++id;
          const frame = ctx.frameOf(echoCall(mine, tokens[mine % tokens.length], name));
          const waitMs = Math.max(500, Math.min(15_000, ctx.deadline - Date.now()));
          const link = peer;
          const reply = await ctx.reply(mine, waitMs, () => link.write(frame));
          if (reply?.type === MessageType.Result) answered++;
          else if (peer.isClosed) refused++;
          else unanswered++;
        }
        peer?.destroy();
      },
      () => ctx.stopped,
    );
    ctx.note(
      `${answered} echoed, ${refused} refused (link closed), ${unanswered} failed or unanswered of ${id}`,
    );
    await ctx.untilDeadline();
  },
};

export const payloadAttacks: readonly Attack[] = [concurrency, decodeAmplification, hugeNames, deepWide];
