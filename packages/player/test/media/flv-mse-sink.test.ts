import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '@rtmp-web/bytes';
import { FlvMseSink } from '../../src/media/flv-mse-sink';
import type { FlvPipeline, FlvPipelineHooks, MseSinkEvents, SinkTracks } from '../../src/media/flv-mse-sink';
import { PlayerError } from '../../src/errors';
import { mediaFrame } from '../support';

/**
 * FlvMseSink's own decisions (tracks, pipelines per generation, when `attached` is due, errors)
 * over the FlvPipeline seam. The real pipelines need MSE and run in Chromium (e2e/browser); here
 * a pipeline records what it is given and attaches or fails when the test says.
 */
class RecordedPipeline implements FlvPipeline {
  readonly writes: Uint8Array[] = [];
  destroyed = false;
  constructor(
    readonly tracks: SinkTracks | null,
    readonly hooks: FlvPipelineHooks,
  ) {}
  write(bytes: Uint8Array): void {
    this.writes.push(bytes);
  }
  destroy(): void {
    this.destroyed = true;
  }
  get bytes(): Uint8Array {
    return concatBytes(this.writes);
  }
}

// MediaSource.isTypeSupported as Chromium answers for these codecs (Node has no MSE): no HEVC.
const scope = globalThis as { MediaSource?: unknown };
beforeAll(() => {
  scope.MediaSource = { isTypeSupported: (mime: string) => !mime.includes('hvc1') };
});
afterAll(() => {
  delete scope.MediaSource;
});

const media = {} as HTMLMediaElement;

function makeSink() {
  const pipelines: RecordedPipeline[] = [];
  const events: { name: keyof MseSinkEvents; payload: unknown }[] = [];
  let clock = 0;
  const sink = new FlvMseSink(
    media,
    (_media, tracks, hooks) => {
      const pipeline = new RecordedPipeline(tracks, hooks);
      pipelines.push(pipeline);
      return pipeline;
    },
    { now: () => clock },
  );
  for (const name of ['tracks', 'restart', 'attached', 'bytes', 'error'] as const) {
    sink.on(name, (payload: unknown) => events.push({ name, payload }));
  }
  return { sink, pipelines, events, names: () => events.map((e) => e.name), tick: (ms: number) => (clock += ms) };
}

// AVC sequence headers (0x17, AVCPacketType 0, composition time 0) around the demo clip's
// AVCDecoderConfigurationRecord (High, level 3.0), and the same stream at level 3.1.
const AVC_CONFIG = fromHex(`
  17 00 00 00 00
  01 64 00 1e ff e1 00 1a 67 64 00 1e ac b3 01 40 5f f2 e0 22 00 00 03 00 02 00 00 03 00 64 1e 2c 5c d0
  01 00 05 68 e9 73 2c 8b fd f8 f8 00
`);
const AVC_CONFIG_2 = AVC_CONFIG.slice();
AVC_CONFIG_2[8] = 0x1f; // AVCLevelIndication 3.1
const AAC_CONFIG = new Uint8Array([0xaf, 0x00, 0x12, 0x10]);

function startFrames(dts: number, avcConfig = AVC_CONFIG) {
  return [
    mediaFrame('video', dts, { config: true, payload: avcConfig }),
    mediaFrame('audio', dts, { config: true, payload: AAC_CONFIG }),
    mediaFrame('video', dts, { keyframe: true }),
    mediaFrame('audio', dts),
  ];
}

describe('FlvMseSink', () => {
  it('hands the FLV stream to the pipeline prepared before the tracks, and announces attached only after tracks', () => {
    const { sink, pipelines, events, names } = makeSink();
    sink.prepare();
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]!.tracks).toBeNull();
    // The MediaSource attaches while the connection is still being set up: too early to play.
    pipelines[0]!.hooks.attached();
    expect(names()).toEqual([]);
    for (const frame of startFrames(5000)) sink.push(frame);
    expect(pipelines).toHaveLength(1);
    expect(names()).toEqual(['tracks', 'attached', 'bytes']);
    const tracks = events[0]!.payload as SinkTracks;
    expect(tracks).toMatchObject({ timestampBase: 5000, generation: 1, video: { codec: 'avc1.64001e' }, audio: { codec: 'mp4a.40.2' } });
    expect(events[1]!.payload).toEqual({ generation: 1 });
    // FLV header (FLV v10.1 E.2): 'FLV', version 1, TypeFlags audio+video (0x05), header size 9.
    expect([...pipelines[0]!.bytes.subarray(0, 9)]).toEqual([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9]);
    expect(sink.bytesFed).toBe(pipelines[0]!.bytes.byteLength);
    expect(sink.tracks).toBe(tracks);
  });

  it('without prepare, builds the pipeline at the start with the tracks, and announces attached when it attaches', () => {
    const { sink, pipelines, names } = makeSink();
    for (const frame of startFrames(0)) sink.push(frame);
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]!.tracks).toMatchObject({ generation: 1, video: { fourcc: 'avc1' }, audio: { fourcc: 'mp4a' } });
    expect(names()).toEqual(['tracks', 'bytes']);
    pipelines[0]!.hooks.attached();
    expect(names()).toEqual(['tracks', 'bytes', 'attached']);
    sink.push(mediaFrame('video', 40));
    expect(names().at(-1)).toBe('bytes');
    expect(pipelines[0]!.writes).toHaveLength(2);
  });

  it('a new decoder configuration restarts: restart is announced before the old pipeline goes, a new one starts at generation 2', () => {
    const { sink, pipelines, events, names } = makeSink();
    for (const frame of startFrames(0)) sink.push(frame);
    pipelines[0]!.hooks.attached();
    let destroyedAtRestart: boolean | null = null;
    sink.on('restart', () => (destroyedAtRestart = pipelines[0]!.destroyed));
    sink.push(mediaFrame('video', 1000, { config: true, payload: AVC_CONFIG_2 }));
    expect(destroyedAtRestart).toBe(false);
    expect(pipelines[0]!.destroyed).toBe(true);
    expect(sink.tracks).toBeNull();
    sink.push(mediaFrame('video', 1000, { keyframe: true }));
    sink.push(mediaFrame('audio', 1000));
    expect(pipelines).toHaveLength(2);
    expect(names()).toEqual(['tracks', 'bytes', 'attached', 'restart', 'tracks', 'bytes']);
    expect(events[3]!.payload).toEqual({ reason: 'config-changed' });
    expect(events[4]!.payload).toMatchObject({ generation: 2, timestampBase: 1000, video: { codec: 'avc1.64001f' } });
    // The new generation's stream starts with its own FLV header.
    expect([...pipelines[1]!.bytes.subarray(0, 3)]).toEqual([0x46, 0x4c, 0x56]);
    // The old pipeline attaching or failing late changes nothing.
    pipelines[0]!.hooks.attached();
    pipelines[0]!.hooks.failed(new PlayerError('MEDIA_PIPELINE_ERROR', 'late'));
    expect(names()).toHaveLength(6);
    pipelines[1]!.hooks.attached();
    expect(events.at(-1)).toEqual({ name: 'attached', payload: { generation: 2 } });
  });

  it('a codec the remuxer cannot carry is a typed error naming it, and no pipeline is built', () => {
    const { sink, pipelines, events, names } = makeSink();
    sink.push(mediaFrame('video', 0, { keyframe: true, codec: 'flv-2', payload: new Uint8Array([0x12, 1, 2, 3]) }));
    sink.flush();
    expect(pipelines).toHaveLength(0);
    expect(names()).toEqual(['error']);
    const error = events[0]!.payload as PlayerError;
    expect(error.code).toBe('MEDIA_UNSUPPORTED_CODEC');
    expect(error.message).toContain('Sorenson H.263 (FLV codec id 2)');
    expect(error.details).toMatchObject({ kind: 'video', codec: 'flv-2', reason: 'remuxer' });
    sink.push(mediaFrame('video', 40, { keyframe: true, codec: 'flv-2', payload: new Uint8Array([0x12, 1, 2, 3]) }));
    expect(names()).toEqual(['error']);
  });

  it('a codec the browser cannot decode (isTypeSupported false) is a typed error with the MIME type asked', () => {
    const { sink, events, names } = makeSink();
    sink.push(mediaFrame('video', 0, { config: true, codec: 'hvc1', payload: new Uint8Array([0x1c, 0, 0, 0, 0, 1]) }));
    sink.push(mediaFrame('video', 0, { keyframe: true, codec: 'hvc1', payload: new Uint8Array([0x1c, 1, 0, 0, 0, 9]) }));
    sink.flush();
    expect(names()).toEqual(['error']);
    expect((events[0]!.payload as PlayerError).details).toMatchObject({ reason: 'browser', mime: 'video/mp4; codecs="hvc1"' });
  });

  it('a failing pipeline is reported once, and the sink stops feeding it', () => {
    const { sink, pipelines, names } = makeSink();
    for (const frame of startFrames(0)) sink.push(frame);
    pipelines[0]!.hooks.failed(new PlayerError('MEDIA_PIPELINE_ERROR', 'SourceBuffer error'));
    pipelines[0]!.hooks.failed(new PlayerError('MEDIA_PIPELINE_ERROR', 'again'));
    const writes = pipelines[0]!.writes.length;
    sink.push(mediaFrame('video', 40));
    expect(pipelines[0]!.writes).toHaveLength(writes);
    expect(names()).toEqual(['tracks', 'bytes', 'error']);
    sink.destroy();
    expect(pipelines[0]!.destroyed).toBe(true);
  });

  it('with one track declared by onMetaData, starts at that track\'s first keyframe instead of waiting for the other', () => {
    const { sink, pipelines, events } = makeSink();
    sink.declareTracks({ video: true, audio: false });
    sink.push(mediaFrame('video', 0, { config: true, payload: AVC_CONFIG }));
    sink.push(mediaFrame('video', 0, { keyframe: true }));
    expect(pipelines).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'tracks', payload: { audio: null, video: { fourcc: 'avc1' } } });
    // TypeFlags: video only (0x01).
    expect(pipelines[0]!.bytes[4]).toBe(0x01);
  });
});
