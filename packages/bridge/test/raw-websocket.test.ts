import { describe, expect, it } from 'vitest';
import { fromHex, splitAtEveryBoundary } from '@rtmp-web/bytes';
import { ServerFrameReader, closeCodeOf, encodeClientFrame } from './support/raw-websocket';

// The test client's frame reader decides what the abuse tests conclude, so it is tested too.
describe('ServerFrameReader (test support)', () => {
  const stream = fromHex(`
    82 03 010203          # FIN, binary, length 3
    02 7e 0100 ${'ab'.repeat(256)} # binary, not FIN, 16-bit length 256
    88 02 03f1            # close, code 1009
  `);

  it('reads whole frames however the bytes are split', () => {
    for (const parts of splitAtEveryBoundary(stream)) {
      const reader = new ServerFrameReader();
      const frames = parts.flatMap((part) => reader.push(part));
      expect(frames.map((f) => [f.fin, f.opcode, f.payload.byteLength])).toEqual([
        [true, 2, 3],
        [false, 2, 256],
        [true, 8, 2],
      ]);
      expect(closeCodeOf(frames[2]!)).toBe(1009);
    }
  });

  it('writes masked client frames with the requested bits', () => {
    const frame = encodeClientFrame({ opcode: 1, payload: new Uint8Array([1, 2, 3]), rsv1: true, fin: false });
    expect(frame[0]).toBe(0x41);
    expect(frame[1]).toBe(0x83);
    const mask = frame.subarray(2, 6);
    expect([...frame.subarray(6)].map((b, i) => b ^ mask[i]!)).toEqual([1, 2, 3]);
    expect(encodeClientFrame({ opcode: 2, payload: new Uint8Array(70_000) }).subarray(1, 10)).toEqual(Buffer.from('ff0000000000011170', 'hex'));
  });
});
