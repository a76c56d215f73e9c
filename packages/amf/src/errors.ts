import { BytesError, CodedError } from '@rtmp-web/bytes';

/**
 * Stable codes of every error the AMF codecs raise (the table is in docs/amf.md).
 *
 * A declared length or count that is larger than the rest of the input is reported as
 * AMF_TRUNCATED with `details.lengthExceedsInput = true`: from the decoder's side a cut
 * input and an oversized length are the same thing, and both are refused before any
 * allocation is made for them.
 */
export type AmfErrorCode =
  /** The input ended inside a value (or a declared length/count runs past its end). */
  | 'AMF_TRUNCATED'
  /** A type marker that neither AMF0 nor AMF3 defines. */
  | 'AMF_UNKNOWN_MARKER'
  /** AMF0 movieclip (0x04) or recordset (0x0E): reserved, never serialised (AMF0 §2.5, §2.15). */
  | 'AMF_RESERVED_MARKER'
  /** AMF0 object-end (0x09) where a value was expected. */
  | 'AMF_UNEXPECTED_MARKER'
  /** Nesting deeper than `maxDepth` (decode or encode). */
  | 'AMF_DEPTH_EXCEEDED'
  /** A string, object or trait reference to an index the table does not hold. */
  | 'AMF_BAD_REFERENCE'
  /** A reference table grew past `maxReferences`. */
  | 'AMF_LIMIT_EXCEEDED'
  /** AMF3 externalizable class with no codec in the registry (its bytes cannot be skipped). */
  | 'AMF_UNKNOWN_EXTERNALIZABLE'
  /** An externalizable codec threw something that is not an AmfError. */
  | 'AMF_EXTERNALIZABLE_FAILED'
  /** A value that cannot be written in the requested encoding. */
  | 'AMF_UNENCODABLE'
  /** An AVM+ switch (0x11) read, or an AMF3 value to write, by an AMF0 codec given no `amf3` option. */
  | 'AMF_AMF3_NOT_ENABLED';

export class AmfError extends CodedError {
  declare readonly code: AmfErrorCode;

  constructor(code: AmfErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('amf', code, message, { fatal: true, details, cause });
    this.name = 'AmfError';
  }
}

/**
 * Runs `body` and lets only AmfError out: a ByteReader running off the end becomes
 * AMF_TRUNCATED. Used at every public entry point so malformed input never surfaces as
 * anything but an AmfError.
 */
export function withAmfErrors<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw toAmfError(error);
  }
}

export function toAmfError(error: unknown): AmfError {
  if (error instanceof AmfError) return error;
  if (error instanceof BytesError && error.code === 'BYTES_OUT_OF_RANGE') {
    return new AmfError('AMF_TRUNCATED', `input ended inside a value: ${error.message}`, { ...error.details }, error);
  }
  if (error instanceof BytesError) {
    return new AmfError('AMF_UNENCODABLE', error.message, { ...error.details }, error);
  }
  throw error;
}

/** Fails fast when `count` items of at least `minBytesEach` cannot fit in what is left. */
export function assertFits(count: number, minBytesEach: number, remaining: number, what: string): void {
  if (count * minBytesEach > remaining) {
    throw new AmfError('AMF_TRUNCATED', `${what} declares ${count} item(s) but only ${remaining} byte(s) remain`, {
      what,
      declared: count,
      remaining,
      lengthExceedsInput: true,
    });
  }
}

/** Nesting deeper than `maxDepth`, decoding or encoding, in either format (both share the limit). */
export function depthExceeded(maxDepth: number): AmfError {
  return new AmfError('AMF_DEPTH_EXCEEDED', `nesting deeper than ${maxDepth}`, { maxDepth });
}

/** A type marker the format does not define (AMF0 §2.1, AMF3 §3.1); `offset` is the marker's position. */
export function unknownMarker(format: 'AMF0' | 'AMF3', marker: number, offset: number): AmfError {
  return new AmfError('AMF_UNKNOWN_MARKER', `unknown ${format} marker 0x${marker.toString(16)}`, { marker, offset });
}

/**
 * The AMF0 codec met AMF3 (an AVM+ switch to read, or a value only AMF3 can write) and was given
 * no AMF3 codec: say what arrived and what to pass, since the fix is the caller's option.
 */
export function amf3NotEnabled(what: string, details: Record<string, unknown> = {}): AmfError {
  return new AmfError('AMF_AMF3_NOT_ENABLED', `${what}: AMF3 is not enabled (pass { amf3: amf3Codec } in the options)`, details);
}
