/**
 * The base of every error rtmp-web throws. Each carries a category (which layer),
 * a stable string code (listed in docs/errors.md), whether it is fatal for the
 * connection, and the underlying cause when there is one.
 */
export type ErrorCategory =
  | 'bytes'
  | 'amf'
  | 'handshake'
  | 'chunk'
  | 'protocol'
  | 'session'
  | 'transport'
  | 'media'
  | 'bridge'
  | 'player'
  | 'inspector';

export interface CodedErrorOptions {
  fatal?: boolean;
  cause?: unknown;
  /** Extra machine-readable facts (offsets, limits, status codes). */
  details?: Record<string, unknown>;
}

export class CodedError extends Error {
  readonly category: ErrorCategory;
  readonly code: string;
  readonly fatal: boolean;
  readonly details: Record<string, unknown>;

  constructor(category: ErrorCategory, code: string, message: string, options: CodedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
    this.category = category;
    this.code = code;
    this.fatal = options.fatal ?? true;
    this.details = options.details ?? {};
  }
}

/** Raised by ByteReader when a read would run past the end of its view. */
export class BytesError extends CodedError {
  constructor(code: 'BYTES_OUT_OF_RANGE' | 'BYTES_INVALID_ARGUMENT', message: string, details: Record<string, unknown> = {}) {
    super('bytes', code, message, { fatal: true, details });
    this.name = 'BytesError';
  }
}
