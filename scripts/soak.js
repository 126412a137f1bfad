// The soak run: several nodes in child processes, mixed calls and events, random SIGKILLs and restarts, and the
// "nothing lost" counters printed every minute. Not part of CI.
//   npm run soak -- [--minutes 2] [--nodes 4] [--kill-every-s 12] [--seed 1]
// It runs the TypeScript of scripts/soak/ and the runtime's sources directly (scripts/run-typescript.js).
"use strict";
const path = require("node:path");
const { runTypeScript } = require("./run-typescript.js");

runTypeScript(path.join(__dirname, process.argv.includes("--child") ? "soak/node.ts" : "soak/main.ts"));
