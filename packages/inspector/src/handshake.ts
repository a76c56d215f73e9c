import type { HandshakeResult } from '@rtmp-web/rtmp';
import type { HandshakeRecord, HandshakeSummary } from './model';

/**
 * What the handshake bytes say (RTMP 1.0 §5.2.2-§5.2.4): C0/S0 carry the protocol version,
 * C1/S1 a 4-byte time then 4 bytes that are zero in the simple handshake and a version
 * (e.g. 9.0.124.2) in the digest variant. Whether the server's digest verified needs HMAC
 * (the session computes it), so that part comes from the session's HandshakeResult when it is known.
 */
export function summarizeHandshake(records: readonly HandshakeRecord[], result?: HandshakeResult): HandshakeSummary | undefined {
  const sent = records.find((r) => r.direction === 'out' && (r.label === 'C0C1' || r.label === 'C0C1C2'));
  const received = records.find((r) => r.direction === 'in' && (r.label === 'S0S1S2' || r.label === 'S0S1'));
  if (!sent && !received && !result) return undefined;
  const summary: HandshakeSummary = { kind: result?.kind ?? 'simple' };
  if (sent && sent.bytes.byteLength >= 9 && !result) {
    summary.kind = readU32(sent.bytes, 5) !== 0 ? 'digest' : 'simple';
  }
  if (received && received.bytes.byteLength >= 9) {
    summary.serverProtocolVersion = received.bytes[0]!;
    summary.serverTime = readU32(received.bytes, 1);
    summary.serverVersion = Array.from(received.bytes.subarray(5, 9)).join('.');
  }
  if (sent && received) summary.roundTripMs = Math.round(received.at - sent.at);
  if (result) {
    summary.serverVersion = result.serverVersion;
    summary.serverTime = result.serverTime;
    summary.roundTripMs = Math.round(result.roundTripMs);
    if (result.kind === 'digest') summary.serverDigestVerified = result.serverDigestVerified;
    if (result.layout) summary.layout = result.layout;
  }
  return summary;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
