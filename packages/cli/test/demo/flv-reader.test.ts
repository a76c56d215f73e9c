import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, splitAtEveryBoundary, splitIntoSingleBytes } from '@rtmp-web/bytes';
import { FlvError, FlvReader, readFlvFile } from '../../src/demo/flv-reader';
import type { FlvReadEvent, FlvReaderOptions } from '../../src/demo/flv-reader';

// A three-tag FLV (FLV v10.1 Annex E): script, video, audio with an extended timestamp.
const SMALL_FLV = fromHex(`
  464c56        # E.2 Signature "FLV"
  01            # Version 1
  05            # flags: audio (0x04) + video (0x01)
  00000009      # DataOffset 9
  00000000      # PreviousTagSize0
  # tag 1 at offset 13: script data
  12            # reserved 0, filter 0, TagType 18
  00000e        # DataSize 14
  000000 00     # Timestamp 0, TimestampExtended 0
  000000        # StreamID 0
  02 000a 6f6e4d65746144617461   # AMF0 string "onMetaData"
  05                              # AMF0 null
  00000019      # PreviousTagSize 25 = 11 + 14
  # tag 2 at offset 42: video
  09            # TagType 9
  000005        # DataSize 5
  000028 00     # Timestamp 40
  000000        # StreamID
  17 01 000000  # keyframe, AVC, NALU, composition time 0
  00000010      # PreviousTagSize 16
  # tag 3 at offset 62: audio, timestamp above 2^24
  08            # TagType 8
  000002        # DataSize 2
  345678 01     # Timestamp low 24 bits 0x345678, TimestampExtended 0x01 -> 0x01345678
  000000        # StreamID
  af 01         # AAC, raw frame
  0000000d      # PreviousTagSize 13
`);

const EXPECTED: FlvReadEvent[] = [
  { type: 'header', header: { version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 } },
  {
    type: 'tag',
    tag: { tagType: 18, kind: 'script', timestamp: 0, streamId: 0, offset: 13, data: fromHex('02000a6f6e4d6574614461746105') },
  },
  { type: 'tag', tag: { tagType: 9, kind: 'video', timestamp: 40, streamId: 0, offset: 42, data: fromHex('1701000000') } },
  { type: 'tag', tag: { tagType: 8, kind: 'audio', timestamp: 0x01345678, streamId: 0, offset: 62, data: fromHex('af01') } },
];

function readAll(pieces: readonly Uint8Array[], options?: FlvReaderOptions): FlvReadEvent[] {
  const reader = new FlvReader(options);
  const events = pieces.flatMap((piece) => reader.push(piece));
  reader.end();
  return events;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlvError);
    return (error as FlvError).code;
  }
  throw new Error('expected an FlvError');
}

describe('FlvReader', () => {
  it('reads the header and every tag with exact values', () => {
    expect(readAll([SMALL_FLV])).toEqual(EXPECTED);
  });

  it('gives the same result however the input is split', () => {
    for (const pieces of splitAtEveryBoundary(SMALL_FLV)) expect(readAll(pieces)).toEqual(EXPECTED);
    expect(readAll(splitIntoSingleBytes(SMALL_FLV))).toEqual(EXPECTED);
  });

  it('returns tag bodies that do not alias the pushed buffer', () => {
    const input = SMALL_FLV.slice();
    const reader = new FlvReader();
    const events = reader.push(input);
    input.fill(0);
    expect(events[2]).toEqual(EXPECTED[2]);
  });

  it('counts tags and consumed bytes', () => {
    const reader = new FlvReader();
    reader.push(SMALL_FLV.subarray(0, 50));
    expect(reader.tagsRead).toBe(1);
    expect(reader.bytesConsumed).toBe(42); // header, PTS0, tag 1 and its PreviousTagSize; tag 2's header is not whole yet
  });

  it('accepts an end after a PreviousTagSize, or after the last tag body with its back pointer missing', () => {
    expect(readAll([SMALL_FLV.subarray(0, SMALL_FLV.length - 4)])).toEqual(EXPECTED);
    expect(readAll([SMALL_FLV.subarray(0, 13)])).toEqual([EXPECTED[0]]); // header + PreviousTagSize0: an empty file
  });

  it('throws FLV_TRUNCATED for every other prefix', () => {
    const validEnds = new Set([13, 38, 42, 58, 62, 75]);
    for (let length = 0; length < SMALL_FLV.length; length++) {
      const prefix = SMALL_FLV.subarray(0, length);
      if (validEnds.has(length)) {
        expect(() => readAll([prefix]), `prefix ${length}`).not.toThrow();
      } else {
        expect(codeOf(() => readAll([prefix])), `prefix ${length}`).toBe('FLV_TRUNCATED');
      }
    }
  });

  it('puts where it stopped into the truncation error', () => {
    const reader = new FlvReader();
    reader.push(SMALL_FLV.subarray(0, 50));
    try {
      reader.end();
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(FlvError);
      expect((error as FlvError).details).toEqual({ offset: 42, expecting: 'tag-header', have: 8, need: 11 });
      expect((error as FlvError).category).toBe('media');
    }
  });

  it('rejects a wrong signature, version or DataOffset', () => {
    expect(codeOf(() => readAll([fromHex('464c5801 05 00000009 00000000')]))).toBe('FLV_BAD_SIGNATURE');
    expect(codeOf(() => readAll([fromHex('464c56 02 05 00000009 00000000')]))).toBe('FLV_BAD_VERSION');
    expect(codeOf(() => readAll([fromHex('464c56 01 05 00000008 00000000')]))).toBe('FLV_BAD_HEADER_SIZE');
    expect(codeOf(() => readAll([fromHex('464c56 01 05 00100000 00000000')]))).toBe('FLV_BAD_HEADER_SIZE');
  });

  it('skips the bytes between the header and a DataOffset above 9', () => {
    const padded = concatBytes([
      fromHex(`464c56 01 01 0000000d  # DataOffset 13
               deadbeef               # 4 bytes a future version might use`),
      SMALL_FLV.subarray(9),
    ]);
    for (const pieces of splitAtEveryBoundary(padded)) {
      const events = readAll(pieces);
      expect(events[0]).toEqual({ type: 'header', header: { version: 1, hasAudio: false, hasVideo: true, dataOffset: 13 } });
      expect(events.slice(1).map((e) => (e.type === 'tag' ? [e.tag.kind, e.tag.offset] : null))).toEqual([
        ['script', 17],
        ['video', 46],
        ['audio', 66],
      ]);
    }
  });

  it('checks back pointers unless told not to', () => {
    const damaged = SMALL_FLV.slice();
    damaged[41] = 0x18; // PreviousTagSize after tag 1 says 24 instead of 25
    const reader = new FlvReader();
    try {
      reader.push(damaged);
      throw new Error('no error');
    } catch (error) {
      expect((error as FlvError).code).toBe('FLV_BAD_BACK_POINTER');
      expect((error as FlvError).details).toEqual({ offset: 38, value: 24, expected: 25 });
    }
    expect(readAll([damaged], { verifyBackPointers: false })).toEqual(EXPECTED);
    const nonZeroFirst = SMALL_FLV.slice();
    nonZeroFirst[12] = 1; // PreviousTagSize0 must be 0
    expect(codeOf(() => readAll([nonZeroFirst]))).toBe('FLV_BAD_BACK_POINTER');
  });

  it('refuses encrypted tags (Filter bit)', () => {
    const encrypted = SMALL_FLV.slice();
    encrypted[42] = 0x29; // filter bit + video
    expect(codeOf(() => readAll([encrypted]))).toBe('FLV_ENCRYPTED_TAG');
  });

  it('passes reserved tag types and empty tag bodies through', () => {
    const input = fromHex(`
      464c56 01 00 00000009 00000000
      07 000000 000064 00 000000   # TagType 7 (reserved), DataSize 0, Timestamp 100
      0000000b                     # PreviousTagSize 11
    `);
    for (const pieces of splitAtEveryBoundary(input)) {
      expect(readAll(pieces)[1]).toEqual({
        type: 'tag',
        tag: { tagType: 7, kind: 'reserved', timestamp: 100, streamId: 0, offset: 13, data: new Uint8Array(0) },
      });
    }
  });

  it('refuses push() after end()', () => {
    const reader = new FlvReader();
    reader.push(SMALL_FLV);
    reader.end();
    expect(codeOf(() => reader.push(SMALL_FLV))).toBe('FLV_READER_ENDED');
  });
});

describe('readFlvFile on the bundled clip', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../assets/demo-clip.flv', import.meta.url)));

  it('finds onMetaData, both sequence headers, 200 video and 375 audio tags (the counts ffprobe reports)', () => {
    const { header, tags } = readFlvFile(bytes);
    expect(header).toEqual({ version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    expect(tags[0]!.kind).toBe('script');
    expect(tags.filter((t) => t.kind === 'video')).toHaveLength(202); // AVC sequence header, 200 frames, AVC end of sequence (17 02)
    expect(tags.filter((t) => t.kind === 'audio')).toHaveLength(376); // AAC sequence header + 375 frames
    expect(tags.length).toBe(579);
    // AVCDecoderConfigurationRecord: keyframe/AVC 0x17, packet type 0, version 1, High profile 0x64, level 3.0 (0x1e).
    const avcConfig = tags.find((t) => t.kind === 'video')!;
    expect(Array.from(avcConfig.data.subarray(0, 9))).toEqual([0x17, 0, 0, 0, 0, 1, 0x64, 0x00, 0x1e]);
    // AAC sequence header: AudioSpecificConfig 0x1190 = AAC-LC, 48 kHz, 2 channels, then ffmpeg's
    // backward-compatible extension 0x56e500 (sync 0x2b7, SBR object type, sbrPresent 0).
    const aacConfig = tags.find((t) => t.kind === 'audio')!;
    expect(Array.from(aacConfig.data)).toEqual([0xaf, 0x00, 0x11, 0x90, 0x56, 0xe5, 0x00]);
  });

  it('reads the same tags when the file arrives in 4 KiB pieces', () => {
    const whole = readFlvFile(bytes).tags;
    const reader = new FlvReader();
    const tags = [];
    for (let offset = 0; offset < bytes.length; offset += 4096) {
      for (const event of reader.push(bytes.subarray(offset, offset + 4096))) if (event.type === 'tag') tags.push(event.tag);
    }
    reader.end();
    expect(tags).toEqual(whole);
  });
});
