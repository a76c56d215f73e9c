export { RtmpPlayer, cancelWarmUp, warmUpPlayer } from './player';
export type { WarmUpResult } from './warm-up/warm-up';
export type {
  RtmpPlayerConfig,
  RtmpPlayerEvents,
  LoadOptions,
  PlayerStats,
  StatusEvent,
  LatencyEvent,
  ReconnectEvent,
  ConnectionEvent,
} from './player';
export type { PlayerState, StateChange } from './player-state';
export { PlayerError } from './errors';
export type { PlayerErrorCode } from './errors';
export { WebSocketTransport, describeBridgeClose, BridgeCloseCode } from './transport/websocket-transport';
export type { WebSocketTransportOptions, WebSocketConstructor } from './transport/websocket-transport';
export type { MediaSink } from './media/media-sink';
export { FlvMseSink } from './media/flv-mse-sink';
export type {
  MseSinkEvents,
  MseSinkOptions,
  SinkTracks,
  PlayerMediaSink,
  PlayerMediaSinkFactory,
  FlvPipeline,
  FlvPipelineFactory,
  FlvPipelineHooks,
} from './media/flv-mse-sink';
export { MpegtsRemuxSink, createMpegtsRemuxSink, loadRemuxModules } from './media/mpegts-remux-sink';
export type { MpegtsRemuxSinkOptions, RemuxModules } from './media/mpegts-remux-sink';
export type { TrackCodec } from './media/codecs';
export { LiveFlvMuxer } from './flv/live-flv-muxer';
export type { LiveFlvMuxerOptions, MuxerOutput, MuxerStart, TrackDescription, RestartReason } from './flv/live-flv-muxer';
export { encodeFlvHeader, encodeFlvTag, FlvTagType } from './flv/flv-tags';
export { LatencyController } from './latency/latency-controller';
export type { LatencyControllerOptions, LatencyDecision, PlaybackSample } from './latency/latency-controller';
export { LatencyEstimator } from './latency/latency-estimator';
export { VideoDropPolicy } from './latency/video-drop-policy';
export { ReconnectBackoff } from './recovery/reconnect-backoff';
export type { ReconnectBackoffOptions } from './recovery/reconnect-backoff';
export type { TimeToFirstFrame, TrackRate } from './stats';
export { defineRtmpPlayerElement, RTMP_PLAYER_TAG } from './element/rtmp-player-element';
export type { RtmpPlayerElement } from './element/rtmp-player-element';
