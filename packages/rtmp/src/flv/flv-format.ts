/**
 * FLV container constants (Adobe Flash Video File Format Specification v10.1, Annex E).
 * RTMP audio/video/data message bodies are FLV tag bodies (E.4.2 AUDIODATA, E.4.3 VIDEODATA,
 * E.4.4 SCRIPTDATA), which is why the container lives next to the protocol core.
 */

/** E.4.1 TagType. Other values are reserved; the reader passes them through. */
export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;
export type FlvTagTypeId = (typeof FlvTagType)[keyof typeof FlvTagType];

/** E.2: bytes of the FLV header in version 1 (its DataOffset). */
export const FLV_HEADER_LENGTH = 9;
/** E.4.1: bytes of a tag header. */
export const FLV_TAG_HEADER_LENGTH = 11;
/** E.3: bytes of a PreviousTagSize back-pointer. */
export const FLV_BACK_POINTER_LENGTH = 4;

/** E.2 TypeFlags: bit 2 audio present, bit 0 video present. */
export const FLV_FLAG_AUDIO = 0x04;
export const FLV_FLAG_VIDEO = 0x01;
