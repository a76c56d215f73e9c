import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { parseAudioMessage, parseVideoMessage } from '@rtmp-web/rtmp';
import type { MediaFrame } from '@rtmp-web/rtmp';
import { DeclaredTrackGate } from '../../src/media/declared-track-gate';
import { LiveFlvMuxer } from '../../src/flv/live-flv-muxer';

// FLV message bodies (FLV v10.1 E.4.2.1 / E.4.3.1), parsed by the real parser.
const AVC_CONFIG = fromHex(`
  17 00 000000            # keyframe + AVC, sequence header
  01 64 00 1e ff e1       # AVCDecoderConfigurationRecord v1, High 3.0, 1 SPS
  0019 6764001eacb405017fcb80880000030008000003019478b175
  01 0004 68ef0fcb        # 1 PPS
  fdf8f800
`);
const AVC_KEYFRAME = fromHex('17 01 000000 00000005 6588840021');
const AVC_INTERFRAME = fromHex('27 01 000000 00000004 419a2438');
const AAC_CONFIG = fromHex('af 00 1210');
const AAC_FRAME = fromHex('af 01 21 10 04 60 8c 1c');
const MP3_FRAME = fromHex('2f fffb9064 00000000'); // MP3 (sound format 2): self-describing, no configuration

const video = (body: Uint8Array, ts: number): MediaFrame => parseVideoMessage(body, ts);
const audio = (body: Uint8Array, ts: number): MediaFrame => parseAudioMessage(body, ts);

/** Feeds frames to the gate and a real muxer; returns when the gate first said ready (index) and what the muxer starts with then. */
function run(declared: { audio?: boolean; video?: boolean }, frames: MediaFrame[]) {
  const gate = new DeclaredTrackGate();
  const muxer = new LiveFlvMuxer();
  gate.declare(declared);
  muxer.declareTracks(declared, 0);
  for (let i = 0; i < frames.length; i++) {
    gate.note(frames[i]!);
    muxer.push(frames[i]!, 1); // 1 ms in: far from the muxer's own 400 ms track wait
    if (gate.ready) {
      const out = muxer.started ? null : muxer.poll(Number.POSITIVE_INFINITY);
      return { readyAt: i, audio: out?.started?.audio?.codec ?? null, video: out?.started?.video?.codec ?? null };
    }
  }
  return { readyAt: -1, audio: null, video: null };
}

describe('DeclaredTrackGate', () => {
  it('video-only per onMetaData: ready at the first keyframe after the AVC configuration, and the muxer starts with video alone', () => {
    expect(run({ video: true }, [video(AVC_CONFIG, 0), video(AVC_KEYFRAME, 0)])).toEqual({ readyAt: 1, audio: null, video: 'avc1' });
  });

  it('joining mid-GOP (nginx-rtmp has no GOP cache): not ready on inter frames, ready at the keyframe', () => {
    expect(run({ video: true }, [video(AVC_CONFIG, 0), video(AVC_INTERFRAME, 40), video(AVC_INTERFRAME, 80), video(AVC_KEYFRAME, 120)])).toEqual({
      readyAt: 3,
      audio: null,
      video: 'avc1',
    });
  });

  it('audio-only AAC: needs the AudioSpecificConfig and one frame; MP3 needs only a frame', () => {
    expect(run({ audio: true }, [audio(AAC_FRAME, 0), audio(AAC_FRAME, 23)]).readyAt).toBe(-1);
    expect(run({ audio: true }, [audio(AAC_CONFIG, 0), audio(AAC_FRAME, 0)])).toEqual({ readyAt: 1, audio: 'mp4a', video: null });
    // A frame seen before its configuration counts once the configuration arrives (the muxer writes the configuration first).
    expect(run({ audio: true }, [audio(AAC_FRAME, 0), audio(AAC_CONFIG, 0)])).toEqual({ readyAt: 1, audio: 'mp4a', video: null });
    expect(run({ audio: true }, [audio(MP3_FRAME, 0)])).toEqual({ readyAt: 0, audio: '.mp3', video: null });
  });

  it('both tracks named: ready only when both are (the muxer would start by itself then too)', () => {
    const frames = [video(AVC_CONFIG, 0), audio(AAC_CONFIG, 0), video(AVC_KEYFRAME, 0), audio(AAC_FRAME, 0)];
    expect(run({ audio: true, video: true }, frames).readyAt).toBe(3);
  });

  it('no metadata, or metadata naming no track: never ready (the muxer keeps its own deadlines)', () => {
    const frames = [video(AVC_CONFIG, 0), video(AVC_KEYFRAME, 0)];
    expect(run({}, frames).readyAt).toBe(-1);
    expect(run({ audio: false, video: false }, frames).readyAt).toBe(-1);
  });

  it('a restart needs frames again, but keeps the configurations (as the muxer does)', () => {
    const gate = new DeclaredTrackGate();
    gate.declare({ video: true });
    gate.note(video(AVC_CONFIG, 0));
    gate.note(video(AVC_KEYFRAME, 0));
    expect(gate.ready).toBe(true);
    gate.restart();
    expect(gate.ready).toBe(false);
    gate.note(video(AVC_KEYFRAME, 5000));
    expect(gate.ready).toBe(true);
  });
});
