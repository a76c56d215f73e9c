import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBase64, encodeBase64 } from '../src/base64';
import { InspectorError } from '../src/errors';

describe('base64 (RFC 4648 §4)', () => {
  it('encodes the RFC 4648 §10 test vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(bytes);
    }
  });

  it('round-trips any bytes, including long runs that cross the internal flush size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects bad length, bad characters, inner padding and non-zero pad bits with a typed error', () => {
    for (const bad of ['Zg=', 'Zm9v!A==', 'Zg==Zg==', 'Zh==', 'Zm9=']) {
      let caught: unknown;
      try {
        decodeBase64(bad, '$.x');
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(InspectorError);
      expect((caught as InspectorError).code).toBe('INSPECTOR_IMPORT_BAD_BASE64');
      expect((caught as InspectorError).message).toContain('$.x');
    }
  });
});
