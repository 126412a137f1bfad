/**
 * The YAML tree the compiler reads (`read-interface.ts`): what the `yaml` package composes, reduced to what the
 * compiler looks at, as plain objects. `parse-yaml.ts` converts `yaml`'s nodes into it, and `yaml-subset.ts` builds
 * it directly; both give the same tree for the same text.
 */

/** Offsets into the text: where the node starts, where its value ends, and where it ends (trailing space,
 * comment and newline included), as `yaml` sets `range`. */
export type YamlRange = readonly [number, number, number];

/** A node of the tree. */
export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

/** A scalar, with its value by the YAML 1.2 core schema. */
export interface YamlScalar {
  readonly kind: "scalar";
  /** A string, number, boolean or null (or what a tag resolves to). */
  readonly value: unknown;
  /** How it is written: `PLAIN`, `QUOTE_DOUBLE`, `QUOTE_SINGLE`, `BLOCK_LITERAL` or `BLOCK_FOLDED`. */
  readonly style: string | undefined;
  readonly range: YamlRange;
}

/** A mapping. */
export interface YamlMap {
  readonly kind: "map";
  /** Written `{ ... }`. */
  readonly flow: boolean;
  readonly items: readonly YamlPair[];
  readonly range: YamlRange;
}

/** One entry of a mapping; a missing key or value is null. */
export interface YamlPair {
  readonly key: YamlNode | null;
  readonly value: YamlNode | null;
}

/** A sequence. */
export interface YamlSeq {
  readonly kind: "seq";
  /** Written `[ ... ]`. */
  readonly flow: boolean;
  readonly items: readonly (YamlNode | null)[];
  readonly range: YamlRange;
}

/** An alias (`*name`), with the node its anchor names (null if none does). */
export interface YamlAlias {
  readonly kind: "alias";
  readonly target: YamlScalar | YamlMap | YamlSeq | null;
  readonly range: YamlRange;
}

/** 1-based line and column of an offset. */
export interface LinePos {
  readonly line: number;
  readonly col: number;
}

/**
 * The positions of offsets in `text`, as `yaml`'s `LineCounter` gives them for a text whose line breaks are
 * `\n` (line 0 for offsets before the first line start, which cannot happen here).
 */
export function linePositions(text: string): (offset: number) => LinePos {
  const starts = [0];
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) starts.push(nl + 1);
  return (offset) => {
    // The first line start at or after `offset`, by binary search (the same search as `LineCounter.linePos`).
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((starts[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    return { line: low, col: offset - (starts[low - 1] as number) + 1 };
  };
}

/** True for a scalar node. */
export function isScalar(node: YamlNode | null | undefined): node is YamlScalar {
  return node?.kind === "scalar";
}

/** True for a mapping node. */
export function isMap(node: YamlNode | null | undefined): node is YamlMap {
  return node?.kind === "map";
}

/** True for a sequence node. */
export function isSeq(node: YamlNode | null | undefined): node is YamlSeq {
  return node?.kind === "seq";
}

/** True for an alias node. */
export function isAlias(node: YamlNode | null | undefined): node is YamlAlias {
  return node?.kind === "alias";
}
