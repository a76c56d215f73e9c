import { BytesError } from './errors';

const utf8Encoder = new TextEncoder();

/** Growable big-endian writer. `finish()` returns a view of exactly the bytes written. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private offset = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buffer.buffer);
  }

  get length(): number {
    return this.offset;
  }

  u8(value: number): this {
    this.ensure(1);
    this.view.setUint8(this.offset, checkRange(value, 0, 0xff, 'u8'));
    this.offset += 1;
    return this;
  }

  i8(value: number): this {
    this.ensure(1);
    this.view.setInt8(this.offset, checkRange(value, -0x80, 0x7f, 'i8'));
    this.offset += 1;
    return this;
  }

  u16(value: number): this {
    this.ensure(2);
    this.view.setUint16(this.offset, checkRange(value, 0, 0xffff, 'u16'));
    this.offset += 2;
    return this;
  }

  i16(value: number): this {
    this.ensure(2);
    this.view.setInt16(this.offset, checkRange(value, -0x8000, 0x7fff, 'i16'));
    this.offset += 2;
    return this;
  }

  u24(value: number): this {
    checkRange(value, 0, 0xffffff, 'u24');
    this.ensure(3);
    this.buffer[this.offset] = (value >>> 16) & 0xff;
    this.buffer[this.offset + 1] = (value >>> 8) & 0xff;
    this.buffer[this.offset + 2] = value & 0xff;
    this.offset += 3;
    return this;
  }

  i24(value: number): this {
    checkRange(value, -0x800000, 0x7fffff, 'i24');
    return this.u24(value < 0 ? value + 0x1000000 : value);
  }

  u32(value: number): this {
    this.ensure(4);
    this.view.setUint32(this.offset, checkRange(value, 0, 0xffffffff, 'u32'));
    this.offset += 4;
    return this;
  }

  i32(value: number): this {
    this.ensure(4);
    this.view.setInt32(this.offset, checkRange(value, -0x80000000, 0x7fffffff, 'i32'));
    this.offset += 4;
    return this;
  }

  u32le(value: number): this {
    this.ensure(4);
    this.view.setUint32(this.offset, checkRange(value, 0, 0xffffffff, 'u32le'), true);
    this.offset += 4;
    return this;
  }

  f32(value: number): this {
    this.ensure(4);
    this.view.setFloat32(this.offset, value);
    this.offset += 4;
    return this;
  }

  f64(value: number): this {
    this.ensure(8);
    this.view.setFloat64(this.offset, value);
    this.offset += 8;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.byteLength);
    this.buffer.set(data, this.offset);
    this.offset += data.byteLength;
    return this;
  }

  /** Writes UTF-8 text with no length prefix and returns the number of bytes written. */
  utf8(text: string): number {
    const encoded = utf8Encoder.encode(text);
    this.bytes(encoded);
    return encoded.byteLength;
  }

  /** Overwrites a u32 at an earlier position (for back-patched lengths). */
  patchU32(position: number, value: number): void {
    if (position < 0 || position + 4 > this.offset) {
      throw new BytesError('BYTES_OUT_OF_RANGE', `patch at ${position} is outside the written bytes`, { position });
    }
    this.view.setUint32(position, checkRange(value, 0, 0xffffffff, 'u32'));
  }

  /** A view of exactly the bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.offset);
  }

  private ensure(count: number): void {
    const needed = this.offset + count;
    if (needed <= this.buffer.byteLength) return;
    let capacity = this.buffer.byteLength * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.offset));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function utf8ByteLength(text: string): number {
  return utf8Encoder.encode(text).byteLength;
}

function checkRange(value: number, min: number, max: number, kind: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BytesError('BYTES_INVALID_ARGUMENT', `${kind} value ${value} is outside ${min}..${max}`, { value, kind });
  }
  return value;
}
