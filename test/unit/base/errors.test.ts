import * as fs from "node:fs";
import * as path from "node:path";
import {
  ErrorCode,
  InvalidArgumentError,
  RemoteError,
  declaredErrorMessage,
} from "../../../packages/supcon/src/base/errors";
import { Client } from "../../../packages/supcon/src/api/client";
import type { Node } from "../../../packages/supcon/src/api/node";
import { Interface } from "../../../packages/supcon/src/schema/interface";

const ROOT = path.resolve(__dirname, "../../..");

/** The codes of the README's table of errors (section "Errors"), in its order. */
function readmeCodes(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = /^### Errors\n([\s\S]*?)(?=^#{1,3} )/m.exec(readme)?.[1];
  if (section === undefined) throw new Error("README.md has no section '### Errors'");
  return [...section.matchAll(/^\| `(supcon\.[A-Za-z]+)` +\|/gm)].map((m) => m[1] as string);
}

/** Every `supcon.X` code the runtime's sources name, as a string or as `ErrorCode.X`. */
function codesInSources(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".ts")) {
        const source = fs.readFileSync(file, "utf8");
        // "supcon.Node" is the built-in interface, not a code.
        for (const m of source.matchAll(/"(supcon\.[A-Z][A-Za-z]+)"/g))
          if (m[1] !== "supcon.Node") codes.add(m[1] as string);
        for (const m of source.matchAll(/\b(?:Wire)?ErrorCode\.([A-Z][A-Za-z]+)/g))
          codes.add(`supcon.${m[1] as string}`);
      }
    }
  };
  walk(path.join(ROOT, "packages/supcon/src"));
  return codes;
}

describe("the codes of errors", () => {
  it("are all in the README's table, which lists no other", () => {
    expect([...readmeCodes()].sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it("are all in ErrorCode, whatever module raises them", () => {
    const known = new Set<string>(Object.values(ErrorCode));
    expect([...codesInSources()].filter((code) => !known.has(code))).toEqual([]);
  });

  it("give misuse of the API its own code, apart from arguments a call's interface refuses", () => {
    const error = new InvalidArgumentError("listen: port must be an integer");
    expect(error.code).toBe(ErrorCode.Misuse);
    expect(ErrorCode.Misuse).toBe("supcon.Misuse");
    expect(ErrorCode.InvalidArguments).toBe("supcon.InvalidArguments");
  });
});

describe("a declared error without a description", () => {
  it("has a message made from its name and interface", () => {
    expect(declaredErrorMessage("lab.Scheduler.UnknownProtocol")).toBe(
      "unknown protocol (declared by lab.Scheduler)",
    );
    expect(declaredErrorMessage("com.example.Timer.AlreadyExists")).toBe(
      "already exists (declared by com.example.Timer)",
    );
    expect(declaredErrorMessage("a.B.HTTPError")).toBe("HTTP error (declared by a.B)");
    expect(declaredErrorMessage("a.B.no_route")).toBe("no route (declared by a.B)");
    expect(declaredErrorMessage("supcon.Timeout")).toBeUndefined();
    expect(declaredErrorMessage("undotted")).toBeUndefined();
  });

  it("gets it when made with no message, an empty one, or its bare name", () => {
    for (const message of [undefined, "", "UnknownProtocol"]) {
      const error = new RemoteError("lab.Scheduler.UnknownProtocol", message);
      expect(error.message).toBe(
        "lab.Scheduler.UnknownProtocol: unknown protocol (declared by lab.Scheduler)",
      );
      expect(error.rawMessage).toBe("unknown protocol (declared by lab.Scheduler)");
    }
    expect(new RemoteError("lab.Scheduler.UnknownProtocol", "no such protocol: ftp").rawMessage).toBe(
      "no such protocol: ftp",
    );
    expect(new RemoteError("supcon.Internal", "").message).toBe("supcon.Internal: ");
  });

  it("keeps it when the caller's client re-creates the declared class", async () => {
    // As supcon-gen generates the class of an error without a description: its name as the default message.
    class UnknownProtocolError extends RemoteError {
      static readonly code = "lab.Scheduler.UnknownProtocol";
      override name = "UnknownProtocolError";
      constructor(message = "UnknownProtocol", options?: ConstructorParameters<typeof RemoteError>[2]) {
        super(UnknownProtocolError.code, message, options);
      }
    }
    expect(new UnknownProtocolError().message).toBe(
      "lab.Scheduler.UnknownProtocol: unknown protocol (declared by lab.Scheduler)",
    );
    const intf = new Interface({
      name: "lab.Scheduler",
      errors: [{ name: "UnknownProtocol" }],
      methods: [{ name: "run" }],
    });
    // A node whose call fails as an older server would answer, with the bare name as the message.
    const node = {
      call: () => Promise.reject(new RemoteError("lab.Scheduler.UnknownProtocol", "UnknownProtocol")),
    } as unknown as Node;
    class SchedulerClient extends Client {
      run(): Promise<unknown> {
        return this.call("run", undefined);
      }
    }
    const error = await new SchedulerClient(node, "s", "/s", intf, [UnknownProtocolError])
      .run()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownProtocolError);
    expect((error as Error).message).toBe(
      "lab.Scheduler.UnknownProtocol: unknown protocol (declared by lab.Scheduler)",
    );
  });
});
