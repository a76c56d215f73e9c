import type { ChunkInfo } from '@rtmp-web/rtmp';

export type ChunkField =
  | 'fmt+csid'
  | 'csid'
  | 'timestamp'
  | 'timestamp delta'
  | 'message length'
  | 'message type'
  | 'message stream id'
  | 'extended timestamp'
  | 'payload';

/** A byte range of a chunk's raw bytes and what it holds. */
export interface ChunkFieldRange {
  field: ChunkField;
  start: number;
  length: number;
  /** The field's value as read from the bytes (payload: its length). */
  value: number;
}

/**
 * Splits a chunk's raw bytes into its header fields (RTMP 1.0 §5.3.1): the basic header
 * (fmt + csid in 1, 2 or 3 bytes), the message header of 11 / 7 / 3 / 0 bytes by fmt, the
 * extended timestamp when present, then the payload. Returns [] when the chunk has no raw bytes
 * or they are too short for the header they claim.
 */
export function chunkFieldRanges(chunk: ChunkInfo): ChunkFieldRange[] {
  const raw = chunk.raw;
  if (!raw || raw.byteLength < 1) return [];
  const ranges: ChunkFieldRange[] = [];
  const first = raw[0]!;
  const fmt = first >> 6;
  const low = first & 0x3f;
  let offset: number;
  // §5.3.1.1: csid 0 in the first byte means one more byte (64..319), 1 means two more (little-endian).
  if (low === 0) {
    if (raw.byteLength < 2) return [];
    ranges.push({ field: 'fmt+csid', start: 0, length: 1, value: first });
    ranges.push({ field: 'csid', start: 1, length: 1, value: 64 + raw[1]! });
    offset = 2;
  } else if (low === 1) {
    if (raw.byteLength < 3) return [];
    ranges.push({ field: 'fmt+csid', start: 0, length: 1, value: first });
    ranges.push({ field: 'csid', start: 1, length: 2, value: 64 + raw[1]! + 256 * raw[2]! });
    offset = 3;
  } else {
    ranges.push({ field: 'fmt+csid', start: 0, length: 1, value: first });
    offset = 1;
  }
  const u24 = (at: number): number => (raw[at]! << 16) | (raw[at + 1]! << 8) | raw[at + 2]!;
  const headerLength = [11, 7, 3, 0][fmt]!;
  if (raw.byteLength < offset + headerLength) return [];
  if (fmt <= 2) ranges.push({ field: fmt === 0 ? 'timestamp' : 'timestamp delta', start: offset, length: 3, value: u24(offset) });
  if (fmt <= 1) {
    ranges.push({ field: 'message length', start: offset + 3, length: 3, value: u24(offset + 3) });
    ranges.push({ field: 'message type', start: offset + 6, length: 1, value: raw[offset + 6]! });
  }
  if (fmt === 0) {
    // §5.3.1.2.1: the message stream id is little-endian.
    const s = offset + 7;
    ranges.push({ field: 'message stream id', start: s, length: 4, value: (raw[s]! | (raw[s + 1]! << 8) | (raw[s + 2]! << 16) | (raw[s + 3]! << 24)) >>> 0 });
  }
  offset += headerLength;
  if (chunk.extendedTimestamp) {
    if (raw.byteLength < offset + 4) return [];
    ranges.push({ field: 'extended timestamp', start: offset, length: 4, value: ((raw[offset]! << 24) | (raw[offset + 1]! << 16) | (raw[offset + 2]! << 8) | raw[offset + 3]!) >>> 0 });
    offset += 4;
  }
  ranges.push({ field: 'payload', start: offset, length: raw.byteLength - offset, value: raw.byteLength - offset });
  return ranges;
}
