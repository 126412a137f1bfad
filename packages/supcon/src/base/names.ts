/**
 * The rules for node names and object paths, checked where users give them (`new Node`, `register`) and where
 * peers do (handshakes, adverts).
 */

/** Longest node name, in UTF-16 code units. */
export const NODE_NAME_MAX = 255;

/** A node name: 1 to 255 characters, none of them a control character. */
export function isValidNodeName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > NODE_NAME_MAX) return false;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) < 0x20) return false;
  return true;
}

const PATH = /^\/([A-Za-z0-9_.\-~]+(\/[A-Za-z0-9_.\-~]+)*)?$/;

/** An object path: `/`, or `/`-separated segments of letters, digits, `_`, `-`, `.` and `~` (`/lab/pump-1`). */
export function isValidPath(path: unknown): path is string {
  return typeof path === "string" && PATH.test(path);
}
