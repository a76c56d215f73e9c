import { RtmpError } from '../errors';
import type { RtmpErrorCategory } from '../errors';

/**
 * Codes raised by the session (NetConnection, NetStream), the URL parser and the transports.
 * The full table, with what each means and what to do, is in docs/errors.md.
 */
export type SessionErrorCode =
  | 'SESSION_INVALID_URL'
  | 'SESSION_INVALID_STATE'
  | 'SESSION_NOT_CONNECTED'
  | 'SESSION_CONNECT_REJECTED'
  | 'SESSION_INVALID_APP'
  | 'SESSION_CONNECT_FAILED'
  | 'SESSION_CONNECT_TIMEOUT'
  | 'SESSION_CALL_FAILED'
  | 'SESSION_UNEXPECTED_RESPONSE'
  | 'SESSION_STREAM_ID_IN_USE'
  | 'SESSION_CLOSED'
  | 'SESSION_AMF3_NOT_ENABLED'
  | 'SESSION_SHARED_OBJECTS_NOT_ENABLED'
  | 'STREAM_NOT_FOUND'
  | 'STREAM_PLAY_FAILED'
  | 'STREAM_NOT_PLAYING'
  | 'STREAM_DELETED'
  | 'TRANSPORT_CONNECT_FAILED'
  | 'TRANSPORT_CLOSED'
  | 'TRANSPORT_ERROR';

export function sessionError(
  code: SessionErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  options: { fatal?: boolean; cause?: unknown; category?: RtmpErrorCategory } = {},
): RtmpError {
  return new RtmpError(code, message, { fatal: options.fatal ?? true, cause: options.cause, details, ...(options.category ? { category: options.category } : {}) });
}
