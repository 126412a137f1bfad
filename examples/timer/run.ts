/**
 * Runs the Timer example end to end: the server and the client as two processes on 127.0.0.1. Exits 0 once the
 * client has received the timeout event, after stopping the server.
 *
 *   node dist/examples/timer/run.js [--seconds 5]
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { numberOption } from "./args.js";

function start(script: string, args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [path.join(__dirname, script), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    console.log(line);
    onLine(line);
  });
  return child;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main(): Promise<void> {
  const seconds = numberOption("--seconds", 5);
  let sawEvent = false;
  let announcePort: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolve) => (announcePort = resolve));
  const server = start("server.js", ["--port", "0"], (line) => {
    const m = /listening on .*:(\d+)$/.exec(line);
    if (m) announcePort(Number(m[1]));
  });
  // Never leave the server behind, whatever happens to this process.
  process.once("exit", () => server.kill());
  const serverStatus = exited(server);
  const port = await Promise.race([
    listening,
    serverStatus.then((code) => Promise.reject(new Error(`the server exited early with status ${code}`))),
  ]);
  const client = start("client.js", ["--port", String(port), "--seconds", String(seconds)], (line) => {
    if (line.includes("timeout from my-unique-server")) sawEvent = true;
  });
  const clientStatus = await exited(client);
  server.kill("SIGTERM");
  await serverStatus;
  if (clientStatus !== 0 || !sawEvent) {
    console.error(`the example failed: client exit status ${clientStatus}, timeout event seen: ${sawEvent}`);
    process.exit(1);
  }
  console.log("example done: the timeout event crossed from the server process to the client");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
