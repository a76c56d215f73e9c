import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, splitAtEveryBoundary, splitIntoSingleBytes } from '@rtmp-web/bytes';
import type { MediaFrame } from '@rtmp-web/rtmp';
import { LiveFlvMuxer } from '../../src/flv/live-flv-muxer';
import { MpegtsFlvRemuxer } from '../../src/media/mpegts-remux-sink';
import type { RemuxModules } from '../../src/media/mpegts-remux-sink';
import type { PlayerError } from '../../src/errors';
import { mediaFrame } from '../support';

// The real mpegts.js demuxer and remuxer (no DOM needed). They read `self.navigator.userAgent`
// when loaded (browser detection): give Node a Chromium user agent, so they take Chromium's paths.
let modules: Pick<RemuxModules, 'FLVDemuxer' | 'MP4Remuxer'>;
beforeAll(async () => {
  const scope = globalThis as { self?: unknown; navigator?: { userAgent?: string } };
  scope.self ??= globalThis;
  if (!scope.navigator?.userAgent) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' },
      configurable: true,
    });
  }
  const [demuxer, remuxer, logger] = await Promise.all([
    import('mpegts.js/src/demux/flv-demuxer.js'),
    import('mpegts.js/src/remux/mp4-remuxer.js'),
    import('mpegts.js/src/utils/logger.js'),
  ]);
  // Its progress lines would drown the test output; errors still print.
  Object.assign(logger.default, { ENABLE_VERBOSE: false, ENABLE_DEBUG: false, ENABLE_INFO: false, ENABLE_WARN: false });
  modules = { FLVDemuxer: demuxer.default, MP4Remuxer: remuxer.default };
});

// AVCDecoderConfigurationRecord of the bundled demo clip (ffmpeg libx264 High, 640x360), as an
// FLV AVC sequence header: 0x17 (keyframe, AVC), AVCPacketType 0, composition time 0.
const AVC_SEQUENCE_HEADER = fromHex(`
  17 00 00 00 00
  01 64 00 1e ff e1        # version 1, profile High, compat 0, level 3.0, lengthSize 4, 1 SPS
  00 1a 67 64 00 1e ac b3 01 40 5f f2 e0 22 00 00 03 00 02 00 00 03 00 64 1e 2c 5c d0
  01 00 05 68 e9 73 2c 8b  # 1 PPS
  fd f8 f8 00
`);
// AAC sequence header: 0xaf (AAC, 44.1 kHz, 16-bit, stereo), AACPacketType 0, ASC 12 10 (AAC-LC, 44.1 kHz, stereo).
const AAC_SEQUENCE_HEADER = fromHex('af 00 12 10');

/** One length-prefixed NAL unit (IDR slice 0x65 for keyframes, non-IDR 0x41 otherwise), marked with `n`. */
function videoFrame(dts: number, keyframe: boolean, n: number): MediaFrame {
  const nal = keyframe ? [0x65, 0x88, 0x84, n] : [0x41, 0x9a, 0x02, n];
  return mediaFrame('video', dts, { keyframe, payload: new Uint8Array([keyframe ? 0x17 : 0x27, 1, 0, 0, 0, 0, 0, 0, nal.length, ...nal]) });
}

/** One raw AAC frame, marked with `n`. */
function audioFrame(dts: number, n: number): MediaFrame {
  return mediaFrame('audio', dts, { payload: new Uint8Array([0xaf, 1, 0x21, 0x10, n, 0x1c]) });
}

/** 10 video frames at 25 fps and 18 AAC frames (23.2 ms apart), from RTMP time 1000, in arrival order. */
function liveFrames(): MediaFrame[] {
  const frames: MediaFrame[] = [
    mediaFrame('video', 1000, { config: true, payload: AVC_SEQUENCE_HEADER }),
    mediaFrame('audio', 1000, { config: true, payload: AAC_SEQUENCE_HEADER }),
  ];
  const media: MediaFrame[] = [];
  for (let i = 0; i < 10; i++) media.push(videoFrame(1000 + i * 40, i === 0, i));
  for (let i = 0; i < 18; i++) media.push(audioFrame(1000 + Math.round((i * 1024 * 1000) / 44100), i));
  media.sort((a, b) => a.dts - b.dts || (a.kind === 'video' ? -1 : 1));
  return [...frames, ...media];
}

/** The FLV byte stream LiveFlvMuxer writes for those frames, one piece per call that wrote bytes. */
function flvPieces(): Uint8Array[] {
  const muxer = new LiveFlvMuxer();
  const pieces: Uint8Array[] = [];
  for (const frame of liveFrames()) {
    const out = muxer.push(frame, 0);
    if (out.bytes) pieces.push(out.bytes);
  }
  return pieces;
}

interface Collected {
  init: { type: string; codec: string; container: string; data: Uint8Array }[];
  media: { type: 'audio' | 'video'; sampleCount: number; data: Uint8Array }[];
  errors: PlayerError[];
}

function remuxAll(pieces: Iterable<Uint8Array>, afterEach?: (collected: Collected) => void): Collected {
  const collected: Collected = { init: [], media: [], errors: [] };
  const remuxer = new MpegtsFlvRemuxer(modules, {
    initSegment: (s) => collected.init.push({ type: s.type, codec: s.codec, container: s.container, data: new Uint8Array(s.data) }),
    mediaSegment: (s) => collected.media.push({ type: s.type, sampleCount: s.sampleCount, data: new Uint8Array(s.data) }),
    error: (e) => collected.errors.push(e),
  });
  for (const piece of pieces) {
    remuxer.push(piece);
    afterEach?.(collected);
  }
  return collected;
}

/** Box payloads (ISO/IEC 14496-12 §4.2: 32-bit size, 4-char type) at the top level of `data`. */
function boxes(data: Uint8Array): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 8 <= data.byteLength; ) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8));
    found.set(type, data.subarray(at + 8, at + size));
    at += size;
  }
  return found;
}

/** baseMediaDecodeTime of a moof+mdat fragment (moof > traf > tfdt, version 0: 32 bits, ms). */
function decodeTime(fragment: Uint8Array): number {
  const traf = boxes(boxes(fragment).get('moof')!).get('traf')!;
  const tfdt = boxes(traf).get('tfdt')!;
  return new DataView(tfdt.buffer, tfdt.byteOffset).getUint32(4);
}

/** The mdat payloads of one track's fragments, joined. */
function mdatOf(collected: Collected, type: 'audio' | 'video'): Uint8Array {
  return concatBytes(collected.media.filter((m) => m.type === type).map((m) => boxes(m.data).get('mdat')!));
}

/** What the frames carry after their FLV headers (AVC: 5 bytes, AAC: 2), joined: what the mdat boxes must hold. */
function expectedMdat(frames: MediaFrame[]): Uint8Array {
  return concatBytes(frames.map((f) => f.payload.subarray(f.kind === 'video' ? 5 : 2)));
}

describe('MpegtsFlvRemuxer (mpegts.js FLVDemuxer + MP4Remuxer, fed by LiveFlvMuxer)', () => {
  it('appends the first keyframe and the first audio frame with the first bytes, not one frame later', () => {
    const pieces = flvPieces();
    let afterFirst: Collected | null = null;
    remuxAll(pieces.slice(0, 1), (c) => {
      afterFirst ??= structuredClone(c);
    });
    const first = afterFirst!;
    expect(first.errors).toEqual([]);
    expect(first.init.map(({ type, codec, container }) => ({ type, codec, container }))).toEqual([
      { type: 'video', codec: 'avc1.64001e', container: 'video/mp4' },
      // mpegts.js signals AAC-LC as HE-AAC (40.5) outside Firefox and Android (flv-demuxer.js,
      // "always use HE-AAC to make it easier to switch aac codec profile"); Chromium takes both.
      { type: 'audio', codec: 'mp4a.40.5', container: 'audio/mp4' },
    ]);
    expect(first.media.map(({ type, sampleCount }) => ({ type, sampleCount }))).toEqual([
      { type: 'video', sampleCount: 1 },
      { type: 'audio', sampleCount: 1 },
    ]);
    const key = boxes(first.media[0]!.data);
    expect(key.get('mdat')).toEqual(new Uint8Array([0, 0, 0, 4, 0x65, 0x88, 0x84, 0]));
    expect(decodeTime(first.media[0]!.data)).toBe(0);
  });

  it('then carries every frame but the newest of each track, in order, with decode times from the stream', () => {
    const collected = remuxAll(flvPieces());
    expect(collected.errors).toEqual([]);
    const media = liveFrames().filter((f) => !f.config);
    const video = media.filter((f) => f.kind === 'video');
    const audio = media.filter((f) => f.kind === 'audio');
    // The newest sample of each track waits for its successor (its duration), and only that one:
    // every fragment after the first carries exactly one frame, as soon as the next exists.
    expect(mdatOf(collected, 'video')).toEqual(expectedMdat(video.slice(0, -1)));
    expect(mdatOf(collected, 'audio')).toEqual(expectedMdat(audio.slice(0, -1)));
    const videoFragments = collected.media.filter((m) => m.type === 'video');
    expect(videoFragments.map((m) => m.sampleCount)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // The forced first sample lasts one frame at the default 23.976 fps (41 ms); later frames keep
    // their 40 ms spacing after that one shift of 1 ms.
    expect(videoFragments.map((m) => decodeTime(m.data))).toEqual([0, 41, 81, 121, 161, 201, 241, 281, 321]);
  });

  it('gives the same segments however the FLV stream is split', () => {
    const whole = concatBytes(flvPieces());
    const reference = remuxAll([whole]);
    const expectedVideo = mdatOf(reference, 'video');
    const expectedAudio = mdatOf(reference, 'audio');
    const splits = [...splitAtEveryBoundary(whole), splitIntoSingleBytes(whole)];
    for (const pieces of splits) {
      const collected = remuxAll(pieces);
      const where = `split at ${pieces[0]!.byteLength} of ${whole.byteLength}`;
      expect(collected.errors, where).toEqual([]);
      expect(collected.init, where).toEqual(reference.init);
      expect(mdatOf(collected, 'video'), where).toEqual(expectedVideo);
      expect(mdatOf(collected, 'audio'), where).toEqual(expectedAudio);
    }
  });

  it('reports bytes that are not FLV as a typed pipeline error, once', () => {
    const collected = remuxAll([new TextEncoder().encode('<html>not a stream</html>'), new Uint8Array(40)]);
    expect(collected.errors.map((e) => e.code)).toEqual(['MEDIA_PIPELINE_ERROR']);
    expect(collected.init).toEqual([]);
  });

  it('names a codec the demuxer cannot carry (FLV VP6, codec id 4) as MEDIA_UNSUPPORTED_CODEC', () => {
    const muxer = new LiveFlvMuxer();
    const pieces: Uint8Array[] = [];
    for (const frame of [
      mediaFrame('video', 0, { keyframe: true, codec: 'flv-4', payload: new Uint8Array([0x14, 0, 1, 2, 3]) }),
      mediaFrame('video', 40, { keyframe: false, codec: 'flv-4', payload: new Uint8Array([0x24, 0, 1, 2, 3]) }),
    ]) {
      const out = muxer.push(frame, 0);
      if (out.bytes) pieces.push(out.bytes);
    }
    pieces.push(...[muxer.poll(Number.POSITIVE_INFINITY).bytes].filter((b): b is Uint8Array => b !== null));
    const collected = remuxAll(pieces);
    expect(collected.errors.map((e) => e.code)).toEqual(['MEDIA_UNSUPPORTED_CODEC']);
  });
});
