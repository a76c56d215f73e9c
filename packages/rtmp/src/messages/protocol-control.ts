import { ByteReader, ByteWriter } from '@rtmp-web/bytes';
import { validateChunkSize } from '../chunk/chunk-reader';
import { RtmpError } from '../errors';
import type { RtmpMessage } from '../types';
import { MSG_ABORT, MSG_ACKNOWLEDGEMENT, MSG_SET_CHUNK_SIZE, MSG_SET_PEER_BANDWIDTH, MSG_USER_CONTROL, MSG_WINDOW_ACK_SIZE } from './type-ids';
import { checkU32, decoding, expectType, malformed } from './errors';
import { decodeUserControl } from './user-control';
import type { UserControlEvent } from './user-control';

/** Set Peer Bandwidth limit types (RTMP 1.0 §5.4.5). */
export const PeerBandwidthLimit = { Hard: 0, Soft: 1, Dynamic: 2 } as const;
export type PeerBandwidthLimitType = 0 | 1 | 2;

/** A decoded protocol control message (§5.4) or user control message (§6.2, type 4). */
export type ProtocolControl =
  | { kind: 'SetChunkSize'; chunkSize: number }
  | { kind: 'Abort'; csid: number }
  | { kind: 'Acknowledgement'; sequenceNumber: number }
  | { kind: 'WindowAckSize'; windowSize: number }
  | { kind: 'SetPeerBandwidth'; windowSize: number; limitType: PeerBandwidthLimitType }
  | { kind: 'UserControl'; event: UserControlEvent };

const CONTROL_TYPES: readonly number[] = [
  MSG_SET_CHUNK_SIZE,
  MSG_ABORT,
  MSG_ACKNOWLEDGEMENT,
  MSG_USER_CONTROL,
  MSG_WINDOW_ACK_SIZE,
  MSG_SET_PEER_BANDWIDTH,
];

/** Whether `type` is one of the control message types 1..6 that decodeProtocolControl reads. */
export function isProtocolControl(type: number): boolean {
  return CONTROL_TYPES.includes(type);
}

/** Decodes message types 1, 2, 3, 5, 6 (§5.4) and 4 (§6.2). Other types: MESSAGE_UNEXPECTED_TYPE. */
export function decodeProtocolControl(message: RtmpMessage): ProtocolControl {
  expectType(message.type, CONTROL_TYPES, 'protocol control message');
  if (message.type === MSG_USER_CONTROL) return { kind: 'UserControl', event: decodeUserControl(message.payload) };
  return decoding('protocol control message', { type: message.type }, () => {
    const reader = new ByteReader(message.payload);
    switch (message.type) {
      case MSG_SET_CHUNK_SIZE: {
        if (message.payload.length < 4) {
          throw new RtmpError('CHUNK_BAD_CHUNK_SIZE', `Set Chunk Size message has ${message.payload.length} byte(s), expected 4`);
        }
        return { kind: 'SetChunkSize', chunkSize: validateChunkSize(reader.u32()) };
      }
      case MSG_ABORT:
        return { kind: 'Abort', csid: reader.u32() };
      case MSG_ACKNOWLEDGEMENT:
        return { kind: 'Acknowledgement', sequenceNumber: reader.u32() };
      case MSG_WINDOW_ACK_SIZE:
        return { kind: 'WindowAckSize', windowSize: reader.u32() };
      default: {
        const windowSize = reader.u32();
        const limitType = reader.u8();
        if (limitType > 2) throw malformed(`Set Peer Bandwidth limit type ${limitType} is not 0 (hard), 1 (soft) or 2 (dynamic)`, { limitType });
        return { kind: 'SetPeerBandwidth', windowSize, limitType: limitType as PeerBandwidthLimitType };
      }
    }
  });
}

/** §5.4.1: the new maximum chunk size, 1..2^31-1. */
export function encodeSetChunkSize(chunkSize: number): Uint8Array {
  return new ByteWriter(4).u32(validateChunkSize(chunkSize)).finish();
}

/** §5.4.2: the chunk stream whose partial message the peer should drop. */
export function encodeAbort(csid: number): Uint8Array {
  return new ByteWriter(4).u32(checkU32(csid, 'chunk stream id')).finish();
}

/** §5.4.3: bytes received so far; the caller wraps it to 32 bits. */
export function encodeAcknowledgement(sequenceNumber: number): Uint8Array {
  return new ByteWriter(4).u32(checkU32(sequenceNumber, 'sequence number')).finish();
}

/** §5.4.4: how many bytes the peer may send before it must see our Acknowledgement. */
export function encodeWindowAckSize(windowSize: number): Uint8Array {
  return new ByteWriter(4).u32(checkU32(windowSize, 'window size')).finish();
}

/** §5.4.5: limit the peer's output bandwidth. */
export function encodeSetPeerBandwidth(windowSize: number, limitType: PeerBandwidthLimitType): Uint8Array {
  if (limitType !== 0 && limitType !== 1 && limitType !== 2) {
    throw new RtmpError('MESSAGE_INVALID_ARGUMENT', `limit type ${String(limitType)} is not 0, 1 or 2`);
  }
  return new ByteWriter(5).u32(checkU32(windowSize, 'window size')).u8(limitType).finish();
}
