/**
 * Reference cycles between struct types that no value can satisfy: A has a required field of type B and B has a
 * required field of type A. A cycle through an optional field, an array or a map is fine (it can end). Runs on the
 * types as the resolve pass (`model/resolve.ts`) resolved them.
 */
import type { InterfaceAst, StructAst } from "../ast.js";
import { findType } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { error } from "../diagnostics.js";
import type { ResolvedProgram } from "../model/resolve.js";

interface StructNode {
  readonly key: string;
  readonly intf: InterfaceAst;
  readonly struct: StructAst;
  /** Required fields whose type is directly another struct: field name → target key. */
  readonly edges: { readonly field: string; readonly target: string }[];
}

/** Reports each cycle of required struct fields once, at the field that starts it in the earliest type. */
export function checkCycles(resolved: ResolvedProgram): Diagnostic[] {
  const nodes = buildGraph(resolved);
  const out: Diagnostic[] = [];
  for (const component of stronglyConnected(nodes)) {
    const start = component[0] as StructNode;
    const cycle = findCycle(start, new Set(component.map((n) => n.key)), nodes);
    if (cycle === null) continue;
    const first = cycle[0] as { node: StructNode; field: string };
    const field = first.node.struct.fields.find((f) => f.name.value === first.field);
    const shown = [...cycle.map((step) => `${label(step.node, start)}.${step.field}`), label(start, start)];
    out.push(
      error(
        field?.span ?? start.struct.name,
        `type '${start.struct.name.value}' can never be built: its required fields form a cycle ` +
          `${shown.join(" → ")}; make one of these fields optional ('?'), an array or a map`,
      ),
    );
  }
  return out;
}

function label(node: StructNode, from: StructNode): string {
  return node.intf === from.intf ? node.struct.name.value : node.key;
}

function buildGraph(resolved: ResolvedProgram): Map<string, StructNode> {
  const nodes = new Map<string, StructNode>();
  for (const { ast: intf, types } of resolved.interfaces) {
    const prefix = intf.name?.value ?? "";
    for (const t of types) {
      if (t.kind !== "struct") continue;
      const key = `${prefix}.${t.ast.name.value}`;
      if (nodes.has(key)) continue;
      const edges: { field: string; target: string }[] = [];
      for (const { arg } of t.fields) {
        // Fields whose type did not resolve were reported; optional ones can end a cycle.
        if (arg === null || arg.optional || arg.type.kind !== "named") continue;
        const ref = arg.type.ref;
        const target = ref.intf === prefix ? intf : resolved.program.byName.get(ref.intf);
        if (target !== undefined && findType(target, ref.name)?.kind === "struct") {
          edges.push({ field: arg.name, target: `${ref.intf}.${ref.name}` });
        }
      }
      nodes.set(key, { key, intf, struct: t.ast, edges });
    }
  }
  return nodes;
}

/** Tarjan's algorithm; returns the components that contain a cycle, each in declaration order. */
function stronglyConnected(nodes: ReadonlyMap<string, StructNode>): StructNode[][] {
  const order = [...nodes.keys()];
  const position = new Map(order.map((k, i) => [k, i]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: StructNode[][] = [];
  let counter = 0;

  const visit = (key: string): void => {
    index.set(key, counter);
    low.set(key, counter);
    counter++;
    stack.push(key);
    onStack.add(key);
    for (const { target } of nodes.get(key)?.edges ?? []) {
      if (!nodes.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(key, Math.min(low.get(key) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(key, Math.min(low.get(key) as number, index.get(target) as number));
      }
    }
    if (low.get(key) === index.get(key)) {
      const members: string[] = [];
      let k: string | undefined;
      do {
        k = stack.pop() as string;
        onStack.delete(k);
        members.push(k);
      } while (k !== key);
      const node = nodes.get(key) as StructNode;
      if (members.length > 1 || node.edges.some((e) => e.target === key)) {
        members.sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
        result.push(members.map((m) => nodes.get(m) as StructNode));
      }
    }
  };
  for (const key of order) if (!index.has(key)) visit(key);
  return result.sort((a, b) => (position.get(a[0]?.key ?? "") ?? 0) - (position.get(b[0]?.key ?? "") ?? 0));
}

/** A shortest cycle from `start` back to itself within `allowed`, as (node, field) steps. */
function findCycle(
  start: StructNode,
  allowed: ReadonlySet<string>,
  nodes: ReadonlyMap<string, StructNode>,
): { node: StructNode; field: string }[] | null {
  // Breadth-first search, so the cycle shown is a shortest one (and the same on every run).
  const previous = new Map<string, { from: StructNode; field: string }>();
  const queue: StructNode[] = [start];
  while (queue.length > 0) {
    const node = queue.shift() as StructNode;
    for (const edge of node.edges) {
      if (!allowed.has(edge.target)) continue;
      if (edge.target === start.key) {
        const steps = [{ node, field: edge.field }];
        let cur = node;
        while (cur !== start) {
          const p = previous.get(cur.key) as { from: StructNode; field: string };
          steps.unshift({ node: p.from, field: p.field });
          cur = p.from;
        }
        return steps;
      }
      if (!previous.has(edge.target)) {
        previous.set(edge.target, { from: node, field: edge.field });
        queue.push(nodes.get(edge.target) as StructNode);
      }
    }
  }
  return null;
}
