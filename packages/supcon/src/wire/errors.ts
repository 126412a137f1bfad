/**
 * Errors of the wire layer: what goes wrong turning messages into frames and back.
 *
 * The wire layer sits below everything else in the runtime; it imports only the leaf module `api/errors.ts` for the
 * common `SupconError` base, so that every error the runtime throws shares one shape (`name`, `code`, `cause`).
 */
import { SupconError } from "../base/errors.js";

/** Codes of wire-level failures. */
export const WireErrorCode = {
  /** The peer sent something that is not a frame or message of the protocol; the link is closed. */
  ProtocolError: "supcon.ProtocolError",
  /** A frame is larger than `maxFrameBytes` (received: the link is closed; sent: that message fails). */
  FrameTooLarge: "supcon.FrameTooLarge",
  /** A message to send holds a value that is not plain data (a `Date`, `NaN`, a `__proto__` key, a cycle, …). */
  InvalidData: "supcon.InvalidData",
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

/** A message could not be encoded: it is too large for a frame or holds a value that is not plain data. */
export class WireError extends SupconError {
  override name = "WireError";
  declare readonly code: WireErrorCode;

  constructor(code: WireErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
