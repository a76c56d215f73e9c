/**
 * The FLV header and tag writers live in @rtmp-web/rtmp (one FLV implementation for the
 * project, `packages/rtmp/src/flv`); the player keeps these names for its muxer and its public API.
 */
export { encodeFlvHeader, encodeFlvTag, FlvTagType } from '@rtmp-web/rtmp';
export type { FlvTagTypeId } from '@rtmp-web/rtmp';
