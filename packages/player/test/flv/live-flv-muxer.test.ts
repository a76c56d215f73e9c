import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, concatBytes, toHex } from '@rtmp-web/bytes';
import { LiveFlvMuxer } from '../../src/flv/live-flv-muxer';
import { encodeFlvHeader, encodeFlvTag } from '@rtmp-web/rtmp';
import { mediaFrame } from '../support';

const aacConfig = mediaFrame('audio', 0, { config: true, payload: new Uint8Array([0xaf, 0x00, 0x11, 0x90]) });
const avcConfig = mediaFrame('video', 0, { config: true, payload: new Uint8Array([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1e]) });

/** Reads an FLV byte stream back into (type, timestamp) pairs, checking every back-pointer. */
function readFlv(bytes: Uint8Array): { flags: number; tags: Array<{ type: number; ts: number; body: Uint8Array }> } {
  const r = new ByteReader(bytes);
  expect(r.utf8(3)).toBe('FLV');
  expect(r.u8()).toBe(1);
  const flags = r.u8();
  expect(r.u32()).toBe(9);
  expect(r.u32()).toBe(0);
  const tags: Array<{ type: number; ts: number; body: Uint8Array }> = [];
  while (r.remaining > 0) {
    const type = r.u8();
    const size = r.u24();
    const ts = r.u24() + r.u8() * 0x1000000;
    r.u24();
    const body = r.bytesView(size);
    expect(r.u32()).toBe(11 + size);
    tags.push({ type, ts, body });
  }
  return { flags, tags };
}

describe('LiveFlvMuxer: track detection', () => {
  it('starts as soon as both tracks have a configuration and a frame, from the first video keyframe', () => {
    const muxer = new LiveFlvMuxer();
    expect(muxer.push(avcConfig, 0).bytes).toBeNull();
    expect(muxer.push(aacConfig, 1).bytes).toBeNull();
    expect(muxer.push(mediaFrame('video', 960, { keyframe: false }), 2)).toMatchObject({ bytes: null });
    expect(muxer.push(mediaFrame('audio', 990), 3).bytes).toBeNull();
    // the keyframe makes both tracks ready: audio has a config and a frame (990, dropped below)
    const out = muxer.push(mediaFrame('video', 1000, { keyframe: true }), 4);
    expect(out.started).toMatchObject({ timestampBase: 1000, generation: 1, audio: { codec: 'mp4a' }, video: { codec: 'avc1' } });
    expect(out.started!.video!.config).toEqual(avcConfig.data);
    // the non-key video frame at 960 and the audio at 990 come before the keyframe: dropped
    expect(out.dropped).toBe(2);
    expect(toHex(out.bytes!)).toBe(
      toHex(
        concatBytes([
          encodeFlvHeader({ audio: true, video: true }),
          encodeFlvTag(9, 0, avcConfig.payload),
          encodeFlvTag(8, 0, aacConfig.payload),
          encodeFlvTag(9, 0, mediaFrame('video', 1000, { keyframe: true }).payload),
        ]),
      ),
    );
    expect(toHex(muxer.push(mediaFrame('audio', 1010), 5).bytes!)).toBe(toHex(encodeFlvTag(8, 10, mediaFrame('audio', 1010).payload)));
    // then every frame becomes one tag at once, rebased
    expect(toHex(muxer.push(mediaFrame('video', 1040, { keyframe: false }), 6).bytes!)).toBe(
      toHex(encodeFlvTag(9, 40, mediaFrame('video', 1040, { keyframe: false }).payload)),
    );
  });

  it('starts an audio-only stream after trackWaitMs with only the audio flag', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 400 });
    muxer.push(aacConfig, 100);
    expect(muxer.push(mediaFrame('audio', 5000), 100).bytes).toBeNull();
    expect(muxer.push(mediaFrame('audio', 5021), 120).bytes).toBeNull();
    expect(muxer.nextDeadline(120)).toBe(380);
    expect(muxer.poll(499).bytes).toBeNull();
    const out = muxer.poll(500);
    expect(out.started).toMatchObject({ audio: { codec: 'mp4a' }, video: null, timestampBase: 5000 });
    const flv = readFlv(out.bytes!);
    expect(flv.flags).toBe(0x04);
    expect(flv.tags.map((t) => [t.type, t.ts])).toEqual([[8, 0], [8, 0], [8, 21]]);
    expect(muxer.nextDeadline(600)).toBeNull();
  });

  it('starts a video-only stream after trackWaitMs with only the video flag, at the first keyframe', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 300 });
    muxer.push(avcConfig, 0);
    muxer.push(mediaFrame('video', 40, { keyframe: false }), 0);
    muxer.push(mediaFrame('video', 80, { keyframe: true }), 10);
    muxer.push(mediaFrame('video', 120, { keyframe: false }), 20);
    const out = muxer.poll(300);
    const flv = readFlv(out.bytes!);
    expect(flv.flags).toBe(0x01);
    expect(flv.tags.map((t) => [t.type, t.ts])).toEqual([[9, 0], [9, 0], [9, 40]]);
    expect(out.dropped).toBe(1);
  });

  it('does not start a video track before its first keyframe, nor a track without configuration', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 100, declaredTrackWaitMs: 200 });
    muxer.push(avcConfig, 0);
    muxer.push(mediaFrame('video', 0, { keyframe: false }), 0);
    muxer.push(mediaFrame('audio', 0), 0); // audio without AudioSpecificConfig: not decodable
    expect(muxer.poll(10_000).bytes).toBeNull();
    const out = muxer.push(mediaFrame('video', 40, { keyframe: true }), 10_001);
    expect(readFlv(out.bytes!).flags).toBe(0x01);
  });

  it('starts MP3 audio, which has no configuration message', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 100 });
    muxer.push(mediaFrame('audio', 0, { codec: '.mp3', payload: new Uint8Array([0x2f, 0xff, 0xfb]) }), 0);
    const out = muxer.poll(100);
    expect(out.started).toMatchObject({ audio: { codec: '.mp3', config: null }, video: null });
  });

  it('waits longer for a track onMetaData declares, then starts without it', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 400, declaredTrackWaitMs: 1500 });
    muxer.declareTracks({ audio: true, video: true }, 0);
    muxer.push(avcConfig, 0);
    muxer.push(mediaFrame('video', 0, { keyframe: true }), 0);
    expect(muxer.poll(400).bytes).toBeNull();
    expect(muxer.nextDeadline(400)).toBe(1100);
    expect(muxer.poll(1499).bytes).toBeNull();
    expect(readFlv(muxer.poll(1500).bytes!).flags).toBe(0x01);
  });

  it('drops frames of other E-RTMP tracks', () => {
    const muxer = new LiveFlvMuxer();
    expect(muxer.push(mediaFrame('audio', 0, { trackId: 1 }), 0)).toEqual({ bytes: null, dropped: 1 });
  });
});

describe('LiveFlvMuxer: discontinuities start a new generation', () => {
  function running(): LiveFlvMuxer {
    const muxer = new LiveFlvMuxer();
    muxer.push(avcConfig, 0);
    muxer.push(aacConfig, 0);
    muxer.push(mediaFrame('audio', 5000), 0);
    expect(muxer.push(mediaFrame('video', 5000, { keyframe: true }), 0).started).toBeDefined();
    return muxer;
  }

  it('ignores a repeated identical configuration', () => {
    const muxer = running();
    expect(muxer.push(avcConfig, 10)).toEqual({ bytes: null, dropped: 1 });
  });

  it('restarts on a changed configuration and replays the known configurations in the new header', () => {
    const muxer = running();
    const newConfig = mediaFrame('video', 6000, { config: true, payload: new Uint8Array([0x17, 0, 0, 0, 0, 0x01, 0x4d, 0x00, 0x1f]) });
    const out = muxer.push(newConfig, 10);
    expect(out).toMatchObject({ bytes: null, restart: 'config-changed' });
    expect(muxer.started).toBeNull();
    muxer.push(mediaFrame('video', 6000, { keyframe: true }), 11);
    const next = muxer.push(mediaFrame('audio', 6005), 12);
    expect(next.started).toMatchObject({ generation: 2, timestampBase: 6000 });
    const flv = readFlv(next.bytes!);
    expect(flv.tags.map((t) => [t.type, t.ts])).toEqual([[9, 0], [8, 0], [9, 0], [8, 5]]);
    expect(flv.tags[0]!.body).toEqual(newConfig.payload);
  });

  it('restarts when timestamps go back (publisher restarted) or jump forward, keeping the frame', () => {
    const muxer = running();
    const back = muxer.push(mediaFrame('video', 0, { keyframe: true }), 10);
    expect(back.restart).toBe('timestamp-jump');
    const next = muxer.push(mediaFrame('audio', 3), 11);
    expect(next.started).toMatchObject({ generation: 2, timestampBase: 0 });

    const forward = muxer.push(mediaFrame('video', 3_100, { keyframe: true }), 12);
    expect(forward.restart).toBe('timestamp-jump');
  });

  it('restarts when a configuration arrives for a track the header did not declare', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 100 });
    muxer.push(aacConfig, 0);
    muxer.push(mediaFrame('audio', 0), 0);
    expect(muxer.poll(100).started).toMatchObject({ video: null });
    expect(muxer.push(mediaFrame('video', 500, { keyframe: false }), 200)).toEqual({ bytes: null, dropped: 1 });
    expect(muxer.push(avcConfig, 300).restart).toBe('track-added');
    muxer.push(mediaFrame('audio', 600), 301);
    const out = muxer.push(mediaFrame('video', 620, { keyframe: true }), 302);
    expect(readFlv(out.bytes!).flags).toBe(0x05);
  });
});

describe('LiveFlvMuxer: properties', () => {
  it('for any interleaving of two increasing tracks, writes one valid FLV stream with non-decreasing per-track times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constantFrom<'audio' | 'video'>('audio', 'video'), step: fc.integer({ min: 0, max: 60 }), key: fc.boolean() }), {
          minLength: 1,
          maxLength: 120,
        }),
        (steps) => {
          const muxer = new LiveFlvMuxer({ trackWaitMs: 50 });
          const parts: Uint8Array[] = [];
          const collect = (bytes: Uint8Array | null) => bytes && parts.push(bytes);
          collect(muxer.push(avcConfig, 0).bytes);
          collect(muxer.push(aacConfig, 0).bytes);
          let time = 0;
          const last = { audio: 0, video: 0 };
          for (const s of steps) {
            last[s.kind] += s.step;
            time += 5;
            collect(muxer.push(mediaFrame(s.kind, last[s.kind], { keyframe: s.kind === 'audio' || s.key }), time).bytes);
          }
          collect(muxer.poll(time + 10_000).bytes);
          if (parts.length === 0) return;
          const flv = readFlv(concatBytes(parts));
          const seen: Record<number, number> = {};
          for (const tag of flv.tags) {
            expect(tag.ts).toBeGreaterThanOrEqual(seen[tag.type] ?? 0);
            seen[tag.type] = tag.ts;
          }
          if (flv.flags & 0x01) expect(flv.tags.find((t) => t.type === 9 && t.body[1] === 1)?.body[0]).toBe(0x17);
        },
      ),
    );
  });
});

describe('LiveFlvMuxer: self-describing legacy codecs', () => {
  it('starts a Sorenson H.263 track without a configuration, at its first keyframe, so it can be reported by name', () => {
    const muxer = new LiveFlvMuxer({ trackWaitMs: 100 });
    const h263 = (dts: number, keyframe: boolean) => mediaFrame('video', dts, { codec: 'flv-2', keyframe, payload: new Uint8Array([keyframe ? 0x12 : 0x22, 0, 0x84]) });
    muxer.push(h263(0, false), 0);
    muxer.push(h263(40, true), 10);
    const out = muxer.poll(100);
    expect(out.started).toMatchObject({ video: { codec: 'flv-2', config: null }, audio: null, timestampBase: 40 });
  });
});
