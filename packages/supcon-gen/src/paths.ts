/**
 * Paths as the compiler shows them: relative to the working directory, with forward slashes on every platform,
 * so diagnostics and generated headers are the same on every machine.
 */
import * as path from "node:path";

/** `abs` relative to `cwd` with forward slashes (`interfaces/com.example.Timer.yaml`). */
export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === "" ? "." : rel).split(path.sep).join("/");
}

/** Code-unit order, independent of the locale (`localeCompare` differs between ICU builds). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
