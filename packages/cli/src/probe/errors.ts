import { CodedError } from '@rtmp-web/bytes';

export type ProbeErrorCode =
  /** Bad command line: unknown option, missing URL, a URL without a stream name, an out-of-range number. Exit code 2. */
  | 'PROBE_USAGE'
  /** play was sent but neither NetStream.Play.Start nor an error status arrived within --timeout. */
  | 'PROBE_PLAY_TIMEOUT'
  /** Play started but no audio or video message arrived (within --timeout, or before the stream ended). */
  | 'PROBE_NO_MEDIA';

/** Errors of `rtmp-web probe` itself (the session's own errors pass through unchanged). */
export class ProbeError extends CodedError {
  declare readonly code: ProbeErrorCode;

  constructor(code: ProbeErrorCode, message: string, details: Record<string, unknown> = {}) {
    super('session', code, message, { fatal: true, details });
    this.name = 'ProbeError';
  }
}
