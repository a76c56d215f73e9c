import { ByteWriter } from '@rtmp-web/bytes';
import {
  FLV_BACK_POINTER_LENGTH,
  FLV_FLAG_AUDIO,
  FLV_FLAG_VIDEO,
  FLV_HEADER_LENGTH,
  FLV_TAG_HEADER_LENGTH,
  type FlvTagTypeId,
} from './flv-format';

/** What the writer needs of a tag; an `FlvTag` read by `FlvReader` fits as it is. */
export interface FlvTagToWrite {
  /** E.4.1 TagType (8 audio, 9 video, 18 script data); only the low 5 bits are written. */
  tagType: number;
  /** Milliseconds, 32-bit (Timestamp + TimestampExtended). */
  timestamp: number;
  /** The tag body (AUDIODATA, VIDEODATA or SCRIPTDATA), written unchanged. */
  data: Uint8Array;
}

export interface FlvFileToWrite {
  hasAudio: boolean;
  hasVideo: boolean;
  tags: readonly FlvTagToWrite[];
}

/**
 * FLV header (E.2): "FLV", version 1, TypeFlags, DataOffset 9; followed by PreviousTagSize0 = 0
 * (E.3). Demuxers (mpegts.js, flv.js) decide which SourceBuffers to create from these flags, so
 * they must name only the tracks really present.
 */
export function encodeFlvHeader(tracks: { audio: boolean; video: boolean }): Uint8Array {
  const writer = new ByteWriter(FLV_HEADER_LENGTH + FLV_BACK_POINTER_LENGTH);
  writeHeader(writer, tracks.audio, tracks.video);
  return writer.finish();
}

/**
 * One FLV tag (E.4.1) followed by its PreviousTagSize (11 + DataSize, E.3). The body is copied
 * unchanged: an RTMP media message body already is the tag body.
 */
export function encodeFlvTag(type: FlvTagTypeId, timestamp: number, body: Uint8Array): Uint8Array {
  const writer = new ByteWriter(FLV_TAG_HEADER_LENGTH + body.byteLength + FLV_BACK_POINTER_LENGTH);
  writeTag(writer, type, timestamp, body);
  return writer.finish();
}

/** A whole FLV file in one buffer: header, PreviousTagSize0, then each tag and its back-pointer. */
export function writeFlvFile(file: FlvFileToWrite): Uint8Array {
  let size = FLV_HEADER_LENGTH + FLV_BACK_POINTER_LENGTH;
  for (const tag of file.tags) size += FLV_TAG_HEADER_LENGTH + tag.data.byteLength + FLV_BACK_POINTER_LENGTH;
  const writer = new ByteWriter(size);
  writeHeader(writer, file.hasAudio, file.hasVideo);
  for (const tag of file.tags) writeTag(writer, tag.tagType, tag.timestamp, tag.data);
  return writer.finish();
}

function writeHeader(writer: ByteWriter, audio: boolean, video: boolean): void {
  writer
    .u8(0x46).u8(0x4c).u8(0x56) // Signature "FLV"
    .u8(1) // Version
    .u8((audio ? FLV_FLAG_AUDIO : 0) | (video ? FLV_FLAG_VIDEO : 0)) // TypeFlags
    .u32(FLV_HEADER_LENGTH) // DataOffset: the header's own length
    .u32(0); // PreviousTagSize0 (E.3)
}

/**
 * The 32-bit millisecond timestamp is split: lower 24 bits in Timestamp, upper 8 bits in
 * TimestampExtended (E.4.1), the same 32-bit clock as the RTMP message it came from (RTMP 1.0
 * §6.1.1). Reserved and Filter bits are 0 (unencrypted), StreamID is always 0.
 */
function writeTag(writer: ByteWriter, tagType: number, timestamp: number, body: Uint8Array): void {
  const ts = timestamp >>> 0;
  writer
    .u8(tagType & 0x1f)
    .u24(body.byteLength) // DataSize
    .u24(ts & 0xffffff) // Timestamp
    .u8(ts >>> 24) // TimestampExtended
    .u24(0) // StreamID
    .bytes(body)
    .u32(FLV_TAG_HEADER_LENGTH + body.byteLength); // PreviousTagSize
}
