/**
 * Every attack of the suite, in the order they run: forged identity first, then the floods.
 */
import type { Attack } from "../attack.js";
import { connectionAttacks } from "./connections.js";
import { identityAttacks } from "./identity.js";
import { payloadAttacks } from "./payloads.js";
import { routingAttacks } from "./routing.js";

export const ATTACKS: readonly Attack[] = [
  ...identityAttacks,
  ...routingAttacks,
  ...connectionAttacks,
  ...payloadAttacks,
];

/** The attacks named in `names` (all when undefined), in suite order; throws naming an unknown one. */
export function selectAttacks(names: readonly string[] | undefined): Attack[] {
  if (names === undefined) return [...ATTACKS];
  const known = new Map(ATTACKS.map((a) => [a.name, a]));
  for (const name of names) {
    if (!known.has(name)) {
      throw new Error(`unknown attack '${name}' (known: ${ATTACKS.map((a) => a.name).join(", ")})`);
    }
  }
  return ATTACKS.filter((a) => names.includes(a.name));
}
