// Copies templates/ into dist/templates so the built compiler finds them beside itself.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
fs.rmSync(path.join(root, "dist/templates"), { recursive: true, force: true });
fs.cpSync(path.join(root, "templates"), path.join(root, "dist/templates"), { recursive: true });
