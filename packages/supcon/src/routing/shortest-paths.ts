/**
 * The shortest paths from one node over the graph its adverts describe: breadth-first by hop count, each node's next
 * hop and distance. Run by the routing table (`table.ts`) once per change of the adverts it holds; pure.
 *
 * Of the graph it sees only the edges both ends list (see `RoutingTable`), and it settles ties between paths of the
 * same length by the name of the next hop, then of the node, so that all nodes agree on the routes.
 */
import type { Advert } from "./advert.js";

/** Neighbour lists longer than this are looked up through a Set (built once per advert). */
const SHORT_LIST = 16;

/**
 * Fills `nextHop` and `distance`, which hold only `self` (its own next hop, at 0), with the route to every node
 * reachable from `self` over `adverts`. `neighborSets` caches the Sets of long neighbour lists, by advert.
 */
export function shortestPaths(
  self: string,
  adverts: ReadonlyMap<string, Advert>,
  neighborSets: WeakMap<Advert, ReadonlySet<string>>,
  nextHop: Map<string, string>,
  distance: Map<string, number>,
): void {
  const selfAdvert = adverts.get(self);
  // Neighbours in name order, so that ties resolve to the lowest next hop.
  let frontier: string[] = [];
  for (const n of [...(selfAdvert?.neighbors ?? [])].sort()) {
    if (distance.has(n) || !linked(adverts, neighborSets, self, n)) continue;
    distance.set(n, 1);
    nextHop.set(n, n);
    frontier.push(n);
  }
  for (let d = 2; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const node of frontier) {
      const via = nextHop.get(node) as string;
      for (const n of adverts.get(node)?.neighbors ?? []) {
        if (distance.has(n) || !linked(adverts, neighborSets, node, n)) continue;
        distance.set(n, d);
        nextHop.set(n, via);
        next.push(n);
      }
    }
    // Deterministic tie-breaking: process the next layer by (next hop, name).
    next.sort((a, b) => cmp(nextHop.get(a) as string, nextHop.get(b) as string) || cmp(a, b));
    frontier = next;
  }
}

/** True when the advert of `b` lists `a` as a neighbour (the other half of an edge from `a` to `b`). */
function linked(
  adverts: ReadonlyMap<string, Advert>,
  neighborSets: WeakMap<Advert, ReadonlySet<string>>,
  a: string,
  b: string,
): boolean {
  const adv = adverts.get(b);
  if (adv === undefined) return false;
  if (adv.neighbors.length <= SHORT_LIST) return adv.neighbors.includes(a);
  let set = neighborSets.get(adv);
  if (set === undefined) neighborSets.set(adv, (set = new Set(adv.neighbors)));
  return set.has(a);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
