// The soak run: several nodes in child processes, mixed calls and events, random SIGKILLs and restarts, and the
// "nothing lost" counters printed every minute. Not part of CI.
//   npm run soak -- [--minutes 2] [--nodes 4] [--kill-every-s 12] [--seed 1]
// It runs the TypeScript of scripts/soak/ and the runtime's sources directly: each .ts module is transpiled by the
// TypeScript compiler when first required (no type checking here; `npm run typecheck` covers these files).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
let ts = require("typescript");

// `./x.js` imported from a .ts module means `./x.ts` (NodeNext style).
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request.endsWith(".js") && parent && parent.filename && parent.filename.endsWith(".ts")) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + ".ts");
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions[".ts"] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  module._compile(outputText, filename);
};

require(process.argv.includes("--child") ? "./soak/node.ts" : "./soak/main.ts");
// Every module is loaded by now: let the compiler go, so that it does not count in the processes' memory.
const compiler = require.resolve("typescript");
delete require.cache[compiler];
module.children = module.children.filter((child) => child.id !== compiler);
ts = undefined;
