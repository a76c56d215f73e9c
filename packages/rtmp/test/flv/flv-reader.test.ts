import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, splitAtEveryBoundary, splitIntoSingleBytes } from '@rtmp-web/bytes';
import fc from 'fast-check';
import { RtmpError } from '../../src/errors';
import { FlvError, FlvReader, readFlvFile } from '../../src/flv';
import type { FlvReadEvent, FlvReaderOptions } from '../../src/flv';

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

describe('readFlvFile', () => {
  it('returns the header and the tags of a whole file, and the same tags as FlvReader', () => {
    const file = readFlvFile(SMALL_FLV);
    expect(file.header).toEqual((EXPECTED[0] as Extract<FlvReadEvent, { type: 'header' }>).header);
    expect(file.tags).toEqual(EXPECTED.slice(1).map((e) => (e as Extract<FlvReadEvent, { type: 'tag' }>).tag));
  });

  it('throws FLV_TRUNCATED for an empty input or a cut header', () => {
    expect(codeOf(() => readFlvFile(new Uint8Array(0)))).toBe('FLV_TRUNCATED');
    expect(codeOf(() => readFlvFile(SMALL_FLV.subarray(0, 9)))).toBe('FLV_TRUNCATED');
  });

  it('errors are FlvError (an RtmpError, category media, fatal) and random bytes raise nothing else', () => {
    let caught: unknown;
    try {
      readFlvFile(fromHex('414243 01 05 00000009 00000000'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RtmpError);
    expect((caught as FlvError).code).toBe('FLV_BAD_SIGNATURE');
    expect((caught as FlvError).category).toBe('media');
    expect((caught as FlvError).fatal).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (noise, verifyBackPointers) => {
        const input = new Uint8Array([0x46, 0x4c, 0x56, 0x01, ...noise]);
        try {
          readFlvFile(input, { verifyBackPointers });
        } catch (error) {
          expect(error).toBeInstanceOf(FlvError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
