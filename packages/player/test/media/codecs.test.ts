import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { codecDisplayName, describeTrackCodec } from '../../src/media/codecs';

describe('describeTrackCodec', () => {
  it('derives the RFC 6381 strings MSE is asked about from the configuration records', () => {
    // AVCDecoderConfigurationRecord of the bundled demo clip (ffmpeg libx264 High, 640x360)
    const avc = fromHex(`
      01 64 00 1e ff e1        # version 1, profile High (0x64), compat 0, level 3.0 (0x1e), lengthSize 4, 1 SPS
      00 1a 67 64 00 1e ac b3 01 40 5f f2 e0 22 00 00 03 00 02 00 00 03 00 64 1e 2c 5c d0   # SPS, 26 bytes
      01 00 05 68 e9 73 2c 8b  # 1 PPS, 5 bytes
      fd f8 f8 00              # High profile extension: chroma 4:2:0, 8-bit, no SPS ext
    `);
    expect(describeTrackCodec({ kind: 'video', codec: 'avc1', config: avc })).toEqual({
      kind: 'video',
      fourcc: 'avc1',
      codec: 'avc1.64001e',
      mime: 'video/mp4; codecs="avc1.64001e"',
      demuxable: true,
    });
    // AudioSpecificConfig 12 10: AAC-LC, 44.1 kHz, stereo
    expect(describeTrackCodec({ kind: 'audio', codec: 'mp4a', config: fromHex('12 10') })).toMatchObject({ codec: 'mp4a.40.2', mime: 'audio/mp4; codecs="mp4a.40.2"' });
    expect(describeTrackCodec({ kind: 'audio', codec: '.mp3', config: null })).toMatchObject({ codec: 'mp3', mime: 'audio/mpeg', demuxable: true });
    expect(describeTrackCodec({ kind: 'audio', codec: 'Opus', config: null })).toMatchObject({ codec: 'opus', mime: 'audio/mp4; codecs="opus"' });
  });

  it('marks what the FLV remuxer cannot carry, and names legacy codecs in words', () => {
    expect(describeTrackCodec({ kind: 'video', codec: 'flv-2', config: null }).demuxable).toBe(false);
    expect(describeTrackCodec({ kind: 'video', codec: 'vp09', config: null }).demuxable).toBe(false);
    expect(codecDisplayName('video', 'flv-2')).toBe('Sorenson H.263 (FLV codec id 2)');
    expect(codecDisplayName('audio', 'flv-11')).toBe('Speex (FLV sound format id 11)');
    expect(codecDisplayName('audio', 'flv-9')).toBe('FLV audio codec id 9');
    expect(codecDisplayName('video', 'avc1')).toBe('avc1');
  });

  it('falls back to the bare FourCC when a configuration record does not parse', () => {
    expect(describeTrackCodec({ kind: 'video', codec: 'avc1', config: fromHex('01') }).codec).toBe('avc1');
  });
});
