/**
 * SHA-256 (FIPS 180-4 §6.2) and HMAC-SHA256 (RFC 2104), synchronous, for the digest handshake
 * where WebCrypto is missing: `crypto.subtle` exists only in secure contexts, so without this a
 * page served over plain http from any host but localhost could not do the digest handshake.
 * Where WebCrypto exists it is used instead (digest.ts): in a fresh page this code runs cold,
 * and the handshake's four HMACs took 18-36 ms here against about 1 ms natively.
 */

/** The first `count` primes (trial division; count is 64 at most). */
function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let candidate = 2; primes.length < count; candidate++) {
    if (primes.every((p) => candidate % p !== 0)) primes.push(candidate);
  }
  return primes;
}

/** The first 32 bits of the fractional part of x. */
function fraction32(x: number): number {
  return ((x - Math.floor(x)) * 0x1_0000_0000) >>> 0;
}

const PRIMES = firstPrimes(64);
/** §4.2.2: the cube roots of the first 64 primes. Checked by the test vectors. */
const K = Uint32Array.from(PRIMES, (p) => fraction32(Math.cbrt(p)));
/** §5.3.3: the square roots of the first 8 primes. */
const INITIAL_HASH = Uint32Array.from(PRIMES.slice(0, 8), (p) => fraction32(Math.sqrt(p)));

const BLOCK = 64;

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  // §5.1.1: a 1 bit, zeros, then the length in bits as 64 bits, to a multiple of 512 bits.
  const padded = new Uint8Array(Math.ceil((length + 9) / BLOCK) * BLOCK);
  let at = 0;
  for (const part of parts) {
    padded.set(part, at);
    at += part.length;
  }
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 0x2000_0000));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);

  const hash = INITIAL_HASH.slice();
  const w = new Uint32Array(64);
  for (let block = 0; block < padded.length; block += BLOCK) {
    // §6.2.2 step 1: the message schedule.
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 64; t++) {
      const w15 = w[t - 15]!;
      const w2 = w[t - 2]!;
      const sigma0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const sigma1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[t] = w[t - 16]! + sigma0 + w[t - 7]! + sigma1;
    }
    // Steps 2-4: 64 rounds over the working variables a..h.
    let a = hash[0]!;
    let b = hash[1]!;
    let c = hash[2]!;
    let d = hash[3]!;
    let e = hash[4]!;
    let f = hash[5]!;
    let g = hash[6]!;
    let h = hash[7]!;
    for (let t = 0; t < 64; t++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // Uint32Array stores each sum modulo 2^32.
    hash[0] = hash[0]! + a;
    hash[1] = hash[1]! + b;
    hash[2] = hash[2]! + c;
    hash[3] = hash[3]! + d;
    hash[4] = hash[4]! + e;
    hash[5] = hash[5]! + f;
    hash[6] = hash[6]! + g;
    hash[7] = hash[7]! + h;
  }
  const digest = new Uint8Array(32);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 8; i++) out.setUint32(i * 4, hash[i]!);
  return digest;
}

/** HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under `key`. */
export function hmacSha256Sync(key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(key.length > BLOCK ? sha256([key]) : key);
  const inner = block.map((byte) => byte ^ 0x36);
  const outer = block.map((byte) => byte ^ 0x5c);
  return sha256([outer, sha256([inner, ...parts])]);
}
