import { describe, expect, it } from 'vitest';
import { VideoDropPolicy } from '../../src/latency/video-drop-policy';

const v = (keyframe: boolean) => ({ kind: 'video' as const, keyframe, config: false });
const a = { kind: 'audio' as const, keyframe: true, config: false };

describe('VideoDropPolicy (audio priority)', () => {
  it('forwards everything while not behind', () => {
    const p = new VideoDropPolicy();
    expect([v(true), v(false), a, v(false)].map((f) => p.accept(f, false))).toEqual([true, true, true, true]);
    expect(p.dropped).toBe(0);
  });

  it('when behind, drops video up to the next keyframe while audio keeps flowing', () => {
    const p = new VideoDropPolicy();
    p.accept(v(true), false);
    const decisions = [
      [v(false), true], // behind starts: dropped
      [a, true],
      [v(false), false], // no longer behind, but this inter frame depends on a dropped one
      [a, false],
      [v(true), false], // resumes at the keyframe
      [v(false), false],
    ] as const;
    expect(decisions.map(([f, behind]) => p.accept(f, behind))).toEqual([false, true, false, true, true, true]);
    expect(p.dropped).toBe(2);
    expect(p.dropping).toBe(false);
  });

  it('while it stays behind only keyframes get through', () => {
    const p = new VideoDropPolicy();
    const gop = [v(true), v(false), v(false), v(false)];
    const passed = [...gop, ...gop, ...gop].map((f) => p.accept(f, true));
    expect(passed).toEqual([true, false, false, false, true, false, false, false, true, false, false, false]);
  });

  it('never drops decoder configurations', () => {
    const p = new VideoDropPolicy();
    p.accept(v(false), true);
    expect(p.accept({ kind: 'video', keyframe: false, config: true }, true)).toBe(true);
    expect(p.dropping).toBe(true);
    p.reset();
    expect(p.dropping).toBe(false);
  });
});
