import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, fromHex, toHex } from '@rtmp-web/bytes';
import { encodeFlvHeader, encodeFlvTag, FlvTagType } from '../../src/flv/flv-tags';

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
