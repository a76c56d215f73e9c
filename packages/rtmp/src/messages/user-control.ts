import { ByteReader, ByteWriter } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import type { RtmpMessage } from '../types';
import { MSG_USER_CONTROL } from './type-ids';
import { checkU32, decoding } from './errors';
import { controlMessage } from './control-message';

/** User control event types (RTMP 1.0 §7.1.7, plus the undocumented ones Flash servers send). */
export const UserControlEventType = {
  StreamBegin: 0,
  StreamEOF: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
  SwfVerifyRequest: 26,
  SwfVerifyResponse: 27,
  BufferEmpty: 31,
  BufferReady: 32,
} as const;

export type UserControlEventName = keyof typeof UserControlEventType | 'Unknown';

/** A decoded user control message (type 4). */
export interface UserControlEvent {
  event: UserControlEventName;
  eventType: number;
  /** StreamBegin, StreamEOF, StreamDry, SetBufferLength, StreamIsRecorded, BufferEmpty, BufferReady. */
  streamId?: number;
  /** SetBufferLength. */
  bufferLengthMs?: number;
  /** PingRequest, PingResponse: the server's timestamp, echoed back unchanged. */
  timestamp?: number;
  /** The event data after the 2-byte type (a view of the message payload). */
  raw: Uint8Array;
}

/** What encodeUserControl writes. */
export type UserControlEventInit =
  | { event: 'StreamBegin' | 'StreamEOF' | 'StreamDry' | 'StreamIsRecorded' | 'BufferEmpty' | 'BufferReady'; streamId: number }
  | { event: 'SetBufferLength'; streamId: number; bufferLengthMs: number }
  | { event: 'PingRequest' | 'PingResponse'; timestamp: number }
  | { event: 'SwfVerifyRequest' }
  | { event: 'SwfVerifyResponse'; raw: Uint8Array }
  | { event: 'Unknown'; eventType: number; raw: Uint8Array };

const NAMES = new Map<number, UserControlEventName>(
  Object.entries(UserControlEventType).map(([name, type]) => [type, name as UserControlEventName]),
);

const STREAM_EVENTS: ReadonlySet<UserControlEventName> = new Set(['StreamBegin', 'StreamEOF', 'StreamDry', 'StreamIsRecorded', 'BufferEmpty', 'BufferReady']);

/** Decodes a user control message payload (§6.2): event type u16, then its data. Extra bytes are ignored. */
export function decodeUserControl(payload: Uint8Array): UserControlEvent {
  return decoding('user control message', { length: payload.length }, () => {
    const reader = new ByteReader(payload);
    const eventType = reader.u16();
    const event = NAMES.get(eventType) ?? 'Unknown';
    const decoded: UserControlEvent = { event, eventType, raw: payload.subarray(2) };
    if (STREAM_EVENTS.has(event)) {
      decoded.streamId = reader.u32();
    } else if (event === 'SetBufferLength') {
      decoded.streamId = reader.u32();
      decoded.bufferLengthMs = reader.u32();
    } else if (event === 'PingRequest' || event === 'PingResponse') {
      decoded.timestamp = reader.u32();
    }
    return decoded;
  });
}

/** Encodes a user control message payload. */
export function encodeUserControl(init: UserControlEventInit): Uint8Array {
  const writer = new ByteWriter(16);
  switch (init.event) {
    case 'SetBufferLength':
      writer.u16(UserControlEventType.SetBufferLength).u32(checkU32(init.streamId, 'stream id')).u32(checkU32(init.bufferLengthMs, 'buffer length'));
      break;
    case 'PingRequest':
    case 'PingResponse':
      writer.u16(UserControlEventType[init.event]).u32(checkU32(init.timestamp, 'timestamp'));
      break;
    case 'SwfVerifyRequest':
      writer.u16(UserControlEventType.SwfVerifyRequest);
      break;
    case 'SwfVerifyResponse':
      writer.u16(UserControlEventType.SwfVerifyResponse).bytes(init.raw);
      break;
    case 'Unknown':
      if (!Number.isInteger(init.eventType) || init.eventType < 0 || init.eventType > 0xffff) {
        throw new RtmpError('MESSAGE_INVALID_ARGUMENT', `user control event type ${init.eventType} is not a u16`);
      }
      writer.u16(init.eventType).bytes(init.raw);
      break;
    default:
      writer.u16(UserControlEventType[init.event]).u32(checkU32(init.streamId, 'stream id'));
  }
  return writer.finish().slice();
}

/** A user control message ready for ChunkWriter (chunk stream 2, message stream 0). */
export function userControlMessage(init: UserControlEventInit, timestamp = 0): RtmpMessage {
  return controlMessage(MSG_USER_CONTROL, encodeUserControl(init), timestamp);
}
