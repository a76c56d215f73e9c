import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/transport/base64url';

/** Deterministic bytes (xorshift), every value reachable. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('base64url (RFC 4648 §5, no padding)', () => {
  it('encodes as Node does, for every length up to 64 and for all 256 byte values', () => {
    const inputs = [...Array.from({ length: 65 }, (_, n) => bytesOf(n, n + 7)), Uint8Array.from({ length: 256 }, (_, i) => i)];
    for (const bytes of inputs) {
      const expected = Buffer.from(bytes).toString('base64url');
      expect(encodeBase64url(bytes)).toBe(expected);
      expect(decodeBase64url(expected)).toEqual(bytes);
    }
  });

  it('gives the RFC 4648 §10 test vectors in the url alphabet, and uses - and _ where base64 has + and /', () => {
    const ascii = (text: string) => new TextEncoder().encode(text);
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((t) => encodeBase64url(ascii(t)))).toEqual(['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy']);
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(decodeBase64url('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
    // Padding is accepted when decoding.
    expect(decodeBase64url('Zm8=')).toEqual(ascii('fo'));
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => decodeBase64url('Zm9v!')).toThrow();
  });
});
