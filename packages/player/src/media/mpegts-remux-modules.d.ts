/**
 * The slice of mpegts.js 1.8's own modules (npm `mpegts.js`, Apache-2.0, shipped as `src/`) that
 * MpegtsRemuxSink drives directly: the FLV demuxer, the fragmented-MP4 remuxer and the MSE
 * controller, without the library's IO layer, worker and player. Typed here ("the slice we use",
 * as mpegts-types.ts does for the bundled player) because the package only types its bundle.
 *
 * Four members are internal to mpegts.js (`_remuxVideo`/`_remuxAudio` with `force`, and the
 * stashed last samples): the sink uses them so the first keyframe is appended at once and each
 * later frame as soon as its successor arrives (see mpegts-remux-sink.ts). They exist, with this
 * meaning, in mpegts.js 1.7 and 1.8 (mp4-remuxer.js); the package is pinned to ^1.8.2.
 */

declare module 'mpegts.js/src/demux/flv-demuxer.js' {
  /** FLVDemuxer.probe: the FLV header (FLV v10.1 E.2) of the first bytes. */
  export interface FlvProbe {
    match: boolean;
    needMoreData?: boolean;
    consumed?: number;
    dataOffset?: number;
    hasAudioTrack?: boolean;
    hasVideoTrack?: boolean;
  }

  /** One track's queue of demuxed samples, handed to the remuxer (emptied by it). */
  export interface DemuxedTrack {
    type: 'audio' | 'video';
    samples: unknown[];
    length: number;
  }

  /** Config keys the demuxer reads: none we set; it is passed for symmetry with the remuxer. */
  export default class FLVDemuxer {
    constructor(probe: FlvProbe, config: Record<string, unknown>);
    static probe(buffer: ArrayBuffer): FlvProbe;
    /**
     * Parses whole FLV tags from `chunk` (an ArrayBuffer whose byte 0 is stream offset
     * `byteStart`; at byteStart 0 it must hold the header, PreviousTagSize0 and more). Returns
     * the bytes consumed: a tag cut at the end is left for the next call, prefixed by the caller.
     */
    parseChunks(chunk: ArrayBuffer, byteStart: number): number;
    /** Media time 0 in the output, ms (default 0). */
    timestampBase: number;
    onError: ((type: string, info: string) => void) | null;
    onMediaInfo: ((info: unknown) => void) | null;
    onMetaDataArrived: ((metadata: unknown) => void) | null;
    onScriptDataArrived: ((data: unknown) => void) | null;
    /** Set by MP4Remuxer.bindDataSource. */
    onDataAvailable: ((audio: DemuxedTrack, video: DemuxedTrack) => void) | null;
    onTrackMetadata: ((type: string, metadata: unknown) => void) | null;
    destroy(): void;
  }
}

declare module 'mpegts.js/src/remux/mp4-remuxer.js' {
  import type FLVDemuxer from 'mpegts.js/src/demux/flv-demuxer.js';
  import type { DemuxedTrack } from 'mpegts.js/src/demux/flv-demuxer.js';

  /** An fMP4 initialization segment (ftyp+moov) for one track, or an empty one for raw MP3. */
  export interface InitSegment {
    type: 'audio' | 'video';
    data: ArrayBuffer;
    /** RFC 6381 codec string, '' for audio/mpeg. */
    codec: string;
    /** 'video/mp4', 'audio/mp4' or 'audio/mpeg'. */
    container: string;
  }

  /** One moof+mdat fragment (or raw MP3 frames). */
  export interface MediaSegment {
    type: 'audio' | 'video';
    data: ArrayBuffer;
    sampleCount: number;
    info?: unknown;
  }

  /** Config keys it reads: isLive, fixAudioTimestampGap. */
  export default class MP4Remuxer {
    constructor(config: Record<string, unknown>);
    /** Sets the demuxer's onDataAvailable and onTrackMetadata to this remuxer. */
    bindDataSource(demuxer: FLVDemuxer): this;
    remux(audio: DemuxedTrack, video: DemuxedTrack): void;
    onInitSegment: ((type: string, segment: InitSegment) => void) | null;
    onMediaSegment: ((type: string, segment: MediaSegment) => void) | null;
    /** Internal: remux the queued samples; `force` also takes a lone sample (its duration then comes from the frame rate). */
    _remuxVideo(track: DemuxedTrack, force?: boolean): void;
    _remuxAudio(track: DemuxedTrack, force?: boolean): void;
    /** Internal: the newest sample of each track, held until the next gives its duration. */
    _videoStashedLastSample: { length: number } | null;
    _audioStashedLastSample: { length: number } | null;
    destroy(): void;
  }
}

declare module 'mpegts.js/src/core/mse-controller.js' {
  import type { InitSegment, MediaSegment } from 'mpegts.js/src/remux/mp4-remuxer.js';

  /** MSEEvents (core/mse-events.ts) values. */
  export type MseControllerEvent = 'error' | 'source_open' | 'update_end' | 'buffer_full' | 'start_streaming' | 'end_streaming';

  /**
   * Owns one MediaSource and its SourceBuffers: creates them from the init segments (queued until
   * sourceopen), appends segments in order, removes played media (autoCleanupSourceBuffer).
   * Config keys it reads: isLive, autoCleanupSourceBuffer, autoCleanupMaxBackwardDuration,
   * autoCleanupMinBackwardDuration (seconds).
   */
  export default class MSEController {
    constructor(config: Record<string, unknown>);
    initialize(element: { getCurrentTime(): number; getReadyState(): number }): void;
    isManagedMediaSource(): boolean;
    getObject(): MediaSource;
    getObjectURL(): string;
    revokeObjectURL(): void;
    appendInitSegment(segment: InitSegment): void;
    appendMediaSegment(segment: MediaSegment): void;
    on(event: MseControllerEvent, listener: (info?: { code?: number; msg?: string }) => void): void;
    shutdown(): void;
    destroy(): void;
    /** Internal: segments waiting for their SourceBuffer, per track, in order (init segments included). */
    _pendingSegments: Record<'audio' | 'video', Array<(InitSegment | MediaSegment) & { timestampOffset?: number }>>;
    _sourceBuffers: Partial<Record<'audio' | 'video', SourceBuffer | null>>;
    /** Internal: appends the head of each idle SourceBuffer's queue (one segment per updateend). */
    _doAppendSegments(): void;
  }
}

declare module 'mpegts.js/src/utils/logger.js' {
  /** mpegts.js's log switches (static, per module instance). */
  export default class Log {
    static ENABLE_ERROR: boolean;
    static ENABLE_INFO: boolean;
    static ENABLE_WARN: boolean;
    static ENABLE_DEBUG: boolean;
    static ENABLE_VERBOSE: boolean;
  }
}
