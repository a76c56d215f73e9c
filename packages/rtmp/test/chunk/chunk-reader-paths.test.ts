import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, splitAtEveryBoundary, toHex } from '@rtmp-web/bytes';
import { ChunkReader, ChunkWriter } from '../../src/chunk';
import type { ChunkInfo, RtmpMessage } from '../../src/types';
import { expectReadsEverySplit, filler, readParts } from './read-helpers';

/**
 * The reader's fast paths: the chunks of one message inside one push are read as a run and closed
 * up in place in the pushed bytes (a message wholly inside one push is handed out as a view of
 * them); a message that straddles pushes is copied into a buffer carved from a shared slab.
 * Whatever path a message takes, the result and the tap events must be what reading chunk by
 * chunk gives.
 */

/** 300 bytes on csid 6 at the default chunk size: three chunks (128 + 128 + 44). */
const threeChunks = `
  06 0003e8 00012c 09 01000000   # fmt 0, csid 6, ts 1000, length 300, video, stream 1
  ${filler(128, 0)}
  c6 ${filler(128, 128)}         # fmt 3 continuation
  c6 ${filler(44, 0)}            # fmt 3 continuation, last
`;

function tapEvents(parts: readonly Uint8Array[]): { chunks: ChunkInfo[]; messages: string[] } {
  const chunks: ChunkInfo[] = [];
  const messages: string[] = [];
  const reader = new ChunkReader({
    tap: { wantsRawChunks: true, chunk: (info) => chunks.push(info), message: (event) => messages.push(toHex(event.message.payload)) },
    now: () => 0,
  });
  for (const part of parts) reader.push(part.slice());
  return { chunks, messages };
}

describe('ChunkReader: a whole message in one push', () => {
  it('reads a three-chunk message pushed whole exactly as when pushed byte by byte', () => {
    const bytes = fromHex(threeChunks);
    const expected = [{ csid: 6, type: 9, streamId: 1, timestamp: 1000, payload: filler(256, 0) + filler(44, 0) }];
    expect(readParts([bytes])).toEqual(expected);
    expect(readParts([...bytes].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('reports the same chunks (with raw bytes) and message to the tap either way', () => {
    const bytes = fromHex(threeChunks);
    const whole = tapEvents([bytes]);
    expect(whole.chunks.map((c) => [c.fmt, c.headerLength, c.payloadOffset, c.payloadLength, c.completesMessage, c.timestampField])).toEqual([
      [0, 12, 0, 128, false, 1000],
      [3, 1, 128, 128, false, 0],
      [3, 1, 256, 44, true, 0],
    ]);
    expect(toHex(concatBytes(whole.chunks.map((c) => c.raw!)))).toBe(toHex(bytes));
    for (const parts of splitAtEveryBoundary(bytes)) expect(tapEvents(parts)).toEqual(whole);
  });

  it('falls back to chunk by chunk when another chunk stream interleaves, with the same result', () => {
    const bytes = fromHex(`
      06 000000 000100 09 01000000 ${filler(128, 0)}   # video, 256 bytes: first chunk
      04 000000 000002 08 01000000 af01                # audio in between
      c6 ${filler(128, 128)}                           # video, last chunk
    `);
    expect(readParts([bytes])).toEqual([
      { csid: 4, type: 8, streamId: 1, timestamp: 0, payload: 'af01' },
      { csid: 6, type: 9, streamId: 1, timestamp: 0, payload: filler(256, 0) },
    ]);
  });

  it('applies a Set Chunk Size read whole (in 1-byte chunks) to the chunks after it', () => {
    // At chunk size 1 the 4-byte payload spans four chunks, with 1-byte fmt-3 headers between.
    const cut = fromHex(`
      02 000000 000004 01 00000000 00   # Set Chunk Size 256, first chunk
      c2 00
      c2 01
      c2 00
      06 000000 000003 09 01000000 aabbcc   # one 3-byte chunk at the new size 256
    `);
    const messages = readParts([cut], undefined, (reader) => reader.setChunkSize(1));
    expect(messages).toEqual([
      { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: '00000100' },
      { csid: 6, type: 9, streamId: 1, timestamp: 0, payload: 'aabbcc' },
    ]);
  });
});

describe('ChunkReader: runs after extended timestamps (§5.3.1.3)', () => {
  it('continuations that repeat the extended timestamp (as ChunkWriter, nginx and FFmpeg write them)', () => {
    const writer = new ChunkWriter();
    const stream = concatBytes([
      writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 0x1000000, payload: fromHex(filler(300, 0)) }),
      writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 0x2000000, payload: fromHex(filler(300, 77)) }),
    ]);
    // 12 + 4-byte header, then 5-byte continuations (c6 + the repeated 4 bytes); the second message's header is fmt 2 + 4.
    expect(stream.length).toBe(16 + 300 + 2 * 5 + 8 + 300 + 2 * 5);
    const expected = [
      { csid: 6, type: 9, streamId: 1, timestamp: 0x1000000, payload: filler(300, 0) },
      { csid: 6, type: 9, streamId: 1, timestamp: 0x2000000, payload: filler(300, 77) },
    ];
    expectReadsEverySplit(stream, expected);
    const whole = tapEvents([stream]);
    expect(whole.chunks.map((c) => [c.fmt, c.headerLength, c.extendedTimestamp, c.timestampField])).toEqual([
      [0, 16, true, 0x1000000],
      [3, 5, true, 0x1000000],
      [3, 5, true, 0x1000000],
      [2, 8, true, 0x1000000],
      [3, 5, true, 0x1000000],
      [3, 5, true, 0x1000000],
    ]);
    // Compared as text: the same chunk facts and raw bytes for every split.
    const summary = (events: ReturnType<typeof tapEvents>) => JSON.stringify({ ...events, chunks: events.chunks.map((c) => ({ ...c, raw: toHex(c.raw!) })) });
    expect(toHex(concatBytes(whole.chunks.map((c) => c.raw!)))).toBe(toHex(stream));
    const reference = summary(whole);
    for (const parts of splitAtEveryBoundary(stream)) expect(summary(tapEvents(parts))).toBe(reference);
  });

  it('continuations that do not repeat it (the spec read literally)', () => {
    const bytes = fromHex(`
      06 ffffff 0000c8 09 01000000 01000000   # fmt 0, extended timestamp 0x01000000, 200 bytes
      ${filler(128, 0)}
      c6 ${filler(72, 128)}                   # continuation, no extended field
      46 ffffff 0000c8 09 02000000            # fmt 1, extended delta 0x02000000
      ${filler(128, 5)}
      c6 ${filler(72, 133)}
    `);
    expectReadsEverySplit(bytes, [
      { csid: 6, type: 9, streamId: 1, timestamp: 0x1000000, payload: filler(200, 0) },
      { csid: 6, type: 9, streamId: 1, timestamp: 0x3000000, payload: filler(200, 5) },
    ]);
    for (const parts of splitAtEveryBoundary(bytes)) {
      expect(toHex(concatBytes(tapEvents(parts).chunks.map((c) => c.raw!)))).toBe(toHex(bytes));
    }
  });
});

describe('ChunkReader: payloads stay intact', () => {
  it('closes a message up in place: its payload is a view of the pushed bytes, headers squeezed out', () => {
    const input = fromHex(threeChunks);
    const [message] = new ChunkReader().push(input);
    expect(message!.payload.buffer).toBe(input.buffer);
    expect(message!.payload.byteOffset).toBe(12);
    expect(toHex(input.subarray(12, 312))).toBe(filler(256, 0) + filler(44, 0));
  });

  it('payload views stay correct after later pushes on the same chunk stream', () => {
    const reader = new ChunkReader();
    const [first] = reader.push(fromHex(threeChunks));
    const more = reader.push(fromHex(`86 000010 ${filler(128, 99)} c6 ${filler(128, 1)} c6 ${filler(44, 2)}`));
    const last = reader.push(fromHex(`c6 ${filler(128, 7)} c6 ${filler(128, 8)} c6 ${filler(44, 9)}`));
    expect(toHex(first!.payload)).toBe(filler(256, 0) + filler(44, 0));
    expect(toHex(more[0]!.payload)).toBe(filler(128, 99) + filler(128, 1) + filler(44, 2));
    expect(toHex(last[0]!.payload)).toBe(filler(128, 7) + filler(128, 8) + filler(44, 9));
    expect([first!.timestamp, more[0]!.timestamp, last[0]!.timestamp]).toEqual([1000, 1016, 1032]);
  });

  it('a message straddling pushes (cut inside a chunk and at a chunk boundary) is read whole', () => {
    const bytes = fromHex(threeChunks);
    const expected = filler(256, 0) + filler(44, 0);
    // Inside the second chunk, right before the last chunk's header, and right after it.
    for (const cut of [200, 12 + 128 + 1 + 128, 12 + 128 + 1 + 128 + 1]) {
      const reader = new ChunkReader();
      expect(reader.push(bytes.slice(0, cut))).toEqual([]);
      const [message] = reader.push(bytes.slice(cut));
      expect(toHex(message!.payload)).toBe(expected);
    }
  });

  it('with a raw-chunk tap, every chunk reports the bytes as they arrived (before closing up), for any cut', () => {
    const writer = new ChunkWriter();
    const stream = concatBytes([
      writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 0, payload: fromHex(filler(700, 3)) }),
      writer.write({ csid: 4, type: 8, streamId: 1, timestamp: 0, payload: fromHex(filler(20, 9)) }),
      writer.write({ csid: 6, type: 9, streamId: 1, timestamp: 33, payload: fromHex(filler(700, 200)) }),
    ]);
    for (const parts of splitAtEveryBoundary(stream)) {
      const { chunks, messages } = tapEvents(parts);
      expect(toHex(concatBytes(chunks.map((c) => c.raw!)))).toBe(toHex(stream));
      expect(messages).toEqual([filler(700, 3), filler(20, 9), filler(700, 200)]);
    }
  });

  it('keeps every payload of a long session intact, across many slabs and any cut of the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ csid: fc.constantFrom(3, 4, 6, 70), length: fc.integer({ min: 0, max: 70_000 }), seed: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.constantFrom(128, 1000, 4096, 65536),
        fc.integer({ min: 1, max: 100_000 }),
        (specs, chunkSize, readSize) => {
          const writer = new ChunkWriter();
          const sent: RtmpMessage[] = [];
          const parts: Uint8Array[] = [];
          if (chunkSize !== 128) {
            const size = new Uint8Array(4);
            new DataView(size.buffer).setUint32(0, chunkSize);
            const setSize: RtmpMessage = { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: size };
            sent.push(setSize);
            parts.push(writer.write(setSize));
          }
          specs.forEach((spec, i) => {
            const payload = new Uint8Array(spec.length);
            for (let k = 0; k < payload.length; k++) payload[k] = (spec.seed + k * 31 + (k >> 8)) & 0xff;
            const message: RtmpMessage = { csid: spec.csid, type: 9, streamId: 1, timestamp: i * 33, payload };
            sent.push(message);
            parts.push(writer.write(message));
          });
          const stream = concatBytes(parts);
          const reader = new ChunkReader();
          const received: RtmpMessage[] = [];
          // A fresh copy per read (push() takes it); payloads are checked only after every push.
          for (let p = 0; p < stream.length; p += readSize) received.push(...reader.push(stream.slice(p, p + readSize)));
          expect(received.map((m) => [m.csid, m.timestamp, m.payload.byteLength])).toEqual(sent.map((m) => [m.csid, m.timestamp, m.payload.byteLength]));
          received.forEach((m, i) => {
            if (toHex(m.payload) !== toHex(sent[i]!.payload)) expect({ i, payload: toHex(m.payload) }).toEqual({ i, payload: toHex(sent[i]!.payload) });
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('ChunkReader: any cut of any stream', () => {
  it('reads what was written, with tap raw bytes equal to the stream, for random cuts, interleaving and extended timestamps', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            csid: fc.constantFrom(3, 4, 6, 63, 64, 400),
            length: fc.integer({ min: 0, max: 3000 }),
            step: fc.constantFrom(0, 33, 0xffffff, 0x1000000),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        // 1024 and up: a message that straddles pushes is copied chunk by chunk, not closed up first.
        fc.constantFrom(1, 7, 128, 500, 1024),
        fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 8 }),
        fc.boolean(),
        (specs, chunkSize, cuts, interleave) => {
          // The writer's tap hands over each chunk's bytes, so chunks of different messages can be interleaved.
          let written: Uint8Array[] = [];
          const writer = new ChunkWriter({ tap: { wantsRawChunks: true, chunk: (info) => written.push(info.raw!) } });
          const write = (message: RtmpMessage): Uint8Array[] => {
            written = [];
            writer.write(message);
            return written;
          };
          const sent: RtmpMessage[] = [];
          const pieces: Uint8Array[][] = [];
          const size = new Uint8Array(4);
          new DataView(size.buffer).setUint32(0, chunkSize);
          const setSize: RtmpMessage = { csid: 2, type: 1, streamId: 0, timestamp: 0, payload: size };
          sent.push(setSize);
          pieces.push(write(setSize));
          const clock = new Map<number, number>();
          specs.forEach((spec, i) => {
            const timestamp = ((clock.get(spec.csid) ?? 0) + spec.step) >>> 0;
            clock.set(spec.csid, timestamp);
            const payload = new Uint8Array(spec.length);
            for (let k = 0; k < payload.length; k++) payload[k] = (i * 13 + k * 7) & 0xff;
            const message: RtmpMessage = { csid: spec.csid, type: 9, streamId: 1, timestamp, payload };
            sent.push(message);
            pieces.push(write(message));
          });
          // Interleave the chunks of consecutive messages on different chunk streams (what servers do with audio and video).
          const order: Uint8Array[] = [];
          for (let i = 0; i < pieces.length; i++) {
            const next = pieces[i + 1];
            if (interleave && next !== undefined && sent[i]!.csid !== sent[i + 1]!.csid) {
              const a = pieces[i]!;
              for (let k = 0; k < Math.max(a.length, next.length); k++) {
                if (k < a.length) order.push(a[k]!);
                if (k < next.length) order.push(next[k]!);
              }
              i++;
            } else {
              order.push(...pieces[i]!);
            }
          }
          const stream = concatBytes(order);
          const positions = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let from = 0;
          for (const at of [...positions, stream.length]) {
            parts.push(stream.slice(from, at));
            from = at;
          }
          const chunks: ChunkInfo[] = [];
          const reader = new ChunkReader({ tap: { wantsRawChunks: true, chunk: (info) => chunks.push(info) } });
          const received = parts.flatMap((part) => reader.push(part));
          const key = (m: RtmpMessage) => `${m.csid}/${m.timestamp}/${toHex(m.payload)}`;
          // Interleaving may reorder completions across chunk streams, never within one.
          expect(received.map(key).sort()).toEqual(sent.map(key).sort());
          for (const csid of new Set(sent.map((m) => m.csid))) {
            expect(received.filter((m) => m.csid === csid).map(key)).toEqual(sent.filter((m) => m.csid === csid).map(key));
          }
          expect(toHex(concatBytes(chunks.map((c) => c.raw!)))).toBe(toHex(stream));
        },
      ),
      { numRuns: 300 },
    );
  });
});

