/**
 * This node's own advert, for `Topology` (topology.ts): made anew when the node's links or objects change, with a
 * `seq` above any forged advert of its name; broadcast at most once per `holdMs()`, because its size and fan-out
 * both grow with the links; renewed every `ADVERT_REFRESH_MS` (with jitter); and defended: an advert of this node's
 * name that is not its own is answered with a newer one, so that a forged view repairs itself (docs/PROTOCOL.md,
 * "Link state").
 */
import type { PeerLink } from "../link/peer-link.js";
import type { Advert } from "../routing/table.js";
import type { AdvertMessage } from "../wire/messages.js";
import { MessageType } from "../wire/messages.js";
import { advertMessage } from "./advert-flooding.js";
import {
  ADVERT_REFRESH_MS,
  ADVERT_REFRESH_JITTER,
  SELF_DEFENCE_MIN_MS,
  OWN_ADVERT_HOLD_FROM_LINKS,
  OWN_ADVERT_HOLD_MS_PER_100_LINKS_SQUARED,
  OWN_ADVERT_MAX_HOLD_MS,
  SEQ_CEILING,
} from "./topology-settings.js";
import type { TopologyHost, TopologySettings } from "./topology-settings.js";

/** This node's advert as a `Topology` makes, broadcasts, refreshes and defends it. */
export class OwnAdvert {
  readonly #settings: TopologySettings;
  /** The process instance the advert names (`Topology.instance`). */
  readonly #instance: string;
  readonly #host: TopologyHost;
  /** The peers with an open link (the topology's, read here): the advert lists them. */
  readonly #neighbours: ReadonlyMap<string, string>;
  /** Has the topology flush on the next macrotask. */
  readonly #schedule: () => void;
  #seq = 0;
  /** This node's advert as last made, and whether it is out of date / not broadcast yet. */
  #own: Advert | undefined;
  #ownStale = true;
  #ownUnsent = true;
  #lastBroadcastAt = Number.NEGATIVE_INFINITY;
  /** The least `seq` of the next own advert: above a forged one of this node's name. */
  #seqFloor = 0;
  #lastDefenceAt = Number.NEGATIVE_INFINITY;
  #holdTimer: NodeJS.Timeout | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    settings: TopologySettings,
    instance: string,
    host: TopologyHost,
    neighbours: ReadonlyMap<string, string>,
    schedule: () => void,
  ) {
    this.#settings = settings;
    this.#instance = instance;
    this.#host = host;
    this.#neighbours = neighbours;
    this.#schedule = schedule;
  }

  /** This node's advert as last made; undefined before the first `remake()`. */
  get advert(): Advert | undefined {
    return this.#own;
  }

  /** True when the node's links or objects changed since its advert was made. */
  get stale(): boolean {
    return this.#ownStale;
  }

  /** The node's links or objects changed: the next `remake()` makes its advert anew. */
  markStale(): void {
    this.#ownStale = true;
  }

  /** The least time between two broadcasts of this node's advert: its cost grows with the links squared. */
  holdMs(): number {
    const links = this.#neighbours.size;
    if (links < OWN_ADVERT_HOLD_FROM_LINKS) return 0;
    return Math.min(OWN_ADVERT_MAX_HOLD_MS, OWN_ADVERT_HOLD_MS_PER_100_LINKS_SQUARED * (links / 100) ** 2);
  }

  /**
   * Makes this node's advert anew when its links or objects changed (signed, with origin authentication), to be
   * broadcast by the next `publish()`.
   * @returns the new advert, or undefined when the advert was not out of date.
   */
  remake(now: number): Advert | undefined {
    if (!this.#ownStale) return undefined;
    this.#ownStale = false;
    this.#ownUnsent = true;
    this.#seq = Math.min(Number.MAX_SAFE_INTEGER, Math.max(this.#seq + 1, now, this.#seqFloor + 1));
    const own: AdvertMessage = {
      type: MessageType.Advert,
      origin: this.#settings.self,
      instance: this.#instance,
      seq: this.#seq,
      neighbors: [...this.#neighbours.keys()].sort(),
      objects: this.#host.objects(),
    };
    this.#own = this.#host.sign?.(own) ?? own;
    return this.#own;
  }

  /**
   * Broadcasts this node's latest advert if it has not been, to every link but the new ones (`newLinks`, which get
   * it with the database), unless the last broadcast is less than the hold ago: a timer does it then.
   */
  publish(now: number, newLinks: ReadonlySet<PeerLink>): void {
    if (!this.#ownUnsent || this.#own === undefined) return;
    const dueAt = this.#lastBroadcastAt + this.holdMs();
    if (now >= dueAt) {
      this.#ownUnsent = false;
      this.#lastBroadcastAt = now;
      this.#host.broadcast(advertMessage(this.#own), newLinks);
      this.#scheduleRefresh();
    } else if (this.#holdTimer === undefined) {
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = undefined;
        this.#schedule();
      }, dueAt - now);
      this.#holdTimer.unref();
    }
  }

  /**
   * An advert of this node's name that is not this node's current one arrived: a forgery, or another node with
   * the same name. This node answers with a newer advert of its own (at most once per `SELF_DEFENCE_MIN_MS`), which
   * replaces the other wherever it went, unless its `seq` leaves no room, in which case it expires.
   */
  defend(from: string, advert: Advert): void {
    const mine = advert.instance === this.#instance;
    if (advert.seq < this.#seq || (mine && advert.seq === this.#seq)) return;
    const now = Date.now();
    if (now - this.#lastDefenceAt < SELF_DEFENCE_MIN_MS) return;
    this.#lastDefenceAt = now;
    if (advert.seq < SEQ_CEILING) this.#seqFloor = Math.max(this.#seqFloor, advert.seq);
    this.#host.warn(
      `an advert of ${this.#settings.self} that is not this node's came from ${from} (instance ${advert.instance.slice(0, 32)}, seq ${advert.seq}): another node has this name, or the advert is forged; advertising again`,
    );
    this.#ownStale = true;
    this.#schedule();
  }

  /** Stops the timers. */
  close(): void {
    clearTimeout(this.#holdTimer);
    clearTimeout(this.#refreshTimer);
  }

  /** The advert is renewed `refreshMs` (less the jitter) after it was last broadcast. */
  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    const refreshMs = this.#settings.refreshMs ?? ADVERT_REFRESH_MS;
    this.#refreshTimer = setTimeout(
      () => {
        this.#ownStale = true;
        this.#schedule();
      },
      refreshMs * (1 - ADVERT_REFRESH_JITTER * Math.random()),
    );
    this.#refreshTimer.unref();
  }
}
