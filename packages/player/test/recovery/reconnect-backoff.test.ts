import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from '../../src/recovery/reconnect-backoff';

describe('ReconnectBackoff', () => {
  it('grows exponentially up to the cap (no jitter)', () => {
    const b = new ReconnectBackoff({ initialDelayMs: 500, factor: 2, maxDelayMs: 5000, jitter: 0 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(b.attempts).toBe(7);
  });

  it('spreads each delay by the jitter fraction', () => {
    const low = new ReconnectBackoff({ initialDelayMs: 1000, jitter: 0.2, random: () => 0 });
    const high = new ReconnectBackoff({ initialDelayMs: 1000, jitter: 0.2, random: () => 0.999999 });
    expect(low.next()).toBe(800);
    expect(high.next()).toBe(1200);
    // jitter never exceeds the cap
    const capped = new ReconnectBackoff({ initialDelayMs: 10_000, maxDelayMs: 10_000, jitter: 0.5, random: () => 1 });
    expect(capped.next()).toBe(10_000);
  });

  it('starts over after reset and stops after maxAttempts', () => {
    const b = new ReconnectBackoff({ initialDelayMs: 100, jitter: 0, maxAttempts: 2 });
    expect(b.next()).toBe(100);
    expect(b.next()).toBe(200);
    expect(b.next()).toBeNull();
    expect(b.exhausted).toBe(true);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
