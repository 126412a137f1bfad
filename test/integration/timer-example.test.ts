/**
 * The Timer example end to end, as `npm start` runs it: server and client as two processes on 127.0.0.1, the
 * timeout event crossing from one to the other. Uses the built example (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");

describe("the Timer example", () => {
  it("shows the timeout event crossing from the server process to the client process", () => {
    const result = spawnSync(
      process.execPath,
      [path.join(root, "dist/examples/timer/run.js"), "--seconds", "0.2"],
      {
        encoding: "utf8",
        timeout: 20_000,
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^server: listening on 127\.0\.0\.1:\d+$/),
      expect.stringMatching(
        /^client: added timer 'foo' \(0\.2 s\); pending: \[\{"timer":"foo","remaining":0\.\d+\}\]$/,
      ),
      "client: event com.example.Timer.timeout from my-unique-server/myTimer: timer 'foo'",
      "server: closed",
      "example done: the timeout event crossed from the server process to the client",
    ]);
  });
});
