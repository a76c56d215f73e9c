/**
 * Chunk stream ids the client writes on. Any id from 3 up may carry anything (RTMP 1.0
 * §5.3.1.1), but nginx-rtmp refuses csids of 32 and above, and FFmpeg's choices are what
 * every server has been tested with: 2 protocol control (mandatory), 3 NetConnection
 * commands, 8 NetStream commands (FFmpeg's RTMP_SOURCE_CHANNEL).
 */
export const SessionChunkStream = {
  ProtocolControl: 2,
  Command: 3,
  StreamCommand: 8,
} as const;
