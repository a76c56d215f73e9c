import { describe, expect, it } from 'vitest';
import { LatencyEstimator } from '../../src/latency/latency-estimator';

describe('LatencyEstimator', () => {
  it('has no estimate before the first arrival', () => {
    const e = new LatencyEstimator();
    expect(e.baseline).toBeNull();
    expect(e.latencyOf(0, 100)).toBeNull();
    expect(e.arrivalLag).toBe(0);
  });

  it('uses the fastest arrival as the baseline, so a join burst of old frames does not inflate it', () => {
    const e = new LatencyEstimator();
    // GOP cache burst: frames 0..960 ms all arrive at wall 10_000
    for (let ts = 0; ts <= 960; ts += 40) e.onArrival(ts, 10_000);
    // then real time: frame 1000 at 10_040, 1040 at 10_080 (offset 9_040)
    e.onArrival(1000, 10_040);
    e.onArrival(1040, 10_080);
    expect(e.baseline).toBe(9_040);
    // presenting frame 1000 at wall 10_240: it could have arrived at 10_040 -> 200 ms
    expect(e.latencyOf(1000, 10_240)).toBe(200);
    expect(e.liveEdgeTimestamp).toBe(1040);
    expect(e.arrivalLag).toBe(0);
  });

  it('reports the arrival lag when messages start arriving late', () => {
    const e = new LatencyEstimator();
    e.onArrival(0, 1000);
    e.onArrival(40, 1040);
    e.onArrival(80, 1580); // 500 ms late
    expect(e.arrivalLag).toBe(500);
  });

  it('does not creep over a long session: a clock drift is followed by the sliding window', () => {
    const e = new LatencyEstimator({ windowMs: 10_000 });
    // 2 hours of 25 fps frames; the sender clock runs 0.1 % slow (offset grows 1 ms/s) with jitter 0..30 ms
    let worst = 0;
    let seed = 7;
    const jitter = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 31);
    for (let ts = 0; ts < 2 * 3600_000; ts += 40) {
      const wall = 5000 + ts * 1.001 + jitter();
      e.onArrival(ts, wall);
      // a player presenting each frame 150 ms after its best-case arrival
      if (ts > 20_000 && ts % 4000 === 0) {
        const latency = e.latencyOf(ts, 5000 + ts * 1.001 + 150)!;
        worst = Math.max(worst, Math.abs(latency - 150));
      }
    }
    // the window minimum lags the drift by at most windowMs * 0.001 = 10 ms
    expect(worst).toBeLessThanOrEqual(12);
  });

  it('reset forgets the baseline (a new publisher restarts timestamps)', () => {
    const e = new LatencyEstimator();
    e.onArrival(50_000, 60_000);
    e.reset();
    e.onArrival(0, 70_000);
    expect(e.baseline).toBe(70_000);
  });
});
