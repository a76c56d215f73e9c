import { concatBytes, utf8Encode } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import { hmacSha256Sync } from './sha256';

/**
 * The "Flash Player 9" digest handshake: not in RTMP 1.0 (§5.2 only describes the simple
 * echo handshake), but spoken by Flash, FFmpeg, OBS and most servers. See RTMP-NOTES.md.
 *
 * C1/S1 layout (1536 bytes): time (4), version (4, non-zero for digest), then two 764-byte
 * blocks. In the "digest-first" layout the first block holds the 32-byte digest at
 * 12 + (sum of bytes 8..11) % 728; in "key-first" the second block holds it at
 * 776 + (sum of bytes 772..775) % 728. The digest is HMAC-SHA256 over the other 1504 bytes.
 *
 * HMAC-SHA256 goes through WebCrypto where it exists (asynchronous, which is why the handshake
 * classes return promises) and through our own implementation (sha256.ts) where it does not:
 * outside secure contexts a page has no crypto.subtle.
 */

export const HANDSHAKE_PACKET_SIZE = 1536;
export const RTMP_VERSION = 3;
export const DIGEST_LENGTH = 32;

export type DigestLayout = 'digest-first' | 'key-first';

/** The 32 bytes every Adobe key text is followed by in the "full" key. */
const KEY_SUFFIX = new Uint8Array([
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
]);

function withSuffix(text: Uint8Array): Uint8Array {
  return concatBytes([text, KEY_SUFFIX]);
}

/** Key for the client's C1 digest (30 bytes). */
export const PLAYER_KEY = utf8Encode('Genuine Adobe Flash Player 001');
/** Key for the server's S1 digest (36 bytes). */
export const SERVER_KEY = utf8Encode('Genuine Adobe Flash Media Server 001');
/** Key whose HMAC over the server's S1 digest signs C2. */
export const PLAYER_FULL_KEY = withSuffix(PLAYER_KEY);
/** Key whose HMAC over the client's C1 digest signs S2. */
export const SERVER_FULL_KEY = withSuffix(SERVER_KEY);

/** Offset of the 32-byte digest inside a 1536-byte C1/S1 for the given layout. */
export function digestOffset(packet: Uint8Array, layout: DigestLayout): number {
  const base = layout === 'digest-first' ? 8 : 772;
  const sum = packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!;
  return (sum % 728) + base + 4;
}

/** The HMAC used where WebCrypto is missing, once `enableHandshakeWithoutWebCrypto()` set it. */
let hmacWithoutWebCrypto: ((key: Uint8Array, parts: readonly Uint8Array[]) => Uint8Array) | null = null;

/**
 * Lets the digest handshake run where WebCrypto is missing: a page served over plain http from
 * another host than localhost has no `crypto.subtle`. Installs our own HMAC-SHA256 (sha256.ts),
 * used only there. Opt-in, so the protocol core does not carry it; the player calls it.
 */
export function enableHandshakeWithoutWebCrypto(): void {
  hmacWithoutWebCrypto = hmacSha256Sync;
}

/**
 * HMAC-SHA256 of the concatenated parts through WebCrypto: native, about 1 ms for the four HMACs
 * of a handshake in a fresh page, where a JavaScript one, still cold there, takes 18-36 ms
 * (measured in Chromium). Without WebCrypto, the fallback above when enabled.
 */
export async function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    if (hmacWithoutWebCrypto) return hmacWithoutWebCrypto(key, parts);
    throw new RtmpError(
      'HANDSHAKE_NO_WEBCRYPTO',
      'the digest handshake needs WebCrypto (crypto.subtle), which this page lacks outside a secure context: serve it over https or from localhost, call enableHandshakeWithoutWebCrypto(), or use the simple handshake',
    );
  }
  const cryptoKey = await subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', cryptoKey, concatBytes(parts) as Uint8Array<ArrayBuffer>));
}

/** HMAC over the packet minus its 32 digest bytes at `offset`. */
export function packetDigest(packet: Uint8Array, offset: number, key: Uint8Array): Promise<Uint8Array> {
  return hmacSha256(key, packet.subarray(0, offset), packet.subarray(offset + DIGEST_LENGTH));
}

/** Writes the digest of `packet` (for `layout`) into it, in place, and returns the digest. */
export async function signPacket(packet: Uint8Array, layout: DigestLayout, key: Uint8Array): Promise<Uint8Array> {
  const offset = digestOffset(packet, layout);
  const digest = await packetDigest(packet, offset, key);
  packet.set(digest, offset);
  return digest;
}

/**
 * Finds which layout, if any, carries a valid digest signed with `key`.
 * Tries digest-first, then key-first: the two offsets are computed from different bytes,
 * so a packet signed in one layout is, in practice, never valid in the other.
 */
export async function verifyPacket(
  packet: Uint8Array,
  key: Uint8Array,
): Promise<{ layout: DigestLayout; digest: Uint8Array } | null> {
  for (const layout of ['digest-first', 'key-first'] as const) {
    const offset = digestOffset(packet, layout);
    const expected = await packetDigest(packet, offset, key);
    const found = packet.subarray(offset, offset + DIGEST_LENGTH);
    if (equal(expected, found)) return { layout, digest: found.slice() };
  }
  return null;
}

/**
 * The digest-style C2/S2: random 1504 bytes, then HMAC(HMAC(fullKey, peerDigest), those 1504).
 * `packet` holds the random bytes; its last 32 bytes are overwritten.
 */
export async function signResponse(packet: Uint8Array, peerDigest: Uint8Array, fullKey: Uint8Array): Promise<void> {
  const signingKey = await hmacSha256(fullKey, peerDigest);
  const body = packet.subarray(0, HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH);
  packet.set(await hmacSha256(signingKey, body), HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH);
}

export async function verifyResponse(packet: Uint8Array, ownDigest: Uint8Array, fullKey: Uint8Array): Promise<boolean> {
  const signingKey = await hmacSha256(fullKey, ownDigest);
  const expected = await hmacSha256(signingKey, packet.subarray(0, HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH));
  return equal(expected, packet.subarray(HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH));
}

/** Bytes 4..7 of C1/S1 as a dotted version ("0.0.0.0" for the simple handshake). */
export function packetVersion(packet: Uint8Array): string {
  return `${packet[4]}.${packet[5]}.${packet[6]}.${packet[7]}`;
}

export function defaultRandom(count: number): Uint8Array {
  const out = new Uint8Array(count);
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < count; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(count, offset + 65536)));
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
