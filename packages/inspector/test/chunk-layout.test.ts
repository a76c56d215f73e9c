import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import type { ChunkInfo } from '@rtmp-web/rtmp';
import { chunkFieldRanges } from '../src/chunk-layout';

function chunk(fields: Partial<ChunkInfo> & { raw: Uint8Array }): ChunkInfo {
  return {
    direction: 'in',
    fmt: 0,
    csid: 3,
    timestampField: 0,
    extendedTimestamp: false,
    timestamp: 0,
    messageLength: 0,
    messageType: 20,
    streamId: 0,
    headerLength: 12,
    payloadLength: 0,
    payloadOffset: 0,
    completesMessage: true,
    ...fields,
  };
}

describe('chunkFieldRanges (RTMP 1.0 §5.3.1)', () => {
  it('splits a fmt 0 chunk with a one-byte basic header', () => {
    const raw = fromHex(`
      03              # fmt 0, csid 3
      000010          # timestamp 16
      000002          # message length 2
      14              # type 20
      01000000        # message stream id 1, little-endian
      aabb            # payload
    `);
    expect(chunkFieldRanges(chunk({ raw }))).toEqual([
      { field: 'fmt+csid', start: 0, length: 1, value: 0x03 },
      { field: 'timestamp', start: 1, length: 3, value: 16 },
      { field: 'message length', start: 4, length: 3, value: 2 },
      { field: 'message type', start: 7, length: 1, value: 20 },
      { field: 'message stream id', start: 8, length: 4, value: 1 },
      { field: 'payload', start: 12, length: 2, value: 2 },
    ]);
  });

  it('handles 2- and 3-byte basic headers, fmt 1/2/3 and the extended timestamp', () => {
    const fmt1TwoByte = fromHex('40 05  000028 000100 09  ff'); // fmt 1, csid 64 + 5, delta 40, length 256, video
    expect(chunkFieldRanges(chunk({ fmt: 1, raw: fmt1TwoByte })).map((f) => [f.field, f.value])).toEqual([
      ['fmt+csid', 0x40],
      ['csid', 69],
      ['timestamp delta', 40],
      ['message length', 256],
      ['message type', 9],
      ['payload', 1],
    ]);
    const fmt2ThreeByte = fromHex('81 02 01  ffffff  01020304  ee'); // fmt 2, csid 64 + 2 + 256, extended delta
    expect(chunkFieldRanges(chunk({ fmt: 2, extendedTimestamp: true, raw: fmt2ThreeByte })).map((f) => [f.field, f.start, f.value])).toEqual([
      ['fmt+csid', 0, 0x81],
      ['csid', 1, 322],
      ['timestamp delta', 3, 0xffffff],
      ['extended timestamp', 6, 0x01020304],
      ['payload', 10, 1],
    ]);
    const fmt3 = fromHex('c4 0102');
    expect(chunkFieldRanges(chunk({ fmt: 3, raw: fmt3 })).map((f) => f.field)).toEqual(['fmt+csid', 'payload']);
  });

  it('returns nothing without raw bytes or when they are too short for their header', () => {
    expect(chunkFieldRanges({ ...chunk({ raw: new Uint8Array() }), raw: undefined })).toEqual([]);
    expect(chunkFieldRanges(chunk({ raw: fromHex('03 0000') }))).toEqual([]);
  });
});
