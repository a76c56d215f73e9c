import { expect } from 'vitest';
import { ByteReader } from '@rtmp-web/bytes';
import { AmfError, type AmfErrorCode, type AmfValue } from '../src/index';

/** Runs `body`, requires an AmfError with `code`, and returns it for further checks. */
export function expectAmfError(body: () => unknown, code: AmfErrorCode): AmfError {
  let caught: unknown;
  try {
    body();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AmfError);
  const error = caught as AmfError;
  expect(error.code).toBe(code);
  expect(error.category).toBe('amf');
  return error;
}

/**
 * AMF decoding is not incremental across pushes, so instead of feeding split input this checks
 * every proper prefix (including the empty one): each must fail with AMF_TRUNCATED and nothing else.
 */
export function expectEveryPrefixTruncated(bytes: Uint8Array, readOne: (reader: ByteReader) => AmfValue): void {
  for (let length = 0; length < bytes.byteLength; length++) {
    const prefix = bytes.subarray(0, length);
    const error = expectAmfError(() => readOne(new ByteReader(prefix)), 'AMF_TRUNCATED');
    expect(error.message.length).toBeGreaterThan(0);
  }
}
