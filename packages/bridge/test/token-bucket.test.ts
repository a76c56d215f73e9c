import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through, then asks for the exact wait that pays the debt', () => {
    const bucket = new TokenBucket(1000, 1000, 0); // 1000 B/s, 1 s burst
    expect(bucket.take(1000, 0)).toBe(0);
    expect(bucket.take(500, 0)).toBe(500); // 500 B of debt at 1000 B/s
    expect(bucket.take(0, 250)).toBe(250);
    expect(bucket.take(0, 500)).toBe(0);
    expect(bucket.available(1500)).toBe(1000); // refills up to the burst, never beyond
  });

  it('never lets more than burst + rate * elapsed through without a wait', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 2000 })), { maxLength: 50 }),
        (rate, steps) => {
          const bucket = new TokenBucket(rate, rate, 0);
          let now = 0;
          let passed = 0;
          for (const [bytes, advance] of steps) {
            now += advance;
            const wait = bucket.take(bytes, now);
            passed += bytes;
            // A caller that obeys the wait is back at a balance >= 0 when it resumes.
            if (wait > 0) {
              now += wait;
              expect(bucket.available(now)).toBeGreaterThanOrEqual(-1e-6);
            }
          }
          expect(passed).toBeLessThanOrEqual(rate + (rate * now) / 1000 + 1e-6);
        },
      ),
    );
  });
});
