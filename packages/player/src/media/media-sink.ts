import type { MediaFrame } from '@rtmp-web/rtmp';

/**
 * Where decoded RTMP media goes (docs/architecture.md "Seams"). The MSE sinks (FlvMseSink:
 * MpegtsRemuxSink, MpegtsPlayerSink) remux to FLV for mpegts.js's demuxer and MSE; a WebCodecs
 * sink can implement the same three calls later.
 */
export interface MediaSink {
  push(frame: MediaFrame): void;
  /** Hand over anything held back now (e.g. start with the tracks seen so far). */
  flush(): void;
  /** Release everything; idempotent. */
  destroy(): void;
}
