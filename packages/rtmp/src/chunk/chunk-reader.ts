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
 * Buffers for messages that straddle pushes are carved from slabs of this size (one zero-filled
 * allocation instead of one per message). A payload handed out keeps its whole slab alive, so
 * slabs stay small enough that a few kept payloads pin little.
 */
const SLAB_SIZE = 128 * 1024;
/**
 * Messages longer than this get their own buffer, so one large message does not waste a slab.
 * (Measured at 4096-byte chunks and 64 KiB reads: 128 KiB slabs carving up to 32 KiB beat 64/16 by
 * 5-15%; fresh memory is the dearest part of a straddling message.)
 */
const MAX_SLAB_MESSAGE = 32 * 1024;
/** From this chunk size up, a message that straddles pushes is copied chunk by chunk into its buffer. */
const DIRECT_COPY_MIN_CHUNK_SIZE = 1024;

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
 * Ownership: `push(bytes)` hands `bytes` to the reader. The reader rewrites them in place (it
 * closes up the 1-byte fmt-3 headers between the chunks of a message, a memmove), and payloads are
 * views of them, so the caller must not write to `bytes` afterwards nor expect them unchanged.
 * Socket reads (Node 'data' Buffers, WebSocket ArrayBuffers) are fresh per read, so a transport
 * passes them on as they are; a caller that needs its bytes again passes a copy.
 *
 * Payloads are safe to keep: a message whose chunks all arrived in one push is a view of that
 * push's bytes (of `payload.buffer`, read it only with `byteOffset`/`byteLength`, and do not
 * transfer it); a message that straddles pushes is copied into a buffer of the reader's own,
 * possibly a shared slab. Either way a kept payload keeps the memory around it alive.
 *
 * Performance: no allocation per chunk and none per message besides the message and its payload
 * view; the header fields are parsed into the reader and per-csid state is reused; the chunks of
 * one message inside one push are walked as a run (one header byte compared, one copyWithin each),
 * and only a message that straddles pushes is copied (its bytes once: per push it spans below
 * 1024-byte chunks, per chunk from 1024 up).
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
  /** The input payload views were last made of, with its buffer and offset (read once per input). */
  private viewSource: Uint8Array = EMPTY;
  private viewBuffer: ArrayBufferLike = EMPTY.buffer;
  private viewOffset = 0;
  private failure: unknown = null;

  // The header parsed last (parseHeader fills these; nothing changes until readChunks).
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

  // A chunk whose payload continues in the next push (cur === null otherwise).
  private cur: ChunkStreamState | null = null;
  private curRemaining = 0;
  /** Set by abort() on this chunk's stream: drop the rest of this chunk's payload. */
  private curDiscard = false;
  // For the tap only: the facts of the chunk being reported or continued.
  private curFmt: 0 | 1 | 2 | 3 = 0;
  private curHeaderLength = 0;
  private curExtended = false;
  /** The timestamp or delta in effect. */
  private curTimestampField = 0;
  private curPayloadLength = 0;
  private curPayloadOffset = 0;
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
   * Whole messages completed by these bytes, in the order they completed. Takes ownership of
   * `bytes`: the reader may rewrite them in place and payloads may be views of them, so the caller
   * must not write to them afterwards (see the class comment).
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
    const stream = csid < ONE_BYTE_CSID_LIMIT ? this.lowStreams[csid] : this.highStreams.get(csid);
    if (stream === undefined || stream.buffer === null) return;
    this.release(stream);
    if (this.cur === stream) this.curDiscard = true;
  }

  private consume(input: Uint8Array): void {
    const end = input.length;
    let pos = 0;
    while (pos < end) {
      if (this.cur !== null) {
        pos = this.continueChunk(input, pos);
      } else if (this.carry.length === 0) {
        // The common case: the header is parsed in place.
        const headerLength = this.parseHeader(input, pos);
        if (headerLength < 0) {
          // A header needs at most MAX_HEADER_LENGTH bytes, so this is all of it that arrived.
          this.carry = input.slice(pos);
          return;
        }
        pos = this.readChunks(input, pos + headerLength, input, pos);
      } else {
        pos = this.consumeCarriedHeader(input, pos);
        if (pos < 0) return;
      }
    }
  }

  /** The rest of a chunk whose payload started in an earlier push: copied into its message's buffer. */
  private continueChunk(input: Uint8Array, pos: number): number {
    const stream = this.cur!;
    const remaining = this.curRemaining;
    const available = input.length - pos;
    const count = remaining < available ? remaining : available;
    if (!this.curDiscard) {
      stream.buffer!.set(input.subarray(pos, pos + count), stream.received);
      stream.received += count;
    }
    this.curRemaining = remaining - count;
    if (remaining === count) this.finishChunk();
    return pos + count;
  }

  /**
   * A header started in an earlier push: join the carried bytes with up to 18 more and parse from
   * that small window. Returns the position in `input` after what was read, or -1 when still short.
   */
  private consumeCarriedHeader(input: Uint8Array, pos: number): number {
    const carried = this.carry.length;
    const window = concat(this.carry, input.subarray(pos, pos + MAX_HEADER_LENGTH));
    const headerLength = this.parseHeader(window, 0);
    if (headerLength < 0) {
      this.carry = window;
      return -1;
    }
    this.carry = EMPTY;
    if (headerLength >= carried) return this.readChunks(input, pos + headerLength - carried, window, 0);
    // The header ended inside the carried bytes: 4 bytes peeked for an extended timestamp
    // turned out to be payload. Read them (the window is ours) before the rest of this input.
    const rest = window.subarray(headerLength, carried);
    const read = this.readChunks(rest, 0, window, 0);
    if (read < rest.length) this.consume(rest.subarray(read));
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
   * Applies the parsed header (its bytes are in `headerBytes` at `headerStart`, for the tap) and
   * reads the chunk whose payload starts in `input` at `payloadPos`, then every fmt-3 continuation
   * of the same message that follows it in `input` (a run). Returns the position after the run.
   *
   * The run's payloads are closed up in place: each continuation moves back over the 1-byte
   * headers before it (§5.3.1.1, fmt 3 with no extended timestamp), so the message bytes of the
   * run lie contiguous from `payloadPos`. A message that starts and ends in the run is handed out
   * as a view of `input`; otherwise the run is copied into the message's buffer with one `set`.
   */
  private readChunks(input: Uint8Array, payloadPos: number, headerBytes: Uint8Array, headerStart: number): number {
    if (this.hLearned !== null) this.extendedRepeat = this.hLearned;
    const stream = this.hStream ?? this.createStream(this.hCsid);
    let timestampField = 0;
    if (this.hContinuation) {
      if (this.hExtended) timestampField = this.hExtendedValue;
    } else {
      timestampField = this.startMessage(stream);
    }
    const length = stream.length;
    const received = stream.received;
    const chunkSize = this.inChunkSize;
    const end = input.length;
    const tap = this.tap;
    const chunkTap = tap !== undefined && tap.chunk !== undefined;
    // A continuation's header: the 1-byte basic header, plus the repeated extended timestamp when
    // this peer repeats it (§5.3.1.3). Runs wait until that habit is known, and skip 2- and 3-byte
    // basic headers (csid >= 64, rare): their chunks are read one per run.
    const continuationHeader = !stream.extended ? 1 : this.extendedRepeat === 'repeat' ? 5 : this.extendedRepeat === 'no-repeat' ? 1 : 0;
    const marker = stream.csid < ONE_BYTE_CSID_LIMIT && continuationHeader !== 0 ? 0xc0 | stream.csid : -1;
    let chunkStart = payloadPos;
    let size = length - received < chunkSize ? length - received : chunkSize;
    /** Message bytes before the current chunk. */
    let offset = received;
    /** Where the current chunk's payload goes when closed up. */
    let dest = payloadPos;
    let partial = 0;
    let first = true;
    // A message that cannot end in this push needs a buffer anyway. With large chunks, copy each
    // chunk straight into it (one set per chunk costs little next to its bytes) rather than close
    // the run up in place first and copy it after: that would move the bytes twice.
    let direct: Uint8Array | null = null;
    if (chunkSize >= DIRECT_COPY_MIN_CHUNK_SIZE) {
      const remaining = length - received;
      const span = remaining + (Math.ceil(remaining / chunkSize) - 1) * continuationHeader;
      if (received !== 0 || payloadPos + span > end) {
        if (received === 0) this.openBuffer(stream);
        direct = stream.buffer;
      }
    }
    if (chunkTap) this.setChunkFacts(this.hFmt, this.hLength, this.hExtended, timestampField);
    for (;;) {
      const available = end - chunkStart;
      if (available < size) {
        // The chunk continues in the next push: keep what is here, read the rest later.
        partial = size - available;
        this.curRawHeader = chunkTap ? this.rawHeader(first ? headerBytes : input, first ? headerStart : chunkStart - continuationHeader) : undefined;
        if (direct !== null) direct.set(input.subarray(chunkStart, end), offset);
        else if (dest !== chunkStart) input.copyWithin(dest, chunkStart, end);
        dest += available;
        break;
      }
      if (chunkTap) this.reportInputChunk(stream, input, chunkStart, size, offset, first ? headerBytes : input, first ? headerStart : chunkStart - continuationHeader);
      if (direct !== null) direct.set(input.subarray(chunkStart, chunkStart + size), offset);
      else if (dest !== chunkStart) input.copyWithin(dest, chunkStart, chunkStart + size);
      dest += size;
      offset += size;
      const next = chunkStart + size;
      if (offset === length || next + continuationHeader > end || input[next] !== marker) {
        chunkStart = next;
        break;
      }
      chunkStart = next + continuationHeader;
      size = length - offset < chunkSize ? length - offset : chunkSize;
      first = false;
      if (chunkTap) this.setChunkFacts(3, continuationHeader, continuationHeader === 5, continuationHeader === 5 ? u32(input, next + 1) : 0);
    }
    if (direct === null) {
      if (received === 0 && offset === length) {
        // The whole message was in this run: its payload is a view, no buffer, no copy.
        if (input !== this.viewSource) {
          this.viewSource = input;
          this.viewBuffer = input.buffer;
          this.viewOffset = input.byteOffset;
        }
        this.completeMessage(stream, new Uint8Array(this.viewBuffer, this.viewOffset + payloadPos, dest - payloadPos));
        return chunkStart;
      }
      if (received === 0) this.openBuffer(stream);
      if (dest !== payloadPos) stream.buffer!.set(input.subarray(payloadPos, dest), received);
    }
    stream.received = received + (dest - payloadPos);
    if (partial !== 0) {
      this.cur = stream;
      this.curRemaining = partial;
      this.curDiscard = false;
      if (chunkTap) {
        this.curPayloadOffset = offset;
        this.curPayloadLength = size;
      }
      return end;
    }
    if (offset === length) this.completeBuffered(stream);
    return chunkStart;
  }

  private createStream(csid: number): ChunkStreamState {
    const stream: ChunkStreamState = { csid, timestamp: 0, delta: 0, length: 0, type: 0, streamId: 0, extended: false, extendedValue: 0, buffer: null, received: 0 };
    if (csid < ONE_BYTE_CSID_LIMIT) this.lowStreams[csid] = stream;
    else this.highStreams.set(csid, stream);
    return stream;
  }

  /**
   * A header that starts a message (fmt 0/1/2, or fmt 3 with none in progress): updates the chunk
   * stream's timestamp and message fields, checks the limits. Returns the timestamp field in effect.
   */
  private startMessage(stream: ChunkStreamState): number {
    // A fmt 0/1/2 header while a message is in progress on this chunk stream abandons that
    // message (the peer evidently did); keeping it would misassemble everything after.
    if (stream.buffer !== null) this.release(stream);
    const fmt = this.hFmt;
    const extended = this.hExtended;
    const field = extended ? this.hExtendedValue : this.hTimestampField;
    let timestampField = field;
    if (fmt === 0) {
      stream.timestamp = field;
      stream.delta = field;
      stream.extended = extended;
      stream.extendedValue = this.hExtendedValue;
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
    }
    const length = this.hMessageLength;
    stream.length = length;
    stream.type = this.hMessageType;
    stream.streamId = this.hStreamId;
    stream.received = 0;
    if (length > this.maxMessageSize) {
      throw new RtmpError('CHUNK_MESSAGE_TOO_LARGE', `message of ${length} bytes on chunk stream ${stream.csid} exceeds the ${this.maxMessageSize}-byte limit`, {
        details: { csid: stream.csid, length, limit: this.maxMessageSize, type: stream.type },
      });
    }
    // The limits hold for every message, also those read whole from one push (which never need a
    // buffer), so that the outcome does not depend on how the input was split.
    if (length !== 0) {
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
    }
    return timestampField;
  }

  /** Gives the message just started on `stream` a buffer of its own: it straddles pushes. */
  private openBuffer(stream: ChunkStreamState): void {
    const length = stream.length;
    this.openMessages++;
    this.bufferedBytes += length;
    if (length > MAX_SLAB_MESSAGE) {
      stream.buffer = new Uint8Array(length);
      return;
    }
    let offset = this.slabOffset;
    if (offset + length > this.slab.length) {
      this.slab = new Uint8Array(SLAB_SIZE);
      offset = 0;
    }
    // 8-byte alignment keeps payloads usable for aligned typed-array views and wide copies.
    this.slabOffset = (offset + length + 7) & ~7;
    stream.buffer = this.slab.subarray(offset, offset + length);
  }

  private release(stream: ChunkStreamState): void {
    if (stream.buffer === null) return;
    this.openMessages--;
    this.bufferedBytes -= stream.length;
    stream.buffer = null;
    stream.received = 0;
  }

  /** The chunk that continued across pushes is complete. */
  private finishChunk(): void {
    const stream = this.cur!;
    this.cur = null;
    const completes = !this.curDiscard && stream.received === stream.length;
    if (this.tap !== undefined && this.tap.chunk !== undefined) {
      const rawHeader = this.curRawHeader;
      let raw: Uint8Array | undefined;
      if (rawHeader !== undefined) {
        const payload = this.curDiscard || stream.buffer === null
          ? new Uint8Array(this.curPayloadLength)
          : stream.buffer.subarray(this.curPayloadOffset, this.curPayloadOffset + this.curPayloadLength);
        raw = concat(rawHeader, payload);
        this.curRawHeader = undefined;
      }
      this.reportChunk(stream, completes, raw);
    }
    if (completes) this.completeBuffered(stream);
  }

  private completeBuffered(stream: ChunkStreamState): void {
    const buffer = stream.buffer!;
    this.openMessages--;
    this.bufferedBytes -= stream.length;
    stream.buffer = null;
    stream.received = 0;
    this.completeMessage(stream, buffer);
  }

  private completeMessage(stream: ChunkStreamState, payload: Uint8Array): void {
    const message: RtmpMessage = { type: stream.type, streamId: stream.streamId, timestamp: stream.timestamp, payload, csid: stream.csid };
    const tap = this.tap;
    if (tap !== undefined && tap.message !== undefined) tap.message({ direction: 'in', message, at: this.now() });
    const type = message.type;
    if (type === MessageType.SetChunkSize) {
      this.setChunkSize(readControlValue(message, 'Set Chunk Size', 'CHUNK_BAD_CHUNK_SIZE'));
    } else if (type === MessageType.Abort) {
      this.abort(readControlValue(message, 'Abort', 'MESSAGE_MALFORMED'));
    }
    this.output.push(message);
  }

  // ---- tap reports (only when a tap with a chunk callback is attached) ----

  private setChunkFacts(fmt: 0 | 1 | 2 | 3, headerLength: number, extended: boolean, timestampField: number): void {
    this.curFmt = fmt;
    this.curHeaderLength = headerLength;
    this.curExtended = extended;
    this.curTimestampField = timestampField;
  }

  /** A copy of the current chunk's header (in `source` from `start`), when the tap wants raw bytes. */
  private rawHeader(source: Uint8Array, start: number): Uint8Array | undefined {
    return this.tap!.wantsRawChunks === true ? source.slice(start, start + this.curHeaderLength) : undefined;
  }

  /**
   * Reports a chunk that lies whole in `input` (header in `headerBytes` at `headerStart`), before
   * the run is closed up over it, so raw bytes are the bytes as they arrived.
   */
  private reportInputChunk(
    stream: ChunkStreamState,
    input: Uint8Array,
    payloadPos: number,
    payloadLength: number,
    payloadOffset: number,
    headerBytes: Uint8Array,
    headerStart: number,
  ): void {
    this.curPayloadOffset = payloadOffset;
    this.curPayloadLength = payloadLength;
    let raw: Uint8Array | undefined;
    if (this.tap!.wantsRawChunks === true) {
      const headerLength = this.curHeaderLength;
      raw = new Uint8Array(headerLength + payloadLength);
      raw.set(headerBytes.subarray(headerStart, headerStart + headerLength));
      raw.set(input.subarray(payloadPos, payloadPos + payloadLength), headerLength);
    }
    this.reportChunk(stream, payloadOffset + payloadLength === stream.length, raw);
  }

  private reportChunk(stream: ChunkStreamState, completes: boolean, raw: Uint8Array | undefined): void {
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
    if (raw !== undefined) info.raw = raw;
    this.tap!.chunk!(info);
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
