// Runs a TypeScript entry of scripts/ (the soak and red-team runs) without a build step: each .ts module is
// transpiled by the TypeScript compiler when first required (no type checking here; `npm run typecheck` covers
// these files), and `./x.js` imported from a .ts module means `./x.ts` (NodeNext style). Once the entry and
// everything it requires at start are loaded, the compiler is let go, so that it does not count in the processes'
// memory (modules required later are transpiled by a compiler loaded again).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request.endsWith(".js") && parent && parent.filename && parent.filename.endsWith(".ts")) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + ".ts");
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions[".ts"] = (module, filename) => {
  const ts = require("typescript");
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

/** Requires the TypeScript module `file`, then drops the compiler from the module cache. */
exports.runTypeScript = (file) => {
  require(file);
  const compiler = require.resolve("typescript");
  delete require.cache[compiler];
  module.children = module.children.filter((child) => child.id !== compiler);
};
