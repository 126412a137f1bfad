/**
 * The suite's child processes: the victim and the good client (test/fixtures/redteam-*.js), each forked with an IPC
 * channel that carries its "ready" message and answers requests. Every child is stopped by its own pid.
 */
import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import * as path from "node:path";

/**
 * Where the fixtures are: test/fixtures, or `REDTEAM_FIXTURES` (a copy of them beside another build of the runtime,
 * at ../../packages/supcon/dist from there, to compare two builds).
 */
const FIXTURES = process.env["REDTEAM_FIXTURES"] ?? path.resolve(__dirname, "../../test/fixtures");

interface Reply {
  readonly type: "reply";
  readonly id: number;
  readonly value: unknown;
}

/** A fixture in a child process. */
export class Child<Ready> {
  readonly process: ChildProcess;
  /** Resolves with the fixture's "ready" message. */
  readonly ready: Promise<Ready>;
  readonly #replies = new Map<number, (value: unknown) => void>();
  #nextId = 1;
  #stderr = "";
  readonly #exited: Promise<void>;

  /** Forks `test/fixtures/<script>` with `config` as its one argument; `readyTimeoutMs` bounds its start. */
  constructor(script: string, config: unknown, readyTimeoutMs = 15_000) {
    const child = fork(path.join(FIXTURES, script), [JSON.stringify(config)], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      // For memory figures after a full collection.
      execArgv: ["--expose-gc"],
    });
    this.process = child;
    child.stderr?.on("data", (chunk: Buffer) => {
      // Keep the start and the end: an UNCAUGHT line comes last.
      this.#stderr = (this.#stderr + chunk.toString()).slice(-20_000);
    });
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${script} was not ready within ${readyTimeoutMs} ms: ${this.#stderr}`));
        child.kill("SIGKILL");
      }, readyTimeoutMs);
      child.on("message", (message: { type?: string }) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve(message as Ready);
        } else if (message.type === "reply") {
          const reply = message as Reply;
          this.#replies.get(reply.id)?.(reply.value);
          this.#replies.delete(reply.id);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${script} exited (code ${code}, signal ${signal}) before it was ready: ${this.#stderr}`),
        );
        for (const resolveReply of this.#replies.values()) resolveReply(undefined);
        this.#replies.clear();
      });
    });
    // A child that dies later is reported by `alive` and by requests that resolve undefined.
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** How the process ended, or undefined while it runs. */
  get exit(): string | undefined {
    if (this.alive) return undefined;
    return `exited with code ${this.process.exitCode}, signal ${this.process.signalCode}`;
  }

  /** What the child wrote on stderr (its last 20,000 characters). */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Sends a request; resolves with the reply's value, or undefined when the child is gone or does not answer
   * within `timeoutMs` (its event loop may be stuck under an attack: that is a finding, not an error here).
   */
  request<T>(type: string, fields: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T | undefined> {
    if (!this.alive || !this.process.connected) return Promise.resolve(undefined);
    const id = this.#nextId++;
    return new Promise<T | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#replies.set(id, (value) => {
        clearTimeout(timer);
        resolve(value as T | undefined);
      });
      this.process.send({ ...fields, type, id }, (err) => {
        if (err === null) return;
        clearTimeout(timer);
        this.#replies.delete(id);
        resolve(undefined);
      });
    });
  }

  /** Stops the child by its pid: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.alive) {
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    await this.#exited;
  }
}
