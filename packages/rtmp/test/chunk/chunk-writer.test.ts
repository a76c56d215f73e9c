import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '@rtmp-web/bytes';
import { ChunkReader, ChunkStreamId, ChunkWriter } from '../../src/chunk';
import type { ChunkInfo, RtmpMessage } from '../../src/types';
import { filler, summarize } from './read-helpers';

const message = (csid: number, type: number, streamId: number, timestamp: number, payloadHex: string): RtmpMessage => ({
  csid,
  type,
  streamId,
  timestamp,
  payload: fromHex(payloadHex),
});

describe('ChunkWriter: header choice (RTMP 1.0 §5.3.1.2)', () => {
  it('picks fmt 0, 1, 2 or 3 from what the previous message on the chunk stream left', () => {
    const writer = new ChunkWriter();
    const out = [
      message(4, 8, 1, 0, 'af01'),
      message(4, 8, 1, 23, 'af02'),
      message(4, 8, 1, 46, 'af03'),
      message(4, 8, 1, 70, 'af04'),
      message(4, 8, 1, 70, 'af0505'),
      message(4, 8, 1, 60, 'af0606'),
      message(4, 8, 2, 60, 'af0707'),
    ].map((m) => toHex(writer.write(m)));
    expect(out).toEqual([
      '04' + '000000' + '000002' + '08' + '01000000' + 'af01', // fmt 0: first on csid 4
      '84' + '000017' + 'af02', // fmt 2: same length and type, delta 23
      'c4' + 'af03', // fmt 3: delta 23 again
      '84' + '000018' + 'af04', // fmt 2: delta 24
      '44' + '000000' + '000003' + '08' + 'af0505', // fmt 1: the length changed
      '04' + '00003c' + '000003' + '08' + '01000000' + 'af0606', // fmt 0: the timestamp went back
      '04' + '00003c' + '000003' + '08' + '02000000' + 'af0707', // fmt 0: another message stream
    ]);
  });

  it('after a fmt 0 header, uses fmt 3 for a new message only when its timestamp was 0', () => {
    // A fmt 3 after fmt 0 means "delta = that timestamp" to the spec and FFmpeg, "delta 0" to nginx.
    const writer = new ChunkWriter();
    expect(toHex(writer.write(message(5, 18, 1, 1000, 'aa')))).toBe('05' + '0003e8' + '000001' + '12' + '01000000' + 'aa');
    expect(toHex(writer.write(message(5, 18, 1, 2000, 'bb')))).toBe('85' + '0003e8' + 'bb'); // fmt 2, not 3
    expect(toHex(writer.write(message(3, 20, 0, 0, 'cc')))).toBe('03' + '000000' + '000001' + '14' + '00000000' + 'cc');
    expect(toHex(writer.write(message(3, 20, 0, 0, 'dd')))).toBe('c3' + 'dd'); // both readings give 0
  });

  it('splits at the chunk size and repeats the extended timestamp on continuation chunks', () => {
    const writer = new ChunkWriter();
    const bytes = writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 0x12345678, payload: fromHex(filler(200, 0)) });
    expect(toHex(bytes)).toBe(
      toHex(
        fromHex(`
          06 ffffff 0000c8 09 01000000 12345678   # fmt 0, extended timestamp
          ${filler(128, 0)}
          c6 12345678                             # continuation, extended timestamp repeated
          ${filler(72, 128)}
        `),
      ),
    );
    // A fmt 3 new message whose delta is extended restates it too (§5.3.1.3).
    expect(toHex(writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 0x12345678 + 0x1000000, payload: fromHex(filler(200, 0)) }))).toBe(
      toHex(fromHex(`86 ffffff 01000000 ${filler(128, 0)} c6 01000000 ${filler(72, 128)}`)),
    );
    expect(toHex(writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 0x12345678 + 0x2000000, payload: fromHex('00') }))).toBe(
      toHex(fromHex(`46 ffffff 000001 09 01000000 00`)),
    );
  });

  it('writes 1-, 2- and 3-byte basic headers', () => {
    const writer = new ChunkWriter();
    const basic = (csid: number) => toHex(writer.write(message(csid, 20, 0, 0, '01')).subarray(0, csid < 64 ? 1 : csid < 320 ? 2 : 3));
    expect([basic(2), basic(63), basic(64), basic(319), basic(320), basic(65599)]).toEqual(['02', '3f', '0000', '00ff', '010001', '01ffff']);
  });

  it('a Set Chunk Size message goes out at the old size and switches the size after it', () => {
    const writer = new ChunkWriter();
    expect(writer.chunkSize).toBe(128);
    const setChunkSize = writer.write(message(ChunkStreamId.ProtocolControl, 1, 0, 0, '00000100'));
    expect(toHex(setChunkSize)).toBe('02' + '000000' + '000004' + '01' + '00000000' + '00000100');
    expect(writer.chunkSize).toBe(256);
    expect(writer.write(message(6, 9, 1, 0, filler(200, 0))).length).toBe(12 + 200); // one chunk
  });

  it('rejects what the wire cannot carry', () => {
    const writer = new ChunkWriter();
    expect(() => writer.write(message(1, 20, 0, 0, ''))).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CSID', category: 'chunk' }));
    expect(() => writer.write(message(65600, 20, 0, 0, ''))).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CSID' }));
    expect(() => writer.write({ csid: 3, type: 20, streamId: 0, timestamp: 2 ** 32, payload: new Uint8Array(0) })).toThrow(
      expect.objectContaining({ code: 'MESSAGE_MALFORMED' }),
    );
    expect(() => writer.write({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: new Uint8Array(0x1000000) })).toThrow(
      expect.objectContaining({ code: 'CHUNK_MESSAGE_TOO_LARGE' }),
    );
    expect(() => new ChunkWriter({ chunkSize: 0 })).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CHUNK_SIZE' }));
  });

  it('reports its chunks and messages to the tap', () => {
    const chunks: ChunkInfo[] = [];
    const messages: string[] = [];
    const writer = new ChunkWriter({
      tap: { wantsRawChunks: true, chunk: (info) => chunks.push(info), message: (event) => messages.push(`${event.direction} ${event.message.type} ${event.at}`) },
      now: () => 7,
    });
    const bytes = writer.write(message(6, 9, 1, 40, filler(130, 0)));
    expect(chunks.map((c) => [c.direction, c.fmt, c.headerLength, c.payloadOffset, c.payloadLength, c.completesMessage, c.timestamp])).toEqual([
      ['out', 0, 12, 0, 128, false, 40],
      ['out', 3, 1, 128, 2, true, 40],
    ]);
    expect(concatBytes(chunks.map((c) => c.raw!))).toEqual(bytes);
    expect(messages).toEqual(['out 9 7']);
  });
});

describe('ChunkWriter -> ChunkReader round trip (property)', () => {
  const csids = fc.constantFrom(3, 4, 5, 6, 8, 63, 64, 200, 319, 320, 1000, 65599);
  const arbitraryMessage = fc.record({
    csid: csids,
    type: fc.constantFrom(4, 8, 9, 15, 17, 18, 20, 22),
    streamId: fc.constantFrom(0, 1, 2, 0xffffffff),
    timestamp: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0xfffff0, max: 0x1000010 }), fc.integer({ min: 0, max: 0xffffffff })),
    payload: fc.uint8Array({ minLength: 0, maxLength: 700 }),
  });
  // Either a message, or a Set Chunk Size that the writer applies to itself and the reader learns from the stream.
  const step = fc.oneof(
    { weight: 6, arbitrary: arbitraryMessage.map((m) => ({ kind: 'message' as const, message: m })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }).map((size) => ({ kind: 'chunk-size' as const, size })) },
  );

  it('any messages, chunk sizes and Set Chunk Size changes come back identically, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.array(step, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 12 }), (initialSize, steps, cuts) => {
        const writer = new ChunkWriter({ chunkSize: initialSize });
        const expected: RtmpMessage[] = [];
        const parts: Uint8Array[] = [];
        for (const s of steps) {
          const m: RtmpMessage =
            s.kind === 'message'
              ? s.message
              : { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: Uint8Array.of(s.size >>> 24, (s.size >>> 16) & 0xff, (s.size >>> 8) & 0xff, s.size & 0xff) };
          parts.push(writer.write(m));
          expected.push(m);
        }
        const bytes = concatBytes(parts);
        const positions = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
        const reader = new ChunkReader();
        reader.setChunkSize(initialSize);
        const got: RtmpMessage[] = [];
        let from = 0;
        for (const at of [...positions, bytes.length]) {
          got.push(...reader.push(bytes.subarray(from, at)));
          from = at;
        }
        expect(got.map(summarize)).toEqual(expected.map(summarize));
        expect(reader.bytesReceived).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });
});
