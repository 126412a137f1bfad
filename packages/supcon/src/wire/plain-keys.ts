/**
 * The map keys of the decoder (plain-decoder.ts): a key must be a string, and not one of the forbidden ones; new keys
 * are charged to the budget (the first `UNTRACKED_KEYS` of a body without comparing them, the later ones once each);
 * and short ASCII keys come from the decoder's key cache, one string per key rather than one per message.
 */
import { DecodeCost, UNTRACKED_KEYS, isForbiddenKey, isAscii, hex } from "./plain-rules.js";
import { readUint, text } from "./plain-scalars.js";
import type { PlainState } from "./plain-state.js";
import { charge, fail, truncated } from "./plain-state.js";

/** Keys up to this many bytes go through the key cache, which has this many slots (8 KiB per link). */
const KEY_MAX = 32;
export const KEY_SLOTS = 1024;

/** A map key at the position: a string, not a forbidden one. In `check()`, the empty string unless it is tracked. */
export function readKey(s: PlainState): string {
  const src = s.src;
  const at = s.pos;
  if (at >= s.end) truncated(s, at);
  const token = src[at] as number;
  s.pos = at + 1;
  let length: number;
  if (token >= 0xa0 && token <= 0xbf) length = token & 0x1f;
  else if (token === 0xd9) length = readUint(s, 1, at);
  else if (token === 0xda) length = readUint(s, 2, at);
  else if (token === 0xdb) length = readUint(s, 4, at);
  else return fail(s, `map key at ${at - s.start} is not a string (token 0x${hex(token)})`);
  const pos = s.pos;
  if (length > s.end - pos) truncated(s, at);
  if ((length === 9 || length === 11) && isForbiddenKey(src, pos, length)) {
    fail(
      s,
      `forbidden map key '${String.fromCharCode(...src.subarray(pos, pos + length))}' at ${at - s.start}`,
    );
  }
  if (++s.keyCount <= UNTRACKED_KEYS) {
    s.pos = pos + length;
    charge(s, DecodeCost.newKey + length, at);
    if (!s.build) return "";
    return length <= KEY_MAX ? cachedKey(s, pos, length) : text(s, pos, length);
  }
  // Both decode() and check() compare the keys as strings, so they charge the same keys as new.
  s.pos = pos + length;
  const key = s.build && length <= KEY_MAX ? cachedKey(s, pos, length) : text(s, pos, length);
  const seen = (s.keysSeen ??= new Set());
  if (!seen.has(key)) {
    seen.add(key);
    charge(s, DecodeCost.newKey + length, at);
  }
  return key;
}

/** The key of `length` bytes at `pos`, from the cache when it holds it (ASCII keys only). */
function cachedKey(s: PlainState, pos: number, length: number): string {
  const src = s.src;
  const cache = s.keyCache as (string | undefined)[];
  let hash = length;
  for (let i = 0; i < length; i++) hash = (hash * 31 + (src[pos + i] as number)) | 0;
  const slot = hash & (KEY_SLOTS - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== src[pos + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const key = text(s, pos, length);
  // Only ASCII keys are cached: for them the byte and character comparison above is exact.
  if (key.length === length && isAscii(src, pos, length)) cache[slot] = key;
  return key;
}
