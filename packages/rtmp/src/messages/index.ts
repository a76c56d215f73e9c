export {
  decodeProtocolControl,
  isProtocolControl,
  encodeSetChunkSize,
  encodeAbort,
  encodeAcknowledgement,
  encodeWindowAckSize,
  encodeSetPeerBandwidth,
  PeerBandwidthLimit,
} from './protocol-control';
export type { ProtocolControl, PeerBandwidthLimitType } from './protocol-control';
export { controlMessage } from './control-message';
export { decodeUserControl, encodeUserControl, userControlMessage, UserControlEventType } from './user-control';
export type { UserControlEvent, UserControlEventInit, UserControlEventName } from './user-control';
export { decodeCommand, encodeCommand, commandMessage } from './command';
export type { RtmpCommand, CommandInit, ObjectEncoding } from './command';
export { decodeDataMessage, encodeDataMessage, dataMessage } from './data';
export type { RtmpData, DataInit } from './data';
export { decodeSharedObjectMessage, encodeSharedObjectMessage, SharedObjectEventType } from './shared-object';
export type {
  SharedObjectMessage,
  SharedObjectMessageInit,
  SharedObjectMessageEvent,
  SharedObjectMessageEventInit,
  SharedObjectEventKind,
  SharedObjectProperty,
} from './shared-object';
export { unpackAggregate, packAggregate } from './aggregate';
