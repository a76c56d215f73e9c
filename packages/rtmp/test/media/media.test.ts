import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '@rtmp-web/bytes';
import { RtmpError } from '../../src/errors';
import {
  describeTrack,
  parseAudioMessage,
  parseAudioMessageTracks,
  parseAudioSpecificConfig,
  parseAv1CodecConfigurationRecord,
  parseAvcDecoderConfigurationRecord,
  parseFlacStreamInfo,
  parseHevcDecoderConfigurationRecord,
  parseMpegAudioFrameHeader,
  parseOpusHead,
  parseVideoMessage,
  parseVideoMessageTracks,
  parseVpcc,
} from '../../src/media';
import * as F from './fixtures';

const hex = (text: string) => fromHex(text);
const body = (text: string) => hex(text).subarray(5); // strip the 5-byte FLV AVC header

describe('H.264: AVCDecoderConfigurationRecord and SPS (ISO/IEC 14496-15 §5.3.3, H.264 §7.3.2.1)', () => {
  it('High profile 640x360 from ffmpeg: avc1.64001e, cropped from 368 rows', () => {
    const record = parseAvcDecoderConfigurationRecord(body(F.AVC_HIGH_640x360));
    expect(record).toMatchObject({ version: 1, profile: 100, compat: 0, level: 30, nalLengthSize: 4, width: 640, height: 360, codecString: 'avc1.64001e' });
    expect(record.sps.map((s) => toHex(s))).toEqual(['6764001eacd940a02ff97011000003000100000300320f162d96']);
    expect(record.pps.map((s) => toHex(s))).toEqual(['68ebe3cb22c0']);
    expect(record.spsInfo).toEqual({ profile: 100, constraintFlags: 0, level: 30, chromaFormat: 1, bitDepthLuma: 8, bitDepthChroma: 8, frameMbsOnly: true, width: 640, height: 360 });
  });

  const sizes: Array<[string, string, string, number, number]> = [
    ['1080p (1088 coded rows)', F.AVC_1080, 'avc1.42c028', 1920, 1080],
    ['642x362 (cropped on both axes)', F.AVC_642x362, 'avc1.42c01e', 642, 362],
    ['4:4:4 (chroma_format_idc 3, crop unit 1)', F.AVC_444, 'avc1.f4000d', 320, 240],
    ['interlaced (frame_mbs_only 0)', F.AVC_INTERLACED, 'avc1.4d4015', 320, 240],
    ['with scaling matrices', F.AVC_SCALING_MATRIX, 'avc1.64001e', 640, 360],
  ];
  for (const [name, fixture, codecString, width, height] of sizes) {
    it(`${name}: ${codecString} ${width}x${height}`, () => {
      expect(parseAvcDecoderConfigurationRecord(body(fixture))).toMatchObject({ codecString, width, height });
    });
  }

  it('reads chroma format and field coding from the SPS', () => {
    expect(parseAvcDecoderConfigurationRecord(body(F.AVC_444)).spsInfo).toMatchObject({ chromaFormat: 3, profile: 244 });
    expect(parseAvcDecoderConfigurationRecord(body(F.AVC_INTERLACED)).spsInfo).toMatchObject({ frameMbsOnly: false });
  });

  it('every truncation is MEDIA_MALFORMED, never another error', () => {
    const full = body(F.AVC_HIGH_640x360);
    // The record stops being complete once the PPS is cut (the trailing high-profile bytes are optional).
    for (let length = 0; length < full.length - 4; length++) {
      expect(() => parseAvcDecoderConfigurationRecord(full.subarray(0, length)), `length ${length}`).toThrow(
        expect.objectContaining({ code: 'MEDIA_MALFORMED', category: 'media' }),
      );
    }
    expect(() => parseAvcDecoderConfigurationRecord(hex('01 64 00 1e ff e0 00'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
  });
});

describe('HEVC, AV1, VP9 configuration records', () => {
  it('hvcC from x265: hvc1.1.6.L63.90 640x360', () => {
    const record = parseHevcDecoderConfigurationRecord(hex(F.HVCC_640x360));
    expect(record).toMatchObject({ profileSpace: 0, tierFlag: false, profileIdc: 1, compatibilityFlags: 0x60000000, levelIdc: 63, chromaFormat: 1, bitDepthLuma: 8, nalLengthSize: 4, width: 640, height: 360 });
    expect(record.codecString).toBe('hvc1.1.6.L63.90');
    expect(record.arrays.map((a) => [a.type, a.units.length])).toEqual([
      [32, 1],
      [33, 1],
      [34, 1],
    ]);
  });

  it('av1C from SVT-AV1: av01.0.01M.08 640x360 (from the sequence header OBU)', () => {
    expect(parseAv1CodecConfigurationRecord(hex(F.AV1C_640x360))).toMatchObject({
      version: 1,
      profile: 0,
      levelIdx: 1,
      tier: 0,
      bitDepth: 8,
      chromaSubsamplingX: true,
      chromaSubsamplingY: true,
      width: 640,
      height: 360,
      codecString: 'av01.0.01M.08',
    });
    // Without configOBUs the size is unknown but the codec string is not.
    const bare = parseAv1CodecConfigurationRecord(hex('81 01 0c 00'));
    expect(bare.codecString).toBe('av01.0.01M.08');
    expect(bare.width).toBeUndefined();
  });

  it('vpcC from libvpx-vp9: vp09.00.21.08, with or without the FullBox prefix', () => {
    expect(parseVpcc(hex(F.VPCC_640x360))).toMatchObject({ profile: 0, level: 21, bitDepth: 8, chromaSubsampling: 1, videoFullRange: false, codecString: 'vp09.00.21.08' });
    expect(parseVpcc(hex(F.VPCC_640x360).subarray(4)).codecString).toBe('vp09.00.21.08');
  });

  it('malformed records are MEDIA_MALFORMED', () => {
    expect(() => parseHevcDecoderConfigurationRecord(hex('01 01 6000'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseAv1CodecConfigurationRecord(hex('01 01 0c 00'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseAv1CodecConfigurationRecord(hex('81 01 0c 00 0a 0b 00'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseVpcc(hex('00 15 32 02 02 02 0000'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
  });
});

describe('audio configuration', () => {
  it('AudioSpecificConfig 1210: mp4a.40.2, 44100 Hz, 2 channels', () => {
    expect(parseAudioSpecificConfig(hex('1210'))).toEqual({ objectType: 2, sampleRate: 44100, channels: 2, channelConfiguration: 2, codecString: 'mp4a.40.2' });
  });

  it('other AudioSpecificConfigs: 48 kHz, 5.1, explicit HE-AAC, escaped object type, explicit rate', () => {
    expect(parseAudioSpecificConfig(hex('1190'))).toMatchObject({ objectType: 2, sampleRate: 48000, channels: 2 });
    expect(parseAudioSpecificConfig(hex('11b0'))).toMatchObject({ sampleRate: 48000, channels: 6, channelConfiguration: 6 });
    expect(parseAudioSpecificConfig(hex('2b9188'))).toEqual({
      objectType: 5,
      coreObjectType: 2,
      sampleRate: 22050,
      extensionSampleRate: 48000,
      channels: 2,
      channelConfiguration: 2,
      codecString: 'mp4a.40.5',
    });
    expect(parseAudioSpecificConfig(hex('f94840'))).toMatchObject({ objectType: 42, sampleRate: 44100, channels: 2, codecString: 'mp4a.40.42' });
    expect(parseAudioSpecificConfig(hex('1780181c88'))).toMatchObject({ objectType: 2, sampleRate: 12345, channels: 1 });
    expect(() => parseAudioSpecificConfig(hex('12'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseAudioSpecificConfig(hex('16 90'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' })); // index 13: reserved
  });

  it('OpusHead from libopus: 2 channels, 48 kHz', () => {
    expect(parseOpusHead(hex(F.OPUS_HEAD))).toEqual({ version: 1, channels: 2, preSkip: 312, inputSampleRate: 48000, outputGain: 0, mappingFamily: 0, sampleRate: 48000, codecString: 'opus' });
    expect(() => parseOpusHead(hex(F.OPUS_HEAD).subarray(0, 12))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseOpusHead(hex('4f70757354616773 0000000000000000000000'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
  });

  it('FLAC STREAMINFO: 44100 Hz, 2 channels, 16 bits', () => {
    expect(parseFlacStreamInfo(hex(F.FLAC_HEADER))).toMatchObject({ sampleRate: 44100, channels: 2, bitsPerSample: 16, codecString: 'flac' });
    expect(parseFlacStreamInfo(hex(F.FLAC_HEADER).subarray(4))).toMatchObject({ sampleRate: 44100 });
  });

  it('MPEG audio frame headers', () => {
    expect(parseMpegAudioFrameHeader(hex('fffb9064'))).toEqual({ version: 1, layer: 3, bitrate: 128, sampleRate: 44100, channels: 2, codecString: 'mp3' });
    expect(parseMpegAudioFrameHeader(hex('fff340c4'))).toEqual({ version: 2, layer: 3, bitrate: 32, sampleRate: 22050, channels: 1, codecString: 'mp3' });
    expect(() => parseMpegAudioFrameHeader(hex('fff0'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseMpegAudioFrameHeader(hex('ffeb9064'))).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' })); // version 01 reserved
  });
});

describe('legacy FLV video and audio messages (FLV v10.1 §E.4.2, §E.4.3)', () => {
  it('an AVC sequence header', () => {
    const payload = hex(F.AVC_HIGH_640x360);
    const frame = parseVideoMessage(payload, 0);
    expect({ ...frame, data: toHex(frame.data), payload: undefined }).toEqual({
      kind: 'video',
      dts: 0,
      cts: 0,
      keyframe: true,
      config: true,
      codec: 'avc1',
      data: toHex(payload.subarray(5)),
      payload: undefined,
      trackId: 0,
      packetType: 'sequence-start',
      frameType: 1,
      enhanced: false,
    });
    expect(frame.payload).toBe(payload);
  });

  it('AVC coded frames with composition time, and end of sequence', () => {
    expect(parseVideoMessage(hex(F.AVC_HIGH_FIRST_FRAME), 0)).toMatchObject({ packetType: 'coded-frames', keyframe: true, config: false, cts: 80, dts: 0 });
    expect(parseVideoMessage(hex('27 01 ffffd8 00000001 09'), 40)).toMatchObject({ keyframe: false, cts: -40, dts: 40, data: hex('00000001 09') });
    expect(parseVideoMessage(hex('17 02 000000'), 99)).toMatchObject({ packetType: 'sequence-end', codec: 'avc1' });
  });

  it('legacy HEVC (CodecID 12) is laid out like AVC', () => {
    expect(parseVideoMessage(hex('1c 00 000000 ' + F.HVCC_640x360), 0)).toMatchObject({ codec: 'hvc1', config: true, data: hex(F.HVCC_640x360) });
  });

  it('other legacy codecs, command frames and empty messages', () => {
    expect(parseVideoMessage(hex('22 aabb'), 5)).toMatchObject({ codec: 'flv-2', packetType: 'coded-frames', keyframe: false, frameType: 2, data: hex('aabb') });
    expect(parseVideoMessage(hex('57 01'), 5)).toMatchObject({ packetType: 'command', videoCommand: 1, keyframe: false, frameType: 5 });
    expect(parseVideoMessage(new Uint8Array(0), 5)).toMatchObject({ packetType: 'empty', codec: '', keyframe: false, config: false });
    expect(parseAudioMessage(new Uint8Array(0), 5)).toMatchObject({ packetType: 'empty', codec: '' });
  });

  it('AAC sequence header and frame', () => {
    expect(parseAudioMessage(hex(F.AAC_SEQUENCE_HEADER), 0)).toMatchObject({
      kind: 'audio',
      codec: 'mp4a',
      config: true,
      packetType: 'sequence-start',
      data: hex('1210'),
      soundFormat: 10,
      legacy: { soundFormat: 10, sampleRate: 44100, sampleSize: 16, channels: 2 },
    });
    expect(parseAudioMessage(hex(F.AAC_FRAME), 23)).toMatchObject({ codec: 'mp4a', config: false, keyframe: true, dts: 23, cts: 0, data: hex(F.AAC_FRAME).subarray(2) });
  });

  it('MP3 and the fixed-rate legacy formats', () => {
    expect(parseAudioMessage(hex(F.MP3_FRAME), 0)).toMatchObject({ codec: '.mp3', config: false, data: hex(F.MP3_FRAME).subarray(1) });
    expect(parseAudioMessage(hex('b2 00'), 0)).toMatchObject({ codec: 'flv-11', legacy: { sampleRate: 16000, channels: 1 } }); // Speex
    expect(parseAudioMessage(hex('52 00'), 0)).toMatchObject({ codec: 'flv-5', legacy: { sampleRate: 8000 } }); // Nellymoser 8 kHz
  });

  it('truncated legacy AVC/AAC headers are MEDIA_MALFORMED', () => {
    expect(() => parseVideoMessage(hex('17 01 00'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseAudioMessage(hex('af'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
  });
});

describe('Enhanced RTMP video (E-RTMP v1/v2 ExVideoTagHeader)', () => {
  it('hvc1 SequenceStart, CodedFrames (with composition time) and CodedFramesX', () => {
    expect(parseVideoMessage(hex(`90 68766331 ${F.HVCC_640x360}`), 0)).toMatchObject({
      enhanced: true,
      codec: 'hvc1',
      packetType: 'sequence-start',
      config: true,
      keyframe: true,
      data: hex(F.HVCC_640x360),
    });
    expect(parseVideoMessage(hex('91 68766331 000028 0000000126'), 80)).toMatchObject({ packetType: 'coded-frames', keyframe: true, cts: 40, dts: 80, data: hex('0000000126') });
    expect(parseVideoMessage(hex('a3 68766331 0000000102'), 120)).toMatchObject({ packetType: 'coded-frames', keyframe: false, frameType: 2, cts: 0, data: hex('0000000102') });
  });

  it('av01 and vp09 coded frames carry no composition time', () => {
    expect(parseVideoMessage(hex('91 61763031 12000a'), 0)).toMatchObject({ codec: 'av01', cts: 0, data: hex('12000a') });
    expect(parseVideoMessage(hex('a1 76703039 8249'), 0)).toMatchObject({ codec: 'vp09', cts: 0, keyframe: false, data: hex('8249') });
  });

  it('SequenceEnd, Metadata (frame type ignored), command frames', () => {
    expect(parseVideoMessage(hex('92 61766331'), 0)).toMatchObject({ packetType: 'sequence-end', codec: 'avc1', data: new Uint8Array(0) });
    expect(parseVideoMessage(hex('94 61766331 02 0009 636f6c6f72496e666f 05'), 0)).toMatchObject({
      packetType: 'metadata',
      keyframe: false,
      config: false,
      data: hex('02 0009 636f6c6f72496e666f 05'),
    });
    expect(parseVideoMessage(hex('d1 00'), 0)).toMatchObject({ packetType: 'command', videoCommand: 0, enhanced: true, frameType: 5 });
  });

  it('ModEx TimestampOffsetNano before the packet type', () => {
    const payload = hex(`
      97          # ExHeader, key frame, packet type 7 (ModEx)
      02          # ModEx data size - 1: 3 bytes
      0f423f      # 999 999 ns
      01          # ModExType 0 (TimestampOffsetNano) | packet type 1 (CodedFrames)
      61766331    # avc1
      000000      # composition time 0
      65          # data
    `);
    expect(parseVideoMessage(payload, 7)).toMatchObject({ timestampNanoOffset: 999999, packetType: 'coded-frames', codec: 'avc1', dts: 7, data: hex('65') });
  });

  it('ModEx with a 16-bit size', () => {
    const data = 'ab'.repeat(300);
    const payload = hex(`97 ff 012b ${data} 71 61763031 00`);
    // size byte 0xff means 256: a UI16 + 1 follows (0x012b + 1 = 300 bytes); ModExType 7 is unknown and skipped.
    expect(parseVideoMessage(payload, 0)).toMatchObject({ codec: 'av01', packetType: 'coded-frames', data: hex('00') });
    expect(parseVideoMessage(payload, 0).timestampNanoOffset).toBeUndefined();
  });

  it('Multitrack ManyTracks: one FourCC, a track id and size per track', () => {
    const payload = hex(`
      96          # ExHeader, key frame, packet type 6 (Multitrack)
      11          # ManyTracks | packet type 1 (CodedFrames)
      61766331    # avc1 for every track
      00 000006 000000 656667     # track 0: 6 bytes (composition time 0, data)
      01 000005 000010 6869       # track 1: 5 bytes (composition time 16, data)
    `);
    const tracks = parseVideoMessageTracks(payload, 100);
    expect(tracks.map((t) => [t.trackId, t.codec, t.cts, toHex(t.data), t.keyframe])).toEqual([
      [0, 'avc1', 0, '656667', true],
      [1, 'avc1', 16, '6869', true],
    ]);
    expect(parseVideoMessage(payload, 100).trackId).toBe(0);
  });

  it('Multitrack OneTrack: a track id and the rest; the only track is the default', () => {
    const payload = hex(`96 00 61763031 02 ${F.AV1C_640x360}`);
    expect(parseVideoMessage(payload, 0)).toMatchObject({ trackId: 2, codec: 'av01', config: true, data: hex(F.AV1C_640x360) });
  });

  it('unknown packet types and multitrack types are MEDIA_UNSUPPORTED; truncation is MEDIA_MALFORMED', () => {
    expect(() => parseVideoMessage(hex('98 61766331'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_UNSUPPORTED' }));
    expect(() => parseVideoMessage(hex('96 31 61766331'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_UNSUPPORTED' }));
    expect(() => parseVideoMessage(hex('96 16 61766331'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseVideoMessage(hex('90 6176'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseVideoMessage(hex('96 11 61766331 00 000009 00'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseVideoMessage(hex('96 11 61766331'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
    expect(() => parseVideoMessage(hex('97 00 aa 01 61766331 000000'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_MALFORMED' }));
  });
});

describe('Enhanced RTMP audio (ExAudioTagHeader)', () => {
  it('Opus, FLAC and mp4a sequence starts and coded frames', () => {
    expect(parseAudioMessage(hex(`90 4f707573 ${F.OPUS_HEAD}`), 0)).toMatchObject({ enhanced: true, soundFormat: 9, codec: 'Opus', config: true, data: hex(F.OPUS_HEAD) });
    expect(parseAudioMessage(hex(`90 664c6143 ${F.FLAC_HEADER}`), 0)).toMatchObject({ codec: 'fLaC', config: true });
    expect(parseAudioMessage(hex('90 6d703461 1210'), 0)).toMatchObject({ codec: 'mp4a', config: true, data: hex('1210') });
    expect(parseAudioMessage(hex('91 4f707573 fc ff fe'), 20)).toMatchObject({ codec: 'Opus', packetType: 'coded-frames', keyframe: true, dts: 20, data: hex('fcfffe') });
    expect(parseAudioMessage(hex('92 4f707573'), 20)).toMatchObject({ packetType: 'sequence-end' });
  });

  it('MultichannelConfig: custom mapping and native mask', () => {
    expect(parseAudioMessage(hex('94 4f707573 02 03 000102'), 0).multichannel).toEqual({ channelOrder: 2, channelCount: 3, channelMapping: [0, 1, 2] });
    expect(parseAudioMessage(hex('94 4f707573 01 06 0000003f'), 0).multichannel).toEqual({ channelOrder: 1, channelCount: 6, channelFlags: 0x3f });
    expect(parseAudioMessage(hex('94 4f707573 00 02'), 0).multichannel).toEqual({ channelOrder: 0, channelCount: 2 });
  });

  it('Multitrack ManyTracksManyCodecs: a FourCC per track', () => {
    const payload = hex(`
      95          # SoundFormat 9 (ExHeader) | packet type 5 (Multitrack)
      21          # ManyTracksManyCodecs | packet type 1 (CodedFrames)
      4f707573 00 000002 aabb   # Opus, track 0, 2 bytes
      6d703461 01 000001 cc     # mp4a, track 1, 1 byte
    `);
    expect(parseAudioMessageTracks(payload, 0).map((t) => [t.trackId, t.codec, toHex(t.data)])).toEqual([
      [0, 'Opus', 'aabb'],
      [1, 'mp4a', 'cc'],
    ]);
  });

  it('ModEx on audio; unknown packet type', () => {
    expect(parseAudioMessage(hex('97 02 000001 01 4f707573 fc'), 0)).toMatchObject({ timestampNanoOffset: 1, codec: 'Opus', data: hex('fc') });
    expect(() => parseAudioMessage(hex('93 4f707573'), 0)).toThrow(expect.objectContaining({ code: 'MEDIA_UNSUPPORTED' }));
  });
});

describe('describeTrack', () => {
  it('prints the tracks of an ffmpeg stream the way the CLI shows them', () => {
    expect(describeTrack(parseVideoMessage(hex(F.AVC_HIGH_640x360), 0))).toEqual({ kind: 'video', codec: 'avc1', codecString: 'avc1.64001e', width: 640, height: 360, text: 'avc1.64001e 640x360' });
    expect(describeTrack(parseAudioMessage(hex(F.AAC_SEQUENCE_HEADER), 0))).toEqual({ kind: 'audio', codec: 'mp4a', codecString: 'mp4a.40.2', sampleRate: 44100, channels: 2, text: 'mp4a.40.2 44100 Hz 2 ch' });
  });

  it('covers every codec with a configuration record, and self-describing frames', () => {
    const texts = [
      parseVideoMessage(hex(`90 68766331 ${F.HVCC_640x360}`), 0),
      parseVideoMessage(hex(`90 61763031 ${F.AV1C_640x360}`), 0),
      parseVideoMessage(hex(`90 76703039 ${F.VPCC_640x360}`), 0),
      parseAudioMessage(hex(`90 4f707573 ${F.OPUS_HEAD}`), 0),
      parseAudioMessage(hex(`90 664c6143 ${F.FLAC_HEADER}`), 0),
      parseAudioMessage(hex(F.MP3_FRAME), 0),
      parseAudioMessage(hex('2a 00'), 0), // MP3 with one data byte: no frame header to read
      parseAudioMessage(hex('b2 00'), 0),
      parseVideoMessage(hex('22 aabb'), 0),
    ].map((frame) => describeTrack(frame)?.text ?? null);
    expect(texts).toEqual([
      'hvc1.1.6.L63.90 640x360',
      'av01.0.01M.08 640x360',
      'vp09.00.21.08',
      'opus 48000 Hz 2 ch',
      'flac 44100 Hz 2 ch',
      'mp3 44100 Hz 2 ch',
      null,
      'flv-11 16000 Hz 1 ch',
      'flv-2',
    ]);
  });

  it('returns null for frames that cannot tell', () => {
    expect(describeTrack(parseVideoMessage(hex(F.AVC_HIGH_FIRST_FRAME), 0))).toBeNull();
    expect(describeTrack(parseAudioMessage(hex(F.AAC_FRAME), 0))).toBeNull();
    expect(describeTrack(parseVideoMessage(new Uint8Array(0), 0))).toBeNull();
  });
});

describe('robustness (property)', () => {
  it('media parsers and describeTrack throw nothing but RtmpError on arbitrary bytes', () => {
    const prefixes = fc.constantFrom(
      [],
      [0x17, 0x00, 0, 0, 0],
      [0x90, 0x61, 0x76, 0x63, 0x31],
      [0x90, 0x68, 0x76, 0x63, 0x31],
      [0x90, 0x61, 0x76, 0x30, 0x31],
      [0x96],
      [0x97],
      [0xaf, 0x00],
      [0x90, 0x4f, 0x70, 0x75, 0x73],
      [0x95],
    );
    fc.assert(
      fc.property(prefixes, fc.uint8Array({ maxLength: 64 }), (prefix, tail) => {
        const payload = new Uint8Array([...prefix, ...tail]);
        for (const parse of [parseVideoMessageTracks, parseAudioMessageTracks]) {
          try {
            for (const frame of parse(payload, 0)) describeTrack(frame);
          } catch (error) {
            if (!(error instanceof RtmpError)) throw error;
            expect(['MEDIA_MALFORMED', 'MEDIA_UNSUPPORTED']).toContain(error.code);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
