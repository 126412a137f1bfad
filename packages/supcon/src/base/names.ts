/**
 * The rules for node names and object paths, checked where users give them (`new Node`, `register`) and where
 * peers do (handshakes, adverts).
 */

/** Longest node name, in UTF-16 code units. */
export const NODE_NAME_MAX = 255;

/**
 * The longest names each message may carry, in UTF-16 code units (JavaScript's `length`), on receipt and before
 * sending (docs/PROTOCOL.md, "Limits"). Every name a peer sends ends up in lookups, log lines and "did you mean"
 * hints, whose cost grows with its length; these bounds keep them small whatever the frame size.
 */
export const NameLimit = {
  /** Node names (`dst`, `src`, HELLO and AUTH `name`, ADVERT `origin` and `neighbors`): the runtime's rule. */
  node: NODE_NAME_MAX,
  /** ADVERT `instance` and HELLO `info.instance` ids (16 hex digits from this runtime). */
  instance: 255,
  /** Object paths (`path`, the keys of ADVERT `objects`). */
  path: 1024,
  /** Dotted interface names (`intf`, the interface names of ADVERT `objects`). */
  interface: 1024,
  /** Method and event names (`method`, `event`, BIND `member`). */
  member: 255,
  /** Error codes (ERROR, REFUSE and BYE `code`): an interface name, a dot and an error name at most. */
  code: 1024 + 1 + 255,
} as const;

/** A node name: 1 to 255 characters, none of them a control character. */
export function isValidNodeName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > NODE_NAME_MAX) return false;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) < 0x20) return false;
  return true;
}

const PATH = /^\/([A-Za-z0-9_.\-~]+(\/[A-Za-z0-9_.\-~]+)*)?$/;

/**
 * An object path: `/`, or `/`-separated segments of letters, digits, `_`, `-`, `.` and `~` (`/lab/pump-1`), at
 * most `NameLimit.path` characters.
 */
export function isValidPath(path: unknown): path is string {
  return typeof path === "string" && path.length <= NameLimit.path && PATH.test(path);
}
