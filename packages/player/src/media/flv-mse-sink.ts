import { TypedEmitter } from '@rtmp-web/rtmp';
import type { MediaFrame } from '@rtmp-web/rtmp';
import { PlayerError } from '../errors';
import { LiveFlvMuxer } from '../flv/live-flv-muxer';
import type { LiveFlvMuxerOptions, MuxerOutput, MuxerStart, RestartReason } from '../flv/live-flv-muxer';
import { codecDisplayName, describeTrackCodec } from './codecs';
import { DeclaredTrackGate } from './declared-track-gate';
import type { TrackCodec } from './codecs';
import type { MediaSink } from './media-sink';

export interface SinkTracks {
  audio: TrackCodec | null;
  video: TrackCodec | null;
  /** RTMP timestamp (ms) at media time 0 of this pipeline. */
  timestampBase: number;
  /** Increments with every new MSE pipeline on the element. */
  generation: number;
}

export interface MseSinkEvents {
  /** The tracks were decided and a new MSE pipeline was created for them. */
  tracks: SinkTracks;
  /** The stream changed in a way that needs a fresh pipeline (emitted just before the old one is torn down); a `tracks` event follows. */
  restart: { reason: RestartReason };
  /** A new MediaSource is attached to the element: play() may be called now (earlier calls were aborted by the load). */
  attached: { generation: number };
  /** FLV bytes were handed to the pipeline. */
  bytes: { length: number };
  error: PlayerError;
}

export interface MseSinkOptions {
  muxer?: LiveFlvMuxerOptions;
  now?: () => number;
  /** Route mpegts.js's own log lines (default: warnings and errors only). */
  mpegtsLogLevel?: 'silent' | 'warn' | 'verbose';
}

/** What a pipeline reports back to its sink. */
export interface FlvPipelineHooks {
  /** A MediaSource was attached to the element (once per pipeline). */
  attached(): void;
  /** The pipeline cannot go on (codec the remuxer rejects, MSE failure, code that failed to load). */
  failed(error: PlayerError): void;
}

/**
 * One generation's path from FLV bytes to the media element: a demuxer/remuxer and a
 * MediaSource. Built synchronously; its code may still be loading, so it queues what it is given.
 */
export interface FlvPipeline {
  /** This generation's FLV byte stream, in order (the first bytes start with the FLV header). */
  write(bytes: Uint8Array): void;
  /** Detach from the element and release everything; idempotent. */
  destroy(): void;
}

/** Builds pipelines; `tracks` is null for a pipeline prepared before the tracks are known (the FLV header will tell). */
export type FlvPipelineFactory = (media: HTMLMediaElement, tracks: SinkTracks | null, hooks: FlvPipelineHooks) => FlvPipeline;

/**
 * What RtmpPlayer needs from its sink: a MediaSink that decides tracks from the stream, reports
 * them and restarts its pipeline on stream changes. `MpegtsRemuxSink` (the default) and
 * `MpegtsPlayerSink` (from `@rtmp-web/player/mpegts-player-sink`) are both FlvMseSinks.
 */
export interface PlayerMediaSink extends MediaSink {
  readonly tracks: SinkTracks | null;
  readonly bytesFed: number;
  prepare(): void;
  declareTracks(declared: { audio?: boolean; video?: boolean }): void;
  on<K extends keyof MseSinkEvents>(event: K, listener: (payload: MseSinkEvents[K]) => void): unknown;
}

/**
 * Makes the player's sink for one session. A function, optionally with `preload` (called at
 * load() so the sink's code is fetched while the connection is set up).
 */
export interface PlayerMediaSinkFactory {
  (media: HTMLMediaElement, options: MseSinkOptions): PlayerMediaSink;
  preload?: () => Promise<unknown>;
}

/**
 * MediaSink over MSE through FLV: media frames are muxed to FLV by LiveFlvMuxer (which decides
 * the tracks from the stream itself), codecs are checked with MediaSource.isTypeSupported, and
 * the FLV bytes go to a pipeline (demuxer, fMP4 remuxer, MediaSource) made by the factory given.
 * A restart (timestamp jump, new decoder configuration, track added) tears the pipeline down and
 * builds a new one for the next generation.
 */
export class FlvMseSink extends TypedEmitter<MseSinkEvents> implements PlayerMediaSink {
  private readonly muxer: LiveFlvMuxer;
  private readonly gate = new DeclaredTrackGate();
  private readonly now: () => number;
  private pipeline: FlvPipeline | null = null;
  /** The pipeline built by prepare() before the tracks were known, waiting for the first start. */
  private preparedPipeline: FlvPipeline | null = null;
  /** The pipeline whose MediaSource is attached to the element. */
  private attachedPipeline: FlvPipeline | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private failed = false;
  private currentTracks: SinkTracks | null = null;
  private bytesTotal = 0;

  constructor(
    private readonly media: HTMLMediaElement,
    private readonly createPipeline: FlvPipelineFactory,
    options: MseSinkOptions = {},
  ) {
    super();
    this.muxer = new LiveFlvMuxer(options.muxer);
    this.now = options.now ?? (() => performance.now());
  }

  /** The running pipeline's tracks, or null while deciding (or after an unsupported codec). */
  get tracks(): SinkTracks | null {
    return this.currentTracks;
  }

  /** FLV bytes handed to the pipeline so far. */
  get bytesFed(): number {
    return this.bytesTotal;
  }

  /**
   * Builds the first pipeline now, while the connection is still being set up: the demuxer and
   * the MediaSource it attaches to the element (sourceopen is asynchronous). Measured in a loaded
   * page, doing this at the first media message held the first frame back by 40-160 ms. The
   * demuxer takes the tracks from the FLV header the muxer writes once it has decided them, so
   * nothing here depends on them.
   */
  prepare(): void {
    if (this.destroyed || this.failed || this.pipeline || this.preparedPipeline || this.muxer.started) return;
    this.preparedPipeline = this.build(null);
  }

  /** onMetaData declared the tracks (hasAudio/hasVideo or the codec ids). */
  declareTracks(declared: { audio?: boolean; video?: boolean }): void {
    if (this.destroyed || this.failed) return;
    this.gate.declare(declared);
    this.apply(this.muxer.declareTracks(declared, this.now()));
    this.startWhenDeclaredReady();
  }

  push(frame: MediaFrame): void {
    if (this.destroyed || this.failed) return;
    const out = this.muxer.push(frame, this.now());
    // A restart begins a new generation that already holds this frame (timestamp jump).
    if (out.restart) this.gate.restart();
    this.gate.note(frame);
    this.apply(out);
    this.startWhenDeclaredReady();
  }

  private startWhenDeclaredReady(): void {
    if (this.destroyed || this.failed || this.muxer.started || !this.gate.ready) return;
    this.apply(this.muxer.poll(Number.POSITIVE_INFINITY));
  }

  /** Starts with the tracks seen so far instead of waiting out the deadline. */
  flush(): void {
    if (this.destroyed || this.failed) return;
    this.apply(this.muxer.poll(Number.POSITIVE_INFINITY));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.clearTimer();
    this.teardownPipeline();
    this.removeAllListeners();
  }

  private apply(out: MuxerOutput): void {
    if (out.restart) {
      // Announced before the teardown: detaching the MediaSource pauses the element, and the
      // owner must know that pause was not a person's.
      this.emit('restart', { reason: out.restart });
      this.teardownPipeline();
      this.currentTracks = null;
    }
    if (out.started) this.startPipeline(out.started);
    if (out.bytes && this.pipeline && !this.failed) {
      this.bytesTotal += out.bytes.byteLength;
      this.pipeline.write(out.bytes);
      this.emit('bytes', { length: out.bytes.byteLength });
    }
    this.schedulePoll();
  }

  private schedulePoll(): void {
    this.clearTimer();
    const wait = this.muxer.nextDeadline(this.now());
    if (wait === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.destroyed && !this.failed) this.apply(this.muxer.poll(this.now()));
    }, wait + 1);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private startPipeline(start: MuxerStart): void {
    const tracks: SinkTracks = {
      audio: start.audio ? describeTrackCodec(start.audio) : null,
      video: start.video ? describeTrackCodec(start.video) : null,
      timestampBase: start.timestampBase,
      generation: start.generation,
    };
    const problem = checkSupport(tracks);
    if (problem) {
      this.failed = true;
      this.emit('error', problem);
      return;
    }
    this.currentTracks = tracks;
    const prepared = this.preparedPipeline;
    this.preparedPipeline = null;
    if (prepared) {
      this.pipeline = prepared;
      this.emit('tracks', tracks);
      if (this.attachedPipeline === prepared) this.emit('attached', { generation: tracks.generation });
      return;
    }
    this.emit('tracks', tracks);
    // Emitting may have torn the sink down (an owner reacting to 'tracks').
    if (this.destroyed) return;
    this.pipeline = this.build(tracks);
  }

  private build(tracks: SinkTracks | null): FlvPipeline {
    let pipeline: FlvPipeline | null = null;
    let attachedEarly = false;
    const current = () => pipeline !== null && (this.pipeline === pipeline || this.preparedPipeline === pipeline);
    pipeline = this.createPipeline(this.media, tracks, {
      attached: () => {
        // A pipeline may attach inside the factory call, before it is known here.
        if (pipeline === null) {
          attachedEarly = true;
          return;
        }
        this.noteAttached(pipeline, current());
      },
      failed: (error) => {
        if (pipeline === null || current()) this.fail(error);
      },
    });
    if (attachedEarly) queueMicrotask(() => this.noteAttached(pipeline, current()));
    return pipeline;
  }

  private noteAttached(pipeline: FlvPipeline, current: boolean): void {
    if (this.destroyed || !current) return;
    this.attachedPipeline = pipeline;
    // 'attached' means play() may be called: only once the tracks are known (a prepared
    // pipeline announces it when the first start takes it over).
    if (this.pipeline === pipeline && this.currentTracks) this.emit('attached', { generation: this.currentTracks.generation });
  }

  private fail(error: PlayerError): void {
    if (this.failed || this.destroyed) return;
    this.failed = true;
    this.emit('error', error);
  }

  private teardownPipeline(): void {
    const pipelines = [this.pipeline, this.preparedPipeline];
    this.pipeline = null;
    this.preparedPipeline = null;
    this.attachedPipeline = null;
    for (const pipeline of pipelines) {
      try {
        pipeline?.destroy();
      } catch {
        /* a pipeline torn down mid-append may throw; nothing to keep */
      }
    }
  }
}

/** MSE present, and every chosen track remuxable and decodable (MediaSource.isTypeSupported). */
function checkSupport(tracks: SinkTracks): PlayerError | null {
  const MediaSourceCtor = (globalThis as { MediaSource?: typeof MediaSource }).MediaSource;
  if (!MediaSourceCtor) {
    return new PlayerError('MEDIA_NO_MSE', 'This browser has no Media Source Extensions, so it cannot play this stream.');
  }
  for (const track of [tracks.video, tracks.audio]) {
    if (!track) continue;
    if (!track.demuxable) {
      return new PlayerError(
        'MEDIA_UNSUPPORTED_CODEC',
        `The stream's ${track.kind} codec, ${codecDisplayName(track.kind, track.codec)}, cannot be played in a browser: ` +
          `only H.264, HEVC and AV1 video and AAC, MP3, Opus and FLAC audio can be remuxed for Media Source Extensions.`,
        { details: { kind: track.kind, codec: track.codec, fourcc: track.fourcc, reason: 'remuxer' } },
      );
    }
    if (!MediaSourceCtor.isTypeSupported(track.mime)) {
      return new PlayerError(
        'MEDIA_UNSUPPORTED_CODEC',
        `This browser cannot decode the stream's ${track.kind} codec ${track.codec} (MediaSource.isTypeSupported('${track.mime}') is false).`,
        { details: { kind: track.kind, codec: track.codec, fourcc: track.fourcc, mime: track.mime, reason: 'browser' } },
      );
    }
  }
  return null;
}

/** Turns a demuxer/remuxer error report (mpegts.js's type/detail/message) into a typed error. */
export function remuxerError(kind: string, detail: string, message: string, extra: Record<string, unknown> = {}): PlayerError {
  const unsupported = detail === 'CodecUnsupported' || /unsupported/i.test(message);
  return new PlayerError(
    unsupported ? 'MEDIA_UNSUPPORTED_CODEC' : 'MEDIA_PIPELINE_ERROR',
    unsupported ? `The media remuxer cannot handle this stream: ${message}` : `The media pipeline failed (${kind} / ${detail}): ${message}`,
    { details: { type: kind, detail, ...extra } },
  );
}
