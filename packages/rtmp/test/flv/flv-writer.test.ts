import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, fromHex, splitAtEveryBoundary, toHex } from '@rtmp-web/bytes';
import { encodeFlvHeader, encodeFlvTag, FlvReader, FlvTagType, readFlvFile, writeFlvFile } from '../../src/flv';

describe('encodeFlvHeader (FLV v10.1 E.2, E.3)', () => {
  it('writes the signature, version, the flags of the present tracks and PreviousTagSize0', () => {
    expect(toHex(encodeFlvHeader({ audio: true, video: true }))).toBe(
      toHex(
        fromHex(`
          46 4c 56      # "FLV"
          01            # version 1
          05            # TypeFlags: audio (0x04) | video (0x01)
          00 00 00 09   # DataOffset: 9
          00 00 00 00   # PreviousTagSize0
        `),
      ),
    );
  });

  it('sets only the audio flag for an audio-only stream and only the video flag for a video-only one', () => {
    expect(encodeFlvHeader({ audio: true, video: false })[4]).toBe(0x04);
    expect(encodeFlvHeader({ audio: false, video: true })[4]).toBe(0x01);
    expect(encodeFlvHeader({ audio: false, video: false })[4]).toBe(0x00);
  });
});

describe('encodeFlvTag (E.4.1)', () => {
  it('writes type, size, a 24+8-bit timestamp, stream id 0, the body and the back-pointer', () => {
    const tag = encodeFlvTag(FlvTagType.Video, 0x12345678, fromHex('17 01 00 00 00 aa bb'));
    expect(toHex(tag)).toBe(
      toHex(
        fromHex(`
          09            # TagType: video
          00 00 07      # DataSize: 7
          34 56 78      # Timestamp: lower 24 bits
          12            # TimestampExtended: upper 8 bits
          00 00 00      # StreamID
          17 01 00 00 00 aa bb   # body: AVC keyframe NALU (copied unchanged)
          00 00 00 12   # PreviousTagSize: 11 + 7 = 18
        `),
      ),
    );
  });

  it('writes an audio tag at time 0 and an empty script tag', () => {
    expect(toHex(encodeFlvTag(FlvTagType.Audio, 0, fromHex('af 00 12 10')))).toBe(
      toHex(
        fromHex(`
          08 000004 000000 00 000000   # audio, 4 bytes, time 0, ext 0, stream 0
          af 00 12 10                  # AAC sequence header: AudioSpecificConfig 12 10
          0000000f                     # PreviousTagSize 15
        `),
      ),
    );
    expect(toHex(encodeFlvTag(FlvTagType.Script, 1, new Uint8Array(0)))).toBe(
      toHex(fromHex('12 000000 000001 00 000000  0000000b  # script, empty, time 1, back-pointer 11')),
    );
  });

  it('round-trips any body and 32-bit timestamp through a reader of the same layout', () => {
    fc.assert(
      fc.property(fc.constantFrom(8, 9, 18), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 300 }), (type, ts, body) => {
        const tag = encodeFlvTag(type as 8 | 9 | 18, ts, body);
        const reader = new ByteReader(tag);
        expect(reader.u8()).toBe(type);
        expect(reader.u24()).toBe(body.byteLength);
        const low = reader.u24();
        const high = reader.u8();
        expect(((high << 24) >>> 0) + low).toBe(ts);
        expect(reader.u24()).toBe(0);
        expect(reader.bytesView(body.byteLength)).toEqual(body);
        expect(reader.u32()).toBe(11 + body.byteLength);
        expect(reader.remaining).toBe(0);
      }),
    );
  });
});

describe('writeFlvFile (E.2, E.3, E.4.1)', () => {
  const file = {
    hasAudio: true,
    hasVideo: true,
    tags: [
      { tagType: 9, timestamp: 0, data: fromHex('17 00 000000 01') },
      { tagType: 8, timestamp: 0x01020304, data: fromHex('af 01 21') },
    ],
  };
  const bytes = fromHex(`
    464c56 01      # "FLV" version 1
    05             # flags: audio (0x04) + video (0x01)
    00000009       # DataOffset 9
    00000000       # PreviousTagSize0
    09 000006 000000 00 000000   # video tag, 6 bytes, ts 0, ts ext 0, stream 0
    17 00 000000 01              # AVC keyframe, sequence header packet type 0, cts 0, one byte
    00000011                     # PreviousTagSize 11 + 6 = 17
    08 000003 020304 01 000000   # audio tag, 3 bytes, ts low 24 bits 0x020304, ext 0x01
    af 01 21                     # AAC raw
    0000000e                     # PreviousTagSize 11 + 3 = 14
  `);

  it('writes the exact bytes, the same as the header and tag encoders one after the other', () => {
    expect(toHex(writeFlvFile(file))).toBe(toHex(bytes));
    const pieces = [encodeFlvHeader({ audio: true, video: true }), encodeFlvTag(9, 0, file.tags[0]!.data), encodeFlvTag(8, 0x01020304, file.tags[1]!.data)];
    expect(toHex(writeFlvFile(file))).toBe(pieces.map((p) => toHex(p)).join(''));
  });

  it('reads back with the 32-bit timestamp put together from its two fields, however the bytes are split', () => {
    const expected = [
      { tagType: 9, kind: 'video', timestamp: 0, streamId: 0, offset: 13, data: file.tags[0]!.data },
      { tagType: 8, kind: 'audio', timestamp: 0x01020304, streamId: 0, offset: 34, data: file.tags[1]!.data },
    ];
    expect(readFlvFile(bytes)).toEqual({ header: { version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 }, tags: expected });
    for (const pieces of splitAtEveryBoundary(bytes)) {
      const reader = new FlvReader();
      const tags = pieces.flatMap((piece) => reader.push(piece)).flatMap((e) => (e.type === 'tag' ? [e.tag] : []));
      reader.end();
      expect(tags).toEqual(expected);
    }
  });

  it('round-trips any tags through readFlvFile', () => {
    const tag = fc.record({ tagType: fc.constantFrom(8, 9, 18), timestamp: fc.nat({ max: 0xffffffff }), data: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(tag, { maxLength: 20 }), (hasAudio, hasVideo, tags) => {
        const read = readFlvFile(writeFlvFile({ hasAudio, hasVideo, tags }));
        expect(read.header).toEqual({ version: 1, hasAudio, hasVideo, dataOffset: 9 });
        expect(read.tags.map(({ tagType, timestamp, data }) => ({ tagType, timestamp, data }))).toEqual(tags);
      }),
      { numRuns: 200 },
    );
  });
});
