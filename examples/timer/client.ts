/**
 * The Timer example's client: connects to `my-unique-server`, adds a timer and prints the timeout event.
 *
 *   node dist/examples/timer/client.js [--port 7000] [--seconds 5]
 */
import { TimerClient, TimerInterface } from "../../generated/com.example.Timer.js";
import { Node } from "supcon";
import { numberOption } from "./args.js";

async function main(): Promise<void> {
  const port = numberOption("--port", 7000);
  const seconds = numberOption("--seconds", 5);
  const node = new Node("my-client");
  node.connect({ host: "127.0.0.1", port });
  await node.waitFor("my-unique-server", { path: "/myTimer", intf: TimerInterface.name, timeoutMs: 10_000 });

  const timer = new TimerClient(node, "my-unique-server", "/myTimer");
  const timedOut = new Promise<string>((resolve) => {
    timer.on("timeout", ({ timer: name }, source) => {
      console.log(
        `client: event ${source.intf}.${source.event} from ${source.node}${source.path}: timer '${name}'`,
      );
      resolve(name);
    });
  });
  await timer.add({ timer: "foo", seconds });
  console.log(
    `client: added timer 'foo' (${seconds} s); pending: ${JSON.stringify((await timer.list()).timers)}`,
  );
  await timedOut;
  await node.close();
}

main().catch((err: unknown) => {
  console.error("client:", err);
  process.exit(1);
});
