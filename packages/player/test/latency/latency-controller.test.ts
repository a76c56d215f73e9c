import { describe, expect, it } from 'vitest';
import { LatencyController } from '../../src/latency/latency-controller';
import type { PlaybackSample } from '../../src/latency/latency-controller';

const sample = (s: Partial<PlaybackSample>): PlaybackSample => ({
  now: 0,
  currentTime: 0,
  bufferedStart: 0,
  bufferedEnd: 0,
  paused: false,
  latency: null,
  ...s,
});

describe('LatencyController', () => {
  it('does nothing without buffered data', () => {
    const c = new LatencyController();
    expect(c.update(sample({ bufferedEnd: null, bufferedStart: null }))).toEqual({ playbackRate: 1, latency: null, buffer: null });
  });

  it('jumps once at start from the beginning of the buffer to the live edge', () => {
    const c = new LatencyController({ targetLatency: 0.25 });
    // Nothing buffered yet: the start decision waits for data.
    c.update(sample({ bufferedStart: null, bufferedEnd: null }));
    expect(c.hasStarted).toBe(false);
    const d = c.update(sample({ currentTime: 0, bufferedStart: 0, bufferedEnd: 0.9 }));
    expect(c.hasStarted).toBe(true);
    expect(d.reason).toBe('start');
    expect(d.seekTo).toBeCloseTo(0.65, 6);
    expect(d.playbackRate).toBe(1);
  });

  it('keeps part of the target for the pipeline the buffer does not explain', () => {
    const c = new LatencyController({ targetLatency: 0.25, minBuffer: 0.08 });
    // end-to-end 1.0 s with 0.9 s buffered: 0.1 s is transit/decode, so the buffer target is 0.15 s
    const d = c.update(sample({ currentTime: 0, bufferedEnd: 0.9, latency: 1.0 }));
    expect(d.seekTo).toBeCloseTo(0.75, 6);
    // when the pipeline alone exceeds the target the buffer is still kept at minBuffer
    const c2 = new LatencyController({ targetLatency: 0.25, minBuffer: 0.08 });
    expect(c2.update(sample({ currentTime: 0, bufferedEnd: 0.9, latency: 1.5 })).seekTo).toBeCloseTo(0.82, 6);
  });

  it('speeds up in proportion to the excess latency, capped, never below 1, with hysteresis', () => {
    const c = new LatencyController({ targetLatency: 0.25, tolerance: 0.05, rateGain: 0.5, maxPlaybackRate: 1.25, jumpThreshold: 1.5 });
    c.update(sample({ currentTime: 0, bufferedEnd: 0.2 })); // start, no jump needed (buffer within target)
    expect(c.update(sample({ now: 100, currentTime: 1, bufferedEnd: 1.2, latency: 0.28 })).playbackRate).toBe(1); // within tolerance
    expect(c.update(sample({ now: 200, currentTime: 1, bufferedEnd: 1.5, latency: 0.45 })).playbackRate).toBeCloseTo(1.1, 6);
    expect(c.update(sample({ now: 300, currentTime: 1, bufferedEnd: 2.0, latency: 1.2 })).playbackRate).toBe(1.25);
    // hysteresis: inside the tolerance band but above target, keep draining
    expect(c.update(sample({ now: 400, currentTime: 2, bufferedEnd: 2.2, latency: 0.27 })).playbackRate).toBeCloseTo(1.01, 6);
    // reached the target: back to 1, and below target stays 1 (never slower than real time)
    expect(c.update(sample({ now: 500, currentTime: 2, bufferedEnd: 2.2, latency: 0.25 })).playbackRate).toBe(1);
    expect(c.update(sample({ now: 600, currentTime: 2, bufferedEnd: 2.1, latency: 0.1 })).playbackRate).toBe(1);
  });

  it('does not speed up on a thin buffer (that would starve playback)', () => {
    const c = new LatencyController({ minBuffer: 0.08 });
    c.update(sample({ bufferedEnd: 0.1 }));
    expect(c.update(sample({ now: 100, currentTime: 1, bufferedEnd: 1.05, latency: 0.9 })).playbackRate).toBe(1);
  });

  it('seeks to the live edge when far behind, then waits a cooldown before seeking again', () => {
    const c = new LatencyController({ targetLatency: 0.25, jumpThreshold: 1.5, jumpCooldownMs: 2000 });
    // (defaults: jumpThreshold 1.0; set explicitly here)
    c.update(sample({ now: 0, bufferedEnd: 0.2 }));
    const d = c.update(sample({ now: 10_000, currentTime: 10, bufferedStart: 0, bufferedEnd: 12, latency: 2.1 }));
    expect(d).toMatchObject({ reason: 'far-behind', playbackRate: 1 });
    expect(d.seekTo).toBeCloseTo(11.85, 6);
    // one second later still far behind by the estimate (stale): no second seek, speed up instead
    const again = c.update(sample({ now: 11_000, currentTime: 11.9, bufferedEnd: 12.1, latency: 1.7 }));
    expect(again.seekTo).toBeUndefined();
    expect(again.playbackRate).toBe(1.25);
    expect(c.update(sample({ now: 12_001, currentTime: 12, bufferedEnd: 14, latency: 2.0 })).reason).toBe('far-behind');
  });

  it('seeks over a gap when currentTime sits before the buffered range', () => {
    const c = new LatencyController({ targetLatency: 0.25 });
    c.update(sample({ bufferedEnd: 0.2 }));
    const d = c.update(sample({ now: 5000, currentTime: 3, bufferedStart: 3.5, bufferedEnd: 4 }));
    expect(d.reason).toBe('far-behind');
    expect(d.seekTo).toBeCloseTo(3.75, 6);
  });

  it('jumps to the live edge on request (tab visible again) even when not far behind', () => {
    const c = new LatencyController({ targetLatency: 0.25 });
    c.update(sample({ bufferedEnd: 0.2 }));
    c.requestLiveEdge();
    const d = c.update(sample({ now: 100, currentTime: 5, bufferedEnd: 5.8, latency: 0.9 }));
    expect(d.reason).toBe('live-edge-requested');
    expect(d.seekTo).toBeCloseTo(5.65, 6);
    // the request is consumed
    expect(c.update(sample({ now: 200, currentTime: 5.65, bufferedEnd: 5.85, latency: 0.3 })).seekTo).toBeUndefined();
  });

  it('does not seek or speed up while paused, and keeps a live-edge request for the resume', () => {
    const c = new LatencyController({ targetLatency: 0.25 });
    c.update(sample({ bufferedEnd: 0.2 }));
    c.requestLiveEdge();
    expect(c.update(sample({ now: 5000, currentTime: 1, bufferedEnd: 6, paused: true, latency: 5.2 }))).toEqual({ playbackRate: 1, latency: 5.2, buffer: 5 });
    expect(c.update(sample({ now: 5100, currentTime: 1, bufferedEnd: 6.1, latency: 5.3 })).reason).toBe('live-edge-requested');
  });

  it('waits for an ingest backlog to arrive before seeking, keeping the request', () => {
    const c = new LatencyController({ targetLatency: 0.25 });
    c.update(sample({ bufferedEnd: 0.2 }));
    c.requestLiveEdge();
    // the page was busy: 3 s of messages are still queued; what is buffered is not the live edge
    const waiting = c.update(sample({ now: 100, currentTime: 3, bufferedEnd: 3.2, latency: 3.2, ingestBacklog: true }));
    expect(waiting).toEqual({ playbackRate: 1, latency: 3.2, buffer: expect.closeTo(0.2, 6) });
    const arrived = c.update(sample({ now: 400, currentTime: 3.1, bufferedEnd: 6.2, latency: 3.2 }));
    expect(arrived.reason).toBe('live-edge-requested');
    // 0.1 s of the latency is outside the buffer, so the buffer keeps 0.15 s
    expect(arrived.seekTo).toBeCloseTo(6.05, 6);
  });

  it('holds latency near the target in a simulated session with a growing backlog, without creeping', () => {
    // Simulate: data arrives in real time, the element plays at the decided rate; a 0.1 s pipeline
    // delay sits outside the buffer. Every 30 s the page hiccups for 0.6 s (playback stops, data keeps arriving).
    const c = new LatencyController({ targetLatency: 0.25 });
    let currentTime = 0;
    let rate = 1;
    const pipeline = 0.1;
    const latencies: number[] = [];
    for (let t = 0; t < 600; t += 0.05) {
      const bufferedEnd = t; // media time of the newest appended frame equals wall time
      const hiccup = t % 30 > 29.4;
      if (!hiccup) currentTime = Math.min(bufferedEnd, currentTime + 0.05 * rate);
      const latency = bufferedEnd - currentTime + pipeline;
      const d = c.update({ now: t * 1000, currentTime, bufferedStart: 0, bufferedEnd, paused: false, latency });
      rate = d.playbackRate;
      if (d.seekTo !== undefined) currentTime = d.seekTo;
      if (t > 5 && t % 30 < 29) latencies.push(latency);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length * 0.5)]!;
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    expect(p50).toBeLessThan(0.32);
    // p99 is the peak right after a 0.6 s hiccup, drained at up to 1.25x within a few seconds
    expect(p99).toBeLessThan(0.9);
    // the tail of the session is as good as its start
    const last = latencies.slice(-200).reduce((a, b) => a + b, 0) / 200;
    expect(last).toBeLessThan(0.32);
  });
});

describe('LatencyController: adapting the target to underruns', () => {
  it('raises the target after each underrun, capped, and decays it during clean playback', () => {
    const c = new LatencyController({ targetLatency: 0.2, underrunBoost: 0.05, maxUnderrunBoost: 0.12, boostDecayPerSecond: 0.002 });
    expect(c.effectiveTarget).toBeCloseTo(0.2, 9);
    c.noteUnderrun();
    c.noteUnderrun();
    expect(c.effectiveTarget).toBeCloseTo(0.3, 9);
    c.noteUnderrun();
    expect(c.effectiveTarget).toBeCloseTo(0.32, 9); // capped at +0.12
    // 10 s of playback: -0.02
    c.update(sample({ now: 0, bufferedEnd: 0.3 }));
    c.update(sample({ now: 10_000, currentTime: 10, bufferedEnd: 10.3, latency: 0.32 }));
    expect(c.effectiveTarget).toBeCloseTo(0.3, 9);
    // paused time does not count
    c.update(sample({ now: 20_000, currentTime: 10, bufferedEnd: 20, paused: true, latency: 0.32 }));
    expect(c.effectiveTarget).toBeCloseTo(0.3, 9);
    // back to the configured target after long enough, never below it
    c.update(sample({ now: 200_000, currentTime: 200, bufferedEnd: 200.2, latency: 0.2 }));
    expect(c.effectiveTarget).toBeCloseTo(0.2, 9);
  });

  it('holds the raised target: no speed-up while latency is within it', () => {
    const c = new LatencyController({ targetLatency: 0.2, tolerance: 0.05 });
    c.update(sample({ now: 0, bufferedEnd: 0.2 }));
    expect(c.update(sample({ now: 100, currentTime: 1, bufferedEnd: 1.3, latency: 0.3 })).playbackRate).toBeGreaterThan(1);
    c.noteUnderrun();
    c.noteUnderrun();
    expect(c.update(sample({ now: 200, currentTime: 1, bufferedEnd: 1.3, latency: 0.28 })).playbackRate).toBe(1);
  });
});
