/**
 * What to do when a connection attempt fails or a playing connection drops. Pure, so the rules
 * are explicit and tested:
 * - problems no retry can fix (a codec the browser cannot play, a malformed URL) end playback;
 * - the very first attempt of a load() shows its error at once (a person who typed a wrong URL
 *   wants to know now, not after a minute of backoff) unless retryInitialConnect is set;
 * - once a stream has started playing (Play.Start), or while already reconnecting, everything else is retried: a
 *   restarting server refuses connections, rejects, or says StreamNotFound until its publisher
 *   is back, and all of those heal by themselves.
 */
export interface RecoveryInput {
  code: string;
  /** Reconnects are enabled in the configuration. */
  reconnectEnabled: boolean;
  /** This attempt was itself a reconnect. */
  isRetry: boolean;
  /** This connection got as far as NetStream.Play.Start (it was a working stream that dropped). */
  established: boolean;
  retryInitialConnect: boolean;
}

export type RecoveryDecision = 'reconnect' | 'fail';

const NEVER_RETRY = new Set(['MEDIA_UNSUPPORTED_CODEC', 'MEDIA_NO_MSE', 'PLAYER_BAD_URL', 'TRANSPORT_WS_BAD_URL', 'SESSION_INVALID_URL']);

export function decideRecovery(input: RecoveryInput): RecoveryDecision {
  if (NEVER_RETRY.has(input.code) || !input.reconnectEnabled) return 'fail';
  if (input.isRetry || input.established || input.retryInitialConnect) return 'reconnect';
  return 'fail';
}
