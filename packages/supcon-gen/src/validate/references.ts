/**
 * References between members: every error a method lists must be declared by the interface, once.
 */
import type { InterfaceAst } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { didYouMean, error } from "../diagnostics.js";

/** Checks the `errors:` list of every method of an interface. */
export function checkReferences(intf: InterfaceAst): Diagnostic[] {
  const out: Diagnostic[] = [];
  {
    const declared = intf.errors.map((e) => e.name.value);
    for (const m of intf.methods) {
      const listed = new Set<string>();
      for (const ref of m.errors) {
        if (listed.has(ref.value)) {
          out.push(error(ref, `method '${m.name.value}' lists error '${ref.value}' twice; remove one`));
          continue;
        }
        listed.add(ref.value);
        if (!declared.includes(ref.value)) {
          const hint = didYouMean(ref.value, declared);
          out.push(
            error(
              ref,
              `method '${m.name.value}' raises error '${ref.value}', which the interface does not declare` +
                (hint !== ""
                  ? hint
                  : `; declare it under the interface's 'errors:' (e.g. - { name: ${ref.value} })`),
            ),
          );
        }
      }
    }
  }
  return out;
}
