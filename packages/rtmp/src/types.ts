import type { CodedError } from '@rtmp-web/bytes';
import {
  MSG_SET_CHUNK_SIZE,
  MSG_ABORT,
  MSG_ACKNOWLEDGEMENT,
  MSG_USER_CONTROL,
  MSG_WINDOW_ACK_SIZE,
  MSG_SET_PEER_BANDWIDTH,
  MSG_AUDIO,
  MSG_VIDEO,
  MSG_DATA_AMF3,
  MSG_SHARED_OBJECT_AMF3,
  MSG_COMMAND_AMF3,
  MSG_DATA_AMF0,
  MSG_SHARED_OBJECT_AMF0,
  MSG_COMMAND_AMF0,
  MSG_AGGREGATE,
} from './messages/type-ids';

/** RTMP message type ids (RTMP 1.0 §5.4, §7.1). */
export const MessageType = {
  SetChunkSize: MSG_SET_CHUNK_SIZE,
  Abort: MSG_ABORT,
  Acknowledgement: MSG_ACKNOWLEDGEMENT,
  UserControl: MSG_USER_CONTROL,
  WindowAckSize: MSG_WINDOW_ACK_SIZE,
  SetPeerBandwidth: MSG_SET_PEER_BANDWIDTH,
  Audio: MSG_AUDIO,
  Video: MSG_VIDEO,
  DataAmf3: MSG_DATA_AMF3,
  SharedObjectAmf3: MSG_SHARED_OBJECT_AMF3,
  CommandAmf3: MSG_COMMAND_AMF3,
  DataAmf0: MSG_DATA_AMF0,
  SharedObjectAmf0: MSG_SHARED_OBJECT_AMF0,
  CommandAmf0: MSG_COMMAND_AMF0,
  Aggregate: MSG_AGGREGATE,
} as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/** One whole RTMP message, as assembled from (or split into) chunks. */
export interface RtmpMessage {
  /** Message type id (see MessageType). */
  type: number;
  /** Message stream id (0 for NetConnection-level and protocol-control messages). */
  streamId: number;
  /** Absolute timestamp in milliseconds (32-bit, wraps at 2^32). */
  timestamp: number;
  /** Message body. */
  payload: Uint8Array;
  /** Chunk stream id it travelled (or should travel) on. */
  csid: number;
}

/**
 * Bytes in, bytes out, close. Implementations: TcpTransport (Node, `@rtmp-web/rtmp/node`),
 * WebSocketTransport (page, `@rtmp-web/player`), later RtmptTransport.
 * A transport is handed to the session already open.
 */
export interface Transport {
  send(bytes: Uint8Array): void;
  close(reason?: string): void;
  /** Set by the session: called with every received byte run, in order. */
  onData: ((bytes: Uint8Array) => void) | null;
  /** Set by the session: called once when the transport closes; with an error when it failed. */
  onClose: ((error?: CodedError) => void) | null;
}

export type Direction = 'in' | 'out';

/** What the tap sees of one chunk (RTMP 1.0 §5.3.1). */
export interface ChunkInfo {
  direction: Direction;
  fmt: 0 | 1 | 2 | 3;
  csid: number;
  /** The timestamp or delta field as written in this chunk's header (after extended-timestamp resolution). */
  timestampField: number;
  /** Whether an extended timestamp was present in this chunk. */
  extendedTimestamp: boolean;
  /** Absolute message timestamp this chunk belongs to. */
  timestamp: number;
  messageLength: number;
  messageType: number;
  streamId: number;
  /** Byte count of basic + message header + extended timestamp. */
  headerLength: number;
  /** Payload bytes carried by this chunk. */
  payloadLength: number;
  /** Offset of this chunk's payload inside its message. */
  payloadOffset: number;
  /** The chunk's raw bytes (header and payload), a copy. Only filled when the tap asks for raw bytes. */
  raw?: Uint8Array;
  /** True on the chunk that completed its message. */
  completesMessage: boolean;
}

/** Observers on every layer; tools and the inspector attach here without changing behaviour. */
export interface ProtocolTap {
  handshake?(event: { direction: Direction; label: 'C0C1' | 'S0S1S2' | 'C2' | 'S0S1' | 'S2' | 'C0C1C2'; bytes: Uint8Array; at: number }): void;
  chunk?(chunk: ChunkInfo): void;
  message?(event: { direction: Direction; message: RtmpMessage; at: number }): void;
  /** Set true when the tap wants each ChunkInfo.raw filled (costs a copy per chunk). */
  wantsRawChunks?: boolean;
}

/** Outcome of the client handshake. */
export interface HandshakeResult {
  kind: 'simple' | 'digest';
  /** Digest kind only: whether S1's digest verified with the FMS key. */
  serverDigestVerified: boolean;
  /** Which digest layout the server used, when it verified. */
  layout?: 'digest-first' | 'key-first';
  /** S1 bytes 4..7 as a dotted version, e.g. "4.0.0.1", or "0.0.0.0". */
  serverVersion: string;
  /** S1 time field. */
  serverTime: number;
  /** Milliseconds from sending C0C1 to receiving S0S1S2. */
  roundTripMs: number;
}

/** A decoded audio or video message (FLV AUDIODATA/VIDEODATA, E-RTMP ExHeaders). */
export interface MediaFrame {
  kind: 'audio' | 'video';
  /** Decode timestamp, ms. */
  dts: number;
  /** Composition time offset (pts - dts), ms; 0 for audio. */
  cts: number;
  keyframe: boolean;
  /** A sequence header / decoder configuration record (AVCDecoderConfigurationRecord, AudioSpecificConfig...). */
  config: boolean;
  /** Codec FourCC-like id: 'avc1', 'hvc1', 'av01', 'vp09', 'mp4a', 'Opus', '.mp3', 'fLaC', or 'flv-<id>' for legacy ids with no mapping. */
  codec: string;
  /** Codec payload without the FLV/E-RTMP header (NAL units, raw AAC, config record...). */
  data: Uint8Array;
  /** The original message body, unchanged (for FLV remux and export). */
  payload: Uint8Array;
  /** E-RTMP multitrack id; 0 otherwise. */
  trackId: number;
}
