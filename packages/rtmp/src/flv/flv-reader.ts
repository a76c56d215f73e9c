import { ByteReader } from '@rtmp-web/bytes';
import { FlvError } from './flv-errors';
import { FLV_BACK_POINTER_LENGTH, FLV_FLAG_AUDIO, FLV_FLAG_VIDEO, FLV_HEADER_LENGTH, FLV_TAG_HEADER_LENGTH, FlvTagType } from './flv-format';

/**
 * A pure, incremental reader of FLV files (Adobe Flash Video File Format Specification
 * v10.1, Annex E). It knows nothing about files or sockets: bytes go in with `push()`,
 * whole tags come out, however the input was split.
 */

export interface FlvHeader {
  /** E.2 Version; 1 for every file written so far. */
  version: number;
  /** E.2 TypeFlagsAudio (bit 2 of the flags byte). Advisory: players trust the tags, not this. */
  hasAudio: boolean;
  /** E.2 TypeFlagsVideo (bit 0 of the flags byte). */
  hasVideo: boolean;
  /** E.2 DataOffset: the header's own length, 9 in version 1; bytes between 9 and it are skipped. */
  dataOffset: number;
}

export interface FlvTag {
  /** E.4.1 TagType: 8 audio, 9 video, 18 script data, anything else reserved. */
  tagType: number;
  kind: 'audio' | 'video' | 'script' | 'reserved';
  /** Milliseconds: Timestamp (24 bits) with TimestampExtended as the upper 8 bits (E.4.1). */
  timestamp: number;
  /** E.4.1 StreamID, always 0 in conforming files; kept as read. */
  streamId: number;
  /** The tag body (AUDIODATA, VIDEODATA or SCRIPTDATA), a copy safe to keep. */
  data: Uint8Array;
  /** Byte offset of the tag header in the file. */
  offset: number;
}

export type FlvReadEvent = { type: 'header'; header: FlvHeader } | { type: 'tag'; tag: FlvTag };

export interface FlvReaderOptions {
  /**
   * Check every PreviousTagSize against 11 + DataSize of the tag before it (E.3) and throw
   * FLV_BAD_BACK_POINTER on a mismatch. Default true: the back pointers are the only
   * redundancy in the framing, so a wrong one is the first sign of a damaged or cut-and-spliced
   * file. Set false for files from writers that leave them zero.
   */
  verifyBackPointers?: boolean;
}

/** E.2 allows a DataOffset above 9 (bytes a later version may add); more than this is a damaged header. */
const MAX_DATA_OFFSET = 1024;

type Expect =
  | { what: 'header' }
  | { what: 'header-padding'; count: number }
  | { what: 'back-pointer' }
  | { what: 'tag-header' }
  | { what: 'tag-body'; tagType: number; dataSize: number; timestamp: number; streamId: number; offset: number };

export class FlvReader {
  private readonly verifyBackPointers: boolean;
  /** Unconsumed input, in arrival order; joined only when an element spans pieces. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** File offset of the first pending byte. */
  private offset = 0;
  private expect: Expect = { what: 'header' };
  /** What the next PreviousTagSize must say: 0 before the first tag (E.3 PreviousTagSize0). */
  private expectedBackPointer = 0;
  private ended = false;
  private tagCount = 0;

  constructor(options: FlvReaderOptions = {}) {
    this.verifyBackPointers = options.verifyBackPointers ?? true;
  }

  /** Number of whole tags read so far. */
  get tagsRead(): number {
    return this.tagCount;
  }

  /** Bytes consumed so far (the file offset of the first byte not yet parsed). */
  get bytesConsumed(): number {
    return this.offset;
  }

  push(bytes: Uint8Array): FlvReadEvent[] {
    if (this.ended) throw new FlvError('FLV_READER_ENDED', 'push() after end()');
    if (bytes.byteLength > 0) {
      this.pending.push(bytes);
      this.pendingLength += bytes.byteLength;
    }
    const events: FlvReadEvent[] = [];
    for (;;) {
      const need = this.bytesNeeded();
      if (this.pendingLength < need) break;
      const element = this.take(need);
      const event = this.consume(element);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * Declares the input complete. A file may end right after a tag's PreviousTagSize, or
   * (as many live recordings do) right after a tag body with its last back pointer missing;
   * anything else is FLV_TRUNCATED.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const atTagBoundary = this.expect.what === 'tag-header' && this.pendingLength === 0;
    const missingLastBackPointer = this.expect.what === 'back-pointer' && this.pendingLength === 0 && this.tagCount > 0;
    if (atTagBoundary || missingLastBackPointer) return;
    throw new FlvError('FLV_TRUNCATED', `FLV input ended inside the ${describe(this.expect)} at offset ${this.offset}`, {
      offset: this.offset,
      expecting: this.expect.what,
      have: this.pendingLength,
      need: this.bytesNeeded(),
    });
  }

  private bytesNeeded(): number {
    switch (this.expect.what) {
      case 'header':
        return FLV_HEADER_LENGTH;
      case 'header-padding':
        return this.expect.count;
      case 'back-pointer':
        return FLV_BACK_POINTER_LENGTH;
      case 'tag-header':
        return FLV_TAG_HEADER_LENGTH;
      case 'tag-body':
        return this.expect.dataSize;
    }
  }

  private consume(element: Uint8Array): FlvReadEvent | null {
    const elementOffset = this.offset - element.byteLength;
    const expect = this.expect;
    switch (expect.what) {
      case 'header': {
        const header = parseHeader(element);
        this.expect = header.dataOffset > FLV_HEADER_LENGTH ? { what: 'header-padding', count: header.dataOffset - FLV_HEADER_LENGTH } : { what: 'back-pointer' };
        return { type: 'header', header };
      }
      case 'header-padding':
        this.expect = { what: 'back-pointer' };
        return null;
      case 'back-pointer': {
        const value = new ByteReader(element).u32();
        if (this.verifyBackPointers && value !== this.expectedBackPointer) {
          throw new FlvError(
            'FLV_BAD_BACK_POINTER',
            `PreviousTagSize at offset ${elementOffset} is ${value}, expected ${this.expectedBackPointer}`,
            { offset: elementOffset, value, expected: this.expectedBackPointer },
          );
        }
        this.expect = { what: 'tag-header' };
        return null;
      }
      case 'tag-header': {
        const reader = new ByteReader(element);
        const first = reader.u8();
        // E.4.1: Reserved (2 bits, 0), Filter (1 bit: pre-processed/encrypted body), TagType (5 bits).
        if (first & 0x20) {
          throw new FlvError('FLV_ENCRYPTED_TAG', `tag at offset ${elementOffset} has the Filter bit set (encrypted FLV is not supported)`, {
            offset: elementOffset,
          });
        }
        const tagType = first & 0x1f;
        const dataSize = reader.u24();
        const low = reader.u24();
        const extended = reader.u8();
        const streamId = reader.u24();
        // TimestampExtended is the upper 8 bits of a 32-bit millisecond timestamp; multiply
        // rather than shift so values >= 2^31 stay positive.
        const timestamp = extended * 0x1000000 + low;
        this.expect = { what: 'tag-body', tagType, dataSize, timestamp, streamId, offset: elementOffset };
        if (dataSize === 0) return this.consume(new Uint8Array(0));
        return null;
      }
      case 'tag-body': {
        this.expect = { what: 'back-pointer' };
        this.expectedBackPointer = FLV_TAG_HEADER_LENGTH + expect.dataSize;
        this.tagCount++;
        return {
          type: 'tag',
          tag: {
            tagType: expect.tagType,
            kind: kindOf(expect.tagType),
            timestamp: expect.timestamp,
            streamId: expect.streamId,
            data: element,
            offset: expect.offset,
          },
        };
      }
    }
  }

  /** Removes exactly `count` bytes from the front of the pending input (caller checked they exist). */
  private take(count: number): Uint8Array {
    this.offset += count;
    this.pendingLength -= count;
    if (count === 0) return new Uint8Array(0);
    const first = this.pending[0]!;
    if (first.byteLength >= count) {
      // A copy, so a tag body never aliases a buffer the caller may reuse.
      const out = first.slice(0, count);
      if (first.byteLength === count) this.pending.shift();
      else this.pending[0] = first.subarray(count);
      return out;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const piece = this.pending[0]!;
      const used = Math.min(piece.byteLength, count - filled);
      out.set(piece.subarray(0, used), filled);
      filled += used;
      if (used === piece.byteLength) this.pending.shift();
      else this.pending[0] = piece.subarray(used);
    }
    return out;
  }
}

function parseHeader(bytes: Uint8Array): FlvHeader {
  const reader = new ByteReader(bytes);
  // E.2: Signature "FLV" (0x46 0x4C 0x56).
  if (reader.u8() !== 0x46 || reader.u8() !== 0x4c || reader.u8() !== 0x56) {
    throw new FlvError('FLV_BAD_SIGNATURE', 'input does not start with the FLV signature "FLV"', { first: Array.from(bytes.subarray(0, 3)) });
  }
  const version = reader.u8();
  if (version !== 1) throw new FlvError('FLV_BAD_VERSION', `FLV version ${version} is not supported (only 1)`, { version });
  const flags = reader.u8();
  const dataOffset = reader.u32();
  // E.2: DataOffset is 9 for version 1; a smaller value would point inside the header itself.
  // An upper bound keeps a damaged header from making the reader skip (and buffer) megabytes.
  if (dataOffset < FLV_HEADER_LENGTH || dataOffset > MAX_DATA_OFFSET) {
    throw new FlvError('FLV_BAD_HEADER_SIZE', `FLV DataOffset ${dataOffset} is outside ${FLV_HEADER_LENGTH}..${MAX_DATA_OFFSET}`, { dataOffset });
  }
  return { version, hasAudio: (flags & FLV_FLAG_AUDIO) !== 0, hasVideo: (flags & FLV_FLAG_VIDEO) !== 0, dataOffset };
}

function kindOf(tagType: number): FlvTag['kind'] {
  if (tagType === FlvTagType.Audio) return 'audio';
  if (tagType === FlvTagType.Video) return 'video';
  if (tagType === FlvTagType.Script) return 'script';
  return 'reserved';
}

function describe(expect: Expect): string {
  switch (expect.what) {
    case 'header':
      return 'FLV header';
    case 'header-padding':
      return 'bytes between the header and DataOffset';
    case 'back-pointer':
      return 'PreviousTagSize field';
    case 'tag-header':
      return 'tag header';
    case 'tag-body':
      return `body of the tag at offset ${expect.offset} (${expect.dataSize} bytes)`;
  }
}

export interface FlvFile {
  header: FlvHeader;
  tags: FlvTag[];
}

/**
 * Reads a whole FLV file held in memory: its header and every tag, in file order. The same
 * rules as `FlvReader` with `end()`: a file may stop after any whole tag (its last back pointer
 * may be missing), anything shorter is FLV_TRUNCATED.
 */
export function readFlvFile(bytes: Uint8Array, options?: FlvReaderOptions): FlvFile {
  const reader = new FlvReader(options);
  let header: FlvHeader | null = null;
  const tags: FlvTag[] = [];
  for (const event of reader.push(bytes)) {
    if (event.type === 'header') header = event.header;
    else tags.push(event.tag);
  }
  reader.end();
  if (!header) throw new FlvError('FLV_TRUNCATED', 'FLV input ended inside the FLV header', { offset: 0 });
  return { header, tags };
}
