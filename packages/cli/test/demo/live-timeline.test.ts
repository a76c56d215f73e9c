import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { prepareClip, scriptDataName } from '../../src/demo/clip';
import type { ClipFrame, DemoClip } from '../../src/demo/clip';
import { DemoError } from '../../src/demo/errors';
import { readFlvFile } from '@rtmp-web/rtmp';
import type { FlvTag } from '@rtmp-web/rtmp';
import { LiveTimeline } from '../../src/demo/live-timeline';

function frame(kind: 'audio' | 'video', timestamp: number, joinPoint = false): ClipFrame {
  return { kind, timestamp, data: new Uint8Array([timestamp & 0xff]), joinPoint };
}

// Period 100 ms; sorted frames:      seq in loop 0:
const SMALL: Pick<DemoClip, 'frames' | 'joinPoints' | 'durationMs'> = {
  frames: [
    frame('video', 0, true), //        0  keyframe
    frame('audio', 0), //               1
    frame('audio', 30), //              2
    frame('video', 50, true), //       3  keyframe
    frame('audio', 60), //              4
    frame('video', 75), //              5
  ],
  joinPoints: [0, 3],
  durationMs: 100,
};

describe('LiveTimeline', () => {
  const timeline = new LiveTimeline(SMALL);

  it('adds one period per loop to the clip timestamps', () => {
    expect([0, 5, 6, 9, 11, 12].map((seq) => timeline.timestampOf(seq))).toEqual([0, 75, 100, 150, 175, 200]);
    expect(timeline.frameAt(11)).toEqual({ frame: SMALL.frames[5], timestamp: 175, loop: 1 });
    expect(timeline.frameAt(6_000_000).timestamp).toBe(100_000_000); // loop 1,000,000 after ~28 h
  });

  it('counts the frames due at a live time', () => {
    const cases: Array<[number, number]> = [
      [-1, 0],
      [0, 2],
      [29, 2],
      [30, 3],
      [99, 6],
      [100, 8],
      [175, 12],
      [250, 16],
    ];
    for (const [liveMs, due] of cases) expect(timeline.dueCount(liveMs), `at ${liveMs} ms`).toBe(due);
  });

  it('joins at the most recent keyframe, across the loop seam too', () => {
    const cases: Array<[number, number]> = [
      [-5, 0],
      [0, 0],
      [49, 0],
      [50, 3],
      [99, 3],
      [100, 6],
      [149, 6],
      [150, 9],
      [1_234_567, 12345 * 6 + 3],
    ];
    for (const [liveMs, seq] of cases) expect(timeline.joinSeq(liveMs), `at ${liveMs} ms`).toBe(seq);
  });

  it('waits for the first keyframe when the clip starts with audio', () => {
    const audioFirst = new LiveTimeline({ frames: [frame('audio', 0), frame('video', 10, true), frame('audio', 20)], joinPoints: [1], durationMs: 30 });
    expect(audioFirst.joinSeq(5)).toBe(1); // keyframe at 10 ms is still ahead: the viewer waits for it
    expect(audioFirst.joinSeq(10)).toBe(1);
    expect(audioFirst.joinSeq(35)).toBe(1); // loop 1 has only its audio frame due: loop 0's keyframe
    expect(audioFirst.joinSeq(40)).toBe(4);
  });

  it('keeps the timeline invariants for any clip (property)', () => {
    const clipArb = fc
      .array(fc.record({ kind: fc.constantFrom<'audio' | 'video'>('audio', 'video'), timestamp: fc.integer({ min: 0, max: 5000 }), key: fc.boolean() }), {
        minLength: 1,
        maxLength: 40,
      })
      .chain((raw) => {
        const sorted = [...raw].sort((a, b) => a.timestamp - b.timestamp);
        const last = sorted[sorted.length - 1]!.timestamp;
        return fc.record({ sorted: fc.constant(sorted), period: fc.integer({ min: last + 1, max: last + 200 }), pick: fc.nat() });
      });
    fc.assert(
      fc.property(clipArb, fc.integer({ min: -100, max: 100_000 }), ({ sorted, period, pick }, liveMs) => {
        const frames = sorted.map((f) => frame(f.kind, f.timestamp, f.key));
        if (!frames.some((f) => f.joinPoint)) frames[pick % frames.length]!.joinPoint = true;
        const joinPoints = frames.flatMap((f, i) => (f.joinPoint ? [i] : []));
        const t = new LiveTimeline({ frames, joinPoints, durationMs: period });
        // Timestamps never go back, within a loop or across the seam.
        for (let seq = 1; seq < frames.length * 3; seq++) expect(t.timestampOf(seq)).toBeGreaterThanOrEqual(t.timestampOf(seq - 1));
        // dueCount splits the sequence exactly at liveMs.
        const due = t.dueCount(liveMs);
        if (due > 0) expect(t.timestampOf(due - 1)).toBeLessThanOrEqual(liveMs);
        expect(t.timestampOf(due)).toBeGreaterThan(liveMs);
        // The join point is a keyframe; once one has been reached, it is the latest one due.
        const join = t.joinSeq(liveMs);
        expect(t.frameAt(join).frame.joinPoint).toBe(true);
        if (t.timestampOf(joinPoints[0]!) <= liveMs) {
          expect(join).toBeLessThan(due);
          for (let seq = join + 1; seq < due; seq++) expect(t.frameAt(seq).frame.joinPoint).toBe(false);
        } else {
          expect(join).toBe(joinPoints[0]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function tag(kind: FlvTag['kind'], timestamp: number, hex: string): FlvTag {
  const tagType = { audio: 8, video: 9, script: 18, reserved: 7 }[kind];
  return { tagType, kind, timestamp, streamId: 0, data: fromHex(hex), offset: 0 };
}

describe('prepareClip', () => {
  const tags: FlvTag[] = [
    tag('script', 0, '02 000a 6f6e4d65746144617461 05   # "onMetaData", null'),
    tag('video', 0, '17 00 000000 01640028   # AVC sequence header'),
    tag('audio', 0, 'af 00 1210               # AAC sequence header'),
    tag('video', 21, '17 01 000000 aa         # keyframe'),
    tag('audio', 0, 'af 01 a0'),
    tag('audio', 23, 'af 01 a1'),
    tag('video', 61, '27 01 000000 bb         # inter frame'),
    tag('audio', 46, 'af 01 a2'),
    tag('video', 101, '17 01 000000 cc        # keyframe'),
    tag('audio', 69, 'af 01 a3'),
    tag('video', 101, '17 02 000000           # AVC end of sequence: never looped'),
    tag('video', 101, '52 00                  # video info/command frame: never looped'),
  ];

  it('separates metadata and sequence headers and sorts frames by timestamp', () => {
    const clip = prepareClip(tags);
    expect(clip.metadata).toEqual(fromHex('02000a6f6e4d6574614461746105'));
    expect(clip.videoConfig).toEqual(fromHex('1700000000 01640028'));
    expect(clip.audioConfig).toEqual(fromHex('af001210'));
    expect(clip.frames.map((f) => [f.kind, f.timestamp, f.joinPoint])).toEqual([
      ['audio', 0, false],
      ['video', 21, true],
      ['audio', 23, false],
      ['audio', 46, false],
      ['video', 61, false],
      ['audio', 69, false],
      ['video', 101, true],
    ]);
    expect(clip.joinPoints).toEqual([1, 6]);
    // video span 101 - 21 + 40 = 120; audio span 69 - 0 + 23 = 92: the longer one wins.
    expect(clip.durationMs).toBe(120);
  });

  it('cuts a shorter loop and honours an explicit period', () => {
    const short = prepareClip(tags, { maxDurationMs: 62 });
    expect(short.frames.map((f) => f.timestamp)).toEqual([0, 21, 23, 46, 61]);
    expect(short.durationMs).toBe(62);
    expect(prepareClip(tags, { loopDurationMs: 500 }).durationMs).toBe(500);
  });

  it('makes every audio frame a join point in an audio-only clip', () => {
    const clip = prepareClip(tags.filter((t) => t.kind !== 'video'));
    expect(clip.joinPoints).toEqual([0, 1, 2, 3]);
    expect(clip.videoConfig).toBeNull();
  });

  it('refuses clips nobody could play, and periods that would make time go back', () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(DemoError);
        return (error as DemoError).code;
      }
      return 'no error';
    };
    expect(code(() => prepareClip([tags[0]!, tags[1]!]))).toBe('DEMO_CLIP_EMPTY');
    expect(code(() => prepareClip([tags[6]!]))).toBe('DEMO_CLIP_NO_KEYFRAME');
    expect(code(() => prepareClip(tags, { loopDurationMs: 80 }))).toBe('DEMO_BAD_OPTION');
    expect(code(() => prepareClip(tags, { maxDurationMs: 0 }))).toBe('DEMO_BAD_OPTION');
  });

  it('reads the script data name', () => {
    expect(scriptDataName(fromHex('02000a6f6e4d6574614461746105'))).toBe('onMetaData');
    expect(scriptDataName(fromHex('02 0005 6f6e4d65'))).toBeNull(); // length runs past the body
    expect(scriptDataName(fromHex('00 0000000000000000'))).toBeNull(); // starts with a number
  });

  it('loops the bundled clip every 8000 ms with 8 keyframes per loop', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../assets/demo-clip.flv', import.meta.url)));
    const clip = prepareClip(readFlvFile(bytes).tags);
    expect(clip.durationMs).toBe(8000);
    expect(clip.frames.filter((f) => f.kind === 'video')).toHaveLength(200);
    expect(clip.frames.filter((f) => f.kind === 'audio')).toHaveLength(375);
    expect(clip.joinPoints.map((i) => clip.frames[i]!.timestamp)).toEqual([21, 1021, 2021, 3021, 4021, 5021, 6021, 7021]);
    const timeline = new LiveTimeline(clip);
    // Across the seam between loop 0 and loop 1: video 7981 -> 8021, audio 7978 -> 8000.
    const seam = clip.frames.length;
    const around = [seam - 2, seam - 1, seam, seam + 1].map((seq) => [timeline.frameAt(seq).frame.kind, timeline.timestampOf(seq)]);
    expect(around).toEqual([
      ['audio', 7978],
      ['video', 7981],
      ['audio', 8000],
      ['video', 8021], // the first keyframe of loop 1 (the file has it before the audio frame of the same time)
    ]);
    expect(timeline.frameAt(seam + 1).frame.joinPoint).toBe(true);
    expect(timeline.joinSeq(8021)).toBe(seam + 1);
    expect(timeline.joinSeq(8020)).toBe(clip.joinPoints[7]);
  });
});
