import { CodedError } from '@rtmp-web/bytes';
import type { CodedErrorOptions } from '@rtmp-web/bytes';

/** The layers an RtmpError can come from (a subset of CodedError's categories). */
export type RtmpErrorCategory = 'handshake' | 'chunk' | 'protocol' | 'session' | 'transport' | 'media';

/**
 * Stable codes thrown by the protocol core. The session and transports add their own
 * (SESSION_*, STREAM_*, TRANSPORT_*); any string is accepted so they need not be listed here,
 * but every code used anywhere must appear in docs/errors.md.
 */
export type RtmpErrorCode =
  // handshake (RTMP 1.0 §5.2)
  | 'HANDSHAKE_BAD_VERSION'
  | 'HANDSHAKE_FAILED'
  | 'HANDSHAKE_INVALID_STATE'
  | 'HANDSHAKE_NO_WEBCRYPTO'
  // chunk stream (§5.3)
  | 'CHUNK_MESSAGE_TOO_LARGE'
  | 'CHUNK_BAD_CHUNK_SIZE'
  | 'CHUNK_UNKNOWN_STREAM'
  | 'CHUNK_TOO_MANY_STREAMS'
  | 'CHUNK_BUFFER_LIMIT'
  | 'CHUNK_BAD_CSID'
  // message payloads (§5.4, §6, §7)
  | 'MESSAGE_MALFORMED'
  | 'MESSAGE_UNEXPECTED_TYPE'
  // FLV / E-RTMP media and codec configuration records
  | 'MEDIA_MALFORMED'
  | 'MEDIA_UNSUPPORTED'
  | (string & {});

export interface RtmpErrorOptions extends CodedErrorOptions {
  /** Overrides the category derived from the code prefix. */
  category?: RtmpErrorCategory;
}

/**
 * Every error raised by `@rtmp-web/rtmp`. The category follows from the code's prefix
 * (HANDSHAKE_ -> handshake, CHUNK_ -> chunk, SESSION_/STREAM_ -> session, TRANSPORT_ -> transport,
 * MEDIA_ -> media, anything else -> protocol) unless `options.category` says otherwise.
 * Errors are fatal for the connection unless `options.fatal` is false.
 */
export class RtmpError extends CodedError {
  declare readonly category: RtmpErrorCategory;

  constructor(code: RtmpErrorCode, message: string, options: RtmpErrorOptions = {}) {
    super(options.category ?? categoryOf(code), code, message, options);
    this.name = 'RtmpError';
  }
}

export function categoryOf(code: string): RtmpErrorCategory {
  if (code.startsWith('HANDSHAKE_')) return 'handshake';
  if (code.startsWith('CHUNK_')) return 'chunk';
  if (code.startsWith('SESSION_') || code.startsWith('STREAM_')) return 'session';
  if (code.startsWith('TRANSPORT_')) return 'transport';
  if (code.startsWith('MEDIA_')) return 'media';
  return 'protocol';
}
