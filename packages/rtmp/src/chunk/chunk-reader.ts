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

/**
 * Per chunk stream: the last header seen (for fmt 1/2/3 to inherit) and the message in progress.
 * One mutable object per chunk stream for the reader's lifetime: the hot path allocates nothing per chunk.
 */
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

/** Whether the peer repeats the extended timestamp on fmt-3 chunks (Flash, nginx, FFmpeg do). */
type ExtendedRepeat = 'unknown' | 'repeat' | 'no-repeat';

/** Largest chunk header: 3-byte basic header + 11-byte message header + 4-byte extended timestamp. */
const MAX_HEADER_LENGTH = 18;
const MESSAGE_HEADER_LENGTH = [11, 7, 3, 0] as const;
const EMPTY = new Uint8Array(0);
/** csids below this use the 1-byte basic header (§5.3.1.1) and live in an array rather than a Map. */
const ONE_BYTE_CSID_LIMIT = 64;

/**
 * Message buffers are carved from slabs of this size (one zero-filled allocation instead of one per
 * message; allocation dominated the profile). A payload handed out keeps its whole slab alive, so
 * slabs stay small enough that a few kept payloads pin little.
 */
const SLAB_SIZE = 64 * 1024;
/** Messages longer than this get their own buffer, so one large message does not waste a slab. */
const MAX_SLAB_MESSAGE = 16 * 1024;
/**
 * Below this chunk size, a message whose chunks all sit in one push is copied with one `set` and
 * closed up in place (`copyWithin`), instead of one `set` per chunk: at 128-byte chunks the per-chunk
 * call and view cost more than the bytes. Above it the extra copy costs more than it saves.
 */
const SPAN_COPY_MAX_CHUNK_SIZE = 2048;

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
 * Payloads are copies, safe to keep and unaffected by later changes to the pushed bytes. They may be
 * views into a larger shared ArrayBuffer (a slab the reader never writes again once a payload is
 * handed out): use `byteOffset`/`byteLength` with `payload.buffer`, and do not transfer it.
 *
 * Performance: no per-chunk allocation on the hot path (header fields are parsed into the reader,
 * per-csid state is reused); message buffers come from slabs; the input is never concatenated,
 * only a header cut by a push boundary is carried over (at most 18 bytes).
 */
export class ChunkReader {
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly maxBufferedBytes: number;
  private readonly tap: ProtocolTap | undefined;
  private readonly now: () => number;
  /** Chunk streams 0..63 by index; the rest (2- and 3-byte basic headers) in a Map. */
  private readonly lowStreams: (ChunkStreamState | undefined)[] = new Array<ChunkStreamState | undefined>(ONE_BYTE_CSID_LIMIT).fill(undefined);
  private readonly highStreams = new Map<number, ChunkStreamState>();
  private inChunkSize = DEFAULT_CHUNK_SIZE;
  private received = 0;
  private openMessages = 0;
  private bufferedBytes = 0;
  private extendedRepeat: ExtendedRepeat = 'unknown';
  /** Header bytes that arrived before the rest of their header. */
  private carry: Uint8Array = EMPTY;
  private slab: Uint8Array = EMPTY;
  private slabOffset = 0;
  private output: RtmpMessage[] = [];
  private failure: unknown = null;

  // The header parsed last (parseHeader fills these; nothing changes until beginChunk).
  private hFmt: 0 | 1 | 2 | 3 = 0;
  private hCsid = 0;
  private hStream: ChunkStreamState | undefined = undefined;
  private hLength = 0;
  private hTimestampField = 0;
  private hMessageLength = 0;
  private hMessageType = 0;
  private hStreamId = 0;
  private hExtended = false;
  private hExtendedValue = 0;
  /** A fmt-3 chunk that continues the message in progress on its chunk stream. */
  private hContinuation = false;
  /** What this header taught us about the peer's extended-timestamp habit. */
  private hLearned: ExtendedRepeat | null = null;

  // The chunk whose payload is being read (cur === null between chunks).
  private cur: ChunkStreamState | null = null;
  private curRemaining = 0;
  private curPayloadLength = 0;
  private curPayloadOffset = 0;
  /** Set by abort() on this chunk's stream: drop the rest of this chunk's payload. */
  private curDiscard = false;
  // For the tap only.
  private curFmt: 0 | 1 | 2 | 3 = 0;
  private curHeaderLength = 0;
  private curExtended = false;
  /** The timestamp or delta in effect. */
  private curTimestampField = 0;
  private curRawHeader: Uint8Array | undefined = undefined;

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

  /**
   * Whole messages completed by these bytes, in the order they completed. The reader keeps no
   * reference to `bytes` after returning (payloads are copied out), so the caller may reuse it.
   */
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
    const stream = this.streamFor(csid);
    if (stream === undefined || stream.buffer === null) return;
    this.release(stream);
    if (this.cur === stream) this.curDiscard = true;
  }

  private streamFor(csid: number): ChunkStreamState | undefined {
    return csid < ONE_BYTE_CSID_LIMIT ? this.lowStreams[csid] : this.highStreams.get(csid);
  }

  private consume(input: Uint8Array): void {
    const end = input.length;
    let pos = 0;
    while (pos < end) {
      const stream = this.cur;
      if (stream === null) {
        if (this.carry.length === 0) {
          // The common case: the header is parsed in place.
          const headerLength = this.parseHeader(input, pos);
          if (headerLength < 0) {
            // A header needs at most MAX_HEADER_LENGTH bytes, so this is all of it that arrived.
            this.carry = input.slice(pos);
            return;
          }
          const start = pos;
          pos += headerLength;
          pos += this.beginChunk(input, start, pos);
        } else {
          pos = this.consumeCarriedHeader(input, pos);
          if (pos < 0) return;
        }
        continue;
      }
      const remaining = this.curRemaining;
      const count = remaining < end - pos ? remaining : end - pos;
      if (!this.curDiscard) {
        stream.buffer!.set(input.subarray(pos, pos + count), stream.received);
        stream.received += count;
      }
      this.curRemaining = remaining - count;
      pos += count;
      if (remaining === count) this.finishChunk();
    }
  }

  /**
   * A header started in an earlier push: join the carried bytes with up to 18 more and parse from
   * that small window. Returns the position in `input` after the header, or -1 when still short.
   */
  private consumeCarriedHeader(input: Uint8Array, pos: number): number {
    const carried = this.carry.length;
    const window = concat(this.carry, input.subarray(pos, pos + MAX_HEADER_LENGTH));
    const headerLength = this.parseHeader(window, 0);
    if (headerLength < 0) {
      this.carry = window;
      return -1;
    }
    const fromInput = headerLength - carried;
    if (fromInput >= 0) {
      this.carry = EMPTY;
      this.beginChunk(window, 0, -1);
      return pos + fromInput;
    }
    // The header ended inside the carried bytes: 4 bytes peeked for an extended timestamp
    // turned out to be payload. Replay them before the rest of this input.
    const rest = this.carry.subarray(headerLength);
    this.carry = EMPTY;
    this.beginChunk(window, 0, -1);
    this.consume(rest);
    return pos;
  }

  /**
   * Reads one chunk header from `w` at `start` into the h* fields without changing any other state
   * (parsing is retried when bytes are short). Returns the header's length, or -1 when bytes are short.
   */
  private parseHeader(w: Uint8Array, start: number): number {
    const end = w.length;
    if (start >= end) return -1;
    const b0 = w[start]!;
    const fmt = (b0 >>> 6) as 0 | 1 | 2 | 3;
    let csid = b0 & 0x3f;
    let p = start + 1;
    let stream: ChunkStreamState | undefined;
    // §5.3.1.1: 0 escapes a 2-byte form (64..319), 1 a 3-byte form (64..65599, little-endian).
    if (csid >= 2) {
      stream = this.lowStreams[csid];
    } else {
      if (csid === 0) {
        if (end - start < 2) return -1;
        csid = 64 + w[start + 1]!;
        p = start + 2;
      } else {
        if (end - start < 3) return -1;
        csid = 64 + w[start + 1]! + (w[start + 2]! << 8);
        p = start + 3;
      }
      stream = this.highStreams.get(csid);
    }
    if (stream === undefined) {
      if (fmt !== 0) {
        throw new RtmpError('CHUNK_UNKNOWN_STREAM', `fmt ${fmt} chunk on chunk stream ${csid}, which has no previous header to inherit from`, {
          details: { csid, fmt },
        });
      }
    }
    if (end < p + MESSAGE_HEADER_LENGTH[fmt]) return -1;
    let timestampField = 0;
    let extended = false;
    let extendedValue = 0;
    let learned: ExtendedRepeat | null = null;
    let messageLength: number;
    let messageType: number;
    let streamId: number;
    const continuation = fmt === 3 && stream!.buffer !== null;
    if (fmt === 0) {
      timestampField = u24(w, p);
      messageLength = u24(w, p + 3);
      messageType = w[p + 6]!;
      // §5.3.1.2.1: the message stream id is the one little-endian field of the protocol.
      streamId = (w[p + 7]! | (w[p + 8]! << 8) | (w[p + 9]! << 16) | (w[p + 10]! << 24)) >>> 0;
      p += 11;
    } else {
      messageLength = stream!.length;
      messageType = stream!.type;
      streamId = stream!.streamId;
      if (fmt === 1) {
        timestampField = u24(w, p);
        messageLength = u24(w, p + 3);
        messageType = w[p + 6]!;
        p += 7;
      } else if (fmt === 2) {
        timestampField = u24(w, p);
        p += 3;
      }
    }
    if (fmt !== 3) {
      if (timestampField === EXTENDED_TIMESTAMP_MARKER) {
        if (end < p + 4) return -1;
        extended = true;
        extendedValue = u32(w, p);
        p += 4;
      }
    } else if (stream!.extended && this.extendedRepeat !== 'no-repeat') {
      // §5.3.1.3 and real peers disagree on whether fmt-3 chunks repeat the extended timestamp.
      if (end < p + 4) return -1;
      const candidate = u32(w, p);
      if (this.extendedRepeat === 'repeat' || candidate === stream!.extendedValue) {
        extended = true;
        extendedValue = candidate;
        p += 4;
        if (this.extendedRepeat === 'unknown') learned = 'repeat';
      } else if (continuation) {
        learned = 'no-repeat';
      }
    }
    this.hFmt = fmt;
    this.hCsid = csid;
    this.hStream = stream;
    this.hLength = p - start;
    this.hTimestampField = timestampField;
    this.hMessageLength = messageLength;
    this.hMessageType = messageType;
    this.hStreamId = streamId;
    this.hExtended = extended;
    this.hExtendedValue = extendedValue;
    this.hContinuation = continuation;
    this.hLearned = learned;
    return p - start;
  }

  /**
   * Applies the parsed header (from `window` at `start`) and sets up its payload. `payloadPos` is
   * where the payload starts in `window` when the window is the pushed input (-1 otherwise).
   * Returns how many payload bytes it consumed already (a whole message taken at once), else 0.
   */
  private beginChunk(window: Uint8Array, start: number, payloadPos: number): number {
    if (this.hLearned !== null) this.extendedRepeat = this.hLearned;
    const fmt = this.hFmt;
    let stream = this.hStream;
    if (stream === undefined) {
      const csid = this.hCsid;
      stream = { csid, timestamp: 0, delta: 0, length: 0, type: 0, streamId: 0, extended: false, extendedValue: 0, buffer: null, received: 0 };
      if (csid < ONE_BYTE_CSID_LIMIT) this.lowStreams[csid] = stream;
      else this.highStreams.set(csid, stream);
    }
    let timestampField: number;
    if (this.hContinuation) {
      timestampField = this.hExtended ? this.hExtendedValue : 0;
    } else {
      // A fmt 0/1/2 header while a message is in progress on this chunk stream abandons that
      // message (the peer evidently did); keeping it would misassemble everything after.
      if (stream.buffer !== null) this.release(stream);
      const extended = this.hExtended;
      const field = extended ? this.hExtendedValue : this.hTimestampField;
      if (fmt === 0) {
        stream.timestamp = field;
        stream.delta = field;
        stream.extended = extended;
        stream.extendedValue = this.hExtendedValue;
        timestampField = field;
      } else if (fmt === 3) {
        // A new message on fmt 3 reuses the previous delta; a repeated extended field restates it.
        if (extended) {
          stream.delta = this.hExtendedValue;
          stream.extendedValue = this.hExtendedValue;
        }
        stream.timestamp = (stream.timestamp + stream.delta) >>> 0;
        timestampField = stream.delta;
      } else {
        stream.delta = field;
        stream.timestamp = (stream.timestamp + field) >>> 0;
        stream.extended = extended;
        stream.extendedValue = this.hExtendedValue;
        timestampField = field;
      }
      stream.length = this.hMessageLength;
      stream.type = this.hMessageType;
      stream.streamId = this.hStreamId;
      const taken = this.open(stream, window, payloadPos);
      if (taken !== 0) {
        if (this.tap?.chunk !== undefined) this.reportSpan(stream, window, payloadPos, timestampField);
        this.completeMessage(stream);
        return taken;
      }
    }
    const payloadLength = Math.min(this.inChunkSize, stream.length - stream.received);
    this.cur = stream;
    this.curRemaining = payloadLength;
    this.curPayloadLength = payloadLength;
    this.curPayloadOffset = stream.received;
    this.curDiscard = false;
    const tap = this.tap;
    if (tap !== undefined) {
      // Taps may change what they want while the reader runs (the player's does), so ask per chunk.
      this.curFmt = fmt;
      this.curHeaderLength = this.hLength;
      this.curExtended = this.hExtended;
      this.curTimestampField = timestampField;
      this.curRawHeader = tap.wantsRawChunks === true ? window.slice(start, start + this.hLength) : undefined;
    }
    if (payloadLength === 0) this.finishChunk();
    return 0;
  }

  /**
   * Starts the message announced on `stream`: checks the limits and gives it a buffer. When the
   * whole message (all its chunks) already sits in `input` from `payloadPos`, reads it at once and
   * returns the bytes taken; otherwise returns 0 and the chunks are read one by one.
   */
  private open(stream: ChunkStreamState, input: Uint8Array, payloadPos: number): number {
    const length = stream.length;
    if (length > this.maxMessageSize) {
      throw new RtmpError('CHUNK_MESSAGE_TOO_LARGE', `message of ${length} bytes on chunk stream ${stream.csid} exceeds the ${this.maxMessageSize}-byte limit`, {
        details: { csid: stream.csid, length, limit: this.maxMessageSize, type: stream.type },
      });
    }
    stream.received = 0;
    if (length === 0) return 0;
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
    this.openMessages++;
    this.bufferedBytes += length;
    const chunkSize = this.inChunkSize;
    const span = payloadPos >= 0 && length > chunkSize && chunkSize <= SPAN_COPY_MAX_CHUNK_SIZE ? this.spanInInput(stream, input, payloadPos) : 0;
    if (span === 0) {
      stream.buffer = this.allocate(length);
      return 0;
    }
    // The whole message is here as its first chunk's payload followed by fmt-3 continuations with
    // 1-byte headers: copy the span at once, then close up the header bytes in place.
    const buffer = this.allocate(span);
    buffer.set(input.subarray(payloadPos, payloadPos + span));
    for (let dest = chunkSize, from = chunkSize + 1; dest < length; dest += chunkSize, from += chunkSize + 1) {
      buffer.copyWithin(dest, from, from + Math.min(chunkSize, length - dest));
    }
    stream.buffer = buffer.subarray(0, length);
    stream.received = length;
    return span;
  }

  /**
   * The bytes the message just opened on `stream` spans in `input` from `payloadPos` when all of
   * it is there and every continuation is a plain fmt-3 chunk on the same stream (1-byte basic
   * header, no extended timestamp: exactly what the chunk-by-chunk path would read), else 0.
   */
  private spanInInput(stream: ChunkStreamState, input: Uint8Array, payloadPos: number): number {
    if (stream.extended || stream.csid >= ONE_BYTE_CSID_LIMIT) return 0;
    const chunkSize = this.inChunkSize;
    const length = stream.length;
    const continuations = Math.ceil(length / chunkSize) - 1;
    const span = length + continuations;
    if (payloadPos + span > input.length) return 0;
    const marker = 0xc0 | stream.csid;
    for (let header = payloadPos + chunkSize, k = 0; k < continuations; k++, header += chunkSize + 1) {
      if (input[header] !== marker) return 0;
    }
    return span;
  }

  /** A zero-filled buffer for a message, carved from the current slab when it fits. */
  private allocate(size: number): Uint8Array {
    if (size > MAX_SLAB_MESSAGE) return new Uint8Array(size);
    let offset = this.slabOffset;
    if (offset + size > this.slab.length) {
      this.slab = new Uint8Array(SLAB_SIZE);
      offset = 0;
    }
    // 8-byte alignment keeps payloads usable for aligned typed-array views and wide copies.
    this.slabOffset = (offset + size + 7) & ~7;
    return this.slab.subarray(offset, offset + size);
  }

  private release(stream: ChunkStreamState): void {
    if (stream.buffer === null) return;
    this.openMessages--;
    this.bufferedBytes -= stream.length;
    stream.buffer = null;
    stream.received = 0;
  }

  private finishChunk(): void {
    const stream = this.cur!;
    this.cur = null;
    const completes = !this.curDiscard && stream.received === stream.length;
    if (this.tap?.chunk !== undefined) this.reportChunk(stream, completes);
    if (completes) this.completeMessage(stream);
  }

  private reportChunk(stream: ChunkStreamState, completes: boolean): void {
    const info: ChunkInfo = {
      direction: 'in',
      fmt: this.curFmt,
      csid: stream.csid,
      timestampField: this.curTimestampField,
      extendedTimestamp: this.curExtended,
      timestamp: stream.timestamp,
      messageLength: stream.length,
      messageType: stream.type,
      streamId: stream.streamId,
      headerLength: this.curHeaderLength,
      payloadLength: this.curPayloadLength,
      payloadOffset: this.curPayloadOffset,
      completesMessage: completes,
    };
    const rawHeader = this.curRawHeader;
    if (rawHeader !== undefined) {
      const payload = this.curDiscard || stream.buffer === null
        ? new Uint8Array(this.curPayloadLength)
        : stream.buffer.subarray(this.curPayloadOffset, this.curPayloadOffset + this.curPayloadLength);
      info.raw = concat(rawHeader, payload);
      this.curRawHeader = undefined;
    }
    this.tap!.chunk!(info);
  }

  /**
   * Reports each chunk of a message read at once (open() took its whole span from `input`), as the
   * chunk-by-chunk path would have: the first chunk with the parsed header, then fmt-3 continuations.
   */
  private reportSpan(stream: ChunkStreamState, input: Uint8Array, payloadPos: number, timestampField: number): void {
    const tap = this.tap!;
    const chunkSize = this.inChunkSize;
    const length = stream.length;
    const buffer = stream.buffer!;
    for (let offset = 0; offset < length; offset += chunkSize) {
      const first = offset === 0;
      const headerLength = first ? this.hLength : 1;
      const payloadLength = Math.min(chunkSize, length - offset);
      const info: ChunkInfo = {
        direction: 'in',
        fmt: first ? this.hFmt : 3,
        csid: stream.csid,
        timestampField: first ? timestampField : 0,
        extendedTimestamp: first ? this.hExtended : false,
        timestamp: stream.timestamp,
        messageLength: length,
        messageType: stream.type,
        streamId: stream.streamId,
        headerLength,
        payloadLength,
        payloadOffset: offset,
        completesMessage: offset + payloadLength === length,
      };
      if (tap.wantsRawChunks === true) {
        const raw = new Uint8Array(headerLength + payloadLength);
        if (first) raw.set(input.subarray(payloadPos - headerLength, payloadPos));
        else raw[0] = 0xc0 | stream.csid;
        raw.set(buffer.subarray(offset, offset + payloadLength), headerLength);
        info.raw = raw;
      }
      tap.chunk!(info);
    }
  }

  private completeMessage(stream: ChunkStreamState): void {
    const buffer = stream.buffer;
    const message: RtmpMessage = {
      type: stream.type,
      streamId: stream.streamId,
      timestamp: stream.timestamp,
      payload: buffer ?? new Uint8Array(0),
      csid: stream.csid,
    };
    if (buffer !== null) {
      this.openMessages--;
      this.bufferedBytes -= stream.length;
      stream.buffer = null;
    }
    stream.received = 0;
    if (this.tap?.message) this.tap.message({ direction: 'in', message, at: this.now() });
    const type = message.type;
    if (type === MessageType.SetChunkSize) {
      this.setChunkSize(readControlValue(message, 'Set Chunk Size', 'CHUNK_BAD_CHUNK_SIZE'));
    } else if (type === MessageType.Abort) {
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
