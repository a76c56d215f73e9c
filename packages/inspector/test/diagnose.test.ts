import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose';
import type { Diagnostic } from '../src/diagnose';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, Wire, command, deliverStream, metadata, msg } from './fixtures';

type StreamOptions = Partial<Parameters<typeof deliverStream>[1]>;

function session(options: { seconds?: number; chunkSize?: number | null; meta?: Record<string, number>; configs?: boolean; stream?: StreamOptions } = {}): Wire {
  const wire = new Wire(options.chunkSize === null ? {} : { chunkSize: options.chunkSize ?? 4096 });
  wire.deliver([msg.data(metadata(options.meta ?? { width: 640, height: 360, framerate: 25, videocodecid: 7, audiocodecid: 10 }))], 1000);
  if (options.configs ?? true) wire.deliver([msg.video(AVC_SEQUENCE_HEADER, 0), msg.audio(AAC_SEQUENCE_HEADER, 0)], 1000);
  deliverStream(wire, { toMs: (options.seconds ?? 4) * 1000, ...options.stream });
  return wire;
}

function ids(wire: Wire): string[] {
  return diagnose(wire.recorder.snapshot()).map((d) => d.id);
}

function only(wire: Wire, id: Diagnostic['id']): Diagnostic {
  const found = diagnose(wire.recorder.snapshot()).filter((d) => d.id === id);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('diagnose', () => {
  it('finds nothing wrong in a clean stream', () => {
    expect(diagnose(session().recorder.snapshot())).toEqual([]);
  });

  it('timestamp-jump: timestamps jump ahead of the wall clock', () => {
    const jump = (ts: number): number => (ts >= 2000 ? 5000 : 0);
    const d = only(session({ stream: { videoOffsetMs: jump, audio: false } }), 'timestamp-jump');
    expect(d).toMatchObject({ severity: 'warning', title: 'Timestamps jump ahead of the clock (video)', at: 3000 });
    expect(d.detail).toBe(
      'The video timestamp jumped from 1960 ms to 7000 ms (+5040 ms) while only 40 ms passed on the wall clock, once in all. A player sees a gap of about 5.0 s and may freeze or skip.',
    );
  });

  it('timestamp-backwards: a track goes back in time', () => {
    const d = only(session({ stream: { videoOffsetMs: (ts) => (ts >= 1000 ? -500 : 0), audio: false } }), 'timestamp-backwards');
    expect(d.severity).toBe('error');
    expect(d.detail).toContain('went from 960 ms back to 500 ms (-460 ms)');
  });

  it('av-drift: the gap between audio and video keeps growing', () => {
    // Video timestamps run 10 % fast: after 6 s video is ~600 ms ahead of audio.
    const d = only(session({ seconds: 6, stream: { videoOffsetMs: (ts) => Math.round(ts * 0.1) } }), 'av-drift');
    expect(d.severity).toBe('warning');
    expect(d.title).toMatch(/^Audio and video drift apart \(\d+ ms\)$/);
    expect(d.detail).toMatch(/grew from -?\d+ ms to \d+ ms over 4 s .*video is ahead of audio/);
    // A steady offset is not drift.
    expect(ids(session({ seconds: 6, stream: { videoOffsetMs: () => 300 } }))).not.toContain('av-drift');
  });

  it('missing-sequence-header: frames before any decoder configuration', () => {
    const all = diagnose(session({ configs: false }).recorder.snapshot()).filter((x) => x.id === 'missing-sequence-header');
    expect(all.map((x) => [x.severity, x.title])).toEqual([
      ['error', 'Video frames arrived before their sequence header (video)'],
      ['error', 'Audio frames arrived before their sequence header (audio)'],
    ]);
    expect(all[0]!.detail).toBe('100 avc1 video frames arrived and no decoder configuration (sequence header) ever came. A decoder cannot start without it: black video until it comes.');
  });

  it('missing-sequence-header also for audio', () => {
    const wire = new Wire({ chunkSize: 4096 });
    wire.deliver([msg.video(AVC_SEQUENCE_HEADER, 0)], 1000);
    deliverStream(wire, { toMs: 1000 });
    const found = diagnose(wire.recorder.snapshot()).filter((d) => d.id === 'missing-sequence-header');
    expect(found.map((d) => d.title)).toEqual(['Audio frames arrived before their sequence header (audio)']);
    expect(found[0]!.detail).toContain('44 mp4a audio frames arrived');
  });

  it('long-keyframe-interval: keyframes 4 s apart', () => {
    const d = only(session({ seconds: 9, stream: { gopFrames: 100 } }), 'long-keyframe-interval');
    expect(d.title).toBe('Keyframes too far apart for low latency (4.0 s)');
    expect(d.detail).toContain('the keyframe interval is 4.0 s on average and up to 4.0 s (2 GOPs measured)');
  });

  it('metadata-mismatch: onMetaData says 1280x720 at 30 fps with HEVC', () => {
    const d = only(session({ meta: { width: 1280, height: 720, framerate: 30, videocodecid: 12, audiocodecid: 10 } }), 'metadata-mismatch');
    expect(d.detail).toBe(
      'Width 1280 in onMetaData but 640 in the stream; height 720 in onMetaData but 360 in the stream; frame rate 30 in onMetaData but 25.00 fps measured from the timestamps; videocodecid 12 (hvc1) in onMetaData but the stream carries avc1. Players that size or configure themselves from onMetaData will be wrong; the encoder or server rewrote one without the other.',
    );
  });

  it('chunk-size-not-raised: the server kept 128-byte chunks', () => {
    const d = only(session({ chunkSize: null, seconds: 2 }), 'chunk-size-not-raised');
    expect(d.severity).toBe('info');
    expect(d.title).toBe('The server never raised its chunk size (still 128 bytes)');
    expect(ids(session({ chunkSize: 4096, seconds: 2 }))).not.toContain('chunk-size-not-raised');
  });

  it('status-error: the server refused the stream', () => {
    const wire = new Wire({ chunkSize: 4096 });
    wire.deliver([msg.command(command('onStatus', 0, null, { level: 'error', code: 'NetStream.Play.StreamNotFound', description: 'No such stream' }), 1)], 7);
    expect(diagnose(wire.recorder.snapshot())).toEqual([
      {
        id: 'status-error',
        severity: 'error',
        title: 'The server answered NetStream.Play.StreamNotFound',
        detail: 'onStatus NetStream.Play.StreamNotFound: "No such stream". The stream or application the URL names is not available as asked.',
        at: 7,
        messageIndex: 1,
      },
    ]);
  });
});
