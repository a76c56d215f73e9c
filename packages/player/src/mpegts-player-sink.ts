/**
 * `@rtmp-web/player/mpegts-player-sink`: the sink over mpegts.js's whole player (fed through its
 * custom-loader interface), as an alternative to the default MpegtsRemuxSink. A separate entry so
 * the default bundle carries none of it: `new RtmpPlayer({ sink: createMpegtsPlayerSink })`.
 */
export { MpegtsPlayerSink, createMpegtsPlayerSink } from './media/mpegts-player-sink';
export type { MpegtsPlayerSinkOptions } from './media/mpegts-player-sink';
export { loadMpegts } from './media/mpegts-types';
export type { MpegtsModuleLike } from './media/mpegts-types';
