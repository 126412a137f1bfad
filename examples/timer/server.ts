/**
 * The Timer example's server: a node named `my-unique-server` offering named one-shot timers at `/myTimer`.
 *
 *   node dist/examples/timer/server.js [--port 7000]
 *
 * (In your own project you import from "supcon" and from the folder `supcon-gen` writes to.)
 */
import type {
  TimerAddIn,
  TimerCancelIn,
  TimerCancelOut,
  TimerListOut,
} from "../../generated/com.example.Timer.js";
import { TimerAlreadyExistsError, TimerServer } from "../../generated/com.example.Timer.js";
import { Node } from "supcon";
import { numberOption } from "./args.js";

/** Pending timers by name; each fires the `timeout` event when it runs out. */
class Timer extends TimerServer {
  readonly #pending = new Map<string, { due: number; handle: NodeJS.Timeout }>();

  add({ timer, seconds }: TimerAddIn): void {
    if (this.#pending.has(timer))
      throw new TimerAlreadyExistsError(`a timer named '${timer}' is already pending`);
    const handle = setTimeout(() => {
      this.#pending.delete(timer);
      this.fire("timeout", { timer });
    }, seconds * 1000);
    this.#pending.set(timer, { due: Date.now() + seconds * 1000, handle });
  }

  list(): TimerListOut {
    const now = Date.now();
    return {
      timers: [...this.#pending].map(([timer, { due }]) => ({
        timer,
        remaining: Math.max(0, (due - now) / 1000),
      })),
    };
  }

  cancel({ timer }: TimerCancelIn): TimerCancelOut {
    const pending = this.#pending.get(timer);
    if (pending !== undefined) {
      clearTimeout(pending.handle);
      this.#pending.delete(timer);
    }
    return { cancelled: pending !== undefined };
  }

  /** Stops every pending timer, so the process can exit. */
  clear(): void {
    for (const { handle } of this.#pending.values()) clearTimeout(handle);
    this.#pending.clear();
  }
}

async function main(): Promise<void> {
  const port = numberOption("--port", 7000);
  const node = new Node("my-unique-server");
  const timer = new Timer();
  node.register("/myTimer", timer);
  const address = await node.listen({ host: "127.0.0.1", port });
  // The runner reads this line to learn the port.
  console.log(`server: listening on ${address.host}:${address.port}`);
  const stop = async (): Promise<void> => {
    timer.clear();
    await node.close();
    console.log("server: closed");
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((err: unknown) => {
  console.error("server:", err);
  process.exit(1);
});
