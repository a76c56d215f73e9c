import type FLVDemuxer from 'mpegts.js/src/demux/flv-demuxer.js';
import type { DemuxedTrack, FlvProbe } from 'mpegts.js/src/demux/flv-demuxer.js';
import type MP4Remuxer from 'mpegts.js/src/remux/mp4-remuxer.js';
import type { InitSegment, MediaSegment } from 'mpegts.js/src/remux/mp4-remuxer.js';
import type MSEController from 'mpegts.js/src/core/mse-controller.js';
import type Log from 'mpegts.js/src/utils/logger.js';
import { PlayerError } from '../errors';
import { FlvMseSink, remuxerError } from './flv-mse-sink';
import type { FlvPipeline, FlvPipelineHooks, MseSinkOptions, PlayerMediaSinkFactory, SinkTracks } from './flv-mse-sink';

/** mpegts.js's demuxer, remuxer and MSE controller classes (and its log switches). */
export interface RemuxModules {
  FLVDemuxer: typeof FLVDemuxer;
  MP4Remuxer: typeof MP4Remuxer;
  MSEController: typeof MSEController;
  Log: typeof Log;
}

let loading: Promise<RemuxModules> | null = null;

/**
 * Loads mpegts.js's FLV demuxer, MP4 remuxer and MSE controller from its `src/` (about 26 KB
 * gzip, against 70 KB for the whole bundle with its MPEG-TS demuxer, loaders, worker and player),
 * once, on first use. Never imported statically: the modules read `self.navigator` when loaded,
 * which Node has not.
 */
export function loadRemuxModules(): Promise<RemuxModules> {
  loading ??= Promise.all([
    import('mpegts.js/src/demux/flv-demuxer.js'),
    import('mpegts.js/src/remux/mp4-remuxer.js'),
    import('mpegts.js/src/core/mse-controller.js'),
    import('mpegts.js/src/utils/logger.js'),
  ]).then(([demuxer, remuxer, mse, logger]) => ({
    FLVDemuxer: demuxer.default,
    MP4Remuxer: remuxer.default,
    MSEController: mse.default,
    Log: logger.default,
  }));
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

export interface MpegtsRemuxSinkOptions extends MseSinkOptions {
  /** Where the modules come from (default: loadRemuxModules). */
  loadModules?: () => Promise<RemuxModules>;
}

/**
 * The configuration the three classes read. Live: no segment index is kept (memory stays flat)
 * and played media is removed from the SourceBuffers once 30 s lie behind the playhead, down to
 * 10 s (the LatencyController only ever seeks forward, so nothing behind is needed).
 */
const REMUX_CONFIG = {
  isLive: true,
  fixAudioTimestampGap: true,
  autoCleanupSourceBuffer: true,
  autoCleanupMaxBackwardDuration: 30,
  autoCleanupMinBackwardDuration: 10,
} as const;

/** What MpegtsFlvRemuxer produces, in order. */
export interface FlvRemuxerOutput {
  initSegment(segment: InitSegment): void;
  mediaSegment(segment: MediaSegment): void;
  error(error: PlayerError): void;
}

/**
 * FLV bytes -> fragmented MP4 segments, with mpegts.js's FLVDemuxer and MP4Remuxer. Bytes are
 * parsed the moment they are pushed (no stash, no timers). Needs no DOM: it runs in Node too.
 */
export class MpegtsFlvRemuxer {
  private demuxer: FLVDemuxer | null = null;
  private remuxer: MP4Remuxer | null = null;
  /** Stream offset of the next byte the demuxer has not consumed. */
  private offset = 0;
  /** Bytes the demuxer left unconsumed (a tag cut short); our muxer writes whole tags, so normally none. */
  private leftover: Uint8Array | null = null;
  /** Per track: whether a media segment was produced yet (see forceFirstSamples). */
  private readonly produced = { audio: false, video: false };
  private broken = false;

  constructor(
    private readonly modules: Pick<RemuxModules, 'FLVDemuxer' | 'MP4Remuxer'>,
    private readonly output: FlvRemuxerOutput,
  ) {}

  push(bytes: Uint8Array): void {
    if (this.broken) return;
    let data = bytes;
    if (this.leftover) {
      data = new Uint8Array(this.leftover.byteLength + bytes.byteLength);
      data.set(this.leftover, 0);
      data.set(bytes, this.leftover.byteLength);
      this.leftover = null;
    }
    // The demuxer reads the chunk with DataViews from byte 0 of an ArrayBuffer and keeps views
    // of the samples until they are remuxed: hand it a buffer of its own that nothing reuses.
    const chunk =
      data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer
        ? data.buffer
        : data.slice().buffer;
    try {
      if (!this.demuxer) {
        const probe = this.modules.FLVDemuxer.probe(chunk);
        if (!probe.match) {
          if (probe.needMoreData) this.leftover = data.slice();
          else this.fail(new PlayerError('MEDIA_PIPELINE_ERROR', 'The media remuxer was given bytes that are not FLV (no FLV header).'));
          return;
        }
        this.demuxer = this.createDemuxer(probe);
      }
      const consumed = this.demuxer.parseChunks(chunk, this.offset);
      this.offset += consumed;
      if (consumed < data.byteLength) this.leftover = data.slice(consumed);
    } catch (cause) {
      this.fail(new PlayerError('MEDIA_PIPELINE_ERROR', `The media remuxer failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }));
    }
  }

  destroy(): void {
    this.broken = true;
    this.leftover = null;
    this.demuxer?.destroy();
    this.remuxer?.destroy();
    this.demuxer = null;
    this.remuxer = null;
  }

  private createDemuxer(probe: FlvProbe): FLVDemuxer {
    const demuxer = new this.modules.FLVDemuxer(probe, { ...REMUX_CONFIG });
    const remuxer = new this.modules.MP4Remuxer({ ...REMUX_CONFIG });
    this.remuxer = remuxer;
    // FLV v10.1 E.4.2.1/E.4.3.1 codec ids the demuxer does not carry arrive here ('CodecUnsupported').
    demuxer.onError = (type, info) => this.fail(remuxerError('MediaError', type, String(info)));
    demuxer.onMediaInfo = () => undefined;
    remuxer.bindDataSource(demuxer);
    const remux = demuxer.onDataAvailable!;
    demuxer.onDataAvailable = (audio, video) => {
      takeBackStash(remuxer, audio, video);
      remux(audio, video);
      this.forceFirstSamples(remuxer, audio, video);
    };
    remuxer.onInitSegment = (_type, segment) => {
      if (!this.broken) this.output.initSegment(segment);
    };
    remuxer.onMediaSegment = (_type, segment) => {
      this.produced[segment.type] = true;
      if (!this.broken) this.output.mediaSegment(segment);
    };
    return demuxer;
  }

  /**
   * The first sample of each track would wait for the second (see takeBackStash). Once per
   * generation, a lone first sample is remuxed at once with the frame rate's duration (from
   * onMetaData, else 23.976 fps) instead; later samples keep their exact durations, and the
   * video timeline shifts by the difference once (a few ms).
   */
  private forceFirstSamples(remuxer: MP4Remuxer, audio: DemuxedTrack, video: DemuxedTrack): void {
    if (!this.produced.video && video.samples.length === 1) remuxer._remuxVideo(video, true);
    if (!this.produced.audio && audio.samples.length === 1) remuxer._remuxAudio(audio, true);
  }

  private fail(error: PlayerError): void {
    if (this.broken) return;
    this.broken = true;
    this.output.error(error);
  }
}

/**
 * One generation: FLV bytes -> MpegtsFlvRemuxer -> MSEController -> the element. What is written
 * before the modules have loaded is queued and parsed at once when they have.
 */
export class MpegtsRemuxPipeline implements FlvPipeline {
  private queued: Uint8Array[] = [];
  private remuxer: MpegtsFlvRemuxer | null = null;
  private mse: MSEController | null = null;
  private destroyed = false;
  private broken = false;

  constructor(
    private readonly media: HTMLMediaElement,
    private readonly hooks: FlvPipelineHooks,
    load: () => Promise<RemuxModules>,
    private readonly logLevel: 'silent' | 'warn' | 'verbose',
  ) {
    load().then(
      (modules) => this.start(modules),
      (cause: unknown) => this.fail(new PlayerError('MEDIA_PIPELINE_ERROR', 'Could not load the media remuxer (mpegts.js).', { cause })),
    );
  }

  write(bytes: Uint8Array): void {
    if (this.destroyed || this.broken) return;
    if (this.remuxer) this.remuxer.push(bytes);
    else this.queued.push(bytes);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queued = [];
    this.remuxer?.destroy();
    this.remuxer = null;
    const media = this.media;
    const mse = this.mse;
    this.mse = null;
    if (!mse) return;
    // As mpegts.js's player detaches (player-engine-main-thread.ts): pause, remove the source
    // buffers, then empty the element so it holds no reference to the MediaSource.
    media.pause();
    mse.shutdown();
    if (mse.isManagedMediaSource()) media.srcObject = null;
    media.removeAttribute('src');
    media.load();
    mse.destroy();
  }

  private start(modules: RemuxModules): void {
    if (this.destroyed) return;
    applyLogLevel(modules.Log, this.logLevel);
    const media = this.media;
    const mse = new modules.MSEController({ ...REMUX_CONFIG });
    coalesceAppends(mse);
    this.mse = mse;
    mse.on('error', (info) => this.fail(remuxerError('MediaError', 'MediaMSEError', info?.msg ?? 'SourceBuffer failure', { code: info?.code })));
    // A full SourceBuffer (QuotaExceededError, 'buffer_full') keeps the segment queued; the
    // controller retries it at the next append, after its cleanup removed played media.
    mse.initialize({ getCurrentTime: () => media.currentTime, getReadyState: () => media.readyState });
    if (mse.isManagedMediaSource()) {
      // Apple's ManagedMediaSource plays only with remote playback off, attached as srcObject.
      (media as HTMLMediaElement & { disableRemotePlayback: boolean }).disableRemotePlayback = true;
      media.srcObject = mse.getObject();
    } else {
      media.src = mse.getObjectURL();
    }
    // Segments before sourceopen are queued by the controller, in order.
    this.remuxer = new MpegtsFlvRemuxer(modules, {
      initSegment: (segment) => this.mse?.appendInitSegment(segment),
      mediaSegment: (segment) => this.mse?.appendMediaSegment(segment),
      error: (error) => this.fail(error),
    });
    this.hooks.attached();
    const queued = this.queued;
    this.queued = [];
    for (const bytes of queued) {
      if (this.destroyed || this.broken) return;
      this.remuxer.push(bytes);
    }
  }

  private fail(error: PlayerError): void {
    if (this.destroyed || this.broken) return;
    this.broken = true;
    this.hooks.failed(error);
  }
}

/**
 * MP4Remuxer needs a sample's successor for its duration (ISO/IEC 14496-12 trun sample_duration;
 * FLV carries only timestamps), so it stashes the newest sample of each track; and it skips a
 * batch of one sample entirely ("keep in demuxer's queue"). Fed one tag at a time, that holds
 * frames back by one or two frame intervals, appended in pairs. Handing the stashed sample back
 * in front of a lone new one makes every batch two samples: the stashed one goes out with its
 * exact duration and the new one is stashed, so each frame waits for exactly its successor.
 */
function takeBackStash(remuxer: MP4Remuxer, audio: DemuxedTrack, video: DemuxedTrack): void {
  const video0 = remuxer._videoStashedLastSample;
  if (video.samples.length === 1 && video0) {
    video.samples.unshift(video0);
    video.length += video0.length;
    remuxer._videoStashedLastSample = null;
  }
  const audio0 = remuxer._audioStashedLastSample;
  if (audio.samples.length === 1 && audio0) {
    audio.samples.unshift(audio0);
    audio.length += audio0.length;
    remuxer._audioStashedLastSample = null;
  }
}

/** A queued init or media segment, as MSEController keeps them. */
export interface QueuedSegment {
  type: 'audio' | 'video';
  data: ArrayBuffer;
  timestampOffset?: number;
}

/** The part of MSEController coalesceAppends works on (its internals, mpegts.js 1.7/1.8). */
export interface AppendQueues {
  _pendingSegments: Record<'audio' | 'video', QueuedSegment[]>;
  _sourceBuffers: Partial<Record<'audio' | 'video', { readonly updating: boolean } | null>>;
  _doAppendSegments(): void;
}

/** Largest single append made of queued segments (a backlog is appended in pieces of this size). */
export const MAX_COALESCED_APPEND_BYTES = 2 * 1024 * 1024;

/**
 * MSEController appends one queued segment per SourceBuffer `updateend` (its _doAppendSegments),
 * and holds a track's first init segment until the next segment comes. Each append then waits a
 * round trip through the page's event loop, which a busy page stretches: measured on the
 * time-to-first-frame bench page, the first keyframe waited 12-60 ms for the init segment's
 * updateend, and a server's GOP-cache burst went in as 50-70 appends. Here, whenever the controller
 * is about to append, every queued segment of an idle track (init and media alike, up to
 * MAX_COALESCED_APPEND_BYTES) becomes one append: an MSE byte stream may carry an init segment and
 * any number of media segments in one appendBuffer (Media Source Extensions §3.5.1, segment parser
 * loop). Segments with a timestampOffset (MPEG audio after a seek) stay on their own.
 */
export function coalesceAppends(mse: AppendQueues): void {
  const appendHeads = mse._doAppendSegments.bind(mse);
  mse._doAppendSegments = () => {
    for (const type of ['video', 'audio'] as const) {
      const queue = mse._pendingSegments[type];
      const buffer = mse._sourceBuffers[type];
      if (queue && queue.length > 1 && buffer && !buffer.updating) mergeHead(queue);
    }
    appendHeads();
  };
}

/** Replaces the longest run of plain segments at the head of `queue` (at most MAX_COALESCED_APPEND_BYTES, at least one) by one segment holding their bytes in order. */
export function mergeHead(queue: QueuedSegment[]): void {
  let count = 0;
  let length = 0;
  for (const segment of queue) {
    if (typeof segment.timestampOffset === 'number' || !(segment.data instanceof ArrayBuffer)) break;
    if (count > 0 && length + segment.data.byteLength > MAX_COALESCED_APPEND_BYTES) break;
    length += segment.data.byteLength;
    count++;
  }
  if (count < 2) return;
  const run = queue.splice(0, count);
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const segment of run) {
    bytes.set(new Uint8Array(segment.data), offset);
    offset += segment.data.byteLength;
  }
  queue.unshift({ ...run[run.length - 1]!, type: run[0]!.type, data: bytes.buffer });
}

function applyLogLevel(log: typeof Log, level: 'silent' | 'warn' | 'verbose'): void {
  const verbose = level === 'verbose';
  log.ENABLE_VERBOSE = verbose;
  log.ENABLE_DEBUG = verbose;
  log.ENABLE_INFO = verbose;
  log.ENABLE_WARN = level !== 'silent';
  log.ENABLE_ERROR = level !== 'silent';
}

/**
 * The player's default sink: LiveFlvMuxer's FLV goes straight into mpegts.js's FLV demuxer, MP4
 * remuxer and MSE controller, with none of its IO, stash buffer, worker or player start-up logic
 * in between. Events and behaviour are those of every FlvMseSink (flv-mse-sink.ts).
 */
export class MpegtsRemuxSink extends FlvMseSink {
  constructor(media: HTMLMediaElement, options: MpegtsRemuxSinkOptions = {}) {
    const load = options.loadModules ?? loadRemuxModules;
    const logLevel = options.mpegtsLogLevel ?? 'warn';
    super(media, (element: HTMLMediaElement, _tracks: SinkTracks | null, hooks: FlvPipelineHooks) => new MpegtsRemuxPipeline(element, hooks, load, logLevel), options);
  }
}

/** RtmpPlayerConfig.sink for MpegtsRemuxSink (the default). */
export const createMpegtsRemuxSink: PlayerMediaSinkFactory = Object.assign(
  (media: HTMLMediaElement, options: MseSinkOptions) => new MpegtsRemuxSink(media, options),
  { preload: loadRemuxModules },
);
