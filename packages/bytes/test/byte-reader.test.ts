import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, BytesError, fromHex, toHex, splitAtEveryBoundary, concatBytes } from '../src/index';

describe('ByteReader', () => {
  it('reads big-endian fields, the little-endian stream id and 24-bit values', () => {
    const bytes = fromHex(`
      01        # u8 1
      0203      # u16 0x0203
      fffffe    # i24 -2
      00000001  # u32 1
      01000000  # u32le 1
      3ff0000000000000 # f64 1.0
    `);
    const r = new ByteReader(bytes);
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0203);
    expect(r.i24()).toBe(-2);
    expect(r.u32()).toBe(1);
    expect(r.u32le()).toBe(1);
    expect(r.f64()).toBe(1);
    expect(r.remaining).toBe(0);
  });

  it('throws a typed out-of-range error instead of reading past the end', () => {
    const r = new ByteReader(fromHex('0102'));
    r.u8();
    expect(() => r.u16()).toThrow(BytesError);
    try {
      r.u32();
    } catch (error) {
      expect((error as BytesError).code).toBe('BYTES_OUT_OF_RANGE');
      expect((error as BytesError).details).toMatchObject({ offset: 1, needed: 4, remaining: 1 });
    }
    expect(r.position).toBe(1);
  });

  it('round-trips through ByteWriter and rejects out-of-range values', () => {
    const w = new ByteWriter(1);
    w.u8(255).u16(65535).u24(0xabcdef).i24(-5).u32(0xffffffff).u32le(0x01020304).i16(-2).f64(-0.5);
    expect(toHex(w.finish())).toBe('ffffffabcdeffffffbffffffff04030201fffebfe0000000000000');
    expect(() => new ByteWriter().u8(256)).toThrow(BytesError);
    expect(() => new ByteWriter().u24(-1)).toThrow(BytesError);
  });

  it('splits every input at every boundary', () => {
    const input = fromHex('0a0b0c');
    const splits = [...splitAtEveryBoundary(input)];
    expect(splits).toHaveLength(3);
    for (const parts of splits) expect(toHex(concatBytes(parts))).toBe('0a0b0c');
  });
});
