import { concatBytes } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import { RTMP_VERSION } from './digest';

/** Collects handshake bytes across pushes; the handshake is small, so a list of copies is enough. */
export class HandshakeBuffer {
  private parts: Uint8Array[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.total += bytes.length;
  }

  peek(index: number): number {
    let offset = index;
    for (const part of this.parts) {
      if (offset < part.length) return part[offset]!;
      offset -= part.length;
    }
    throw new RangeError(`handshake buffer has no byte ${index}`);
  }

  /** Everything collected, as one array; the buffer is emptied. */
  take(): Uint8Array {
    const out = concatBytes(this.parts);
    this.parts = [];
    this.total = 0;
    return out;
  }

  /** Removes and returns the first `count` bytes (count <= length). */
  shift(count: number): Uint8Array {
    const all = this.take();
    if (count < all.length) this.push(all.slice(count));
    return all.subarray(0, count);
  }
}

/**
 * C0/S0 (§5.2.2): version 3. 6 is RTMPE (encrypted, Adobe-only), anything else is not RTMP;
 * both fail fast so a wrong port or protocol is reported after one byte.
 */
export function checkVersionByte(version: number, label: 'C0' | 'S0'): void {
  if (version === RTMP_VERSION) return;
  const why = version === 6 || version === 8 || version === 9 ? ' (RTMPE encryption is not supported)' : '';
  throw new RtmpError('HANDSHAKE_BAD_VERSION', `${label} announced RTMP version ${version}, expected ${RTMP_VERSION}${why}`, {
    details: { version },
  });
}
