import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, splitAtEveryBoundary } from '@rtmp-web/bytes';
import { hmacSha256Sync, sha256 } from '../../src/handshake/sha256';

const text = (s: string) => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('sha256 (FIPS 180-4)', () => {
  // Vectors from the NIST examples for SHA-256 (FIPS 180-4 / CSRC "Examples with Intermediate Values").
  it('hashes the NIST one-block, two-block and empty messages', () => {
    expect(hex(sha256([text('abc')]))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256([text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')]))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(hex(sha256([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the same digest however the message is split into parts', () => {
    const message = text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
    for (const parts of splitAtEveryBoundary(message)) {
      expect(hex(sha256(parts))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    }
  });

  it('agrees with node:crypto at every length around the padding boundaries and on random input', () => {
    for (let length = 0; length <= 200; length++) {
      const message = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      expect(hex(sha256([message]))).toBe(createHash('sha256').update(message).digest('hex'));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (message) => {
        expect(hex(sha256([message]))).toBe(createHash('sha256').update(message).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });
});

describe('hmacSha256Sync (RFC 2104)', () => {
  // RFC 4231 §4.2, §4.3 and §4.7 (a key longer than the block is hashed first).
  it('matches the RFC 4231 test cases 1, 2 and 7', () => {
    expect(hex(hmacSha256Sync(fromHex('0b'.repeat(20)), [text('Hi There')]))).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(hex(hmacSha256Sync(text('Jefe'), [text('what do ya want '), text('for nothing?')]))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(
      hex(
        hmacSha256Sync(fromHex('aa'.repeat(131)), [
          text('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
        ]),
      ),
    ).toBe('9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2');
  });

  it('agrees with node:crypto for random keys and messages, the handshake sizes included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 1600 }), (key, message) => {
        expect(hex(hmacSha256Sync(key, [message]))).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });
});
