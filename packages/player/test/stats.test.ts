import { describe, expect, it } from 'vitest';
import { RateMeter } from '../src/stats';

describe('RateMeter', () => {
  it('reports kbit/s and messages per second over the window', () => {
    const m = new RateMeter(2000);
    // 25 fps of 5000-byte frames for 4 s
    for (let t = 0; t < 4000; t += 40) m.record(5000, t);
    const s = m.snapshot(4000);
    expect(s.perSecond).toBeCloseTo(25, 5);
    expect(s.kbps).toBeCloseTo(1000, 5); // 25 * 5000 * 8 bit / s = 1 Mbit/s
    expect(s.messages).toBe(100);
    expect(s.bytes).toBe(500_000);
  });

  it('divides by the observed time before a whole window has passed', () => {
    const m = new RateMeter(2000);
    for (let t = 0; t < 500; t += 40) m.record(1000, t);
    expect(m.snapshot(500).perSecond).toBeCloseTo(26, 5); // 13 messages over 0.5 s
  });

  it('falls to zero when messages stop, keeping the totals', () => {
    const m = new RateMeter(1000);
    m.record(100, 0);
    expect(m.snapshot(5000)).toEqual({ kbps: 0, perSecond: 0, bytes: 100, messages: 1 });
    m.reset();
    expect(m.snapshot(5000).messages).toBe(0);
  });
});
