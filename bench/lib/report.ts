/**
 * Turns the per-round runs into the summary (median, min, max per metric), the `scenarios` object of
 * bench/results.json, the targets' verdicts, and the generated Markdown section of bench/README.md. Everything here
 * is a pure function of its input: the same runs give the same bytes.
 */
import type { BenchConfig, Metrics } from "./scenarios.js";

export type Suite = "rpc" | "two_hop" | "fanout" | "codegen" | "soak";

/** One scenario run of one peer in one round: its metrics, or why it failed. */
export interface Run {
  suite: Suite;
  peer: string;
  round: number;
  metrics?: Metrics;
  error?: string;
}

export interface Stat {
  median: number;
  min: number;
  max: number;
  values: number[];
}

/** suite → peer → metric → statistics over the rounds. */
export type Summary = Partial<Record<Suite, Record<string, Record<string, Stat>>>>;

export interface Meta {
  date: string;
  node: string;
  cpu_model: string;
  nproc: number;
  kernel: string;
  mem_gib: number;
  loadavg_start: number[];
  loadavg_end: number[];
  versions: Record<string, string>;
  config: BenchConfig;
  command: string;
  total_wall_s: number;
}

/** A figure of `results.json`'s `scenarios`, by peer, plus its unit. */
export type ScenarioFigures = Partial<Record<"supcon" | "raw" | "grpc" | "nats", number>> & { unit: string };

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1
    ? (sorted[(n - 1) / 2] as number)
    : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
}

export function summarize(runs: readonly Run[]): Summary {
  const values: Summary = {};
  const raw: Partial<Record<Suite, Record<string, Record<string, number[]>>>> = {};
  for (const r of runs) {
    if (r.metrics === undefined) continue;
    const byPeer = (raw[r.suite] ??= {});
    const byMetric = (byPeer[r.peer] ??= {});
    for (const [k, v] of Object.entries(r.metrics)) {
      if (typeof v === "number" && Number.isFinite(v)) (byMetric[k] ??= []).push(v);
    }
  }
  for (const [suite, byPeer] of Object.entries(raw) as [Suite, Record<string, Record<string, number[]>>][]) {
    const out: Record<string, Record<string, Stat>> = {};
    for (const [peer, byMetric] of Object.entries(byPeer)) {
      out[peer] = {};
      for (const [k, vals] of Object.entries(byMetric)) {
        const s = [...vals].sort((a, b) => a - b);
        out[peer][k] = {
          median: median(s),
          min: s[0] as number,
          max: s[s.length - 1] as number,
          values: vals,
        };
      }
    }
    values[suite] = out;
  }
  return values;
}

const stat = (s: Summary, suite: Suite, peer: string, metric: string): Stat | undefined =>
  s[suite]?.[peer]?.[metric];

interface ScenarioDef {
  name: string;
  unit: string;
  /** Smaller is better (latency, time, memory). */
  lower: boolean;
  digits: number;
  /** Where each peer's figure comes from: [suite, peer in the runs, metric]. */
  sources: Partial<Record<"supcon" | "raw" | "grpc" | "nats", [Suite, string, string]>>;
  note: string;
}

const SCENARIO_DEFS: readonly ScenarioDef[] = [
  {
    name: "seq_p50_us",
    unit: "µs",
    lower: true,
    digits: 1,
    sources: {
      supcon: ["rpc", "supcon", "seq_p50_us"],
      raw: ["rpc", "raw-coalesced", "seq_p50_us"],
      grpc: ["rpc", "grpc", "seq_p50_us"],
      nats: ["rpc", "nats", "seq_p50_us"],
    },
    note: "median latency of one awaited call",
  },
  {
    name: "seq_p99_us",
    unit: "µs",
    lower: true,
    digits: 1,
    sources: {
      supcon: ["rpc", "supcon", "seq_p99_us"],
      raw: ["rpc", "raw-coalesced", "seq_p99_us"],
      grpc: ["rpc", "grpc", "seq_p99_us"],
      nats: ["rpc", "nats", "seq_p99_us"],
    },
    note: "99th percentile latency of one awaited call",
  },
  {
    name: "pipelined_calls_per_s",
    unit: "calls/s",
    lower: false,
    digits: 0,
    sources: {
      supcon: ["rpc", "supcon", "pipe_calls_per_s"],
      raw: ["rpc", "raw-coalesced", "pipe_calls_per_s"],
      grpc: ["rpc", "grpc", "pipe_calls_per_s"],
      nats: ["rpc", "nats", "pipe_calls_per_s"],
    },
    note: "64 calls in flight on one connection",
  },
  {
    name: "unix_seq_p50_us",
    unit: "µs",
    lower: true,
    digits: 1,
    sources: {
      supcon: ["rpc", "supcon-unix", "seq_p50_us"],
      raw: ["rpc", "raw-coalesced", "seq_p50_us"],
    },
    note: "supcon over a Unix domain socket; raw: the TCP floor, for comparison",
  },
  {
    name: "unix_pipelined_calls_per_s",
    unit: "calls/s",
    lower: false,
    digits: 0,
    sources: {
      supcon: ["rpc", "supcon-unix", "pipe_calls_per_s"],
      raw: ["rpc", "raw-coalesced", "pipe_calls_per_s"],
    },
    note: "supcon over a Unix domain socket; raw: the TCP floor, for comparison",
  },
  {
    name: "fanout_deliveries_per_s",
    unit: "deliveries/s",
    lower: false,
    digits: 0,
    sources: {
      supcon: ["fanout", "supcon", "deliveries_per_s"],
      raw: ["fanout", "raw-coalesced", "deliveries_per_s"],
      nats: ["fanout", "nats", "deliveries_per_s"],
    },
    note: "1 publisher → 10 subscribing connections",
  },
  {
    name: "two_hop_pipelined_calls_per_s",
    unit: "calls/s",
    lower: false,
    digits: 0,
    sources: {
      supcon: ["two_hop", "supcon", "pipe_calls_per_s"],
      raw: ["two_hop", "raw-coalesced", "pipe_calls_per_s"],
      nats: ["rpc", "nats", "pipe_calls_per_s"],
    },
    note: "client → relay → server; nats: its RPC path, which always crosses the broker",
  },
  {
    name: "two_hop_seq_p50_us",
    unit: "µs",
    lower: true,
    digits: 1,
    sources: {
      supcon: ["two_hop", "supcon", "seq_p50_us"],
      raw: ["two_hop", "raw-coalesced", "seq_p50_us"],
      nats: ["rpc", "nats", "seq_p50_us"],
    },
    note: "client → relay → server; nats: its RPC path, which always crosses the broker",
  },
  {
    name: "codegen_1000_generate_s",
    unit: "s",
    lower: true,
    digits: 2,
    sources: { supcon: ["codegen", "supcon", "generate_s"] },
    note: "supcon-gen, 1,000 interfaces into an empty folder",
  },
  {
    name: "codegen_1000_check_s",
    unit: "s",
    lower: true,
    digits: 2,
    sources: { supcon: ["codegen", "supcon", "check_s"] },
    note: "supcon-gen --check of the same",
  },
  {
    name: "idle_rss_mib",
    unit: "MiB",
    lower: true,
    digits: 1,
    sources: {
      supcon: ["rpc", "supcon", "server_idle_rss_mib"],
      raw: ["rpc", "raw-coalesced", "server_idle_rss_mib"],
      grpc: ["rpc", "grpc", "server_idle_rss_mib"],
      nats: ["rpc", "nats", "server_idle_rss_mib"],
    },
    note: "RSS of a listening server process with its object registered, before any client",
  },
];

const PEER_KEYS = ["supcon", "raw", "grpc", "nats"] as const;

function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The `scenarios` object of results.json: medians, by peer; a peer without a figure is left out. */
export function scenarios(summary: Summary): Record<string, ScenarioFigures> {
  const out: Record<string, ScenarioFigures> = {};
  for (const def of SCENARIO_DEFS) {
    const fig: ScenarioFigures = { unit: def.unit };
    for (const key of PEER_KEYS) {
      const src = def.sources[key];
      const st = src === undefined ? undefined : stat(summary, ...src);
      if (st !== undefined) fig[key] = roundTo(st.median, def.digits);
    }
    // Key order: peers first, unit last, as results.json documents it.
    const { unit, ...figures } = fig;
    out[def.name] = { ...figures, unit };
  }
  return out;
}

export interface TargetVerdict {
  target: string;
  measured: string;
  ratio: number;
  limit: string;
  met: boolean | undefined;
}

/** The performance targets, each with its measured ratio (from medians) and whether it is met. */
export function targets(summary: Summary): TargetVerdict[] {
  const m = (suite: Suite, peer: string, metric: string): number =>
    stat(summary, suite, peer, metric)?.median ?? NaN;
  const verdict = (ok: boolean, ...inputs: number[]): boolean | undefined =>
    inputs.every((x) => Number.isFinite(x)) ? ok : undefined;
  const out: TargetVerdict[] = [];

  const pipe = m("rpc", "supcon", "pipe_calls_per_s");
  const rawPipe = m("rpc", "raw-coalesced", "pipe_calls_per_s");
  out.push({
    target: "pipelined calls/s ≥ 0.6 × raw floor (coalesced)",
    measured: `${fmt(pipe)} vs ${fmt(rawPipe)} calls/s`,
    ratio: pipe / rawPipe,
    limit: "≥ 0.60",
    met: verdict(pipe / rawPipe >= 0.6, pipe, rawPipe),
  });

  const p50 = m("rpc", "supcon", "seq_p50_us");
  const rawP50 = m("rpc", "raw-coalesced", "seq_p50_us");
  out.push({
    target: "sequential p50 ≤ 1.3 × raw floor (coalesced)",
    measured: `${fmt(p50, 1)} vs ${fmt(rawP50, 1)} µs`,
    ratio: p50 / rawP50,
    limit: "≤ 1.30",
    met: verdict(p50 / rawP50 <= 1.3, p50, rawP50),
  });

  const fan = m("fanout", "supcon", "deliveries_per_s");
  const rawFan = m("fanout", "raw-coalesced", "deliveries_per_s");
  const lostRuns = stat(summary, "fanout", "supcon", "lost")?.values ?? [];
  const lost = lostRuns.reduce((a, b) => a + b, 0);
  out.push({
    target: "fan-out deliveries/s ≥ 0.5 × raw floor (coalesced), nothing lost",
    measured: `${fmt(fan)} vs ${fmt(rawFan)} deliveries/s; lost ${lostRuns.map((x) => fmt(x)).join(", ") || "–"}`,
    ratio: fan / rawFan,
    limit: "≥ 0.50, lost 0",
    met: verdict(fan / rawFan >= 0.5 && lost === 0 && lostRuns.length > 0, fan, rawFan),
  });

  // The raw floor through a relay that forwards frames undecoded: what a hop costs at the least on this machine.
  const rawHopPipe = m("two_hop", "raw-coalesced", "pipe_calls_per_s");
  const rawHopP50 = m("two_hop", "raw-coalesced", "seq_p50_us");
  const floor = (ratio: number): string => (Number.isFinite(ratio) ? `; raw floor ${fmt(ratio, 2)} ×` : "");

  const hopPipe = m("two_hop", "supcon", "pipe_calls_per_s");
  out.push({
    target: "one extra hop costs ≤ 1.5 × direct: pipelined (direct calls/s ÷ two-hop calls/s)",
    measured: `${fmt(hopPipe)} vs ${fmt(pipe)} calls/s direct${floor(rawPipe / rawHopPipe)}`,
    ratio: pipe / hopPipe,
    limit: "≤ 1.50",
    met: verdict(pipe / hopPipe <= 1.5, pipe, hopPipe),
  });

  const hopP50 = m("two_hop", "supcon", "seq_p50_us");
  out.push({
    target: "one extra hop costs ≤ 1.5 × direct: sequential p50 (two-hop ÷ direct)",
    measured: `${fmt(hopP50, 1)} vs ${fmt(p50, 1)} µs direct${floor(rawHopP50 / rawP50)}`,
    ratio: hopP50 / p50,
    limit: "≤ 1.50",
    met: verdict(hopP50 / p50 <= 1.5, p50, hopP50),
  });

  const idle = m("rpc", "supcon", "server_idle_rss_mib");
  out.push({
    target: "idle node ≤ 60 MiB RSS",
    measured: `${fmt(idle, 1)} MiB`,
    ratio: idle / 60,
    limit: "≤ 1.00 (of 60 MiB)",
    met: verdict(idle <= 60, idle),
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** Thousands with commas; below 1000, `digits` decimals. Independent of the locale. */
export function fmt(x: number | undefined, digits = 0): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  if (Math.abs(x) >= 1000) {
    const s = String(Math.round(Math.abs(x)));
    return (x < 0 ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  return x.toFixed(digits);
}

function cell(st: Stat | undefined, digits = 0): string {
  if (st === undefined) return "–";
  if (st.values.length === 1) return fmt(st.median, digits);
  return `${fmt(st.median, digits)} (${fmt(st.min, digits)}–${fmt(st.max, digits)})`;
}

const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !(b > 0) ? "–" : (a / b).toFixed(2);

/** The generated section of bench/README.md (between the markers). */
export function markdown(meta: Meta, summary: Summary, runs: readonly Run[]): string {
  const cfg = meta.config;
  const L: string[] = [];
  const rounds = `${cfg.rounds} round${cfg.rounds === 1 ? "" : "s"}`;
  L.push(`Generated by \`${meta.command}\` on ${meta.date}; do not edit by hand.`, "");
  L.push(
    `- machine: ${meta.cpu_model}, ${meta.nproc} cores, ${meta.mem_gib} GiB RAM; kernel ${meta.kernel}; node ${meta.node}`,
  );
  L.push(
    `- load average (1/5/15 min) at start ${meta.loadavg_start.map((x) => x.toFixed(2)).join(" / ")}, at end ${meta.loadavg_end.map((x) => x.toFixed(2)).join(" / ")}; total ${meta.total_wall_s} s`,
  );
  L.push(
    `- versions: ${Object.entries(meta.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  L.push(
    `- ${rounds}, peers interleaved within each round; figures are medians, detail cells **median (min–max)**`,
  );
  L.push("");
  L.push("### Summary", "");
  L.push("| scenario | unit | supcon | raw | grpc | nats | supcon/raw | supcon/grpc | supcon/nats |");
  L.push("|---|---|---|---|---|---|---|---|---|");
  const sc = scenarios(summary);
  for (const def of SCENARIO_DEFS) {
    const f = sc[def.name] as ScenarioFigures;
    L.push(
      `| ${def.name} | ${def.unit}${def.lower ? " (lower is better)" : ""} | ${fmt(f.supcon, def.digits)} | ${fmt(f.raw, def.digits)} | ${fmt(f.grpc, def.digits)} | ${fmt(f.nats, def.digits)} | ${ratio(f.supcon, f.raw)} | ${ratio(f.supcon, f.grpc)} | ${ratio(f.supcon, f.nats)} |`,
    );
  }
  L.push(
    "",
    "raw = the raw floor with coalesced writes (node `net` + msgpackr, the same framing as supcon); the per-frame variant is in the detail below. For two-hop, nats is its ordinary RPC figure: a NATS request always goes client → broker → responder.",
  );
  L.push("", "### Targets", "");
  L.push("| target | measured (medians) | ratio | limit | met |");
  L.push("|---|---|---|---|---|");
  for (const t of targets(summary)) {
    const met = t.met === undefined ? "not measured" : t.met ? "**yes**" : "**no**";
    L.push(
      `| ${t.target} | ${t.measured} | ${Number.isFinite(t.ratio) ? t.ratio.toFixed(2) : "–"} | ${t.limit} | ${met} |`,
    );
  }

  L.push("", "### RPC detail", "");
  L.push(
    `Sequential: ${fmt(cfg.iters)} awaited calls after ${fmt(cfg.warmup)} warm-up. Pipelined: ${cfg.inflight} calls in flight on one connection for ${cfg.pipeSeconds} s after ${cfg.pipeWarmup} s unmeasured warm-up. supcon calls go through the generated \`BenchClient\`. CPU columns are user + system time: the client's over the measured calls of each phase, the server's over the whole client run ÷ every call made (warm-ups included); on 2 cores they say more than wall-clock figures do about a peer's own cost.`,
    "",
  );
  L.push(
    "| peer | seq p50 µs | seq p99 µs | seq calls/s | pipelined calls/s | pipelined p50 µs | pipelined p99 µs | client CPU µs/call seq | client CPU µs/call pipelined | server CPU µs/call | server idle RSS MiB | server peak RSS MiB | client peak RSS MiB |",
  );
  L.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  const rpcRows: [string, Record<string, Stat> | undefined][] = [
    ...Object.entries(summary.rpc ?? {}),
    ["supcon two-hop (via relay)", summary.two_hop?.["supcon"]],
    ["raw-coalesced two-hop (via relay)", summary.two_hop?.["raw-coalesced"]],
  ];
  for (const [peer, m] of rpcRows) {
    if (m === undefined) continue;
    L.push(
      `| ${peer} | ${cell(m["seq_p50_us"], 1)} | ${cell(m["seq_p99_us"], 1)} | ${cell(m["seq_calls_per_s"])} | ${cell(m["pipe_calls_per_s"])} | ${cell(m["pipe_p50_us"])} | ${cell(m["pipe_p99_us"])} | ${cell(m["seq_client_cpu_us_per_call"], 1)} | ${cell(m["pipe_client_cpu_us_per_call"], 1)} | ${cell(m["server_cpu_us_per_call"], 1)} | ${cell(m["server_idle_rss_mib"], 1)} | ${cell(m["server_peak_rss_mib"], 1)} | ${cell(m["client_peak_rss_mib"], 1)} |`,
    );
  }
  const nats = summary.rpc?.["nats"];
  const relay = summary.two_hop?.["supcon"]?.["relay_peak_rss_mib"];
  const extras: string[] = [];
  if (nats?.["broker_idle_rss_mib"] !== undefined) {
    extras.push(
      `nats "server" columns are the node responder; the nats-server broker had idle RSS ${cell(nats["broker_idle_rss_mib"], 1)} MiB and peak RSS ${cell(nats["broker_peak_rss_mib"], 1)} MiB`,
    );
  }
  if (relay !== undefined) {
    extras.push(
      `the supcon relay process used ${cell(summary.two_hop?.["supcon"]?.["relay_cpu_us_per_call"], 1)} µs CPU per call and peaked at ${cell(relay, 1)} MiB RSS`,
    );
  }
  if (extras.length > 0) L.push("", `${extras.join("; ")}.`);

  if (summary.fanout !== undefined) L.push(...fanoutSection(cfg, summary.fanout));

  const cg = summary.codegen?.["supcon"];
  if (cg !== undefined) {
    L.push("", "### Code generation detail", "");
    L.push(
      `\`supcon-gen\` as a process (node start-up included) on ${fmt(cfg.codegenCount)} synthetic interfaces (10 methods, 5 events, 5 types and 2 errors each; bench/codegen.ts).`,
      "",
    );
    L.push("| run | wall s | peak RSS MiB |");
    L.push("|---|---|---|");
    L.push(
      `| generate into an empty folder | ${cell(cg["generate_s"], 2)} | ${cell(cg["generate_peak_rss_mib"], 1)} |`,
    );
    L.push(`| --check | ${cell(cg["check_s"], 2)} | ${cell(cg["check_peak_rss_mib"], 1)} |`);
  }

  const soak = runs.find((r) => r.suite === "soak" && r.metrics !== undefined)?.metrics;
  if (soak !== undefined) {
    L.push("", "### Memory soak (BENCH_SOAK=1)", "");
    L.push(
      `${String(soak["seconds"])} s of pipelined calls (${fmt(soak["calls_per_s"] as number)} calls/s) plus 10,000 events/s to the client. server RSS: first half max ${String(soak["server_rss_first_half_max_mib"])} MiB, second half max ${String(soak["server_rss_last_half_max_mib"])} MiB, flat: ${String(soak["server_flat"])}; client: ${String(soak["client_rss_first_half_max_mib"])} → ${String(soak["client_rss_last_half_max_mib"])} MiB, flat: ${String(soak["client_flat"])}.`,
    );
  }

  const failed = runs.filter((r) => r.error !== undefined);
  L.push("", "### Failures", "");
  L.push(
    failed.length === 0
      ? "none"
      : failed
          .map((r) => `- ${r.suite} ${r.peer} round ${r.round}: ${(r.error ?? "").split("\n")[0] ?? ""}`)
          .join("\n"),
  );
  return L.join("\n") + "\n";
}

function fanoutSection(cfg: BenchConfig, fanout: Record<string, Record<string, Stat>>): string[] {
  const L: string[] = ["", "### Fan-out detail", ""];
  L.push(
    `One publisher sends ${fmt(cfg.fanoutEvents)} events ({seq, timer:'abc', seconds:1.5}) to ${cfg.fanoutConns} subscribing connections (supcon: ${cfg.fanoutConns} nodes, each with its own link) in ${cfg.fanoutSubProcs} subscriber processes, yielding to the event loop every ${fmt(cfg.fanoutBurst)} events. deliveries/s = events delivered over all connections ÷ (last delivery − first publish), CLOCK_MONOTONIC across processes. Lost = expected − delivered, per round.`,
    "",
  );
  L.push(
    "| peer | deliveries/s | lost per round (of expected) | out of order per round | elapsed s | publisher loop s | publisher cpu s | subscribers cpu s | publisher peak RSS MiB | subscriber process peak RSS MiB |",
  );
  L.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const [peer, m] of Object.entries(fanout)) {
    const per = (st: Stat | undefined): string =>
      st === undefined ? "–" : st.values.map((v) => fmt(v)).join(", ");
    L.push(
      `| ${peer} | ${cell(m["deliveries_per_s"])} | ${per(m["lost"])} (of ${fmt(m["expected"]?.median)}) | ${per(m["out_of_order"])} | ${cell(m["elapsed_s"], 2)} | ${cell(m["publish_loop_s"], 2)} | ${cell(m["publisher_cpu_s"], 2)} | ${cell(m["subscribers_cpu_s"], 2)} | ${cell(m["publisher_peak_rss_mib"], 1)} | ${cell(m["subscriber_peak_rss_mib_max"], 1)} |`,
    );
  }
  const natsFan = fanout["nats"]?.["broker_peak_rss_mib"];
  if (natsFan !== undefined) L.push("", `The nats-server broker peaked at ${cell(natsFan, 1)} MiB RSS.`);

  return L;
}

export const README_START = "<!-- bench:results:start -->";
export const README_END = "<!-- bench:results:end -->";

/** Replaces the generated section of the README text (appending markers when it has none). */
export function replaceSection(readme: string, section: string): string {
  const block = `${README_START}\n\n${section}\n${README_END}`;
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return `${readme.trimEnd()}\n\n## Results\n\n${block}\n`;
  return readme.slice(0, a) + block + readme.slice(b + README_END.length);
}
