/**
 * `Node`: a named participant of the bus. (First-cut signatures; the implementation follows.)
 */
import type { Implementation } from "./implementation.js";
import type { Interface } from "./interface.js";
import type { ConnectOptions, ListenOptions, NodeOptions, WaitForOptions } from "./options.js";
import type { CallOptions, EventSource, Subscription } from "./types.js";

export class Node {
  readonly name: string;

  constructor(name: string, options?: NodeOptions) {
    this.name = name;
    void options;
  }

  listen(options?: ListenOptions): Promise<{ host: string; port: number }> {
    void options;
    throw new Error("not implemented");
  }

  connect(options: ConnectOptions): { close(): void } {
    void options;
    throw new Error("not implemented");
  }

  register(path: string, impl: Implementation<object>): void {
    void path;
    void impl;
    throw new Error("not implemented");
  }

  unregister(path: string, intf?: string): void {
    void path;
    void intf;
    throw new Error("not implemented");
  }

  call(
    node: string,
    path: string,
    intf: string | Interface,
    method: string,
    args?: object,
    options?: CallOptions,
  ): Promise<unknown> {
    void [node, path, intf, method, args, options];
    throw new Error("not implemented");
  }

  on(
    node: string,
    path: string,
    intf: string | Interface,
    event: string,
    cb: (args: never, source: EventSource) => void,
  ): Subscription {
    void [node, path, intf, event, cb];
    throw new Error("not implemented");
  }

  waitFor(node: string, options?: WaitForOptions): Promise<void> {
    void [node, options];
    throw new Error("not implemented");
  }

  close(): Promise<void> {
    throw new Error("not implemented");
  }
}
