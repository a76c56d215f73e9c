import { TypedEmitter } from '@rtmp-web/rtmp';
import type { MediaFrame } from '@rtmp-web/rtmp';
import { PlayerError } from '../errors';
import { LiveFlvMuxer } from '../flv/live-flv-muxer';
import type { LiveFlvMuxerOptions, MuxerOutput, MuxerStart, RestartReason } from '../flv/live-flv-muxer';
import { codecDisplayName, describeTrackCodec } from './codecs';
import { DeclaredTrackGate } from './declared-track-gate';
import type { TrackCodec } from './codecs';
import type { MediaSink } from './media-sink';
import { loadMpegts } from './mpegts-types';
import type { MpegtsLoaderLike, MpegtsModuleLike, MpegtsPlayerLike } from './mpegts-types';

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
  /** mpegts.js attached a new MediaSource to the element: play() may be called now (earlier calls were aborted by the load). */
  attached: { generation: number };
  /** FLV bytes were handed to mpegts.js. */
  bytes: { length: number };
  error: PlayerError;
}

export interface MseSinkOptions {
  muxer?: LiveFlvMuxerOptions;
  now?: () => number;
  /** mpegts.js loader (default: dynamic import of the npm package). */
  loadMpegts?: () => Promise<MpegtsModuleLike>;
  /** Route mpegts.js's own log lines (default: warnings and errors only). */
  mpegtsLogLevel?: 'silent' | 'warn' | 'verbose';
}

/** The FLV byte stream of one pipeline generation, queued until mpegts.js opens its loader. */
class FlvFeed {
  private queue: Uint8Array[] = [];
  private loader: MpegtsLoaderLike | null = null;
  private offset = 0;
  private ended = false;

  write(bytes: Uint8Array): void {
    if (this.ended) return;
    if (this.loader?.onDataArrival) this.deliver(bytes);
    else this.queue.push(bytes);
  }

  attach(loader: MpegtsLoaderLike): void {
    this.loader = loader;
    const queued = this.queue;
    this.queue = [];
    if (queued.length === 0) return;
    // One chunk: mpegts.js probes the FLV header only in the chunk at byteStart 0 and needs > 13 bytes there.
    let total = 0;
    for (const part of queued) total += part.byteLength;
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of queued) {
      joined.set(part, at);
      at += part.byteLength;
    }
    this.deliver(joined);
  }

  detach(): void {
    this.loader = null;
  }

  end(): void {
    this.ended = true;
    this.queue = [];
    this.loader = null;
  }

  private deliver(bytes: Uint8Array): void {
    const chunk = bytes.slice().buffer;
    const start = this.offset;
    this.offset += bytes.byteLength;
    this.loader!.onDataArrival!(chunk, start, this.offset);
  }
}

/**
 * MediaSink over mpegts.js and MSE: media frames are muxed to FLV by LiveFlvMuxer (which decides
 * the tracks from the stream itself), codecs are checked with MediaSource.isTypeSupported, and
 * the FLV bytes reach mpegts.js through its custom-loader interface (`config.customLoader`, a
 * BaseLoader whose open() receives our bytes through onDataArrival), so mpegts.js does no I/O.
 *
 * mpegts.js runs on the main thread (a worker could not receive our loader class), with its stash
 * buffer and its own latency chasing off: the player's LatencyController owns latency.
 */
export class MseSink extends TypedEmitter<MseSinkEvents> implements MediaSink {
  private readonly muxer: LiveFlvMuxer;
  private readonly gate = new DeclaredTrackGate();
  private readonly now: () => number;
  private readonly load: () => Promise<MpegtsModuleLike>;
  private readonly logLevel: 'silent' | 'warn' | 'verbose';
  private player: MpegtsPlayerLike | null = null;
  private feed: FlvFeed | null = null;
  /** The pipeline built by prepare() before the tracks were known, waiting for the first start. */
  private preparedFeed: FlvFeed | null = null;
  /** Whether the current feed's mpegts.js player is attached to the element (and 'attached' was due). */
  private attachedFeed: FlvFeed | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private failed = false;
  private currentTracks: SinkTracks | null = null;
  private bytesTotal = 0;

  constructor(
    private readonly media: HTMLMediaElement,
    options: MseSinkOptions = {},
  ) {
    super();
    this.muxer = new LiveFlvMuxer(options.muxer);
    this.now = options.now ?? (() => performance.now());
    this.load = options.loadMpegts ?? loadMpegts;
    this.logLevel = options.mpegtsLogLevel ?? 'warn';
  }

  /** The running pipeline's tracks, or null while deciding (or after an unsupported codec). */
  get tracks(): SinkTracks | null {
    return this.currentTracks;
  }

  /** FLV bytes handed to mpegts.js so far. */
  get bytesFed(): number {
    return this.bytesTotal;
  }

  /**
   * Builds the first pipeline now, while the connection is still being set up: mpegts.js's
   * player, transmuxer and loader, and the MediaSource it attaches to the element (sourceopen is
   * asynchronous). Measured in a loaded page, doing this at the first media message held the
   * first frame back by 40-160 ms (first runs of mpegts.js code, MediaSource opening); mpegts.js
   * on its own does the same work while its socket connects. The demuxer takes the tracks from
   * the FLV header the muxer writes once it has decided them, so nothing here depends on them.
   */
  prepare(): void {
    if (this.destroyed || this.failed || this.feed || this.preparedFeed || this.muxer.started) return;
    const feed = new FlvFeed();
    this.preparedFeed = feed;
    void this.createPlayer(feed, null);
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
      // Announced before the teardown: mpegts.js pauses the element while unloading, and the
      // owner must know that pause was not a person's.
      this.emit('restart', { reason: out.restart });
      this.teardownPipeline();
      this.currentTracks = null;
    }
    if (out.started) this.startPipeline(out.started);
    if (out.bytes && this.feed && !this.failed) {
      this.bytesTotal += out.bytes.byteLength;
      this.feed.write(out.bytes);
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
    const problem = this.checkSupport(tracks);
    if (problem) {
      this.failed = true;
      this.emit('error', problem);
      return;
    }
    this.currentTracks = tracks;
    const prepared = this.preparedFeed;
    this.preparedFeed = null;
    if (prepared) {
      this.feed = prepared;
      this.emit('tracks', tracks);
      if (this.attachedFeed === prepared) this.emit('attached', { generation: tracks.generation });
      return;
    }
    const feed = new FlvFeed();
    this.feed = feed;
    this.emit('tracks', tracks);
    void this.createPlayer(feed, tracks);
  }

  private checkSupport(tracks: SinkTracks): PlayerError | null {
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

  private async createPlayer(feed: FlvFeed, tracks: SinkTracks | null): Promise<void> {
    let mpegts: MpegtsModuleLike;
    try {
      mpegts = await this.load();
    } catch (cause) {
      this.fail(new PlayerError('MEDIA_PIPELINE_ERROR', 'Could not load the media remuxer (mpegts.js).', { cause }));
      return;
    }
    if (this.destroyed || (this.feed !== feed && this.preparedFeed !== feed)) return;
    mpegts.LoggingControl.applyConfig({
      enableAll: this.logLevel === 'verbose',
      enableDebug: this.logLevel === 'verbose',
      enableVerbose: this.logLevel === 'verbose',
      enableInfo: this.logLevel === 'verbose',
      enableWarn: this.logLevel !== 'silent',
      enableError: this.logLevel !== 'silent',
    });
    const Base = mpegts.BaseLoader;
    const status = mpegts.LoaderStatus;
    // mpegts.js constructs the loader itself (`new config.customLoader(seekHandler, config)`), so
    // the class closes over this generation's feed.
    class RtmpFeedLoader extends Base {
      constructor() {
        super('rtmp-web-feed');
        this._needStash = false;
      }
      open(): void {
        this._status = status.kBuffering;
        feed.attach(this);
      }
      abort(): void {
        this._status = status.kComplete;
        feed.detach();
      }
      override destroy(): void {
        feed.detach();
        super.destroy();
      }
    }
    // A prepared pipeline (tracks not known yet) leaves hasAudio/hasVideo out: the demuxer then
    // reads them from the FLV header's TypeFlags, which the muxer writes for the tracks it chose.
    const source = tracks ? { hasAudio: tracks.audio !== null, hasVideo: tracks.video !== null } : {};
    const player = mpegts.createPlayer(
      { type: 'flv', isLive: true, ...source, url: 'rtmp-web://feed' },
      {
        customLoader: RtmpFeedLoader,
        enableWorker: false,
        enableWorkerForMSE: false,
        enableStashBuffer: false,
        isLive: true,
        lazyLoad: false,
        liveBufferLatencyChasing: false,
        liveSync: false,
        autoCleanupSourceBuffer: true,
        autoCleanupMaxBackwardDuration: 30,
        autoCleanupMinBackwardDuration: 10,
        // Start the transmuxer at once: mpegts.js's MSE controller queues segments until sourceopen.
        deferLoadAfterSourceOpen: false,
        fixAudioTimestampGap: true,
      },
    );
    this.player = player;
    player.on(mpegts.Events.ERROR, (type: unknown, detail: unknown, info: unknown) => {
      if (this.player !== player) return;
      const text = typeof info === 'object' && info && 'msg' in info ? String((info as { msg: unknown }).msg) : String(detail);
      const unsupported = detail === 'CodecUnsupported' || /unsupported/i.test(text);
      this.fail(
        new PlayerError(
          unsupported ? 'MEDIA_UNSUPPORTED_CODEC' : 'MEDIA_PIPELINE_ERROR',
          unsupported ? `The media remuxer cannot handle this stream: ${text}` : `The media pipeline failed (${String(type)} / ${String(detail)}): ${text}`,
          { details: { type, detail, info } },
        ),
      );
    });
    player.attachMediaElement(this.media);
    player.load();
    this.attachedFeed = feed;
    // 'attached' means play() may be called: only once the tracks are known (a prepared
    // pipeline announces it when the first start takes it over).
    if (this.feed === feed && this.currentTracks) this.emit('attached', { generation: this.currentTracks.generation });
  }

  private fail(error: PlayerError): void {
    if (this.failed || this.destroyed) return;
    this.failed = true;
    this.emit('error', error);
  }

  private teardownPipeline(): void {
    this.feed?.end();
    this.feed = null;
    this.preparedFeed?.end();
    this.preparedFeed = null;
    this.attachedFeed = null;
    const player = this.player;
    this.player = null;
    if (player) {
      try {
        player.unload();
        player.destroy();
      } catch {
        /* mpegts.js may throw when torn down mid-append; nothing to keep */
      }
    }
  }
}
