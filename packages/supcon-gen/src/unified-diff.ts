/**
 * The short unified diff `--check` prints for each stale file, made by jsdiff (the `diff` package).
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from "diff";

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

/**
 * Above this many inserted and deleted lines no diff is computed (it would be slow, and unreadable anyway); the
 * diff then says so.
 */
export const MAX_EDIT_LENGTH = 500;

/** A unified diff of two texts (empty when they are equal), cut to `maxLines` lines of hunks. */
export function unifiedDiff(oldText: string, newText: string, options: UnifiedDiffOptions): string {
  if (oldText === newText) return "";
  const maxLines = options.maxLines ?? 40;
  const headers = [`--- ${options.oldLabel}`, `+++ ${options.newLabel}`];
  const patch = createTwoFilesPatch(
    options.oldLabel,
    options.newLabel,
    oldText,
    newText,
    undefined,
    undefined,
    {
      context: options.context ?? 3,
      headerOptions: FILE_HEADERS_ONLY,
      maxEditLength: MAX_EDIT_LENGTH,
    },
  );
  if (patch === undefined) {
    return [...headers, `@@ more than ${MAX_EDIT_LENGTH} lines differ; no diff shown @@`].join("\n") + "\n";
  }
  // The patch starts with the same two header lines (file names with a space or parentheses are not quoted).
  const body = patch.split("\n").slice(2);
  if (body[body.length - 1] === "") body.pop();
  const shown = body.slice(0, maxLines);
  if (body.length > maxLines) shown.push(`... ${body.length - maxLines} more lines of diff`);
  return [...headers, ...shown].join("\n") + "\n";
}
