/**
 * Refusing keys an options object does not have: a misspelt option (`{ timeout: 1 }` for `timeoutMs`) would
 * otherwise be ignored without a word. TypeScript's excess property checks catch it in object literals; these
 * checks catch it at run time, for plain JavaScript callers and for options built at run time.
 */
import { didYouMean } from "./did-you-mean.js";
import { InvalidArgumentError } from "./errors.js";

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * What is wrong with the keys of `value`, or undefined when each of its own enumerable keys is one of `known`:
 * "unknown option 'timeout' (did you mean 'timeoutMs'?)", or, with nothing close, the known keys:
 * "unknown option 'x' (known: timeoutMs, signal)". A key counts whatever its value, `undefined` included.
 * @param noun What one key is called: "option", "key", "field".
 */
export function unknownKeyProblem(value: object, known: readonly string[], noun: string): string | undefined {
  for (const key in value) {
    if (!hasOwn.call(value, key) || known.includes(key)) continue;
    const hint = didYouMean(key, known);
    return `unknown ${noun} '${key}'${hint === "" ? ` (known: ${known.join(", ")})` : hint}`;
  }
  return undefined;
}

/**
 * Throws when `value` has an own key that is not in `known`.
 * @param where What the object is, as the message starts: "call: CallOptions", "new Node(\"x\"): NodeOptions".
 * @throws InvalidArgumentError "call: CallOptions: unknown option 'timeout' (did you mean 'timeoutMs'?)".
 */
export function assertKnownKeys(
  value: object,
  known: readonly string[],
  where: string,
  noun = "option",
): void {
  const problem = unknownKeyProblem(value, known, noun);
  if (problem !== undefined) throw new InvalidArgumentError(`${where}: ${problem}`);
}

/**
 * The keys of an options type, listed once as an object literal so that the compiler proves the list complete
 * (a key left out is an error) and exact (a key the type lacks is an excess property).
 */
export function keysOf<T extends object>(all: {
  readonly [K in keyof Required<T>]: true;
}): readonly string[] {
  return Object.keys(all);
}
