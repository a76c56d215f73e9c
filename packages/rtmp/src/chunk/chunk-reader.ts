import { RtmpError } from '../errors';
import type { ChunkInfo, ProtocolTap, RtmpMessage } from '../types';
import { MessageType } from '../types';
import { DEFAULT_CHUNK_SIZE, EXTENDED_TIMESTAMP_MARKER, MAX_CHUNK_SIZE } from './constants';

export interface ChunkReaderOptions {
  /** Largest message accepted, in bytes. Default 16 MiB (the 24-bit length field allows 16 MiB - 1). */
  maxMessageSize?: number;
  /** How many messages may be in progress (started, not complete) at once, across chunk streams. Default 256. */
  maxChunkStreams?: number;
  /** Sum of the declared lengths of the messages in progress. Default 64 MiB. */
  maxBufferedBytes?: number;
  tap?: ProtocolTap;
  /** Clock for tap events, in milliseconds. Default Date.now. */
  now?: () => number;
}

/** Per chunk stream: the last header seen (for fmt 1/2/3 to inherit) and the message in progress. */
interface ChunkStreamState {
  readonly csid: number;
  /** Absolute timestamp of the latest message started on this chunk stream. */
  timestamp: number;
  /** The delta a fmt-3 chunk that starts a new message reuses (§5.3.1.2.4). */
  delta: number;
  length: number;
  type: number;
  streamId: number;
  /** Whether the latest timestamp field in effect was extended, so fmt-3 chunks may carry it again. */
  extended: boolean;
  /** The 4-byte value that extended field held. */
  extendedValue: number;
  /** The message in progress (null when none). */
  buffer: Uint8Array | null;
  received: number;
}

/** A parsed chunk header, before it changes any state (parsing may be retried when bytes are short). */
interface ParsedHeader {
  fmt: 0 | 1 | 2 | 3;
  csid: number;
  headerLength: number;
  timestampField: number;
  messageLength: number;
  messageType: number;
  streamId: number;
  extended: boolean;
  extendedValue: number;
  /** A fmt-3 chunk that continues the message in progress on its chunk stream. */
  continuation: boolean;
  /** What this header taught us about the peer's extended-timestamp habit. */
  learned: ExtendedRepeat | null;
}

interface ChunkInProgress {
  stream: ChunkStreamState;
  header: ParsedHeader;
  /** The timestamp or delta in effect, for the tap. */
  timestampField: number;
  payloadOffset: number;
  payloadLength: number;
  remaining: number;
  /** Set by abort() on this chunk's stream: drop the rest of this chunk's payload. */
  discard: boolean;
  rawHeader: Uint8Array | undefined;
}

/** Whether the peer repeats the extended timestamp on fmt-3 chunks (Flash, nginx, FFmpeg do). */
type ExtendedRepeat = 'unknown' | 'repeat' | 'no-repeat';

/** Largest chunk header: 3-byte basic header + 11-byte message header + 4-byte extended timestamp. */
const MAX_HEADER_LENGTH = 18;
const MESSAGE_HEADER_LENGTH = [11, 7, 3, 0] as const;
const EMPTY = new Uint8Array(0);

/**
 * Reassembles RTMP messages from the chunk stream (RTMP 1.0 §5.3), however the bytes were split.
 *
 * - Basic headers of 1, 2 and 3 bytes (csid 2..65599); message headers fmt 0..3 inheriting from the
 *   previous header on the same chunk stream; 4-byte extended timestamps.
 * - Timestamps come out absolute: fmt 1/2 deltas accumulate (wrapping at 2^32), and a fmt-3 chunk
 *   that starts a new message reuses the previous delta (after a fmt 0, its timestamp, §5.3.1.2.4).
 * - On fmt-3 chunks after an extended timestamp the 4 bytes may or may not be repeated (Flash,
 *   nginx and FFmpeg repeat them, the spec's wording suggests not): the reader compares the next
 *   4 bytes with the expected value the first time, then remembers the peer's habit.
 * - Set Chunk Size and Abort take effect the moment their message completes, before the next
 *   chunk is parsed, because that chunk may already be cut to the new size (§5.4.1, §5.4.2).
 * - Memory is bounded: maxMessageSize, maxChunkStreams (messages in progress) and maxBufferedBytes.
 *
 * Payloads are fresh copies, safe to keep.
 */
export class ChunkReader {
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly maxBufferedBytes: number;
  private readonly tap: ProtocolTap | undefined;
  private readonly now: () => number;
  private readonly streams = new Map<number, ChunkStreamState>();
  private inChunkSize = DEFAULT_CHUNK_SIZE;
  private received = 0;
  private openMessages = 0;
  private bufferedBytes = 0;
  private extendedRepeat: ExtendedRepeat = 'unknown';
  /** Header bytes that arrived before the rest of their header. */
  private carry: Uint8Array = EMPTY;
  private chunk: ChunkInProgress | null = null;
  private output: RtmpMessage[] = [];
  private failure: unknown = null;

  constructor(options: ChunkReaderOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? 16 * 1024 * 1024;
    this.maxChunkStreams = options.maxChunkStreams ?? 256;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.tap = options.tap;
    this.now = options.now ?? Date.now;
  }

  /** The chunk size in effect for incoming chunks. */
  get chunkSize(): number {
    return this.inChunkSize;
  }

  /** Every byte ever pushed (not wrapped; the session wraps it to 32 bits for Acknowledgements, §5.4.3). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Whole messages completed by these bytes, in the order they completed. */
  push(bytes: Uint8Array): RtmpMessage[] {
    if (this.failure !== null) throw this.failure;
    this.received += bytes.length;
    try {
      this.consume(bytes);
    } catch (error) {
      // Messages completed before a failure are dropped with it: the connection is unusable anyway.
      this.failure = error;
      this.output = [];
      throw error;
    }
    const out = this.output;
    this.output = [];
    return out;
  }

  /** Applies a peer's Set Chunk Size (called automatically for type-1 messages read here). */
  setChunkSize(size: number): void {
    this.inChunkSize = validateChunkSize(size);
  }

  /** Drops the partial message on `csid` (Abort, §5.4.2; called automatically for type-2 messages). */
  abort(csid: number): void {
    const stream = this.streams.get(csid);
    if (!stream || stream.buffer === null) return;
    this.release(stream);
    if (this.chunk?.stream === stream) this.chunk.discard = true;
  }

  private consume(input: Uint8Array): void {
    let pos = 0;
    while (pos < input.length) {
      if (this.chunk === null) {
        const carried = this.carry.length;
        // Headers are parsed in place; only one cut by a push boundary is copied (at most 18 bytes).
        const window = carried === 0 ? input : concat(this.carry, input.subarray(pos, pos + MAX_HEADER_LENGTH));
        const start = carried === 0 ? pos : 0;
        const header = this.parseHeader(window, start);
        if (header === null) {
          // A header needs at most MAX_HEADER_LENGTH bytes, so everything left is in `window`.
          this.carry = window.slice(start);
          return;
        }
        const fromInput = header.headerLength - carried;
        if (fromInput >= 0) {
          this.carry = EMPTY;
          pos += fromInput;
          this.beginChunk(header, window, start);
        } else {
          // The header ended inside the carried bytes: 4 bytes peeked for an extended timestamp
          // turned out to be payload. Replay them before the rest of this input.
          const rest = this.carry.subarray(header.headerLength);
          this.carry = EMPTY;
          this.beginChunk(header, window, start);
          this.consume(rest);
        }
        continue;
      }
      const chunk = this.chunk;
      const count = Math.min(chunk.remaining, input.length - pos);
      if (!chunk.discard) {
        chunk.stream.buffer!.set(input.subarray(pos, pos + count), chunk.stream.received);
        chunk.stream.received += count;
      }
      chunk.remaining -= count;
      pos += count;
      if (chunk.remaining === 0) this.finishChunk();
    }
  }

  /**
   * Reads one chunk header from `w` at `start` without changing any state; null when bytes are short.
   * `headerLength` in the result counts from `start`.
   */
  private parseHeader(w: Uint8Array, start: number): ParsedHeader | null {
    const end = w.length;
    if (end - start < 1) return null;
    const b0 = w[start]!;
    const fmt = (b0 >>> 6) as 0 | 1 | 2 | 3;
    let csid = b0 & 0x3f;
    let p = start + 1;
    // §5.3.1.1: 0 escapes a 2-byte form (64..319), 1 a 3-byte form (64..65599, little-endian).
    if (csid === 0) {
      if (end - start < 2) return null;
      csid = 64 + w[start + 1]!;
      p = start + 2;
    } else if (csid === 1) {
      if (end - start < 3) return null;
      csid = 64 + w[start + 1]! + (w[start + 2]! << 8);
      p = start + 3;
    }
    const stream = this.streams.get(csid);
    if (fmt !== 0 && stream === undefined) {
      throw new RtmpError('CHUNK_UNKNOWN_STREAM', `fmt ${fmt} chunk on chunk stream ${csid}, which has no previous header to inherit from`, {
        details: { csid, fmt },
      });
    }
    if (end < p + MESSAGE_HEADER_LENGTH[fmt]) return null;
    const header: ParsedHeader = {
      fmt,
      csid,
      headerLength: 0,
      timestampField: 0,
      messageLength: stream?.length ?? 0,
      messageType: stream?.type ?? 0,
      streamId: stream?.streamId ?? 0,
      extended: false,
      extendedValue: 0,
      continuation: fmt === 3 && stream!.buffer !== null,
      learned: null,
    };
    if (fmt <= 2) {
      header.timestampField = u24(w, p);
      p += 3;
    }
    if (fmt <= 1) {
      header.messageLength = u24(w, p);
      header.messageType = w[p + 3]!;
      p += 4;
    }
    if (fmt === 0) {
      // §5.3.1.2.1: the message stream id is the one little-endian field of the protocol.
      header.streamId = (w[p]! | (w[p + 1]! << 8) | (w[p + 2]! << 16) | (w[p + 3]! << 24)) >>> 0;
      p += 4;
    }
    if (fmt <= 2) {
      if (header.timestampField === EXTENDED_TIMESTAMP_MARKER) {
        if (end < p + 4) return null;
        header.extended = true;
        header.extendedValue = u32(w, p);
        p += 4;
      }
    } else if (stream!.extended && this.extendedRepeat !== 'no-repeat') {
      // §5.3.1.3 and real peers disagree on whether fmt-3 chunks repeat the extended timestamp.
      if (end < p + 4) return null;
      const candidate = u32(w, p);
      if (this.extendedRepeat === 'repeat' || candidate === stream!.extendedValue) {
        header.extended = true;
        header.extendedValue = candidate;
        p += 4;
        if (this.extendedRepeat === 'unknown') header.learned = 'repeat';
      } else if (header.continuation) {
        header.learned = 'no-repeat';
      }
    }
    header.headerLength = p - start;
    return header;
  }

  private beginChunk(header: ParsedHeader, window: Uint8Array, start: number): void {
    if (header.learned) this.extendedRepeat = header.learned;
    let stream = this.streams.get(header.csid);
    if (stream === undefined) {
      stream = {
        csid: header.csid,
        timestamp: 0,
        delta: 0,
        length: 0,
        type: 0,
        streamId: 0,
        extended: false,
        extendedValue: 0,
        buffer: null,
        received: 0,
      };
      this.streams.set(header.csid, stream);
    }
    let timestampField: number;
    if (header.continuation) {
      timestampField = header.extended ? header.extendedValue : 0;
    } else {
      // A fmt 0/1/2 header while a message is in progress on this chunk stream abandons that
      // message (the peer evidently did); keeping it would misassemble everything after.
      if (stream.buffer !== null) this.release(stream);
      const field = header.extended ? header.extendedValue : header.timestampField;
      if (header.fmt === 0) {
        stream.timestamp = field;
        stream.delta = field;
      } else if (header.fmt === 3) {
        // A new message on fmt 3 reuses the previous delta; a repeated extended field restates it.
        if (header.extended) stream.delta = header.extendedValue;
        stream.timestamp = (stream.timestamp + stream.delta) >>> 0;
      } else {
        stream.delta = field;
        stream.timestamp = (stream.timestamp + field) >>> 0;
      }
      if (header.fmt !== 3) {
        stream.extended = header.extended;
        stream.extendedValue = header.extendedValue;
      } else if (header.extended) {
        stream.extendedValue = header.extendedValue;
      }
      stream.length = header.messageLength;
      stream.type = header.messageType;
      stream.streamId = header.streamId;
      timestampField = header.fmt === 3 ? stream.delta : field;
      this.open(stream);
    }
    const payloadLength = Math.min(this.inChunkSize, stream.length - stream.received);
    this.chunk = {
      stream,
      header,
      timestampField,
      payloadOffset: stream.received,
      payloadLength,
      remaining: payloadLength,
      discard: false,
      rawHeader: this.tap?.wantsRawChunks ? window.slice(start, start + header.headerLength) : undefined,
    };
    if (payloadLength === 0) this.finishChunk();
  }

  private open(stream: ChunkStreamState): void {
    const length = stream.length;
    if (length > this.maxMessageSize) {
      throw new RtmpError('CHUNK_MESSAGE_TOO_LARGE', `message of ${length} bytes on chunk stream ${stream.csid} exceeds the ${this.maxMessageSize}-byte limit`, {
        details: { csid: stream.csid, length, limit: this.maxMessageSize, type: stream.type },
      });
    }
    stream.received = 0;
    if (length === 0) return;
    if (this.openMessages >= this.maxChunkStreams) {
      throw new RtmpError('CHUNK_TOO_MANY_STREAMS', `more than ${this.maxChunkStreams} messages in progress at once (chunk stream ${stream.csid})`, {
        details: { csid: stream.csid, limit: this.maxChunkStreams },
      });
    }
    if (this.bufferedBytes + length > this.maxBufferedBytes) {
      throw new RtmpError('CHUNK_BUFFER_LIMIT', `messages in progress would hold ${this.bufferedBytes + length} bytes, over the ${this.maxBufferedBytes}-byte limit`, {
        details: { csid: stream.csid, length, buffered: this.bufferedBytes, limit: this.maxBufferedBytes },
      });
    }
    stream.buffer = new Uint8Array(length);
    this.openMessages++;
    this.bufferedBytes += length;
  }

  private release(stream: ChunkStreamState): void {
    if (stream.buffer === null) return;
    this.openMessages--;
    this.bufferedBytes -= stream.length;
    stream.buffer = null;
    stream.received = 0;
  }

  private finishChunk(): void {
    const chunk = this.chunk!;
    this.chunk = null;
    const stream = chunk.stream;
    const completes = !chunk.discard && stream.received === stream.length;
    if (this.tap?.chunk) {
      const info: ChunkInfo = {
        direction: 'in',
        fmt: chunk.header.fmt,
        csid: stream.csid,
        timestampField: chunk.timestampField,
        extendedTimestamp: chunk.header.extended,
        timestamp: stream.timestamp,
        messageLength: stream.length,
        messageType: stream.type,
        streamId: stream.streamId,
        headerLength: chunk.header.headerLength,
        payloadLength: chunk.payloadLength,
        payloadOffset: chunk.payloadOffset,
        completesMessage: completes,
      };
      if (chunk.rawHeader) {
        const payload = chunk.discard || stream.buffer === null
          ? new Uint8Array(chunk.payloadLength)
          : stream.buffer.subarray(chunk.payloadOffset, chunk.payloadOffset + chunk.payloadLength);
        info.raw = concat(chunk.rawHeader, payload);
      }
      this.tap.chunk(info);
    }
    if (!completes) return;
    const message: RtmpMessage = {
      type: stream.type,
      streamId: stream.streamId,
      timestamp: stream.timestamp,
      payload: stream.buffer ?? new Uint8Array(0),
      csid: stream.csid,
    };
    if (stream.buffer !== null) {
      this.openMessages--;
      this.bufferedBytes -= stream.length;
      stream.buffer = null;
    }
    stream.received = 0;
    this.tap?.message?.({ direction: 'in', message, at: this.now() });
    if (message.type === MessageType.SetChunkSize) {
      this.setChunkSize(readControlValue(message, 'Set Chunk Size', 'CHUNK_BAD_CHUNK_SIZE'));
    } else if (message.type === MessageType.Abort) {
      this.abort(readControlValue(message, 'Abort', 'MESSAGE_MALFORMED'));
    }
    this.output.push(message);
  }
}

export function validateChunkSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
    throw new RtmpError('CHUNK_BAD_CHUNK_SIZE', `chunk size ${size} is outside 1..${MAX_CHUNK_SIZE} (RTMP 1.0 §5.4.1)`, {
      details: { size },
    });
  }
  return size;
}

function readControlValue(message: RtmpMessage, name: string, code: 'CHUNK_BAD_CHUNK_SIZE' | 'MESSAGE_MALFORMED'): number {
  if (message.payload.length < 4) {
    throw new RtmpError(code, `${name} message has ${message.payload.length} byte(s), expected 4`, {
      details: { type: message.type, length: message.payload.length },
    });
  }
  return u32(message.payload, 0);
}

function u24(b: Uint8Array, p: number): number {
  return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
