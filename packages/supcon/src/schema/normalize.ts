/**
 * Normalisation of interface descriptions: from the dict shape users and generated code write (SPEC §3, with the
 * seed's map-form args and `(str) - text` descriptions) to one normal form, checked thoroughly, plus the parsed
 * model the validators are compiled from.
 *
 * Normal form: every collection present as a list (`types`, `errors`, `events`, `methods`; `args` of events;
 * `inArgs`, `outArgs` and `errors` of methods), args and fields in list form with an explicit canonical `type`
 * (aliases spelt out, `optional: true` folded into a trailing `?`), descriptions only where given (the text part of
 * a seed description). The normal form is itself a valid description and normalises to itself. It is frozen.
 *
 * This module normalises the interface and its members (errors, events, methods); its types, args and fields are
 * normalised by `normalize-types.ts`, and every raw value is read through `description-reader.ts`.
 */
import { didYouMean } from "../base/did-you-mean.js";
import type {
  ErrorDescription,
  InterfaceDescription,
  NormalEventDescription,
  NormalInterfaceDescription,
  NormalMethodDescription,
  NormalTypeDescription,
} from "./descriptor.js";
import { DescriptionReader, freeze, show } from "./description-reader.js";
import type {
  ArgModel,
  EnumModel,
  EventModel,
  InterfaceModel,
  MethodModel,
  StructModel,
  TypeModel,
} from "./interface-model.js";
import { InterfaceTypes } from "./normalize-types.js";

export type { ArgModel, EnumModel, EventModel, InterfaceModel, MethodModel, StructModel, TypeModel };

const INTERFACE_KEYS = ["name", "description", "types", "errors", "events", "methods"];
const ERROR_KEYS = ["name", "description"];
const EVENT_KEYS = ["name", "description", "args"];
const METHOD_KEYS = ["name", "description", "inArgs", "outArgs", "errors"];

/**
 * Checks and normalises an interface description.
 * @throws InvalidArgumentError naming the first problem, prefixed with `Interface '<name>': ` and where it is.
 */
export function normalizeInterface(input: InterfaceDescription): InterfaceModel {
  const r: DescriptionReader = new DescriptionReader();
  const raw = r.object(input, "the description");
  const name = r.interfaceName(raw["name"]);
  r.keys(raw, INTERFACE_KEYS, "the description");
  const description = r.description(raw, "the description");

  // Type names first, so that a field or argument may refer to a type declared after it.
  const types = new InterfaceTypes(r, name);
  const normalTypes: NormalTypeDescription[] = types.normalize(r.list(raw["types"], "types"));

  const errorNames = new Set<string>();
  const errors: ErrorDescription[] = r.list(raw["errors"], "errors").map((entry, i) => {
    const e = r.object(entry, `errors[${i}]`);
    const errorName = r.memberName(e["name"], `errors[${i}]`);
    const at = `error '${errorName}'`;
    if (errorNames.has(errorName)) r.fail(`${at} is declared twice`);
    errorNames.add(errorName);
    r.keys(e, ERROR_KEYS, at);
    return freeze({ name: errorName, ...r.description(e, at) });
  });

  const eventModels: EventModel[] = [];
  const events: NormalEventDescription[] = r.list(raw["events"], "events").map((entry, i) => {
    const e = r.object(entry, `events[${i}]`);
    const eventName = r.memberName(e["name"], `events[${i}]`);
    const at = `event '${eventName}'`;
    if (eventModels.some((m) => m.name === eventName)) r.fail(`${at} is declared twice`);
    r.keys(e, EVENT_KEYS, at);
    const desc = r.description(e, at);
    const args = types.args(e["args"], `${at}, args`, "argument");
    eventModels.push({ name: eventName, args: args.models });
    return freeze({ name: eventName, ...desc, args: args.normal });
  });

  const methodModels: MethodModel[] = [];
  const methods: NormalMethodDescription[] = r.list(raw["methods"], "methods").map((entry, i) => {
    const m = r.object(entry, `methods[${i}]`);
    const methodName = r.memberName(m["name"], `methods[${i}]`);
    const at = `method '${methodName}'`;
    if (methodModels.some((x) => x.name === methodName)) r.fail(`${at} is declared twice`);
    r.keys(m, METHOD_KEYS, at);
    const desc = r.description(m, at);
    const inArgs = types.args(m["inArgs"], `${at}, inArgs`, "argument");
    const outArgs = types.args(m["outArgs"], `${at}, outArgs`, "result");
    const raised: string[] = [];
    r.list(m["errors"], `${at}, errors`).forEach((err, j) => {
      if (typeof err !== "string") r.fail(`${at}, errors[${j}] must be an error name, got ${show(err)}`);
      if (!errorNames.has(err)) {
        r.fail(`${at} lists undeclared error '${err}'${didYouMean(err, errorNames)}`);
      }
      if (raised.includes(err)) r.fail(`${at} lists error '${err}' twice`);
      raised.push(err);
    });
    methodModels.push({
      name: methodName,
      inArgs: inArgs.models,
      outArgs: outArgs.models,
      errors: freeze(raised),
    });
    return freeze({
      name: methodName,
      ...desc,
      inArgs: inArgs.normal,
      outArgs: outArgs.normal,
      errors: freeze([...raised]),
    });
  });

  const normal: NormalInterfaceDescription = freeze({
    name,
    ...description,
    types: freeze(normalTypes),
    errors: freeze(errors),
    events: freeze(events),
    methods: freeze(methods),
  });
  return {
    description: normal,
    methods: methodModels,
    events: eventModels,
    resolveType: types.resolver(),
  };
}
