import { BytesError } from './errors';

/**
 * Bounds-checked big-endian reader over a Uint8Array (shaka's DataViewReader shape).
 * Every read checks the remaining length first and throws BytesError('BYTES_OUT_OF_RANGE')
 * instead of returning garbage, so callers can treat "not enough bytes" uniformly.
 */
export class ByteReader {
  private readonly view: DataView;
  private offset: number;

  constructor(readonly bytes: Uint8Array, start = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  hasRemaining(count = 1): boolean {
    return this.remaining >= count;
  }

  seek(position: number): void {
    if (position < 0 || position > this.bytes.byteLength) {
      throw new BytesError('BYTES_OUT_OF_RANGE', `seek to ${position} is outside 0..${this.bytes.byteLength}`, { position });
    }
    this.offset = position;
  }

  skip(count: number): void {
    this.need(count);
    this.offset += count;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  peekU8(): number {
    this.need(1);
    return this.view.getUint8(this.offset);
  }

  i8(): number {
    this.need(1);
    return this.view.getInt8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  i16(): number {
    this.need(2);
    const value = this.view.getInt16(this.offset);
    this.offset += 2;
    return value;
  }

  /** 24-bit big-endian unsigned (RTMP timestamps and lengths, RTMP 1.0 §5.3.1.2). */
  u24(): number {
    this.need(3);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 3;
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
  }

  /** 24-bit big-endian signed (FLV CompositionTime, SI24). */
  i24(): number {
    const value = this.u24();
    return value & 0x800000 ? value - 0x1000000 : value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.view.getInt32(this.offset);
    this.offset += 4;
    return value;
  }

  /** 32-bit little-endian unsigned (the message stream id in a type-0 chunk header, §5.3.1.2.1). */
  u32le(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f32(): number {
    this.need(4);
    const value = this.view.getFloat32(this.offset);
    this.offset += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset);
    this.offset += 8;
    return value;
  }

  /** A view (not a copy) of the next `count` bytes. */
  bytesView(count: number): Uint8Array {
    this.need(count);
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** A copy of the next `count` bytes, safe to keep after the input buffer is reused. */
  bytesCopy(count: number): Uint8Array {
    return this.bytesView(count).slice();
  }

  /** UTF-8 text of exactly `count` bytes. Invalid sequences become U+FFFD, never an exception. */
  utf8(count: number): string {
    return utf8Decoder.decode(this.bytesView(count));
  }

  private need(count: number): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new BytesError('BYTES_INVALID_ARGUMENT', `invalid byte count ${count}`, { count });
    }
    if (this.offset + count > this.bytes.byteLength) {
      throw new BytesError(
        'BYTES_OUT_OF_RANGE',
        `needed ${count} byte(s) at offset ${this.offset} but only ${this.remaining} remain`,
        { offset: this.offset, needed: count, remaining: this.remaining },
      );
    }
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
