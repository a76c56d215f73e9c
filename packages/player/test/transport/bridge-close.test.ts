import { describe, expect, it } from 'vitest';
import { describeBridgeClose } from '../../src/transport/websocket-transport';

describe('describeBridgeClose (bridge close codes, docs/bridge.md)', () => {
  it('treats 1000 as a clean end (the RTMP server closed after everything was flushed)', () => {
    expect(describeBridgeClose(1000, '')).toBeNull();
  });

  it.each([
    [1001, 'TRANSPORT_WS_GOING_AWAY', false, /shutting down/],
    [1008, 'TRANSPORT_WS_POLICY', true, /policy/],
    [1009, 'TRANSPORT_WS_TOO_BIG', true, /larger than it allows/],
    [1011, 'TRANSPORT_WS_UPSTREAM_ERROR', false, /RTMP server/],
    [1013, 'TRANSPORT_WS_TRY_LATER', false, /try again/],
    [1006, 'TRANSPORT_WS_CLOSED', false, /lost/],
    [4000, 'TRANSPORT_WS_CLOSED', false, /code 4000/],
  ])('maps close %i to %s (fatal %s) with a plain message', (code, errorCode, fatal, text) => {
    const error = describeBridgeClose(code, 'idle timeout')!;
    expect(error.code).toBe(errorCode);
    expect(error.category).toBe('transport');
    expect(error.fatal).toBe(fatal);
    expect(error.message).toMatch(text);
    expect(error.message).toContain('(bridge said: idle timeout)');
    expect(error.details).toEqual({ closeCode: code, reason: 'idle timeout' });
  });
});
