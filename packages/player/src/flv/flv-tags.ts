import { ByteWriter } from '@rtmp-web/bytes';

/**
 * FLV container pieces (Adobe FLV spec v10.1, Annex E). An RTMP audio/video/data message body is
 * exactly an FLV tag body (E.4.2 AUDIODATA, E.4.3 VIDEODATA, E.4.4 SCRIPTDATA), so muxing is only
 * framing: a file header, then per tag an 11-byte header, the body, and the back-pointer.
 */
export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;
export type FlvTagTypeId = (typeof FlvTagType)[keyof typeof FlvTagType];

/** Bytes of the FLV header (E.2) plus the always-zero PreviousTagSize0 (E.3). */
export const FLV_HEADER_LENGTH = 13;
/** Bytes of a tag header (E.4.1). */
export const FLV_TAG_HEADER_LENGTH = 11;

/**
 * FLV header (E.2): "FLV", version 1, TypeFlags (bit 2 audio present, bit 0 video present),
 * DataOffset 9; followed by PreviousTagSize0 = 0 (E.3). Demuxers (mpegts.js, flv.js) decide which
 * SourceBuffers to create from these flags, so they must name only the tracks really present.
 */
export function encodeFlvHeader(tracks: { audio: boolean; video: boolean }): Uint8Array {
  const flags = (tracks.audio ? 0x04 : 0) | (tracks.video ? 0x01 : 0);
  return new ByteWriter(FLV_HEADER_LENGTH)
    .u8(0x46).u8(0x4c).u8(0x56) // "FLV"
    .u8(1) // version
    .u8(flags)
    .u32(9) // DataOffset: header length
    .u32(0) // PreviousTagSize0
    .finish();
}

/**
 * One FLV tag (E.4.1) followed by its PreviousTagSize (11 + DataSize, E.3).
 * The 32-bit millisecond timestamp is split: lower 24 bits in Timestamp, upper 8 bits in
 * TimestampExtended, exactly as the RTMP timestamp it came from (RTMP 1.0 §6.1.1 is also 32-bit).
 */
export function encodeFlvTag(type: FlvTagTypeId, timestamp: number, body: Uint8Array): Uint8Array {
  const ts = timestamp >>> 0;
  const dataSize = body.byteLength;
  return new ByteWriter(FLV_TAG_HEADER_LENGTH + dataSize + 4)
    .u8(type)
    .u24(dataSize)
    .u24(ts & 0xffffff)
    .u8(ts >>> 24) // TimestampExtended
    .u24(0) // StreamID, always 0
    .bytes(body)
    .u32(FLV_TAG_HEADER_LENGTH + dataSize)
    .finish();
}
