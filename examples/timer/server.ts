/**
 * The Timer example's server: a node named `my-unique-server` offering named one-shot timers at `/myTimer`.
 *
 *   node dist/examples/timer/server.js [--port 7000]
 *
 * (In your own project you import from "supcon" and from the folder `supcon-gen` writes to.)
 */
import type { TimerEvents } from "../../generated/com.example.Timer.js";
import { TimerAlreadyExistsError, createTimerServer } from "../../generated/com.example.Timer.js";
import type { Implementation } from "supcon";
import { Node } from "supcon";
import { numberOption } from "./args.js";

/**
 * Pending timers by name; each fires the `timeout` event when it runs out. The handlers are typed from the
 * interface (`createTimerServer`): no annotations needed. (`class extends TimerServer` works too.)
 */
function createTimer(): { readonly impl: Implementation<TimerEvents>; clear(): void } {
  const pending = new Map<string, { due: number; handle: NodeJS.Timeout }>();
  const impl = createTimerServer({
    add({ timer, seconds }) {
      if (pending.has(timer))
        throw new TimerAlreadyExistsError(`a timer named '${timer}' is already pending`);
      const handle = setTimeout(() => {
        pending.delete(timer);
        impl.fire("timeout", { timer });
      }, seconds * 1000);
      pending.set(timer, { due: Date.now() + seconds * 1000, handle });
    },
    list() {
      const now = Date.now();
      return {
        timers: [...pending].map(([timer, { due }]) => ({
          timer,
          remaining: Math.max(0, (due - now) / 1000),
        })),
      };
    },
    cancel({ timer }) {
      const entry = pending.get(timer);
      if (entry !== undefined) {
        clearTimeout(entry.handle);
        pending.delete(timer);
      }
      return { cancelled: entry !== undefined };
    },
  });
  return {
    impl,
    /** Stops every pending timer, so the process can exit. */
    clear(): void {
      for (const { handle } of pending.values()) clearTimeout(handle);
      pending.clear();
    },
  };
}

async function main(): Promise<void> {
  const port = numberOption("--port", 7000);
  const node = new Node("my-unique-server");
  const timer = createTimer();
  node.register("/myTimer", timer.impl);
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
