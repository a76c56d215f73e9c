import { InspectorError } from './errors';

// RFC 4648 §4 base64 (standard alphabet, with padding). Written here instead of using
// btoa/Buffer so the same code runs in a page and in Node and handles megabytes without
// building a binary string first.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let line = '';
  const full = bytes.byteLength - (bytes.byteLength % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    line += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
    // Flush in pieces: repeated string concatenation on one huge string is slow in some engines.
    if (line.length >= 8192) {
      parts.push(line);
      line = '';
    }
  }
  const rest = bytes.byteLength - full;
  if (rest === 1) {
    const n = bytes[full]! << 16;
    line += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    line += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + '=';
  }
  parts.push(line);
  return parts.join('');
}

/** Strict decoder: rejects characters outside the alphabet, bad padding and non-zero pad bits. */
export function decodeBase64(text: string, path = 'value'): Uint8Array {
  const fail = (why: string): never => {
    throw new InspectorError('INSPECTOR_IMPORT_BAD_BASE64', `${path} is not valid base64: ${why}`, { path });
  };
  if (text.length % 4 !== 0) fail(`length ${text.length} is not a multiple of 4`);
  let padding = 0;
  if (text.endsWith('==')) padding = 2;
  else if (text.endsWith('=')) padding = 1;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const sextets = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      if (last && j >= 4 - padding) {
        if (code !== 61) fail('padding in the middle');
        continue;
      }
      const value = code < 128 ? DECODE[code]! : -1;
      if (value < 0) fail(`unexpected character at ${i + j}`);
      sextets[j] = value;
    }
    const n = (sextets[0]! << 18) | (sextets[1]! << 12) | (sextets[2]! << 6) | sextets[3]!;
    out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
    if (last && ((padding === 1 && (n & 0xff) !== 0) || (padding === 2 && (n & 0xffff) !== 0))) fail('non-zero bits in the padding');
  }
  return out;
}
