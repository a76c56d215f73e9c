import { amf3Codec, encodeAmf0 } from '@rtmp-web/amf';
import { MessageType, readFlvFile, writeFlvFile } from '@rtmp-web/rtmp';
import type { FlvTagToWrite, RtmpMessage } from '@rtmp-web/rtmp';
import { timestampDelta } from './analyzer';
import { asRtmpMessage, decodeRecord } from './core';
import { DEFAULT_LIMITS } from './recorder';
import type { Direction, Recording } from './model';

export interface FlvExportOptions {
  /** Message stream to export; default the first stream that carries audio or video. */
  streamId?: number;
  /** Default 'in' (what the player received). */
  direction?: Direction;
}

/**
 * The media of a recording as an FLV file: audio, video and script-data messages of one stream
 * become FLV tags (their bodies are FLV tag bodies already, RTMP carries FLV AUDIODATA /
 * VIDEODATA, FLV spec v10.1 E.4), aggregates are unpacked into their sub-messages, AMF3 data
 * messages are re-encoded as AMF0 (FLV script data is AMF0). Timestamps start at 0.
 */
export function exportFlv(recording: Recording, options: FlvExportOptions = {}): Uint8Array {
  const direction = options.direction ?? 'in';
  const messages: RtmpMessage[] = [];
  for (const record of recording.messages) {
    if (record.direction !== direction) continue;
    if (record.type === MessageType.Aggregate) {
      const decoded = decodeRecord(record);
      if (decoded.kind === 'aggregate') messages.push(...decoded.messages);
    } else if (record.type === MessageType.Audio || record.type === MessageType.Video || record.type === MessageType.DataAmf0 || record.type === MessageType.DataAmf3) {
      messages.push(asRtmpMessage(record));
    }
  }
  const streamId = options.streamId ?? messages.find((m) => m.type === MessageType.Audio || m.type === MessageType.Video)?.streamId;
  const tags: FlvTagToWrite[] = [];
  let origin: number | undefined;
  for (const message of messages) {
    if (message.streamId !== streamId) continue;
    const data = tagBody(message);
    if (!data) continue;
    // Script data before the first media keeps timestamp 0; media starts the clock.
    if (origin === undefined && message.type !== MessageType.DataAmf0 && message.type !== MessageType.DataAmf3) origin = message.timestamp;
    const timestamp = origin === undefined ? 0 : Math.max(0, timestampDelta(origin, message.timestamp));
    tags.push({ tagType: message.type === MessageType.DataAmf3 ? MessageType.DataAmf0 : message.type, timestamp, data });
  }
  return writeFlvFile({
    hasAudio: tags.some((t) => t.tagType === MessageType.Audio),
    hasVideo: tags.some((t) => t.tagType === MessageType.Video),
    tags,
  });
}

function tagBody(message: RtmpMessage): Uint8Array | undefined {
  if (message.type !== MessageType.DataAmf3) return message.payload.byteLength > 0 ? message.payload : undefined;
  const decoded = decodeRecord({ index: -1, direction: 'in', at: 0, delta: 0, chunks: [], ...message });
  if (decoded.kind !== 'data') return undefined;
  try {
    // AMF3-only values (XML, byte arrays, vectors) stay AMF3 behind the AVM+ switch.
    return encodeAmf0([decoded.data.name, ...decoded.data.args], { amf3: amf3Codec });
  } catch {
    return undefined;
  }
}

/** Chunk stream ids given to FLV tags turned into messages (any fixed choice works; these match common servers). */
const FLV_CSIDS: Record<number, number> = { [MessageType.Audio]: 4, [MessageType.Video]: 6, [MessageType.DataAmf0]: 5 };

/**
 * A recording made from an FLV file, so a file saved by a server or by `exportFlv` can be
 * analysed offline: each tag becomes an incoming message on stream 1, arriving at its own
 * timestamp (there is no wall clock in a file), with no chunks and no handshake. A damaged
 * file throws the reader's `FlvError` (FLV_TRUNCATED, FLV_BAD_BACK_POINTER, ...).
 */
export function recordingFromFlv(bytes: Uint8Array, name?: string): Recording {
  const file = readFlvFile(bytes);
  const last = new Map<number, number>();
  return {
    startedAt: 0,
    source: { origin: 'flv-file', ...(name === undefined ? {} : { url: name }) },
    limits: { ...DEFAULT_LIMITS },
    dropped: { messages: 0, bytes: 0, timeline: 0, paused: 0 },
    handshake: [],
    timeline: [],
    messages: file.tags.map((tag, index) => {
      const previous = last.get(tag.tagType);
      last.set(tag.tagType, tag.timestamp);
      return {
        index,
        direction: 'in' as const,
        at: tag.timestamp,
        csid: FLV_CSIDS[tag.tagType] ?? 7,
        streamId: 1,
        type: tag.tagType,
        timestamp: tag.timestamp,
        delta: previous === undefined ? 0 : tag.timestamp - previous,
        payload: tag.data,
        chunks: [],
      };
    }),
  };
}
