import { RtmpError } from '../errors';

/**
 * MSB-first bit reader for codec headers (H.264/H.265 RBSP with Exp-Golomb codes, AV1 OBUs,
 * AAC AudioSpecificConfig). Running out of bits is MEDIA_MALFORMED, never garbage.
 */
export class BitReader {
  private bitOffset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get bitsLeft(): number {
    return this.bytes.length * 8 - this.bitOffset;
  }

  get bytePosition(): number {
    return this.bitOffset >>> 3;
  }

  /** Up to 32 bits as an unsigned number. */
  bits(count: number): number {
    if (count > this.bitsLeft) {
      throw new RtmpError('MEDIA_MALFORMED', `${this.what} ended: needed ${count} more bit(s), ${this.bitsLeft} left`, {
        details: { needed: count, left: this.bitsLeft },
      });
    }
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[this.bitOffset >>> 3]!;
      value = value * 2 + ((byte >>> (7 - (this.bitOffset & 7))) & 1);
      this.bitOffset++;
    }
    return value;
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(count: number): void {
    if (count > this.bitsLeft) this.bits(count); // throws with the same message
    this.bitOffset += count;
  }

  /** Unsigned Exp-Golomb ue(v) (H.264 §9.1). */
  ue(): number {
    let zeros = 0;
    while (this.bits(1) === 0) {
      zeros++;
      if (zeros > 31) throw new RtmpError('MEDIA_MALFORMED', `${this.what}: Exp-Golomb code longer than 32 bits`);
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed Exp-Golomb se(v) (H.264 §9.1.1). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** AV1 uvlc() (AV1 §4.10.3). */
  uvlc(): number {
    let zeros = 0;
    while (!this.flag()) {
      zeros++;
      if (zeros >= 32) return 2 ** 32 - 1;
    }
    return zeros === 0 ? 0 : this.bits(zeros) + 2 ** zeros - 1;
  }
}

/** Removes emulation-prevention bytes (00 00 03 -> 00 00), giving the RBSP of a NAL unit (H.264 §7.4.1). */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  let zeros = 0;
  let escapes = 0;
  for (let i = 0; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      escapes++;
      zeros = 0;
      continue;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
  }
  if (escapes === 0) return nal;
  const out = new Uint8Array(nal.length - escapes);
  zeros = 0;
  let o = 0;
  for (let i = 0; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
    out[o++] = nal[i]!;
  }
  return out;
}

export function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
