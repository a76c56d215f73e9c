import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex } from '@rtmp-web/bytes';
import { parseFlv, writeFlv } from '../src/flv';
import { InspectorError } from '../src/errors';

describe('FLV writer and parser (FLV spec v10.1 Annex E)', () => {
  const file = {
    hasAudio: true,
    hasVideo: true,
    tags: [
      { type: 9, timestamp: 0, data: fromHex('17 00 000000 01') },
      { type: 8, timestamp: 0x01020304, data: fromHex('af 01 21') },
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

  it('writes the exact bytes', () => {
    expect(writeFlv(file)).toEqual(bytes);
  });

  it('parses them back, with the 32-bit timestamp put together from its two fields', () => {
    expect(parseFlv(bytes)).toEqual(file);
  });

  it('names the problem of a broken file', () => {
    const cases: Array<[Uint8Array, string]> = [
      [fromHex('464c5701'), 'INSPECTOR_FLV_BAD_HEADER'],
      [fromHex('414243 01 05 00000009 00000000'), 'INSPECTOR_FLV_BAD_HEADER'],
      [bytes.subarray(0, bytes.length - 2), 'INSPECTOR_FLV_TRUNCATED'],
      [bytes.subarray(0, 13 + 5), 'INSPECTOR_FLV_TRUNCATED'],
    ];
    const wrongBackPointer = bytes.slice();
    wrongBackPointer[13 + 11 + 6 + 3] = 0x13; // last byte of the first PreviousTagSize
    cases.push([wrongBackPointer, 'INSPECTOR_FLV_BAD_TAG']);
    for (const [input, code] of cases) {
      let caught: unknown;
      try {
        parseFlv(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InspectorError);
      expect((caught as InspectorError).code).toBe(code);
    }
  });

  it('every cut of the file either ends on a tag boundary (and parses the tags so far) or is a typed truncation', () => {
    const boundaries = new Map([[13, 0], [13 + 11 + 6 + 4, 1], [bytes.length, 2]]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const prefix = bytes.subarray(0, cut);
      const tags = boundaries.get(cut);
      if (tags !== undefined) {
        expect(parseFlv(prefix).tags).toEqual(file.tags.slice(0, tags));
        continue;
      }
      let caught: unknown;
      try {
        parseFlv(prefix);
      } catch (error) {
        caught = error;
      }
      expect(caught, `cut at ${cut}`).toBeInstanceOf(InspectorError);
      expect(['INSPECTOR_FLV_BAD_HEADER', 'INSPECTOR_FLV_TRUNCATED']).toContain((caught as InspectorError).code);
    }
  });

  it('round-trips any tags, and random bytes only ever raise InspectorError', () => {
    const tag = fc.record({ type: fc.constantFrom(8, 9, 18), timestamp: fc.nat({ max: 0xffffffff }), data: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(tag, { maxLength: 20 }), (hasAudio, hasVideo, tags) => {
        const flv = { hasAudio, hasVideo, tags };
        expect(parseFlv(writeFlv(flv))).toEqual(flv);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (noise) => {
        const input = new Uint8Array([0x46, 0x4c, 0x56, ...noise]);
        try {
          parseFlv(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InspectorError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

