import { describe, expect, it } from 'vitest';
import { MediaAnalyzer, analyzeRecording, timestampDelta } from '../src/analyzer';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, Wire, deliverStream, metadata, msg } from './fixtures';

function liveStream(seconds: number, options: Parameters<typeof deliverStream>[1] extends infer T ? Partial<T> : never = {}): Wire {
  const wire = new Wire({ chunkSize: 4096 });
  wire.deliver([msg.data(metadata({ width: 640, height: 360, framerate: 25, videocodecid: 7, audiocodecid: 10 })), msg.video(AVC_SEQUENCE_HEADER, 0), msg.audio(AAC_SEQUENCE_HEADER, 0)], 1000);
  deliverStream(wire, { toMs: seconds * 1000, ...options });
  return wire;
}

describe('MediaAnalyzer', () => {
  it('reads codec details from the AVC and AAC configurations', () => {
    const report = analyzeRecording(liveStream(1).recorder.snapshot());
    expect(report.tracks.map((t) => [t.id, t.codec, t.details])).toEqual([
      ['video', 'avc1', { codecString: 'avc1.64001e', profile: 'High', level: '3.0', width: 640, height: 360, description: 'avc1.64001e High 3.0 640x360' }],
      ['audio', 'mp4a', { codecString: 'mp4a.40.2', profile: 'AAC-LC', sampleRate: 44100, channels: 2, description: 'mp4a.40.2 AAC-LC 44100 Hz 2 ch' }],
    ]);
  });

  it('measures frame rate, GOPs and frame sizes from the timestamps', () => {
    const report = analyzeRecording(liveStream(3, { gopFrames: 25 }).recorder.snapshot());
    const video = report.tracks.find((t) => t.kind === 'video')!;
    expect(video.frames).toBe(75);
    expect(video.keyframes).toBe(3);
    expect(video.frameRate).toBe(25); // 74 intervals over 2960 ms
    expect(report.gops.map((g) => [g.startTimestamp, g.durationMs, g.frames, g.keyframeBytes])).toEqual([
      [0, 1000, 25, 400],
      [1000, 1000, 25, 400],
      [2000, undefined, 25, 400],
    ]);
    expect(report.gops[0]!.frameSizes).toEqual([400, ...Array(24).fill(60)]);
    expect(report.metadata?.values).toMatchObject({ width: 640, height: 360 });
    expect(report.chunkSize).toMatchObject({ incoming: 4096, setChunkSizeSeen: true });
  });

  it('builds per-second series of bitrate, fps, A/V drift and arrival delay', () => {
    const report = analyzeRecording(liveStream(4).recorder.snapshot());
    const s = report.series;
    // Second 0 also holds the configuration messages; seconds 1..2 are steady: 25 frames,
    // one 400-byte keyframe and 24 60-byte frames = 1840 bytes = 14.7 kbit.
    expect(s.framesPerSecond.slice(1, 3)).toEqual([25, 25]);
    expect(s.bitrateKbps.video!.slice(1, 3)).toEqual([14.7, 14.7]);
    expect(s.bitrateKbps.audio!.length).toBe(4);
    // Arrival equals timestamps: no delay above the best.
    expect(s.latencyMs.every((v) => v === 0)).toBe(true);
    // Drift sampled at the end of seconds 0..2: last video (960, 1960, 2960) minus last audio (989, 1978, 2990).
    expect(s.avDriftMs.slice(0, 3)).toEqual([-29, -18, -30]);
  });

  it('shows a backlog as growing arrival delay', () => {
    // Data arrives 10 % slower than real time: after 3 s it is 300 ms behind its best.
    const report = analyzeRecording(liveStream(4, { arrival: (ts) => 1000 + ts * 1.1 }).recorder.snapshot());
    const latency = report.series.latencyMs.filter((v): v is number => v !== null);
    expect(latency[latency.length - 1]).toBeGreaterThan(250);
    expect(latency).toEqual([...latency].sort((a, b) => a - b));
  });

  it('reports timestamps that jump ahead of the wall clock or go backwards, per track', () => {
    const jump = analyzeRecording(liveStream(4, { videoOffsetMs: (ts) => (ts >= 2000 ? 5000 : 0), audio: false }).recorder.snapshot());
    expect(jump.timestampIssues).toEqual([{ kind: 'jump', track: 'video', messageIndex: expect.any(Number), at: 3000, from: 1960, to: 7000, wallMs: 40 }]);
    const back = analyzeRecording(liveStream(2, { videoOffsetMs: (ts) => (ts >= 1000 ? -500 : 0), audio: false }).recorder.snapshot());
    expect(back.timestampIssues.map((i) => [i.kind, i.from, i.to])).toEqual([['backwards', 960, 500]]);
  });

  it('restarts continuity at a new connection so a reconnect is not a backwards jump', () => {
    const analyzer = new MediaAnalyzer();
    const wire = liveStream(1);
    for (const m of wire.recorder.snapshot().messages) analyzer.push(m);
    analyzer.startConnection();
    const again = liveStream(1);
    for (const m of again.recorder.snapshot().messages) analyzer.push({ ...m, at: m.at + 5000 });
    expect(analyzer.report().timestampIssues).toEqual([]);
    expect(analyzer.report().tracks.find((t) => t.kind === 'video')!.frames).toBe(50);
  });

  it('follows a recorder, restarting continuity at each new C0C1', () => {
    const wire = new Wire({ chunkSize: 4096 });
    const analyzer = new MediaAnalyzer();
    analyzer.follow(wire.recorder);
    const c0c1 = { direction: 'out' as const, label: 'C0C1' as const, bytes: new Uint8Array(1537) };
    wire.recorder.handshake({ ...c0c1, at: 900 });
    wire.deliver([msg.video(AVC_SEQUENCE_HEADER, 0)], 1000);
    deliverStream(wire, { toMs: 1000, audio: false });
    // The server restarts and the player reconnects: timestamps start again from 0.
    wire.recorder.handshake({ ...c0c1, at: 5000 });
    deliverStream(wire, { toMs: 1000, audio: false, startAt: 6000 });
    expect(analyzer.report().timestampIssues).toEqual([]);
    expect(analyzer.report().tracks[0]!.frames).toBe(50);
    // Without the second C0C1 the same timestamps would be a step backwards.
    const plain = new Wire({ chunkSize: 4096 });
    const unaware = new MediaAnalyzer();
    unaware.follow(plain.recorder);
    plain.deliver([msg.video(AVC_SEQUENCE_HEADER, 0)], 1000);
    deliverStream(plain, { toMs: 1000, audio: false });
    deliverStream(plain, { toMs: 1000, audio: false, startAt: 6000 });
    expect(unaware.report().timestampIssues.map((i) => i.kind)).toEqual(['backwards']);
  });

  it('takes the short way around the 32-bit timestamp wrap', () => {
    expect(timestampDelta(0xfffffff0, 0x10)).toBe(0x20);
    expect(timestampDelta(0x10, 0xfffffff0)).toBe(-0x20);
    expect(timestampDelta(1000, 40)).toBe(-960);
  });
});
