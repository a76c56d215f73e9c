import { ChunkStreamId } from '../chunk/constants';
import type { RtmpMessage } from '../types';

/** A control message ready for ChunkWriter: chunk stream 2, message stream 0 (RTMP 1.0 §5.4, §6.2). */
export function controlMessage(type: number, payload: Uint8Array, timestamp = 0): RtmpMessage {
  return { type, streamId: 0, timestamp, payload, csid: ChunkStreamId.ProtocolControl };
}
