import { PlayerError } from '../errors';
import { FlvMseSink, remuxerError } from './flv-mse-sink';
import type { FlvPipeline, FlvPipelineHooks, MseSinkOptions, PlayerMediaSinkFactory, SinkTracks } from './flv-mse-sink';
import { loadMpegts } from './mpegts-types';
import type { MpegtsLoaderLike, MpegtsModuleLike, MpegtsPlayerLike } from './mpegts-types';

export interface MpegtsPlayerSinkOptions extends MseSinkOptions {
  /** mpegts.js loader (default: dynamic import of the npm package's bundle). */
  loadMpegts?: () => Promise<MpegtsModuleLike>;
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
 * One generation through mpegts.js's whole player: the FLV bytes reach it through its
 * custom-loader interface (`config.customLoader`, a BaseLoader whose open() receives our bytes
 * through onDataArrival), so mpegts.js does no I/O. It runs on the main thread (a worker could not
 * receive our loader class), with its stash buffer and its own latency chasing off: the player's
 * LatencyController owns latency.
 */
class MpegtsPlayerPipeline implements FlvPipeline {
  private readonly feed = new FlvFeed();
  private player: MpegtsPlayerLike | null = null;
  private destroyed = false;

  constructor(
    private readonly media: HTMLMediaElement,
    private readonly tracks: SinkTracks | null,
    private readonly hooks: FlvPipelineHooks,
    load: () => Promise<MpegtsModuleLike>,
    private readonly logLevel: 'silent' | 'warn' | 'verbose',
  ) {
    load().then(
      (mpegts) => this.start(mpegts),
      (cause: unknown) => {
        if (!this.destroyed) this.hooks.failed(new PlayerError('MEDIA_PIPELINE_ERROR', 'Could not load the media remuxer (mpegts.js).', { cause }));
      },
    );
  }

  write(bytes: Uint8Array): void {
    this.feed.write(bytes);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.feed.end();
    const player = this.player;
    this.player = null;
    if (player) {
      player.unload();
      player.destroy();
    }
  }

  private start(mpegts: MpegtsModuleLike): void {
    if (this.destroyed) return;
    const verbose = this.logLevel === 'verbose';
    mpegts.LoggingControl.applyConfig({
      enableAll: verbose,
      enableDebug: verbose,
      enableVerbose: verbose,
      enableInfo: verbose,
      enableWarn: this.logLevel !== 'silent',
      enableError: this.logLevel !== 'silent',
    });
    const feed = this.feed;
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
    const tracks = this.tracks;
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
      this.hooks.failed(remuxerError(String(type), String(detail), text, { info }));
    });
    player.attachMediaElement(this.media);
    player.load();
    this.hooks.attached();
  }
}

/**
 * The sink through mpegts.js's whole player (its bundle, ~70 KB gzip), fed through its
 * custom-loader interface. The alternative to the default MpegtsRemuxSink, for pages that want
 * mpegts.js's player as it is; import it from `@rtmp-web/player/mpegts-player-sink` so the
 * default bundle does not carry it.
 */
export class MpegtsPlayerSink extends FlvMseSink {
  constructor(media: HTMLMediaElement, options: MpegtsPlayerSinkOptions = {}) {
    const load = options.loadMpegts ?? loadMpegts;
    const logLevel = options.mpegtsLogLevel ?? 'warn';
    super(media, (element, tracks, hooks) => new MpegtsPlayerPipeline(element, tracks, hooks, load, logLevel), options);
  }
}

/** RtmpPlayerConfig.sink for MpegtsPlayerSink: `new RtmpPlayer({ sink: createMpegtsPlayerSink })`. */
export const createMpegtsPlayerSink: PlayerMediaSinkFactory = Object.assign(
  (media: HTMLMediaElement, options: MseSinkOptions) => new MpegtsPlayerSink(media, options),
  { preload: loadMpegts },
);
