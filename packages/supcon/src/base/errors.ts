/**
 * Error classes and codes of the runtime.
 */

/** The codes of the failures the runtime itself detects: of calls (`RemoteError.code`) and of links. */
export const ErrorCode = {
  UnknownNode: "supcon.UnknownNode",
  UnknownPath: "supcon.UnknownPath",
  UnknownInterface: "supcon.UnknownInterface",
  UnknownMethod: "supcon.UnknownMethod",
  InvalidArguments: "supcon.InvalidArguments",
  Timeout: "supcon.Timeout",
  Cancelled: "supcon.Cancelled",
  ConnectionLost: "supcon.ConnectionLost",
  Overloaded: "supcon.Overloaded",
  Closed: "supcon.Closed",
  PermissionDenied: "supcon.PermissionDenied",
  Internal: "supcon.Internal",
  // Why a link was refused or closed (`handshakeFailed` and `linkDown` statuses, docs/PROTOCOL.md):
  NameTaken: "supcon.NameTaken",
  InvalidName: "supcon.InvalidName",
  VersionMismatch: "supcon.VersionMismatch",
  AuthRequired: "supcon.AuthRequired",
  AuthFailed: "supcon.AuthFailed",
  HandshakeTimeout: "supcon.HandshakeTimeout",
  HeartbeatTimeout: "supcon.HeartbeatTimeout",
  ProtocolError: "supcon.ProtocolError",
  FrameTooLarge: "supcon.FrameTooLarge",
  InvalidData: "supcon.InvalidData",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error the runtime throws. */
export class SupconError extends Error {
  override name = "SupconError";
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** API misuse: a bad option or argument given to the runtime by the program itself. */
export class InvalidArgumentError extends SupconError {
  override name = "InvalidArgumentError";

  constructor(message: string, options?: ErrorOptions) {
    super("supcon.InvalidArgument", message, options);
  }
}

/** Options of a `RemoteError`. */
export interface RemoteErrorOptions extends ErrorOptions {
  /** Structured detail sent along with the error; must be plain data (it crosses the wire). */
  readonly data?: unknown;
}

/**
 * A failed call or a failure reported by the bus. `code` names the cause (`supcon.UnknownMethod`, or a declared
 * error such as `com.example.Timer.AlreadyExists`); the message starts with the code and `rawMessage` keeps the rest.
 */
export class RemoteError extends SupconError {
  override name = "RemoteError";
  /** The message without the code prefix. */
  readonly rawMessage: string;
  /** Structured detail, if the thrower gave any. */
  readonly data: unknown;

  constructor(code: string, message: string, options?: RemoteErrorOptions) {
    super(code, `${code}: ${message}`, options);
    this.rawMessage = message;
    this.data = options?.data;
  }

  /**
   * Converts anything thrown into a `RemoteError`: a `RemoteError` is returned as it is, any other value becomes
   * one with `code` (default `supcon.Internal`) and the value's message.
   */
  static from(reason: unknown, code: string = ErrorCode.Internal): RemoteError {
    if (reason instanceof RemoteError) return reason;
    if (reason instanceof Error) return new RemoteError(code, reason.message, { cause: reason });
    return new RemoteError(code, String(reason), { cause: reason });
  }
}

/**
 * A class of declared errors, as generated for an interface's `errors:` (`TimerAlreadyExistsError`).
 * The runtime uses it to re-create the declared class on the caller's side.
 */
export interface DeclaredErrorClass {
  /** The error code, `<interface>.<error name>`. */
  readonly code: string;
  new (message?: string, options?: RemoteErrorOptions): RemoteError;
}

/** True when `value` is a `RemoteError`, also across duplicate copies of this package. */
export function isRemoteError(value: unknown): value is RemoteError {
  return (
    value instanceof RemoteError ||
    (value instanceof Error &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { rawMessage?: unknown }).rawMessage === "string")
  );
}

/** A `RemoteError` for a message that could not be encoded (too large, not plain data), keeping its error code. */
export function wireFailure(err: unknown, what: string): RemoteError {
  const code = err instanceof SupconError ? err.code : ErrorCode.Internal;
  return new RemoteError(code, `${what}: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}
