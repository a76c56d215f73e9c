/** Default chunk size in each direction until a Set Chunk Size arrives (RTMP 1.0 §5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** Largest legal chunk size: 31 bits, the top bit of the Set Chunk Size payload must be 0 (§5.4.1). */
export const MAX_CHUNK_SIZE = 0x7fffffff;
/** The 24-bit timestamp value that announces a 4-byte extended timestamp (§5.3.1.3). */
export const EXTENDED_TIMESTAMP_MARKER = 0xffffff;
/** Message length is a 24-bit field (§5.3.1.2.1). */
export const MAX_MESSAGE_LENGTH = 0xffffff;
/** csid 0 and 1 are the 2- and 3-byte basic-header escapes; 2..65599 are usable (§5.3.1.1). */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

/**
 * The chunk stream ids this project writes on. nginx-rtmp allocates `max_streams` (default 32)
 * chunk streams per connection and drops the client for any csid at or above it, so every id
 * stays below 32. The layout follows FFmpeg's (2 network, 3 system, 4 audio, 6 video, 8 source),
 * which every server we know accepts.
 */
export const ChunkStreamId = {
  /** Protocol control and user control messages (§5.4, §6.2: "chunk stream ID 2"). */
  ProtocolControl: 2,
  /** NetConnection commands: connect, createStream, call, _result... */
  Command: 3,
  /** Audio messages (only when publishing). */
  Audio: 4,
  /** Data messages (@setDataFrame / onMetaData) when publishing. */
  Data: 5,
  /** Video messages (only when publishing). */
  Video: 6,
  /** NetStream commands: play, pause, seek, publish, closeStream, deleteStream... */
  StreamCommand: 8,
} as const;
export type ChunkStreamIdName = keyof typeof ChunkStreamId;
