/** Reads `--name value` from the command line as a number, with a default. */
export function numberOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number, got ${String(process.argv[i + 1])}`);
  return value;
}
