import { describe, it } from 'vitest';
import fc from 'fast-check';
import { ChunkReader } from '../../src/chunk';
import { RtmpError } from '../../src/errors';

describe('ChunkReader on hostile input', () => {
  it('throws only RtmpError for any bytes, however split, and stays within its limits', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 200 }), { maxLength: 20 }), (parts) => {
        const reader = new ChunkReader({ maxMessageSize: 4096, maxChunkStreams: 4, maxBufferedBytes: 8192 });
        try {
          for (const part of parts) reader.push(part);
        } catch (error) {
          if (!(error instanceof RtmpError)) throw error;
          if (!['chunk', 'protocol'].includes(error.category)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
