/**
 * Types: every type expression parses and names a type that exists (built-in, of the same file, or fully
 * qualified of another input), with "did you mean" hints; arguments without a type are 'any' with a warning.
 */
import type { ArgAst, InterfaceAst, Program } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { resolveArg } from "../model/resolve.js";

/** Checks the type of every argument and field of every interface. */
export function checkTypes(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const intf of program.interfaces) {
    for (const { arg, what } of argsOf(intf)) {
      out.push(...resolveArg(arg, what, intf, program).diagnostics);
    }
  }
  return out;
}

/** Every argument and field of an interface, with how messages name it. */
export function argsOf(intf: InterfaceAst): { readonly arg: ArgAst; readonly what: string }[] {
  const out: { arg: ArgAst; what: string }[] = [];
  for (const t of intf.types) {
    if (t.kind === "struct") {
      for (const arg of t.fields)
        out.push({ arg, what: `field '${arg.name.value}' of type '${t.name.value}'` });
    }
  }
  for (const e of intf.events) {
    for (const arg of e.args)
      out.push({ arg, what: `argument '${arg.name.value}' of event '${e.name.value}'` });
  }
  for (const m of intf.methods) {
    for (const arg of m.inArgs)
      out.push({ arg, what: `in-argument '${arg.name.value}' of method '${m.name.value}'` });
    for (const arg of m.outArgs) {
      out.push({ arg, what: `out-argument '${arg.name.value}' of method '${m.name.value}'` });
    }
  }
  return out;
}
