/**
 * Line diffs for `--check`: Myers' O(ND) algorithm and a unified-diff printer with a few lines of context.
 */

/** One line of a diff. */
export interface DiffLine {
  readonly kind: "equal" | "delete" | "insert";
  readonly text: string;
}

/** Above this many differences the diff is shown as "everything replaced" (it is unreadable anyway). */
const MAX_EDIT_DISTANCE = 2000;

/** The shortest edit script turning `a` into `b`, as lines. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const equal = (lines: readonly string[]): DiffLine[] => lines.map((text) => ({ kind: "equal", text }));
  return [
    ...equal(a.slice(0, start)),
    ...myers(a.slice(start, endA), b.slice(start, endB)),
    ...equal(a.slice(endA)),
  ];
}

function myers(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, offset, d);
    }
  }
  return [
    ...a.map((text): DiffLine => ({ kind: "delete", text })),
    ...b.map((text): DiffLine => ({ kind: "insert", text })),
  ];
}

function backtrack(
  a: readonly string[],
  b: readonly string[],
  trace: readonly Int32Array[],
  offset: number,
  distance: number,
): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = distance; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const prevK =
      k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? k + 1 : k - 1;
    const prevX = v[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ kind: "equal", text: a[--x] as string });
      y--;
    }
    if (x === prevX) out.push({ kind: "insert", text: b[--y] as string });
    else out.push({ kind: "delete", text: a[--x] as string });
  }
  while (x > 0 && y > 0) {
    out.push({ kind: "equal", text: a[--x] as string });
    y--;
  }
  return out.reverse();
}

/** Options of `unifiedDiff`. */
export interface UnifiedDiffOptions {
  /** Label of the old text (`--- label`). */
  readonly oldLabel: string;
  /** Label of the new text (`+++ label`). */
  readonly newLabel: string;
  /** Unchanged lines shown around each change. @default 3 */
  readonly context?: number;
  /** Most lines of hunks printed; the rest is summarised in one line. @default 40 */
  readonly maxLines?: number;
}

/** A unified diff of two texts (empty when they are equal). */
export function unifiedDiff(oldText: string, newText: string, options: UnifiedDiffOptions): string {
  if (oldText === newText) return "";
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 40;
  const lines = diffLines(splitLines(oldText), splitLines(newText));
  const hunks = hunksOf(lines, context);
  const body: string[] = [];
  for (const h of hunks) {
    body.push(`@@ -${range(h.oldStart, h.oldCount)} +${range(h.newStart, h.newCount)} @@`);
    for (const l of h.lines) body.push((l.kind === "equal" ? " " : l.kind === "delete" ? "-" : "+") + l.text);
  }
  const shown = body.slice(0, maxLines);
  if (body.length > maxLines) shown.push(`... ${body.length - maxLines} more lines of diff`);
  return [`--- ${options.oldLabel}`, `+++ ${options.newLabel}`, ...shown].join("\n") + "\n";
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

interface Hunk {
  readonly oldStart: number;
  readonly oldCount: number;
  readonly newStart: number;
  readonly newCount: number;
  readonly lines: readonly DiffLine[];
}

/** Groups changes less than `2 * context` lines apart into hunks, each with `context` lines around it. */
function hunksOf(lines: readonly DiffLine[], context: number): Hunk[] {
  const oldAt: number[] = [];
  const newAt: number[] = [];
  const changes: number[] = [];
  let oldLine = 1;
  let newLine = 1;
  lines.forEach((l, i) => {
    oldAt.push(oldLine);
    newAt.push(newLine);
    if (l.kind !== "insert") oldLine++;
    if (l.kind !== "delete") newLine++;
    if (l.kind !== "equal") changes.push(i);
  });
  const groups: [number, number][] = [];
  for (const i of changes) {
    const last = groups[groups.length - 1];
    if (last !== undefined && i - last[1] - 1 <= 2 * context) last[1] = i;
    else groups.push([i, i]);
  }
  return groups.map(([first, last]) => {
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length - 1, last + context);
    const slice = lines.slice(from, to + 1);
    return {
      oldStart: oldAt[from] as number,
      oldCount: slice.filter((l) => l.kind !== "insert").length,
      newStart: newAt[from] as number,
      newCount: slice.filter((l) => l.kind !== "delete").length,
      lines: slice,
    };
  });
}

function range(start: number, count: number): string {
  // An empty range names the line before it, as `diff -u` does.
  return count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`;
}
