// The red-team run: hostile peers against a node in a process of its own, with a well-behaved client calling and
// subscribing throughout; prints a Markdown table and exits 1 when a goal is missed. Opt-in, not part of CI (the
// short form runs in jest: test/redteam/). Needs the built runtime for the child processes (`npm run build`).
//   npm run redteam -- [--trust] [--only attack,...] [--scale 1] [--seconds 5] [--out report.md] [--list]
// It runs the TypeScript of scripts/redteam/ and the runtime's wire sources directly (scripts/run-typescript.js).
"use strict";
const path = require("node:path");
const { runTypeScript } = require("./run-typescript.js");

runTypeScript(path.join(__dirname, "redteam/main.ts"));
