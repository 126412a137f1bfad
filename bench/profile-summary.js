#!/usr/bin/env node
// Summarises V8 CPU profiles (.cpuprofile, from `node --cpu-prof`): the top functions by self time, with their total
// (inclusive) time, and the self time per file.
//   node bench/profile-summary.js <file.cpuprofile>... [--top=25] [--files=15]
// Times come from the profile's own sample deltas. "(idle)" (the event loop waiting in epoll) is listed but left out
// of the percentages, which are of busy time.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/**
 * @typedef {{ functionName: string, url: string, lineNumber: number, columnNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} Profile
 * @typedef {{ key: string, file: string, selfUs: number, totalUs: number }} FunctionRow
 */

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ files: string[], top: number, perFile: number }} */
  const out = { files: [], top: 25, perFile: 15 };
  for (const a of argv) {
    const m = /^--(top|files)=(\d+)$/.exec(a);
    if (m) {
      if (m[1] === "top") out.top = Number(m[2]);
      else out.perFile = Number(m[2]);
    } else if (a.startsWith("--")) {
      throw new Error(`unknown option ${a}`);
    } else {
      out.files.push(a);
    }
  }
  return out;
}

/** A short location: paths relative to the repository, node internals as they are. @param {string} url */
function shortFile(url) {
  if (url === "") return "(native)";
  const file = url.startsWith("file://") ? url.slice("file://".length) : url;
  const rel = path.relative(path.resolve(__dirname, ".."), file);
  return rel.startsWith("..") ? file : rel;
}

/** @param {CallFrame} cf */
function frameKey(cf) {
  const name = cf.functionName === "" ? "(anonymous)" : cf.functionName;
  if (cf.url === "") return name;
  return `${name}  ${shortFile(cf.url)}:${cf.lineNumber + 1}`;
}

/**
 * Self and total time per function (same name, file and line), in µs.
 * @param {Profile} profile
 */
function analyse(profile) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map();
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  /** @type {Map<number, number>} time per node id */
  const selfByNode = new Map();
  const { samples, timeDeltas } = profile;
  // timeDeltas[i] is the time from sample i-1 to sample i; attribute it to sample i's node (as Chrome DevTools does).
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i] ?? 0;
    if (dt <= 0) continue;
    selfByNode.set(samples[i], (selfByNode.get(samples[i]) ?? 0) + dt);
  }
  /** @type {Map<string, FunctionRow>} */
  const rows = new Map();
  const row = (/** @type {ProfileNode} */ n) => {
    const key = frameKey(n.callFrame);
    let r = rows.get(key);
    if (r === undefined) {
      r = { key, file: shortFile(n.callFrame.url), selfUs: 0, totalUs: 0 };
      rows.set(key, r);
    }
    return r;
  };
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfByNode) {
    const n = /** @type {ProfileNode} */ (byId.get(id));
    totalUs += us;
    if (n.callFrame.functionName === "(idle)") idleUs += us;
    row(n).selfUs += us;
    // Inclusive time: once per function on this stack, however deep the recursion.
    /** @type {Set<string>} */
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = /** @type {number} */ (parent.get(cur))) {
      const node = /** @type {ProfileNode} */ (byId.get(cur));
      const r = row(node);
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      r.totalUs += us;
    }
  }
  return { rows: [...rows.values()], totalUs, busyUs: totalUs - idleUs };
}

/** @param {number} us */
const ms = (us) => (us / 1000).toFixed(1).padStart(9);
/** @param {number} part @param {number} whole */
const pc = (part, whole) => `${((100 * part) / whole).toFixed(1).padStart(5)}%`;

/** @param {string} file @param {number} top @param {number} perFile */
function summarise(file, top, perFile) {
  /** @type {Profile} */
  const profile = JSON.parse(fs.readFileSync(file, "utf8"));
  const { rows, totalUs, busyUs } = analyse(profile);
  const lines = [];
  lines.push(
    `== ${path.basename(file)}: ${(totalUs / 1e6).toFixed(2)} s sampled, ${(busyUs / 1e6).toFixed(2)} s busy`,
  );
  lines.push(`   self ms   self%    total ms  total%  function  file:line`);
  const skip = new Set(["(root)", "(idle)"]);
  const bySelf = rows.filter((r) => !skip.has(r.key)).sort((a, b) => b.selfUs - a.selfUs);
  for (const r of bySelf.slice(0, top)) {
    lines.push(
      `${ms(r.selfUs)}  ${pc(r.selfUs, busyUs)}  ${ms(r.totalUs)}  ${pc(r.totalUs, busyUs)}  ${r.key}`,
    );
  }
  /** @type {Map<string, number>} */
  const files = new Map();
  for (const r of rows) if (!skip.has(r.key)) files.set(r.file, (files.get(r.file) ?? 0) + r.selfUs);
  lines.push(`   self ms   self%  file`);
  const byFile = [...files.entries()].sort((a, b) => b[1] - a[1]);
  for (const [f, us] of byFile.slice(0, perFile)) lines.push(`${ms(us)}  ${pc(us, busyUs)}  ${f}`);
  return lines.join("\n");
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.files.length === 0) {
    process.stderr.write(
      "usage: node bench/profile-summary.js <file.cpuprofile>... [--top=25] [--files=15]\n",
    );
    process.exit(2);
  }
  process.stdout.write(args.files.map((f) => summarise(f, args.top, args.perFile)).join("\n\n") + "\n");
}

if (require.main === module) main();

module.exports = { analyse, summarise };
