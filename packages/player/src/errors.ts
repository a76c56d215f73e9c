import { CodedError } from '@rtmp-web/bytes';
import type { ErrorCategory } from '@rtmp-web/bytes';

/**
 * Stable codes raised by the player package. Each message is written for a person watching the
 * page (plain words, what happened and what to try); `details` keeps the machine-readable facts.
 *
 * Transport codes (category 'transport') describe the WebSocket leg to the bridge; media codes
 * (category 'media') describe decoding/MSE; player codes (category 'player') describe the
 * player's own policy (timeouts, state misuse).
 */
export type PlayerErrorCode =
  // WebSocket leg to the bridge
  | 'TRANSPORT_WS_OPEN_FAILED'
  | 'TRANSPORT_WS_TIMEOUT'
  | 'TRANSPORT_WS_POLICY'
  | 'TRANSPORT_WS_TOO_BIG'
  | 'TRANSPORT_WS_UPSTREAM_ERROR'
  | 'TRANSPORT_WS_TRY_LATER'
  | 'TRANSPORT_WS_GOING_AWAY'
  | 'TRANSPORT_WS_CLOSED'
  | 'TRANSPORT_WS_BAD_URL'
  // media pipeline
  | 'MEDIA_UNSUPPORTED_CODEC'
  | 'MEDIA_NO_MSE'
  | 'MEDIA_PIPELINE_ERROR'
  | 'MEDIA_STALLED'
  // player policy
  | 'PLAYER_NO_MEDIA'
  | 'PLAYER_NO_MEDIA_ELEMENT'
  | 'PLAYER_BAD_URL'
  | 'PLAYER_DESTROYED'
  | 'PLAYER_STREAM_ENDED'
  | 'PLAYER_AUTOPLAY_BLOCKED'
  | 'PLAYER_RECONNECT_GAVE_UP'
  | 'PLAYER_NOT_LOADED';

const categoryOf = (code: PlayerErrorCode): ErrorCategory =>
  code.startsWith('TRANSPORT_') ? 'transport' : code.startsWith('MEDIA_') ? 'media' : 'player';

export class PlayerError extends CodedError {
  declare readonly code: PlayerErrorCode;

  constructor(
    code: PlayerErrorCode,
    message: string,
    options: { fatal?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(categoryOf(code), code, message, options);
    this.name = 'PlayerError';
  }
}
