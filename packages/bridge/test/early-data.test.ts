import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { decodeEarlyData, RefusalError } from '../src/index';

const query = (early: string | string[] | null) => {
  const params = new URLSearchParams({ target: '127.0.0.1:1935' });
  for (const value of early === null ? [] : Array.isArray(early) ? early : [early]) params.append('early', value);
  return params;
};

function refusalOf(run: () => unknown): { reason: string; status: number; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RefusalError);
    const refusal = error as RefusalError;
    return { reason: refusal.reason, status: refusal.status, message: refusal.message };
  }
  throw new Error('no refusal');
}

describe('decodeEarlyData (RFC 4648 §5 base64url, strict)', () => {
  it('returns null without the parameter', () => {
    expect(decodeEarlyData(query(null), 4096)).toBeNull();
  });

  it('decodes RTMP C0 + the start of C1, unpadded and padded', () => {
    const bytes = fromHex(`
      03           # C0: RTMP version 3
      00 00 00 00  # C1 time
      00 00 00 00  # C1 zero
      fb ff        # two random bytes whose encoding uses - and _ (62 and 63)
    `);
    // 03 00 00 | 00 00 00 | 00 00 00 | fb ff -> AwAA AAAA AAAA -_8
    expect(decodeEarlyData(query('AwAAAAAAAAAA-_8'), 4096)).toEqual(Buffer.from(bytes));
    expect(decodeEarlyData(query('AwAAAAAAAAAA-_8='), 4096)).toEqual(Buffer.from(bytes));
    expect(decodeEarlyData(query('AA'), 4096)).toEqual(Buffer.from([0]));
    expect(decodeEarlyData(query('AA=='), 4096)).toEqual(Buffer.from([0]));
  });

  it('round-trips any bytes up to the limit, and refuses one byte more with 413', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64url');
        expect(decodeEarlyData(query(text), bytes.byteLength)).toEqual(Buffer.from(bytes));
        expect(refusalOf(() => decodeEarlyData(query(text), bytes.byteLength - 1))).toMatchObject({ reason: 'early-data-too-large', status: 413 });
      }),
    );
  });

  it('sizes the payload from its length: 4096 bytes pass, 4097 are refused before decoding', () => {
    const max = Buffer.alloc(4096, 0xab).toString('base64url');
    expect(decodeEarlyData(query(max), 4096)?.byteLength).toBe(4096);
    const over = Buffer.alloc(4097, 0xab).toString('base64url');
    expect(refusalOf(() => decodeEarlyData(query(over), 4096))).toEqual({
      reason: 'early-data-too-large',
      status: 413,
      message: 'early data of 4097 bytes is over the limit of 4096',
    });
    expect(refusalOf(() => decodeEarlyData(query('AA'), 0)).reason).toBe('early-data-too-large');
  });

  it.each([
    ['standard base64 characters', 'ab+/', 'early data is not base64url (RFC 4648 §5)'],
    ['a space', 'AA AA', 'early data is not base64url (RFC 4648 §5)'],
    ['padding in the middle', 'AA==AA', 'early data is not base64url (RFC 4648 §5)'],
    ['three padding characters', 'A===', 'early data is not base64url (RFC 4648 §5)'],
    ['padding that does not end a quantum', 'AA=', 'early data has misplaced base64url padding'],
    ['one character after full quanta', 'AAAAA', 'early data has an impossible base64url length'],
    ['stray bits in the last character', 'AB', 'early data is not canonical base64url'],
    ['stray bits before padding', 'AAB=', 'early data is not canonical base64url'],
    ['nothing', '', 'early data is empty'],
  ])('refuses %s with 400 bad-request', (_what, text, message) => {
    expect(refusalOf(() => decodeEarlyData(query(text), 4096))).toEqual({ reason: 'bad-request', status: 400, message });
  });

  it('refuses the parameter given twice', () => {
    expect(refusalOf(() => decodeEarlyData(query(['AA', 'AA']), 4096))).toEqual({ reason: 'bad-request', status: 400, message: 'early data given more than once' });
  });

  it('never quotes the bytes in its messages', () => {
    const secretish = Buffer.from('a secret-looking payload').toString('base64url');
    expect(refusalOf(() => decodeEarlyData(query(secretish), 4)).message).not.toContain(secretish);
    expect(refusalOf(() => decodeEarlyData(query(`${secretish}!`), 4096)).message).not.toContain(secretish);
  });
});
