import { RtmpError } from '../errors';
import type { ChunkInfo, ProtocolTap, RtmpMessage } from '../types';
import { MessageType } from '../types';
import { validateChunkSize } from './chunk-reader';
import { DEFAULT_CHUNK_SIZE, EXTENDED_TIMESTAMP_MARKER, MAX_CSID, MAX_MESSAGE_LENGTH, MIN_CSID } from './constants';

export interface ChunkWriterOptions {
  /** Outgoing chunk size to start with. Default 128 (§5.4.1); normally changed by writing a Set Chunk Size. */
  chunkSize?: number;
  tap?: ProtocolTap;
  /** Clock for tap events, in milliseconds. Default Date.now. */
  now?: () => number;
}

/** What the previous message on a chunk stream left behind for the next header to inherit. */
interface LastHeader {
  timestamp: number;
  /** The delta a fmt-3 new message would reuse, as a reader following §5.3.1.2.4 computes it. */
  delta: number;
  /** Whether that delta came from a fmt-0 header (an absolute timestamp, see write()). */
  deltaFromFmt0: boolean;
  length: number;
  type: number;
  streamId: number;
}

/**
 * Splits messages into chunks (RTMP 1.0 §5.3) with the most compact header the previous message
 * on the same chunk stream allows:
 * fmt 0 for the first message, a new message stream id, or a timestamp that went back;
 * fmt 1 when length or type changed; fmt 2 when only the delta changed; fmt 3 when nothing did.
 * Extended timestamps are repeated on fmt-3 continuation chunks, as Flash, nginx and FFmpeg expect.
 * Writing a Set Chunk Size message switches the outgoing chunk size for every chunk after it.
 */
export class ChunkWriter {
  private outChunkSize: number;
  private readonly tap: ProtocolTap | undefined;
  private readonly now: () => number;
  private readonly last = new Map<number, LastHeader>();

  constructor(options: ChunkWriterOptions = {}) {
    this.outChunkSize = validateChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.tap = options.tap;
    this.now = options.now ?? Date.now;
  }

  /** The chunk size used for the next chunks written. */
  get chunkSize(): number {
    return this.outChunkSize;
  }

  /** The bytes of every chunk of `message`, ready to send. */
  write(message: RtmpMessage): Uint8Array {
    const { csid, type, streamId, timestamp, payload } = message;
    checkRange(csid, MIN_CSID, MAX_CSID, 'CHUNK_BAD_CSID', 'chunk stream id');
    checkRange(type, 0, 0xff, 'MESSAGE_MALFORMED', 'message type');
    checkRange(streamId, 0, 0xffffffff, 'MESSAGE_MALFORMED', 'message stream id');
    checkRange(timestamp, 0, 0xffffffff, 'MESSAGE_MALFORMED', 'timestamp');
    if (payload.length > MAX_MESSAGE_LENGTH) {
      throw new RtmpError('CHUNK_MESSAGE_TOO_LARGE', `a ${payload.length}-byte message does not fit the 24-bit length field`, {
        details: { length: payload.length, limit: MAX_MESSAGE_LENGTH },
      });
    }
    const length = payload.length;
    const previous = this.last.get(csid);
    let fmt: 0 | 1 | 2 | 3;
    let field: number;
    if (previous === undefined || previous.streamId !== streamId || timestamp < previous.timestamp) {
      fmt = 0;
      field = timestamp;
    } else {
      field = timestamp - previous.timestamp;
      if (previous.length !== length || previous.type !== type) fmt = 1;
      // A fmt-3 new message reuses the previous delta. After a fmt-0 header the spec (and FFmpeg)
      // take that header's timestamp as the delta, nginx takes 0: only when both agree is fmt 3 safe.
      else if (field === previous.delta && (!previous.deltaFromFmt0 || previous.delta === 0)) fmt = 3;
      else fmt = 2;
    }
    this.last.set(csid, {
      timestamp,
      delta: fmt === 3 ? previous!.delta : field,
      deltaFromFmt0: fmt === 3 ? previous!.deltaFromFmt0 : fmt === 0,
      length,
      type,
      streamId,
    });

    const extended = field >= EXTENDED_TIMESTAMP_MARKER;
    const basicLength = csid < 64 ? 1 : csid < 320 ? 2 : 3;
    const extendedLength = extended ? 4 : 0;
    const firstHeaderLength = basicLength + [11, 7, 3, 0][fmt]! + extendedLength;
    const continuationHeaderLength = basicLength + extendedLength;
    const chunkSize = this.outChunkSize;
    const chunkCount = Math.max(1, Math.ceil(length / chunkSize));
    const out = new Uint8Array(firstHeaderLength + (chunkCount - 1) * continuationHeaderLength + length);

    let p = writeBasicHeader(out, 0, fmt, csid);
    const shortField = extended ? EXTENDED_TIMESTAMP_MARKER : field;
    if (fmt <= 2) p = writeU24(out, p, shortField);
    if (fmt <= 1) {
      p = writeU24(out, p, length);
      out[p++] = type;
    }
    if (fmt === 0) {
      out[p++] = streamId & 0xff;
      out[p++] = (streamId >>> 8) & 0xff;
      out[p++] = (streamId >>> 16) & 0xff;
      out[p++] = (streamId >>> 24) & 0xff;
    }
    if (extended) p = writeU32(out, p, field);

    for (let offset = 0, index = 0; index < chunkCount; index++, offset += chunkSize) {
      const headerStart = index === 0 ? 0 : p;
      if (index > 0) {
        p = writeBasicHeader(out, p, 3, csid);
        if (extended) p = writeU32(out, p, field);
      }
      const headerLength = p - headerStart;
      const size = Math.min(chunkSize, length - offset);
      out.set(payload.subarray(offset, offset + size), p);
      p += size;
      if (this.tap?.chunk) {
        const info: ChunkInfo = {
          direction: 'out',
          fmt: index === 0 ? fmt : 3,
          csid,
          timestampField: index === 0 || extended ? field : 0,
          extendedTimestamp: extended,
          timestamp,
          messageLength: length,
          messageType: type,
          streamId,
          headerLength,
          payloadLength: size,
          payloadOffset: offset,
          completesMessage: index === chunkCount - 1,
        };
        if (this.tap.wantsRawChunks) info.raw = out.slice(headerStart, p);
        this.tap.chunk(info);
      }
    }
    this.tap?.message?.({ direction: 'out', message: { ...message, payload: payload.slice() }, at: this.now() });

    // §5.4.1: the new size applies to the chunks after this message, which went out at the old size.
    if (type === MessageType.SetChunkSize) {
      if (length < 4) throw new RtmpError('CHUNK_BAD_CHUNK_SIZE', `Set Chunk Size message has ${length} byte(s), expected 4`);
      this.outChunkSize = validateChunkSize(((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0);
    }
    return out;
  }
}

function writeBasicHeader(out: Uint8Array, p: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[p++] = (fmt << 6) | csid;
  } else if (csid < 320) {
    out[p++] = fmt << 6;
    out[p++] = csid - 64;
  } else {
    out[p++] = (fmt << 6) | 1;
    out[p++] = (csid - 64) & 0xff;
    out[p++] = (csid - 64) >>> 8;
  }
  return p;
}

function writeU24(out: Uint8Array, p: number, value: number): number {
  out[p] = (value >>> 16) & 0xff;
  out[p + 1] = (value >>> 8) & 0xff;
  out[p + 2] = value & 0xff;
  return p + 3;
}

function writeU32(out: Uint8Array, p: number, value: number): number {
  out[p] = (value >>> 24) & 0xff;
  out[p + 1] = (value >>> 16) & 0xff;
  out[p + 2] = (value >>> 8) & 0xff;
  out[p + 3] = value & 0xff;
  return p + 4;
}

function checkRange(value: number, min: number, max: number, code: 'CHUNK_BAD_CSID' | 'MESSAGE_MALFORMED', what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RtmpError(code, `${what} ${value} is outside ${min}..${max}`, { details: { value } });
  }
}
