import { ByteReader, ByteWriter } from '@rtmp-web/bytes';
import { InspectorError } from './errors';

/** One FLV tag (FLV spec v10.1, Annex E.4.1): type 8 audio, 9 video, 18 script data. */
export interface FlvTag {
  type: number;
  /** Milliseconds (24 bits + 8 extension bits, i.e. 32-bit). */
  timestamp: number;
  data: Uint8Array;
}

export interface FlvFile {
  hasAudio: boolean;
  hasVideo: boolean;
  tags: FlvTag[];
}

const FLV_HEADER_LENGTH = 9;
const TAG_HEADER_LENGTH = 11;

/** Writes an FLV file: header (E.2), PreviousTagSize0, then each tag and its back-pointer (E.3). */
export function writeFlv(file: FlvFile): Uint8Array {
  let size = FLV_HEADER_LENGTH + 4;
  for (const tag of file.tags) size += TAG_HEADER_LENGTH + tag.data.byteLength + 4;
  const writer = new ByteWriter(size);
  writer.u8(0x46).u8(0x4c).u8(0x56).u8(1); // "FLV", version 1
  writer.u8((file.hasAudio ? 0x04 : 0) | (file.hasVideo ? 0x01 : 0)); // TypeFlagsAudio / TypeFlagsVideo
  writer.u32(FLV_HEADER_LENGTH); // DataOffset
  writer.u32(0); // PreviousTagSize0
  for (const tag of file.tags) {
    const timestamp = tag.timestamp >>> 0;
    writer.u8(tag.type & 0x1f);
    writer.u24(tag.data.byteLength);
    writer.u24(timestamp & 0xffffff); // Timestamp: lower 24 bits...
    writer.u8(timestamp >>> 24); // ...TimestampExtended: the upper 8
    writer.u24(0); // StreamID, always 0
    writer.bytes(tag.data);
    writer.u32(TAG_HEADER_LENGTH + tag.data.byteLength);
  }
  return writer.finish();
}

/**
 * Reads an FLV file. Strict about structure (header, sizes, back-pointers) so a broken export
 * is noticed; a file cut short after the last whole tag is accepted (a recording still being written).
 */
export function parseFlv(bytes: Uint8Array): FlvFile {
  const reader = new ByteReader(bytes);
  if (bytes.byteLength < FLV_HEADER_LENGTH || bytes[0] !== 0x46 || bytes[1] !== 0x4c || bytes[2] !== 0x56) {
    throw new InspectorError('INSPECTOR_FLV_BAD_HEADER', 'not an FLV file: it does not start with "FLV"');
  }
  reader.skip(3);
  const version = reader.u8();
  if (version !== 1) throw new InspectorError('INSPECTOR_FLV_BAD_HEADER', `FLV version ${version} is not 1`, { version });
  const flags = reader.u8();
  const dataOffset = reader.u32();
  if (dataOffset < FLV_HEADER_LENGTH || dataOffset > bytes.byteLength) {
    throw new InspectorError('INSPECTOR_FLV_BAD_HEADER', `FLV data offset ${dataOffset} is invalid`, { dataOffset });
  }
  reader.seek(dataOffset);
  const file: FlvFile = { hasAudio: (flags & 0x04) !== 0, hasVideo: (flags & 0x01) !== 0, tags: [] };
  if (!reader.hasRemaining(4)) throw new InspectorError('INSPECTOR_FLV_TRUNCATED', 'FLV file ends before PreviousTagSize0');
  reader.u32();
  while (reader.remaining > 0) {
    const start = reader.position;
    if (!reader.hasRemaining(TAG_HEADER_LENGTH)) throw new InspectorError('INSPECTOR_FLV_TRUNCATED', `FLV tag header cut short at byte ${start}`, { offset: start });
    const typeByte = reader.u8();
    const size = reader.u24();
    const low = reader.u24();
    const high = reader.u8();
    reader.u24(); // StreamID
    if ((typeByte & 0x20) !== 0) throw new InspectorError('INSPECTOR_FLV_BAD_TAG', `FLV tag at byte ${start} is encrypted (Filter bit set)`, { offset: start });
    if (!reader.hasRemaining(size + 4)) {
      throw new InspectorError('INSPECTOR_FLV_TRUNCATED', `FLV tag at byte ${start} needs ${size} data bytes but the file ends`, { offset: start });
    }
    const data = reader.bytesCopy(size);
    const back = reader.u32();
    if (back !== TAG_HEADER_LENGTH + size) {
      throw new InspectorError('INSPECTOR_FLV_BAD_TAG', `FLV tag at byte ${start}: PreviousTagSize ${back} should be ${TAG_HEADER_LENGTH + size}`, { offset: start });
    }
    file.tags.push({ type: typeByte & 0x1f, timestamp: ((high << 24) | low) >>> 0, data });
  }
  return file;
}
