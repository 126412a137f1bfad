/**
 * A publisher of numbered events, for "nothing lost" accounting (./ledger.ts): `seq { inst, n, pad }` at path
 * `/rel`, numbered from 1 per publisher, as test/fixtures/reliability-node.js fires them from a child process.
 */
import type { Node } from "../../packages/supcon/src/index";
import { Implementation, Interface } from "../../packages/supcon/src/index";
import type { EventLedger } from "./ledger";

/** The event part of the fixture's `test.Reliability` interface. */
export const SeqInterface = new Interface({
  name: "test.Reliability",
  events: [
    {
      name: "seq",
      args: [
        { name: "inst", type: "string" },
        { name: "n", type: "int" },
        { name: "pad", type: "string" },
      ],
    },
  ],
});

/** The args of a `seq` event. */
export interface SeqEvent {
  readonly inst: string;
  readonly n: number;
  readonly pad: string;
}

/** Registers itself at `/rel` of a node and fires `seq` events numbered 1, 2, 3, … */
export class Publisher {
  readonly impl = new Implementation(SeqInterface);
  /** Tells this publisher's stream from those of others of the same node name (a restarted process). */
  readonly inst: string;
  #n = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(node: Node, inst: string) {
    this.inst = inst;
    node.register("/rel", this.impl);
  }

  /** Number of the last event fired. */
  get last(): number {
    return this.#n;
  }

  fire(count: number, pad = ""): void {
    for (let i = 0; i < count; i++) this.impl.fire("seq", { inst: this.inst, n: ++this.#n, pad });
  }

  /** Fires `perTick` events every `periodMs` until `stop()`. */
  stream(periodMs: number, perTick: number): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.fire(perTick), periodMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Subscribes `node` to the `seq` events of `publisher`, feeding them and the node's statuses to `ledger`. */
export function subscribeSeq(
  node: Node,
  publisher: string,
  ledger: EventLedger,
  onEvent?: (event: SeqEvent) => void,
): void {
  node.on(publisher, "/rel", SeqInterface, "seq", (args: SeqEvent) => {
    ledger.onEvent(publisher, args.inst, args.n);
    onEvent?.(args);
  });
}
