import { describe, expect, it } from 'vitest';
import { decideRecovery } from '../../src/recovery/recovery-policy';
import type { RecoveryInput } from '../../src/recovery/recovery-policy';

const base: RecoveryInput = { code: 'TRANSPORT_WS_CLOSED', reconnectEnabled: true, isRetry: false, established: false, retryInitialConnect: false };

describe('decideRecovery', () => {
  it('reconnects when a playing stream drops', () => {
    expect(decideRecovery({ ...base, code: 'TRANSPORT_WS_UPSTREAM_ERROR', established: true })).toBe('reconnect');
    expect(decideRecovery({ ...base, code: 'TRANSPORT_WS_CLOSED', established: true })).toBe('reconnect');
  });

  it('shows the first attempt’s error at once, unless asked to retry it', () => {
    expect(decideRecovery({ ...base, code: 'TRANSPORT_WS_OPEN_FAILED' })).toBe('fail');
    expect(decideRecovery({ ...base, code: 'STREAM_NOT_FOUND' })).toBe('fail');
    expect(decideRecovery({ ...base, code: 'TRANSPORT_WS_OPEN_FAILED', retryInitialConnect: true })).toBe('reconnect');
  });

  it('keeps retrying while reconnecting: refused, rejected or not-found-yet all heal when the server is back', () => {
    for (const code of ['TRANSPORT_WS_OPEN_FAILED', 'SESSION_CONNECT_REJECTED', 'STREAM_NOT_FOUND', 'TRANSPORT_WS_TIMEOUT']) {
      expect(decideRecovery({ ...base, code, isRetry: true })).toBe('reconnect');
    }
  });

  it('never retries what a retry cannot fix, nor when reconnects are off', () => {
    for (const code of ['MEDIA_UNSUPPORTED_CODEC', 'MEDIA_NO_MSE', 'PLAYER_BAD_URL', 'TRANSPORT_WS_BAD_URL']) {
      expect(decideRecovery({ ...base, code, isRetry: true, established: true })).toBe('fail');
    }
    expect(decideRecovery({ ...base, established: true, reconnectEnabled: false })).toBe('fail');
  });
});
