import { CodedError } from '@rtmp-web/bytes';
import type { ErrorCategory } from '@rtmp-web/bytes';

export type DemoErrorCode =
  /** The clip holds no audio or video tag to serve. */
  | 'DEMO_CLIP_EMPTY'
  /** The clip's video track has no keyframe, so no viewer could ever start decoding. */
  | 'DEMO_CLIP_NO_KEYFRAME'
  /** An option (port, duration, flag) is out of range or malformed. */
  | 'DEMO_BAD_OPTION'
  /** The demo server could not listen (port in use, permission). */
  | 'DEMO_LISTEN_FAILED'
  /** A viewer's connection broke the protocol (bad handshake, malformed chunk or command). */
  | 'DEMO_VIEWER_PROTOCOL'
  /** A viewer read too slowly and its buffered bytes passed the hard limit; it was disconnected. */
  | 'DEMO_VIEWER_TOO_SLOW';

/** Errors of the built-in demo source and the `rtmp-web demo` command. */
export class DemoError extends CodedError {
  constructor(code: DemoErrorCode, message: string, options: { fatal?: boolean; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(CATEGORY[code], code, message, { fatal: options.fatal ?? true, cause: options.cause, details: options.details });
    this.name = 'DemoError';
  }
}

const CATEGORY: Record<DemoErrorCode, ErrorCategory> = {
  DEMO_CLIP_EMPTY: 'media',
  DEMO_CLIP_NO_KEYFRAME: 'media',
  DEMO_BAD_OPTION: 'transport',
  DEMO_LISTEN_FAILED: 'transport',
  DEMO_VIEWER_PROTOCOL: 'protocol',
  DEMO_VIEWER_TOO_SLOW: 'transport',
};
