export { NetConnection } from './net-connection';
export type {
  ConnectOptions,
  ConnectResult,
  PipelinedPlayOptions,
  NetConnectionEvents,
  DataMessageEvent,
  SharedObjectEvent,
  CommandEvent,
  StreamControlEvent,
  CloseEvent,
  CallHandler,
} from './net-connection';
export { NetStream } from './net-stream';
export { amf3Codec, sharedObjectCodec, fullCodecs } from './codecs';
export type { SessionCodecs, SharedObjectCodec, NetConnectionOptions } from './codecs';
export type { NetStreamEvents, PlayOptions, MediaMessageEvent } from './net-stream';
export type { NetStatusInfo, NetConnectionStatus, NetStreamStatus, NetConnectionStatusCode, NetStreamStatusCode } from './net-status';
export { parseRtmpUrl } from './rtmp-url';
export type { RtmpUrl, RtmpProtocol } from './rtmp-url';
export { MemoryTransport, createMemoryTransportPair } from './memory-transport';
export { TypedEmitter } from './typed-emitter';
export type { Listener } from './typed-emitter';
export type { SessionErrorCode } from './session-errors';
