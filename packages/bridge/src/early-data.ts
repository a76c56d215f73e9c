import { RefusalError } from './errors';

/** The query parameter that carries early data: the page's first bytes, base64url. */
export const EARLY_DATA_PARAM = 'early';
/**
 * The subprotocol a page offers to say it sent early data, and that the bridge selects to say
 * it wrote those bytes upstream; a page that sees any other protocol sends them itself.
 */
export const EARLY_DATA_SUBPROTOCOL = 'rtmp-web.early';

/** RFC 4648 §5 alphabet, with the §3.2 padding optional (at most two `=`, only at the end). */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes the `early=` parameter strictly (RFC 4648 §5, base64url; padding optional): any
 * character outside the alphabet, a length no encoding can have, or non-zero bits past the last
 * byte (RFC 4648 §3.5: a non-canonical encoding) is `bad-request`; more than `maxBytes` decoded
 * bytes is `early-data-too-large`, decided from the length before anything is decoded. Returns
 * null when the parameter is absent. Messages never quote the bytes.
 */
export function decodeEarlyData(query: URLSearchParams, maxBytes: number): Buffer | null {
  const values = query.getAll(EARLY_DATA_PARAM);
  if (values.length === 0) return null;
  if (values.length > 1) throw new RefusalError('bad-request', 'early data given more than once');
  const text = values[0]!;
  if (!BASE64URL.test(text)) throw new RefusalError('bad-request', 'early data is not base64url (RFC 4648 §5)');
  const unpadded = text.replace(/=+$/, '');
  if (text.length !== unpadded.length && text.length % 4 !== 0) throw new RefusalError('bad-request', 'early data has misplaced base64url padding');
  // Four characters carry three bytes; a lone trailing character carries none (§4).
  const rest = unpadded.length % 4;
  if (rest === 1) throw new RefusalError('bad-request', 'early data has an impossible base64url length');
  const byteLength = Math.floor(unpadded.length / 4) * 3 + (rest === 0 ? 0 : rest - 1);
  if (byteLength > maxBytes) throw new RefusalError('early-data-too-large', `early data of ${byteLength} bytes is over the limit of ${maxBytes}`);
  if (byteLength === 0) throw new RefusalError('bad-request', 'early data is empty');
  const bytes = Buffer.from(unpadded, 'base64url');
  // Node ignores stray bits in the last character; a canonical encoding has none.
  if (bytes.toString('base64url') !== unpadded) throw new RefusalError('bad-request', 'early data is not canonical base64url');
  return bytes;
}
