/**
 * Error classes and codes of the runtime.
 */

/**
 * The codes of the failures the runtime itself detects: of calls (`RemoteError.code`), of links, and of the
 * program's own misuse of the API. The README's "Errors" table says when each is raised and whether to retry.
 */
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
  // Not of the bus: the program called the runtime wrongly (`InvalidArgumentError`, thrown, never sent).
  Misuse: "supcon.Misuse",
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

/**
 * API misuse: a bad option or argument given to the runtime by the program itself, with code `supcon.Misuse`.
 * (Versions up to 0.2 gave it the code `supcon.InvalidArgument`, too close to `supcon.InvalidArguments`, the code
 * of a call whose arguments do not match the interface; test for this class with `instanceof`, which works in all.)
 */
export class InvalidArgumentError extends SupconError {
  override name = "InvalidArgumentError";

  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.Misuse, message, options);
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

  /**
   * @param message What happened. A declared error (`lab.Scheduler.UnknownProtocol`) given no message, or only its
   *   own name (what generated classes of errors without a description pass), gets one made from its name and
   *   interface: "unknown protocol (declared by lab.Scheduler)".
   */
  constructor(code: string, message?: string, options?: RemoteErrorOptions) {
    const text =
      message === undefined || message === "" || message === declaredName(code)
        ? (declaredErrorMessage(code) ?? message ?? "")
        : message;
    super(code, `${code}: ${text}`, options);
    this.rawMessage = text;
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

/** The error's name when `code` is that of a declared error (`<interface>.<Name>`, not `supcon.`), else undefined. */
function declaredName(code: string): string | undefined {
  const dot = code.lastIndexOf(".");
  if (dot <= 0 || dot === code.length - 1 || code.startsWith("supcon.")) return undefined;
  return code.slice(dot + 1);
}

/**
 * The message of a declared error that has no description, made from its code: `lab.Scheduler.UnknownProtocol` →
 * "unknown protocol (declared by lab.Scheduler)". Undefined for a code that is not a declared error's.
 */
export function declaredErrorMessage(code: string): string | undefined {
  const name = declaredName(code);
  if (name === undefined) return undefined;
  return `${words(name)} (declared by ${code.slice(0, code.length - name.length - 1)})`;
}

/** An identifier in words: `UnknownProtocol` → "unknown protocol", `HTTPError` → "HTTP error", `no_route` → "no route". */
function words(name: string): string {
  const parts = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? [name];
  return parts.map((w) => (w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase())).join(" ");
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
