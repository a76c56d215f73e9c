import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { ChunkReader } from '../../src/chunk';
import type { ChunkInfo } from '../../src/types';
import { expectErrorEverySplit, expectReadsEverySplit, filler } from './read-helpers';

describe('ChunkReader: headers (RTMP 1.0 §5.3.1)', () => {
  it('fmt 0, one chunk: Window Acknowledgement Size from a server', () => {
    const bytes = fromHex(`
      02          # fmt 0, csid 2
      000000      # timestamp 0
      000004      # message length 4
      05          # type 5 Window Acknowledgement Size
      00000000    # message stream id 0 (little-endian)
      004c4b40    # 5 000 000
    `);
    expectReadsEverySplit(bytes, [{ csid: 2, type: 5, streamId: 0, timestamp: 0, payload: '004c4b40' }]);
  });

  it('fmt 0 then a fmt 3 continuation at the default chunk size of 128', () => {
    const bytes = fromHex(`
      06          # fmt 0, csid 6
      0003e8      # timestamp 1000
      0000c8      # length 200
      09          # video
      01000000    # message stream id 1 (little-endian)
      ${filler(128, 0)}
      c6          # fmt 3, csid 6: continuation
      ${filler(72, 128)}
    `);
    expectReadsEverySplit(bytes, [{ csid: 6, type: 9, streamId: 1, timestamp: 1000, payload: filler(200, 0) }]);
  });

  it('fmt 1 and fmt 2 deltas accumulate; a fmt 3 new message reuses the last delta', () => {
    const bytes = fromHex(`
      04 000000 000002 08 01000000 af01    # fmt 0: ts 0, length 2, audio, stream 1
      44 000017 000003 08 af0102           # fmt 1: delta 23, length 3, audio
      84 000018 af0103                     # fmt 2: delta 24
      c4 af0104                            # fmt 3: a new message, delta 24 again
    `);
    expectReadsEverySplit(bytes, [
      { csid: 4, type: 8, streamId: 1, timestamp: 0, payload: 'af01' },
      { csid: 4, type: 8, streamId: 1, timestamp: 23, payload: 'af0102' },
      { csid: 4, type: 8, streamId: 1, timestamp: 47, payload: 'af0103' },
      { csid: 4, type: 8, streamId: 1, timestamp: 71, payload: 'af0104' },
    ]);
  });

  it('a fmt 3 new message right after fmt 0 takes the fmt 0 timestamp as its delta (§5.3.1.2.4)', () => {
    const bytes = fromHex(`
      04 000064 000001 08 01000000 aa      # fmt 0: ts 100
      c4 bb                                # fmt 3: ts 100 + 100
    `);
    expectReadsEverySplit(bytes, [
      { csid: 4, type: 8, streamId: 1, timestamp: 100, payload: 'aa' },
      { csid: 4, type: 8, streamId: 1, timestamp: 200, payload: 'bb' },
    ]);
  });

  it('fmt 1 inherits the message stream id; fmt 2 the length and type too', () => {
    const bytes = fromHex(`
      08 000000 000001 14 05000000 02      # fmt 0 on csid 8, stream 5, command
      48 000001 000002 12 0203             # fmt 1: data message, still stream 5
      88 000001 0405                       # fmt 2: length 2, type 18, stream 5
    `);
    expectReadsEverySplit(bytes, [
      { csid: 8, type: 20, streamId: 5, timestamp: 0, payload: '02' },
      { csid: 8, type: 18, streamId: 5, timestamp: 1, payload: '0203' },
      { csid: 8, type: 18, streamId: 5, timestamp: 2, payload: '0405' },
    ]);
  });

  it('2-byte and 3-byte basic headers (csid 64..319 and 64..65599)', () => {
    const bytes = fromHex(`
      00 00       # fmt 0, 2-byte form: csid 64 + 0 = 64
      000000 000001 14 00000000 01
      00 ff       # csid 64 + 255 = 319
      000000 000001 14 00000000 02
      01 2c 01    # fmt 0, 3-byte form: csid 64 + 0x2c + 0x01 * 256 = 364
      000000 000001 14 00000000 03
      01 ff ff    # csid 64 + 255 + 255 * 256 = 65599, the largest
      000000 000001 14 00000000 04
      40 00       # fmt 1 on csid 64 (2-byte form)
      000005 000001 14 05
      c1 2c 01    # fmt 3 on csid 364 (3-byte form): new message, delta 0
      06
    `);
    expectReadsEverySplit(bytes, [
      { csid: 64, type: 20, streamId: 0, timestamp: 0, payload: '01' },
      { csid: 319, type: 20, streamId: 0, timestamp: 0, payload: '02' },
      { csid: 364, type: 20, streamId: 0, timestamp: 0, payload: '03' },
      { csid: 65599, type: 20, streamId: 0, timestamp: 0, payload: '04' },
      { csid: 64, type: 20, streamId: 0, timestamp: 5, payload: '05' },
      { csid: 364, type: 20, streamId: 0, timestamp: 0, payload: '06' },
    ]);
  });

  it('a 3-byte basic header spanning chunks of a multi-chunk message', () => {
    const bytes = fromHex(`
      01 2c 01 000000 000082 09 01000000   # csid 364, length 130
      ${filler(128, 7)}
      c1 2c 01                             # fmt 3 continuation in the 3-byte form
      ${filler(2, 135)}
    `);
    expectReadsEverySplit(bytes, [{ csid: 364, type: 9, streamId: 1, timestamp: 0, payload: filler(130, 7) }]);
  });

  it('a zero-length message completes at its header', () => {
    const bytes = fromHex(`
      03 000000 000000 14 00000000         # an empty command message
      03 000000 000001 14 00000000 05      # fmt 0 again
    `);
    expectReadsEverySplit(bytes, [
      { csid: 3, type: 20, streamId: 0, timestamp: 0, payload: '' },
      { csid: 3, type: 20, streamId: 0, timestamp: 0, payload: '05' },
    ]);
  });
});

describe('ChunkReader: extended timestamps (§5.3.1.3)', () => {
  it('repeated on fmt 3 chunks (Flash, nginx, FFmpeg), including a fmt 3 new message', () => {
    const bytes = fromHex(`
      06 ffffff 0000c8 09 01000000         # fmt 0, timestamp field 0xFFFFFF: extended
      12345678                             # extended timestamp 0x12345678
      ${filler(128, 0)}
      c6 12345678                          # continuation repeats it
      ${filler(72, 128)}
      c6 12345678                          # fmt 3 new message: delta 0x12345678 again, restated
      ${filler(128, 50)}
      c6 12345678
      ${filler(72, 178)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 6, type: 9, streamId: 1, timestamp: 0x12345678, payload: filler(200, 0) },
      { csid: 6, type: 9, streamId: 1, timestamp: 0x2468acf0, payload: filler(200, 50) },
    ]);
  });

  it('not repeated on fmt 3 chunks: the 4 bytes after the header are payload', () => {
    const bytes = fromHex(`
      06 ffffff 0000c8 09 01000000 12345678
      ${filler(128, 0)}
      c6                                   # continuation, no extended timestamp
      ${filler(72, 128)}
      c6                                   # fmt 3 new message, delta 0x12345678, not restated
      ${filler(128, 50)}
      c6
      ${filler(72, 178)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 6, type: 9, streamId: 1, timestamp: 0x12345678, payload: filler(200, 0) },
      { csid: 6, type: 9, streamId: 1, timestamp: 0x2468acf0, payload: filler(200, 50) },
    ]);
  });

  it('not repeated, with a 2-byte continuation payload followed at once by the next header', () => {
    const bytes = fromHex(`
      06 ffffff 000082 09 01000000 00fffffe   # length 130, extended timestamp 0xFFFFFE
      ${filler(128, 0)}
      c6 8081                                 # continuation: 2 bytes of payload, no repeat
      04 000000 000001 08 01000000 aa         # the next message starts right away
    `);
    expectReadsEverySplit(bytes, [
      { csid: 6, type: 9, streamId: 1, timestamp: 0xfffffe, payload: filler(130, 0) },
      { csid: 4, type: 8, streamId: 1, timestamp: 0, payload: 'aa' },
    ]);
  });

  it('extended deltas on fmt 1 and fmt 2, and 32-bit wrap-around', () => {
    const bytes = fromHex(`
      04 ffffff 000001 08 01000000 fffffff0 aa   # fmt 0, extended timestamp 0xFFFFFFF0
      84 000020 bb                               # fmt 2, delta 0x20: wraps to 0x10
      44 ffffff 000001 08 01000000 cc            # fmt 1, extended delta 0x01000000
    `);
    expectReadsEverySplit(bytes, [
      { csid: 4, type: 8, streamId: 1, timestamp: 0xfffffff0, payload: 'aa' },
      { csid: 4, type: 8, streamId: 1, timestamp: 0x10, payload: 'bb' },
      { csid: 4, type: 8, streamId: 1, timestamp: 0x01000010, payload: 'cc' },
    ]);
  });
});

describe('ChunkReader: interleaving and control messages', () => {
  it('messages interleaved across chunk streams come out as each completes', () => {
    const bytes = fromHex(`
      04 000000 0000c8 08 01000000         # audio, 200 bytes
      ${filler(128, 0)}
      06 000000 000082 09 01000000         # video, 130 bytes, starts before the audio ends
      ${filler(128, 100)}
      c4                                   # audio continues
      ${filler(72, 128)}
      c6                                   # video continues
      ${filler(2, 228)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 4, type: 8, streamId: 1, timestamp: 0, payload: filler(200, 0) },
      { csid: 6, type: 9, streamId: 1, timestamp: 0, payload: filler(130, 100) },
    ]);
  });

  it('Set Chunk Size takes effect for the very next chunk, within the same push (§5.4.1)', () => {
    const bytes = fromHex(`
      02 000000 000004 01 00000000         # Set Chunk Size
      00000100                             # 256
      06 000000 0000c8 09 01000000         # 200 bytes: one chunk now
      ${filler(200, 0)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: '00000100' },
      { csid: 6, type: 9, streamId: 1, timestamp: 0, payload: filler(200, 0) },
    ]);
    const reader = new ChunkReader();
    reader.push(bytes);
    expect(reader.chunkSize).toBe(256);
  });

  it('Set Chunk Size in the middle of another message applies to its remaining chunks', () => {
    const bytes = fromHex(`
      06 000000 000190 09 01000000         # video, 400 bytes
      ${filler(128, 0)}                    # first chunk at 128
      02 000000 000004 01 00000000 00001000  # Set Chunk Size 4096
      c6                                   # the rest in one chunk
      ${filler(272, 128)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: '00001000' },
      { csid: 6, type: 9, streamId: 1, timestamp: 0, payload: filler(400, 0) },
    ]);
  });

  it('Abort drops the partial message; the next fmt 3 chunk on that stream starts a new one (§5.4.2)', () => {
    const bytes = fromHex(`
      04 000000 0000c8 08 01000000         # audio, 200 bytes
      ${filler(128, 0)}                    # first chunk only
      02 000000 000004 02 00000000         # Abort
      00000004                             # chunk stream 4
      c4                                   # a new 200-byte message, same header
      ${filler(128, 90)}
      c4
      ${filler(72, 218)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 2, type: 2, streamId: 0, timestamp: 0, payload: '00000004' },
      { csid: 4, type: 8, streamId: 1, timestamp: 0, payload: filler(200, 90) },
    ]);
  });

  it('abort() called mid-chunk skips the rest of that chunk', () => {
    const reader = new ChunkReader();
    expect(reader.push(fromHex(`04 000000 0000c8 08 01000000 ${filler(100, 0)}`))).toEqual([]);
    reader.abort(4);
    expect(reader.push(fromHex(`${filler(28, 100)} 04 000000 000001 08 01000000 aa`)).map((m) => m.payload)).toEqual([fromHex('aa')]);
  });

  it('a fmt 0/1/2 header in the middle of a message abandons the partial message', () => {
    const bytes = fromHex(`
      04 000000 0000c8 08 01000000 ${filler(128, 0)}   # 200 bytes announced, 128 sent
      44 000010 000001 08 cc                           # fmt 1: a new 1-byte message instead
    `);
    expectReadsEverySplit(bytes, [{ csid: 4, type: 8, streamId: 1, timestamp: 16, payload: 'cc' }]);
  });

  it('setChunkSize() applies to the next chunk header', () => {
    const bytes = fromHex(`06 000000 0000c8 09 01000000 ${filler(200, 0)}`);
    expectReadsEverySplit(bytes, [{ csid: 6, type: 9, streamId: 1, timestamp: 0, payload: filler(200, 0) }], undefined, (reader) =>
      reader.setChunkSize(200),
    );
  });

  it('push() takes the input: a single-chunk payload is a view of it, unchanged by later pushes', () => {
    const reader = new ChunkReader();
    const input = fromHex('04 000000 000002 08 01000000 abcd');
    const [message] = reader.push(input);
    expect(message!.payload.buffer).toBe(input.buffer);
    expect(message!.payload.byteOffset).toBe(12);
    reader.push(fromHex('04 000000 000002 08 01000000 eeff'));
    expect(message!.payload).toEqual(fromHex('abcd'));
  });

  it('bytesReceived counts every byte pushed', () => {
    const reader = new ChunkReader();
    reader.push(fromHex('04 000000 000002'));
    reader.push(fromHex('08 01000000 ab'));
    expect(reader.bytesReceived).toBe(13);
    reader.push(fromHex('cd'));
    expect(reader.bytesReceived).toBe(14);
  });
});

describe('ChunkReader: errors and limits', () => {
  it('CHUNK_UNKNOWN_STREAM: fmt 1, 2 or 3 on a chunk stream with no previous header', () => {
    expectErrorEverySplit(fromHex('44 000017 000003 08 af0102'), 'CHUNK_UNKNOWN_STREAM');
    expectErrorEverySplit(fromHex('84 000017 af'), 'CHUNK_UNKNOWN_STREAM');
    expectErrorEverySplit(fromHex('04 000000 000001 08 01000000 aa c5 bb'), 'CHUNK_UNKNOWN_STREAM');
  });

  it('CHUNK_MESSAGE_TOO_LARGE as soon as the header announces too much', () => {
    expectErrorEverySplit(fromHex('04 000000 000100 08 01000000'), 'CHUNK_MESSAGE_TOO_LARGE', { maxMessageSize: 255 });
    const reader = new ChunkReader({ maxMessageSize: 255 });
    expect(() => reader.push(fromHex('04 000000 000100 08 01000000'))).toThrow(
      expect.objectContaining({ code: 'CHUNK_MESSAGE_TOO_LARGE', details: { csid: 4, length: 256, limit: 255, type: 8 } }),
    );
    // The reader stays failed.
    expect(() => reader.push(fromHex('00'))).toThrow(expect.objectContaining({ code: 'CHUNK_MESSAGE_TOO_LARGE' }));
  });

  it('CHUNK_TOO_MANY_STREAMS when more messages are in progress than allowed', () => {
    const bytes = fromHex(`
      04 000000 0000c8 08 01000000 ${filler(128, 0)}   # in progress: 1
      05 000000 0000c8 08 01000000 ${filler(128, 0)}   # in progress: 2
      03 000000 000001 14 00000000 01                  # completes at once: fine
      06 000000 0000c8 09 01000000                     # a third in progress: refused
    `);
    expectErrorEverySplit(bytes, 'CHUNK_TOO_MANY_STREAMS', { maxChunkStreams: 2 });
  });

  it('CHUNK_BUFFER_LIMIT when the messages in progress would hold too many bytes', () => {
    const bytes = fromHex(`
      04 000000 0000c8 08 01000000 ${filler(128, 0)}
      06 000000 0000c8 09 01000000
    `);
    expectErrorEverySplit(bytes, 'CHUNK_BUFFER_LIMIT', { maxBufferedBytes: 399 });
  });

  it('CHUNK_BAD_CHUNK_SIZE for 0, a set top bit, or a short payload', () => {
    expectErrorEverySplit(fromHex('02 000000 000004 01 00000000 00000000'), 'CHUNK_BAD_CHUNK_SIZE');
    expectErrorEverySplit(fromHex('02 000000 000004 01 00000000 80000000'), 'CHUNK_BAD_CHUNK_SIZE');
    expectErrorEverySplit(fromHex('02 000000 000002 01 00000000 0100'), 'CHUNK_BAD_CHUNK_SIZE');
    expect(() => new ChunkReader().setChunkSize(0)).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CHUNK_SIZE' }));
  });

  it('the largest chunk size is accepted', () => {
    const bytes = fromHex('02 000000 000004 01 00000000 7fffffff 06 000000 000003 09 01000000 010203');
    expectReadsEverySplit(bytes, [
      { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: '7fffffff' },
      { csid: 6, type: 9, streamId: 1, timestamp: 0, payload: '010203' },
    ]);
  });
});

describe('ChunkReader: tap', () => {
  it('reports every chunk with its header facts and raw bytes, and every message', () => {
    const chunks: ChunkInfo[] = [];
    const messages: number[] = [];
    const reader = new ChunkReader({
      tap: { wantsRawChunks: true, chunk: (info) => chunks.push(info), message: (event) => messages.push(event.message.timestamp) },
      now: () => 42,
    });
    const first = `06 0003e8 000082 09 01000000 ${filler(128, 0)}`;
    const second = `c6 ${filler(2, 128)}`;
    const third = `86 000028 ${filler(128, 1)}`;
    reader.push(fromHex(first + second + third));
    reader.push(fromHex(`c6 ${filler(2, 129)}`));
    expect(chunks.map(({ raw, ...rest }) => ({ ...rest, rawLength: raw?.length }))).toEqual([
      { direction: 'in', fmt: 0, csid: 6, timestampField: 1000, extendedTimestamp: false, timestamp: 1000, messageLength: 130, messageType: 9, streamId: 1, headerLength: 12, payloadLength: 128, payloadOffset: 0, completesMessage: false, rawLength: 140 },
      { direction: 'in', fmt: 3, csid: 6, timestampField: 0, extendedTimestamp: false, timestamp: 1000, messageLength: 130, messageType: 9, streamId: 1, headerLength: 1, payloadLength: 2, payloadOffset: 128, completesMessage: true, rawLength: 3 },
      { direction: 'in', fmt: 2, csid: 6, timestampField: 40, extendedTimestamp: false, timestamp: 1040, messageLength: 130, messageType: 9, streamId: 1, headerLength: 4, payloadLength: 128, payloadOffset: 0, completesMessage: false, rawLength: 132 },
      { direction: 'in', fmt: 3, csid: 6, timestampField: 0, extendedTimestamp: false, timestamp: 1040, messageLength: 130, messageType: 9, streamId: 1, headerLength: 1, payloadLength: 2, payloadOffset: 128, completesMessage: true, rawLength: 3 },
    ]);
    expect(chunks[0]!.raw).toEqual(fromHex(first));
    expect(chunks[1]!.raw).toEqual(fromHex(second));
    expect(messages).toEqual([1000, 1040]);
  });
});
