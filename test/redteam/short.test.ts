/**
 * The red-team suite's short form (the full one: `npm run redteam`, scripts/redteam/): the cheapest attacks at a
 * small scale, each against a fresh victim in a child process (test/fixtures/redteam-victim.js, on the built
 * runtime) with the good client calling and subscribing throughout. Each test asserts the attack's goals, and
 * fails naming the goals missed.
 *
 * Attacks that still succeed against the runtime are marked `it.failing`, with the attack named: the suite says
 * what holds today, and such a test starts failing (and is to lose its mark) as soon as the fix lands.
 *
 * The forged-identity attacks run twice: against a bus with the shared secret and mutual TLS only, where those in
 * other nodes' names succeed by design, and with origin authentication (`trust: true`: every node has an identity
 * certified by the bus CA, and the attacker one for `mallory` alone), where none of them may.
 */
import { selectAttacks } from "../../scripts/redteam/attacks/index";
import { runAttack } from "../../scripts/redteam/harness";
import { GOALS } from "../../scripts/redteam/metrics";
import type { RedTeamPki } from "../../scripts/redteam/pki";
import { createRedTeamPki } from "../../scripts/redteam/pki";

/**
 * Small counts (the victim's limits shrink with them where an attack aims at one), 1 s of attack, and a p99 bound a
 * CI machine running other tests at the same time can keep; the other goals are those of the full run.
 */
const SHORT = {
  scale: 0.02,
  seconds: 1,
  minAfterMs: 1_000,
  maxAfterMs: 4_000,
  goals: { ...GOALS, maxP99Ms: 500 },
};

let pki: RedTeamPki;
beforeAll(() => {
  pki = createRedTeamPki();
});
afterAll(() => pki.dispose());

/** The goals `name` missed (with origin authentication when `trust`): none when the victim withstood it. */
async function missed(name: string, trust: boolean): Promise<readonly string[]> {
  const [attack] = selectAttacks([name]);
  if (attack === undefined) throw new Error(`no attack ${name}`);
  const result = await runAttack(attack, { pki, trust, ...SHORT });
  return result.failures;
}

/** Runs `name` and expects every goal met. */
function withstood(name: string, trust: boolean): Promise<void> {
  return missed(name, trust).then((f) => expect([name, f]).toEqual([name, []]));
}

describe("red team (short form)", () => {
  const withstands = (name: string): Promise<void> => withstood(name, false);

  // Still succeeds, attack forged-call-full: a CALL's src is believed as it comes, so a member of the bus runs the
  // admin-only handler in the name of `admin`, or of the victim itself.
  it.failing("forged-call-full: runs no admin-only handler for CALLs claiming another source", () =>
    withstands("forged-call-full"),
  );

  // Still succeeds, attack forged-call-channel: the same, with src bound to a channel.
  it.failing(
    "forged-call-channel: runs no admin-only handler for CHANNEL CALLs bound to another source",
    () => withstands("forged-call-channel"),
  );

  // Still succeeds, attack forged-call-relayed: a fake `admin` advertised behind the attacker calls through it.
  it.failing("forged-call-relayed: runs no admin-only handler for a fake admin behind the attacker", () =>
    withstands("forged-call-relayed"),
  );

  // Still succeeds, attack forged-unsubscribe: an UNSUBSCRIBE in the good client's name ends its subscription.
  it.failing("forged-unsubscribe: keeps the good client's subscription", () =>
    withstands("forged-unsubscribe"),
  );

  it("name-hijack: refuses a second link under the good client's name and instance", () =>
    withstands("name-hijack"));

  it("name-hijack-tls: refuses the good client's name with the attacker's certificate", () =>
    withstands("name-hijack-tls"));

  it("advert-erase: keeps its route to the good client against a forged advert", () =>
    withstands("advert-erase"));

  it("injected-results: takes no forged RESULT or ERROR for a real call", () =>
    withstands("injected-results"));

  it("handshake-replay: refuses every replayed handshake", () => withstands("handshake-replay"));

  it("concurrency: keeps serving the good client while the attacker holds every serving slot it can", () =>
    withstands("concurrency"));

  it("malformed: keeps serving while connections send malformed frames", () => withstands("malformed"));
});

describe("red team, origin authentication (short form)", () => {
  // Every node has an identity certified by the bus CA; the attacker is a member with one for `mallory` alone, and
  // forges with every MAC it can come by and every signature it holds: nothing in another node's name may work.
  it.each([
    ["forged-call-full", "runs no admin-only handler for CALLs claiming another source, whatever their MAC"],
    ["forged-call-channel", "runs no admin-only handler for CHANNEL CALLs bound to another source"],
    [
      "forged-call-relayed",
      "refuses the fake admin's advert signed by the attacker, and runs no handler for it",
    ],
    ["forged-unsubscribe", "keeps the good client's subscription"],
    ["name-hijack", "refuses the good client's name with the attacker's credential or a copy of good's"],
    ["advert-erase", "keeps its route to the good client against forged and re-signed adverts"],
    ["injected-results", "takes no forged RESULT or ERROR, whatever its MAC"],
  ])("%s: %s", (name) => withstood(name, true));
});
