import type { CodedError } from '@rtmp-web/bytes';
import { AmfEcmaArray } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';
import { MessageType, NetConnection, TypedEmitter, amf3Codec, decodeCommand, enableHandshakeWithoutWebCrypto, fullCodecs, parseRtmpUrl } from '@rtmp-web/rtmp';
import type {
  DataMessageEvent,
  HandshakeResult,
  MediaFrame,
  MediaMessageEvent,
  NetStatusInfo,
  NetStream,
  ProtocolTap,
  RtmpCommand,
  RtmpMessage,
  RtmpUrl,
} from '@rtmp-web/rtmp';
import { PlayerError } from './errors';
import type { LiveFlvMuxerOptions } from './flv/live-flv-muxer';
import { LatencyController } from './latency/latency-controller';
import type { LatencyControllerOptions, LatencyDecision } from './latency/latency-controller';
import { LatencyEstimator } from './latency/latency-estimator';
import { VideoDropPolicy } from './latency/video-drop-policy';
import type { PlayerMediaSink, PlayerMediaSinkFactory, SinkTracks } from './media/flv-mse-sink';
import { createMpegtsRemuxSink, loadRemuxModules } from './media/mpegts-remux-sink';
import { PlayerStateMachine } from './player-state';
import type { PlayerState, StateChange } from './player-state';
import { ReconnectBackoff } from './recovery/reconnect-backoff';
import { decideRecovery } from './recovery/recovery-policy';
import type { ReconnectBackoffOptions } from './recovery/reconnect-backoff';
import { RateMeter, emptyTimeToFirstFrame } from './stats';
import type { TimeToFirstFrame, TrackRate } from './stats';
import type { WarmUpResult } from './warm-up/warm-up';
import { WebSocketTransport } from './transport/websocket-transport';
import type { WebSocketConstructor } from './transport/websocket-transport';

export interface RtmpPlayerConfig {
  /**
   * Send C0+C1 inside the WebSocket upgrade (`?early=`, default true): one round trip less before
   * the first frame with rtmp-web's bridge; any bridge still works. Set false for a relay that
   * selects no subprotocol (websockify): browsers fail such an upgrade when one was offered.
   */
  earlyData?: boolean;
  /** End-to-end latency to hold, seconds (default 0.25). Shorthand for latency.targetLatency. */
  targetLatency?: number;
  latency?: LatencyControllerOptions;
  /** Automatic reconnect after the connection drops (default on, 0.5 s doubling to 10 s, ±20 % jitter). */
  reconnect?: ReconnectBackoffOptions & { enabled?: boolean };
  /** Retry when the very first connection fails too (default false: show the error at once). */
  retryInitialConnect?: boolean;
  /** No playback progress for this long while data should play: reported as a stall (default 2000 ms). */
  stallTimeoutMs?: number;
  /** Play.Start but no audio/video for this long: reported as PLAYER_NO_MEDIA (default 8000 ms). */
  noMediaTimeoutMs?: number;
  /** WebSocket open + handshake + connect + play must finish within this (default 10000 ms). */
  connectTimeoutMs?: number;
  /** SetBufferLength sent after play, ms (default 500; some servers stop sending without one). */
  bufferTimeMs?: number;
  handshake?: 'simple' | 'digest';
  muxer?: LiveFlvMuxerOptions;
  /** How often `stats` is emitted (default 1000 ms). */
  statsIntervalMs?: number;
  /** How often latency is measured and corrected (default 250 ms). */
  controlIntervalMs?: number;
  /** Messages arriving this much later than the fastest ones mean the page is behind: video is dropped to the next keyframe (default 500 ms). */
  behindArrivalLagMs?: number;
  /** Extra observer of every handshake byte, chunk and message (the inspector uses it). */
  tap?: ProtocolTap;
  WebSocket?: WebSocketConstructor;
  /**
   * Makes the media sink of each connection (default `createMpegtsRemuxSink`: mpegts.js's FLV
   * demuxer, MP4 remuxer and MSE controller driven directly). `createMpegtsPlayerSink` from
   * `@rtmp-web/player/mpegts-player-sink` plays through mpegts.js's whole player instead.
   */
  sink?: PlayerMediaSinkFactory;
  mpegtsLogLevel?: 'silent' | 'warn' | 'verbose';
}

export interface LoadOptions {
  /** The bridge's WebSocket URL, e.g. ws://127.0.0.1:8080/ */
  bridge: string;
  /** A bridge token (JWT), sent as the `rtmp-web.token.<jwt>` subprotocol. */
  token?: string;
  /** Override the upstream target (`host:port`); default from the RTMP URL. */
  target?: string;
}

export interface StatusEvent {
  scope: 'connection' | 'stream';
  level: string;
  code: string;
  description: string;
}

export interface LatencyEvent {
  /** End-to-end latency of the presented frame, s (null before media). */
  latency: number | null;
  /** Buffered media ahead of the playhead, s. */
  buffer: number | null;
  playbackRate: number;
  /** Set when this tick seeked to the live edge. */
  seek?: { to: number; reason: string };
}

export interface PlayerStats {
  state: PlayerState;
  /** Received bitrate and message rate per track. */
  video: TrackRate;
  audio: TrackRate;
  /** Frames presented per second (requestVideoFrameCallback), or null without video. */
  presentedFps: number | null;
  /** HTMLVideoElement.getVideoPlaybackQuality(). */
  decodedFrames: number;
  droppedFrames: number;
  /** Video messages dropped by the audio-priority policy. */
  droppedVideoMessages: number;
  /** Frames the FLV muxer discarded (before a keyframe, before the start, unknown track). */
  discardedFrames: number;
  buffer: number | null;
  latency: number | null;
  /** The latency target held now, s (configured plus what underruns added). */
  targetLatency: number;
  /** How much later than the fastest messages the latest one arrived, s (a backlog when large). */
  arrivalLag: number;
  playbackRate: number;
  /** Transport totals for the current connection. */
  bytesReceived: number;
  reconnects: number;
  stalls: number;
  /** Time to first frame of the current connection, by stage (ms since load or since the reconnect attempt). */
  timeToFirstFrame: TimeToFirstFrame;
  tracks: SinkTracks | null;
}

export interface ReconnectEvent {
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface ConnectionEvent {
  connection: NetConnection;
  stream: NetStream | null;
}

/** Everything an RtmpPlayer reports; one payload type per event (hls.js Events shape). */
export interface RtmpPlayerEvents {
  state: StateChange;
  /** Every problem; `fatal` ones stop playback (state 'error'). */
  error: CodedError;
  stats: PlayerStats;
  /** onStatus from the server (NetConnection.* and NetStream.*). */
  status: StatusEvent;
  /** onMetaData as a plain object. */
  metadata: Record<string, AmfValue>;
  /** Every data message of the stream (onMetaData, onTextData, onCuePoint...). */
  data: DataMessageEvent;
  /** The tracks were decided and a pipeline started (again after a reconnect or a stream change). */
  tracks: SinkTracks;
  latency: LatencyEvent;
  /** The first frame was presented; the stages of the wait. */
  firstFrame: TimeToFirstFrame;
  stall: { since: number; durationMs: number; resolved: boolean };
  reconnect: ReconnectEvent;
  /** A NetConnection (and then its NetStream) exists: taps and inspectors attach here. */
  connection: ConnectionEvent;
  /** The RTMP handshake of a connection completed (kind, digest verification, server version, round trip). */
  handshake: HandshakeResult;
  destroyed: undefined;
}

interface Session {
  id: number;
  url: RtmpUrl;
  options: LoadOptions;
  startedAt: number;
  transport: WebSocketTransport | null;
  connection: NetConnection | null;
  stream: NetStream | null;
  sink: PlayerMediaSink | null;
  ttff: TimeToFirstFrame;
  playStartedAt: number | null;
  mediaSeen: boolean;
  noMediaTimer: ReturnType<typeof setTimeout> | null;
  firstFrameReported: boolean;
  closing: boolean;
}

const now = (): number => performance.now();
/** load() calls so far, in this page (the warm-up gives way to the first real one). */
let loadCount = 0;
let warmUp: Promise<WarmUpResult | null> | null = null;
let warmUpCancelled = false;

// A page served over plain http from another host than localhost has no WebCrypto: the player
// still does the digest handshake there, with the core's own HMAC-SHA256.
enableHandshakeWithoutWebCrypto();
/** The start decision waits at most this long (ms) after the first buffered data for the rest of what arrived to be appended. */
const START_SETTLE_MS = 1000;
/** Received but not yet buffered that the start decision ignores (s): the sink holds back each track's newest frame until the next one arrives. */
const START_APPEND_TOLERANCE_S = 0.1;

// In a page, start fetching and compiling the default sink's remuxer (mpegts.js's demuxer,
// remuxer and MSE controller) as soon as the player is imported rather than at load(): measured
// on the bench page with the whole mpegts.js, importing it at load() put 100-170 ms of fetch and
// compile on the time to first frame. Pages that import the player mean to play. Not in Node or
// workers without MSE (the modules read `self.navigator` when imported).
if (typeof window !== 'undefined' && typeof (window as { MediaSource?: unknown }).MediaSource !== 'undefined') {
  createMpegtsRemuxSink.preload?.().catch(() => undefined);
  queueMicrotask(() => void warmUpPlayer());
}

/**
 * Warms the player's code up once per page (warm-up/warm-up.ts): started by itself when the player
 * is imported in a page with MSE, in idle time once the remuxer's code has loaded. It gives way to
 * a real load(): one that comes first skips it (null), one that comes during it stops it. Resolves,
 * never rejects; pages that measure start-up (the benchmarks) can wait for it.
 */
export function warmUpPlayer(): Promise<WarmUpResult | null> {
  warmUp ??= loadRemuxModules()
    .then(() => whenIdle())
    .then(async () => {
      if (loadCount > 0 || warmUpCancelled) return null;
      const { runWarmUp } = await import('./warm-up/warm-up');
      // The warm-up's own player loads once: only loads after it count.
      const baseline = loadCount + 1;
      return runWarmUp({ shouldStop: () => loadCount > baseline || warmUpCancelled });
    })
    .catch(() => null);
  return warmUp;
}

/**
 * Stops the page's warm-up at its next step, or keeps it from starting (a page that would rather
 * keep that idle time; the benchmarks measure a cold start with it). `warmUpPlayer()` then
 * resolves with null, or with a result whose `completed` is false.
 */
export function cancelWarmUp(): void {
  warmUpCancelled = true;
}

/** Resolves when the page is idle (requestIdleCallback, at most 500 ms away), or after a short timer where there is none. */
function whenIdle(): Promise<void> {
  return new Promise((resolve) => {
    const idle = (globalThis as { requestIdleCallback?: (callback: () => void, options?: { timeout: number }) => number }).requestIdleCallback;
    if (idle) idle(() => resolve(), { timeout: 500 });
    else setTimeout(resolve, 50);
  });
}

/**
 * Plays an RTMP live stream in a media element (hls.js-shaped API). Composition root of the page
 * side: WebSocketTransport -> NetConnection/NetStream -> frames -> audio priority -> media sink
 * (default MpegtsRemuxSink: FLV -> mpegts.js's demuxer and remuxer -> MSE), with latency control,
 * stats, stall detection and reconnects.
 */
export class RtmpPlayer extends TypedEmitter<RtmpPlayerEvents> {
  readonly config: Readonly<RtmpPlayerConfig>;
  private media: HTMLMediaElement | null = null;
  private readonly stateMachine = new PlayerStateMachine();
  private readonly estimator = new LatencyEstimator();
  private readonly controller: LatencyController;
  private readonly dropPolicy = new VideoDropPolicy();
  private readonly backoff: ReconnectBackoff;
  private readonly rates = { audio: new RateMeter(), video: new RateMeter() };
  private readonly taps = new Set<ProtocolTap>();
  private session: Session | null = null;
  private sessionCounter = 0;
  private source: { url: string; options: LoadOptions } | null = null;
  private wantPlaying = false;
  private destroyedFlag = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private controlTimer: ReturnType<typeof setInterval> | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private lastDecision: LatencyDecision | null = null;
  private lastProgress = { time: -1, at: 0 };
  private stallSince: number | null = null;
  private stallReported = false;
  private reconnectCount = 0;
  private stallCount = 0;
  private discarded = 0;
  private presented = { count: 0, windowStart: 0, windowCount: 0, fps: null as number | null };
  private frameCallbackId: number | null = null;
  /** The sink pauses the element when a pipeline is torn down: that pause is ours, not a person's. */
  private expectInternalPause = false;
  private readonly onVisibility = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') this.controller.requestLiveEdge();
  };
  /** The person (or page) paused: stop forcing playback until play() or a 'play' event. */
  private readonly onMediaPause = () => {
    if (this.expectInternalPause) {
      this.expectInternalPause = false;
      return;
    }
    this.wantPlaying = false;
  };
  private readonly onMediaPlay = () => {
    this.expectInternalPause = false;
    if (!this.wantPlaying) {
      this.wantPlaying = true;
      // A live stream resumes at its live edge, not where it was paused.
      this.controller.requestLiveEdge();
    }
  };
  /** When the current pipeline first had buffered data, before its start decision (see controlTick). */
  private firstBufferedAt: number | null = null;
  /** The element's autoplay attribute when it was attached (the player plays it instead). */
  private mediaAutoplay = false;
  /** A seek finished: playback that waited for it (the start jump) can begin. */
  private readonly onMediaSeeked = () => {
    if (this.media?.paused && this.wantPlaying && this.state !== 'error') void this.tryPlay();
  };
  /** The element ran out of data while playing (not a seek): hold a little more buffer from now on. */
  private readonly onMediaWaiting = () => {
    const media = this.media;
    if (!media || media.seeking || !this.wantPlaying || this.state !== 'playing') return;
    this.controller.noteUnderrun();
  };
  /**
   * The first data of a pipeline is in: make the start decision now rather than at the next
   * control tick (up to controlIntervalMs later). Two reasons, both measured on the bench pages:
   * the data can start a few ms after currentTime (the first audio frame's timestamp rounding),
   * and the element then sits at HAVE_METADATA presenting nothing until something seeks (160 ms
   * of the time to first frame); and a start jump made after the first frame was presented is a
   * visible stall (a 'waiting' event), while one made now, before playback, is not. Whatever the
   * buffer gains later is drained by the playback rate, or by a jump when far behind.
   */
  private readonly onMediaLoadedMetadata = () => {
    // Metadata comes with the init segments, usually before the first media segment is
    // appended: tick every 20 ms until the start decision is made (at most 2 s).
    this.clearStartTicks();
    const session = this.session;
    const until = now() + 2000;
    const tick = () => {
      if (this.session !== session || this.controller.hasStarted || now() > until) {
        this.clearStartTicks();
        return;
      }
      this.controlTick();
    };
    this.startTicks = setInterval(tick, 20);
    tick();
  };
  private startTicks: ReturnType<typeof setInterval> | null = null;
  private clearStartTicks(): void {
    if (this.startTicks !== null) clearInterval(this.startTicks);
    this.startTicks = null;
  }
  private readonly onMediaError = () => {
    const error = this.media?.error;
    if (!error || !this.session) return;
    this.fail(new PlayerError('MEDIA_PIPELINE_ERROR', `The browser could not decode the stream (MediaError ${error.code}: ${error.message || 'no detail'}).`, {
      details: { mediaErrorCode: error.code },
    }));
  };

  constructor(config: RtmpPlayerConfig = {}) {
    super();
    this.config = { ...config };
    this.controller = new LatencyController({ ...config.latency, ...(config.targetLatency !== undefined ? { targetLatency: config.targetLatency } : {}) });
    this.backoff = new ReconnectBackoff(config.reconnect);
    if (config.tap) this.taps.add(config.tap);
  }

  get state(): PlayerState {
    return this.stateMachine.state;
  }

  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  /** The media element playback goes to. */
  get mediaElement(): HTMLMediaElement | null {
    return this.media;
  }

  /** The current connection, when there is one (for inspectors and tools). */
  get connection(): NetConnection | null {
    return this.session?.connection ?? null;
  }

  get stream(): NetStream | null {
    return this.session?.stream ?? null;
  }

  /** The RTMP URL given to load(). */
  get url(): string | null {
    return this.source?.url ?? null;
  }

  /** Latest latency measurement, and the target being held (configured plus what underruns added). */
  get latency(): LatencyEvent & { target: number } {
    const d = this.lastDecision;
    return { latency: d?.latency ?? null, buffer: d?.buffer ?? null, playbackRate: this.media?.playbackRate ?? 1, target: this.controller.effectiveTarget };
  }

  get stats(): PlayerStats {
    const t = now();
    const quality = this.videoQuality();
    const session = this.session;
    return {
      state: this.state,
      video: this.rates.video.snapshot(t),
      audio: this.rates.audio.snapshot(t),
      presentedFps: this.presented.fps,
      decodedFrames: quality.decoded,
      droppedFrames: quality.dropped,
      droppedVideoMessages: this.dropPolicy.dropped,
      discardedFrames: this.discarded,
      buffer: this.lastDecision?.buffer ?? null,
      latency: this.lastDecision?.latency ?? null,
      targetLatency: this.controller.effectiveTarget,
      arrivalLag: this.estimator.arrivalLag / 1000,
      playbackRate: this.media?.playbackRate ?? 1,
      bytesReceived: session?.transport?.bytes.received ?? 0,
      reconnects: this.reconnectCount,
      stalls: this.stallCount,
      timeToFirstFrame: { ...(session?.ttff ?? emptyTimeToFirstFrame()) },
      tracks: session?.sink?.tracks ?? null,
    };
  }

  /**
   * Observe every handshake byte, chunk and message of current and future connections (the
   * inspector's hook). Returns a function that detaches the tap.
   */
  addTap(tap: ProtocolTap): () => void {
    this.taps.add(tap);
    return () => this.removeTap(tap);
  }

  removeTap(tap: ProtocolTap): void {
    this.taps.delete(tap);
  }

  attachMedia(media: HTMLMediaElement): void {
    this.assertAlive();
    if (this.media === media) return;
    this.detachMediaListeners();
    this.media = media;
    // The player starts playback itself once it has positioned the element at the live edge (see
    // tryPlay); the element's own autoplay would start it at the oldest frame first, and the
    // start jump would then be a visible stall. Given back on detach.
    this.mediaAutoplay = media.autoplay;
    media.autoplay = false;
    media.addEventListener('error', this.onMediaError);
    media.addEventListener('seeked', this.onMediaSeeked);
    media.addEventListener('pause', this.onMediaPause);
    media.addEventListener('play', this.onMediaPlay);
    media.addEventListener('waiting', this.onMediaWaiting);
    media.addEventListener('loadedmetadata', this.onMediaLoadedMetadata);
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibility);
    this.startTimers();
    if (this.session) this.restartSession();
  }

  /** Connects to `rtmpUrl` through the bridge and plays it (autoplay: call with a muted element, or after a user gesture). */
  load(rtmpUrl: string, options: LoadOptions): void {
    this.assertAlive();
    let url: RtmpUrl;
    try {
      url = parseRtmpUrl(rtmpUrl);
      if (!url.streamName) throw new Error('the URL names no stream (expected rtmp://host[:port]/app/stream)');
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      this.fail(new PlayerError('PLAYER_BAD_URL', `"${rtmpUrl}" is not a playable RTMP URL: ${message}`, { cause, details: { url: rtmpUrl } }));
      return;
    }
    loadCount++;
    this.endSession();
    this.clearReconnect();
    this.backoff.reset();
    // Fetch the sink's code while the connection is being set up.
    (this.config.sink ?? createMpegtsRemuxSink).preload?.().catch(() => undefined);
    this.source = { url: rtmpUrl, options };
    this.wantPlaying = true;
    this.startSession(url, options, false);
  }

  /** Starts playback (and loads again when stopped). */
  play(): Promise<void> {
    this.assertAlive();
    this.wantPlaying = true;
    if (!this.session && this.source && (this.state === 'idle' || this.state === 'error' || this.state === 'ended')) {
      this.load(this.source.url, this.source.options);
    }
    return this.tryPlay();
  }

  /** Stops playback and closes the connection; the player can load() or play() again. */
  stop(): void {
    if (this.destroyedFlag) return;
    this.wantPlaying = false;
    this.clearReconnect();
    this.endSession();
    this.resetMedia();
    this.moveTo('idle', 'stopped');
  }

  /** Stops everything and releases the element; idempotent. */
  destroy(): void {
    if (this.destroyedFlag) return;
    this.stop();
    this.destroyedFlag = true;
    this.stopTimers();
    this.detachMediaListeners();
    this.media = null;
    this.emit('destroyed', undefined);
    this.removeAllListeners();
  }

  // ---- session ------------------------------------------------------------------------------

  private startSession(url: RtmpUrl, options: LoadOptions, isRetry: boolean): void {
    const session: Session = {
      id: ++this.sessionCounter,
      url,
      options,
      startedAt: now(),
      transport: null,
      connection: null,
      stream: null,
      sink: null,
      ttff: emptyTimeToFirstFrame(),
      playStartedAt: null,
      mediaSeen: false,
      noMediaTimer: null,
      firstFrameReported: false,
      closing: false,
    };
    this.session = session;
    this.estimator.reset();
    this.controller.reset();
    this.firstBufferedAt = null;
    this.dropPolicy.reset();
    this.rates.audio.reset();
    this.rates.video.reset();
    this.lastDecision = null;
    this.stallSince = null;
    this.moveTo('connecting', isRetry ? `reconnect attempt ${this.backoff.attempts}` : `load ${url.tcUrl}/${url.streamName}`);
    void this.runSession(session, isRetry);
  }

  private async runSession(session: Session, isRetry: boolean): Promise<void> {
    const live = () => this.session === session && !session.closing;
    const { url, options } = session;
    const timeoutMs = this.config.connectTimeoutMs ?? 10_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (live()) this.onSessionFailure(session, new PlayerError('TRANSPORT_WS_TIMEOUT', `Connecting to ${url.tcUrl} took longer than ${timeoutMs} ms.`, { fatal: false }), isRetry);
    }, timeoutMs);
    // The media pipeline (remuxer, MediaSource) is built while the connection is set up.
    if (this.media && !session.sink) {
      session.sink = this.createSink(session);
      session.sink.prepare();
    }
    try {
      const host = url.host.includes(':') ? `[${url.host}]` : url.host;
      // Opened lazily: the WebSocket is created at the transport's first send, C0+C1, which ride
      // in the upgrade request as early data (docs/player.md), so the handshake overlaps it.
      const transport = WebSocketTransport.open(options.bridge, {
        target: options.target ?? `${host}:${url.port}`,
        tls: url.protocol === 'rtmps',
        ...(options.token ? { token: options.token } : {}),
        timeoutMs,
        ...(this.config.WebSocket ? { WebSocket: this.config.WebSocket } : {}),
        ...(this.config.earlyData !== undefined ? { earlyData: this.config.earlyData } : {}),
      });
      session.transport = transport;
      transport.opened.then(
        () => {
          if (live()) session.ttff.wsOpen = now() - session.startedAt;
        },
        () => undefined,
      );

      // The full player speaks everything a server may send: AMF3 and shared objects (the AMF0-only
      // client is the protocol core's bundle-size entry, not the player).
      const connection = new NetConnection({ codecs: fullCodecs });
      session.connection = connection;
      connection.on('close', (event) => {
        if (live()) this.onSessionFailure(session, event.error ?? new PlayerError('TRANSPORT_WS_CLOSED', 'The RTMP server closed the connection.', { fatal: false }), isRetry);
      });
      connection.on('status', (info) => this.onStatus('connection', info));
      connection.on('error', (error) => this.emit('error', error));
      this.emit('connection', { connection, stream: null });
      const connecting = connection.connect(url, {
        transport,
        tap: this.sessionTap(session),
        ...(this.config.handshake ? { handshake: this.config.handshake } : {}),
        timeoutMs,
      });
      // Pipelined: createStream and play leave in the same write as C2 + connect (servers handle a
      // connection's commands in order), play on the stream id servers assign first (1), so media
      // follows connect's answer with no further round trip. The stream is wired the moment it
      // exists: its first messages can arrive in the same read as createStream's answer.
      const playing = connection.createStreamAndPlay(url.streamName, {
        bufferMs: this.config.bufferTimeMs ?? 500,
        onStream: (stream) => {
          if (!live()) return;
          session.stream = stream;
          this.wireStream(session, stream);
        },
      });
      playing.catch(() => undefined);
      // Open failures reject here with the transport's own TRANSPORT_WS_* error.
      await transport.opened;
      if (!live()) return;
      const connected = await connecting;
      if (!live()) return;
      this.emit('handshake', connected.handshake);
      session.ttff.connect ??= now() - session.startedAt;

      const stream = await playing;
      if (!live()) return;
      this.emit('connection', { connection, stream });
      await stream.waitForPlayStart();
      if (!live()) return;
      clearTimeout(timer);
      session.ttff.play ??= now() - session.startedAt;
      session.playStartedAt = now();
      if (!session.mediaSeen) this.moveTo('buffering', 'NetStream.Play.Start');
      this.armNoMediaTimer(session);
    } catch (error) {
      clearTimeout(timer);
      if (!live() || timedOut) return;
      this.onSessionFailure(session, asCodedError(error), isRetry);
    }
  }

  private sessionTap(session: Session): ProtocolTap {
    const taps = this.taps;
    return {
      get wantsRawChunks() {
        for (const tap of taps) if (tap.wantsRawChunks) return true;
        return false;
      },
      handshake: (event) => {
        if (event.direction === 'in' && session.ttff.handshake === null && (event.label === 'S0S1S2' || event.label === 'S2')) {
          session.ttff.handshake = now() - session.startedAt;
        }
        for (const tap of taps) tap.handshake?.(event);
      },
      chunk: (chunk) => {
        for (const tap of taps) tap.chunk?.(chunk);
      },
      message: (event) => {
        // Stages are stamped when their answer is read, not when an await resumes: with
        // pipelining, media can follow in the same read, before any promise settles.
        if (event.direction === 'in' && session.ttff.connect === null) this.stampConnectStage(session, event.message);
        for (const tap of taps) tap.message?.(event);
      },
    };
  }

  /** connect's `_result` (transaction 1), at the moment it is read (Play.Start: the stream's status event, also at read time). */
  private stampConnectStage(session: Session, message: RtmpMessage): void {
    if (message.type !== MessageType.CommandAmf0 && message.type !== MessageType.CommandAmf3) return;
    let command: RtmpCommand;
    try {
      command = decodeCommand(message, { amf3: amf3Codec });
    } catch {
      return; // the session reports undecodable commands itself
    }
    if (command.name === '_result' && command.transactionId === 1) session.ttff.connect = now() - session.startedAt;
  }

  private wireStream(session: Session, stream: NetStream): void {
    const live = () => this.session === session && !session.closing;
    const sink = session.sink ?? this.createSink(session);
    session.sink = sink;
    const onMedia = (event: MediaMessageEvent) => {
      if (!live()) return;
      for (const frame of event.frames) this.onFrame(session, frame, event.message.payload.byteLength);
    };
    stream.on('audio', onMedia);
    stream.on('video', onMedia);
    stream.on('data', (event) => {
      if (!live()) return;
      this.emit('data', event);
      if (event.name === 'onMetaData') {
        const metadata = toRecord(event.args[0]);
        this.emit('metadata', metadata);
        const declared: { audio?: boolean; video?: boolean } = {};
        if (typeof metadata['hasAudio'] === 'boolean') declared.audio = metadata['hasAudio'];
        else if (metadata['audiocodecid'] !== undefined) declared.audio = true;
        if (typeof metadata['hasVideo'] === 'boolean') declared.video = metadata['hasVideo'];
        else if (metadata['videocodecid'] !== undefined) declared.video = true;
        sink.declareTracks(declared);
      }
    });
    stream.on('status', (info) => {
      if (!live()) return;
      if (info.code === 'NetStream.Play.Start') session.ttff.play ??= now() - session.startedAt;
      this.onStatus('stream', info);
      switch (info.code) {
        case 'NetStream.Play.UnpublishNotify':
        case 'NetStream.Play.Stop':
        case 'NetStream.Play.Complete':
          this.moveTo('ended', info.code);
          break;
        case 'NetStream.Play.PublishNotify':
          this.moveTo('buffering', info.code);
          break;
      }
    });
    stream.on('error', (error) => this.emit('error', error));
    // User control StreamEOF / StreamBegin (RTMP 1.0 §7.1.7): nginx-rtmp says only this when its
    // publisher leaves or comes back (onStatus Unpublish/PublishNotify only with publish_notify on).
    stream.on('streamEOF', () => {
      if (live()) this.moveTo('ended', 'StreamEOF: the stream stopped (publisher gone)');
    });
    stream.on('streamBegin', () => {
      if (live() && this.state === 'ended') this.moveTo('buffering', 'StreamBegin: the stream is back');
    });
  }

  private createSink(session: Session): PlayerMediaSink {
    const sink = (this.config.sink ?? createMpegtsRemuxSink)(this.media!, {
      ...(this.config.muxer ? { muxer: this.config.muxer } : {}),
      ...(this.config.mpegtsLogLevel ? { mpegtsLogLevel: this.config.mpegtsLogLevel } : {}),
    });
    sink.on('tracks', (tracks) => {
      if (this.session !== session) return;
      this.controller.reset();
      this.firstBufferedAt = null;
      this.lastProgress = { time: -1, at: now() };
      this.emit('tracks', tracks);
    });
    // The pipeline attaches a new MediaSource to the element (a new load), which aborts any
    // pending play(); ask once it is attached.
    sink.on('attached', () => {
      if (this.session === session) void this.tryPlay();
    });
    sink.on('restart', ({ reason }) => {
      if (this.session !== session) return;
      this.noteInternalPause();
      this.estimator.reset();
      this.emit('status', { scope: 'stream', level: 'status', code: `rtmp-web.Pipeline.Restart`, description: `new media pipeline: ${reason}` });
    });
    sink.on('error', (error) => {
      if (this.session === session) this.fail(error);
    });
    return sink;
  }

  private onFrame(session: Session, frame: MediaFrame, messageBytes: number): void {
    const t = now();
    if (!frame.config) {
      this.estimator.onArrival(frame.dts, t);
      this.rates[frame.kind].record(messageBytes, t);
    }
    if (!session.mediaSeen) {
      session.mediaSeen = true;
      session.ttff.firstMedia = t - session.startedAt;
      this.clearNoMediaTimer(session);
      if (this.state === 'connecting') this.moveTo('buffering', 'first media message');
    }
    if (this.state === 'ended' && !frame.config) this.moveTo('buffering', 'media flows again');
    // Behind = messages arrive late (the page could not keep up reading or demuxing). A large
    // buffer is not "behind": seeking fixes that, dropping video would only freeze the picture.
    if (!this.dropPolicy.accept(frame, this.ingestBacklog())) return;
    const sink = session.sink;
    if (!sink) return;
    const before = sink.bytesFed;
    sink.push(frame);
    if (sink.bytesFed === before && !frame.config && sink.tracks) this.discarded++;
  }

  private ingestBacklog(): boolean {
    return this.estimator.arrivalLag > (this.config.behindArrivalLagMs ?? 500);
  }

  private onStatus(scope: 'connection' | 'stream', info: NetStatusInfo): void {
    this.emit('status', { scope, level: info.level, code: info.code, description: info.description });
  }

  private armNoMediaTimer(session: Session): void {
    if (session.mediaSeen) return;
    const ms = this.config.noMediaTimeoutMs ?? 8000;
    session.noMediaTimer = setTimeout(() => {
      session.noMediaTimer = null;
      if (this.session !== session || session.mediaSeen) return;
      this.emit(
        'error',
        new PlayerError(
          'PLAYER_NO_MEDIA',
          `The server accepted "${session.url.streamName}" but has sent no audio or video for ${Math.round(ms / 1000)} s: ` +
            `the stream probably does not exist or nobody is publishing it. Still waiting.`,
          { fatal: false, details: { stream: session.url.streamName, app: session.url.app, waitedMs: ms } },
        ),
      );
    }, ms);
  }

  private clearNoMediaTimer(session: Session): void {
    if (session.noMediaTimer !== null) clearTimeout(session.noMediaTimer);
    session.noMediaTimer = null;
  }

  private onSessionFailure(session: Session, error: CodedError, isRetry: boolean): void {
    if (this.session !== session || session.closing) return;
    const decision = decideRecovery({
      code: error.code,
      reconnectEnabled: this.config.reconnect?.enabled ?? true,
      isRetry,
      established: session.playStartedAt !== null || session.mediaSeen,
      retryInitialConnect: this.config.retryInitialConnect ?? false,
    });
    if (decision === 'fail') {
      this.fail(error);
      return;
    }
    this.emit('error', withFatal(error, false));
    this.scheduleReconnect(explain(error));
  }

  private scheduleReconnect(reason: string): void {
    const source = this.source;
    this.endSession();
    if (!source) return;
    const delayMs = this.backoff.next();
    if (delayMs === null) {
      this.fail(new PlayerError('PLAYER_RECONNECT_GAVE_UP', `Gave up reconnecting after ${this.backoff.attempts} attempts (last problem: ${reason}).`));
      return;
    }
    this.reconnectCount++;
    this.moveTo('reconnecting', reason);
    this.emit('reconnect', { attempt: this.backoff.attempts, delayMs, reason });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.destroyedFlag || this.session || !this.source) return;
      let url: RtmpUrl;
      try {
        url = parseRtmpUrl(this.source.url);
      } catch {
        return;
      }
      this.startSession(url, this.source.options, true);
    }, delayMs);
  }

  /** A new media element: the pipeline belongs to the old one, so connect again for the new one. */
  private restartSession(): void {
    if (!this.source) return;
    this.endSession();
    this.startSession(parseRtmpUrl(this.source.url), this.source.options, true);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private endSession(): void {
    const session = this.session;
    if (!session) return;
    session.closing = true;
    this.session = null;
    this.clearNoMediaTimer(session);
    this.cancelFrameCallback();
    this.noteInternalPause();
    session.sink?.destroy();
    try {
      session.stream?.deleteStream();
    } catch {
      /* the connection may be gone already */
    }
    session.connection?.close();
    session.transport?.close();
  }

  private fail(error: CodedError): void {
    const fatal = withFatal(error, true);
    this.clearReconnect();
    this.endSession();
    this.emit('error', fatal);
    this.moveTo('error', `${fatal.code}: ${fatal.message}`);
  }

  private moveTo(state: PlayerState, reason: string): void {
    const change = this.stateMachine.move(state, reason);
    if (change) this.emit('state', change);
  }

  // ---- media element ---------------------------------------------------------------------

  private async tryPlay(): Promise<void> {
    const media = this.media;
    if (!media || !this.wantPlaying || !media.paused) return;
    if (!this.session?.sink?.tracks) return;
    // Not before the start decision, nor during its seek: the element shows the first frame
    // paused meanwhile, and playing would start at the oldest frame, or (play() on an element
    // still seeking) announce a 'waiting' stall. 'seeked' calls back here.
    if (!this.controller.hasStarted || media.seeking) return;
    try {
      await media.play();
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'AbortError') return; // a new source was attached meanwhile; the next tracks event retries
      if (name === 'NotAllowedError') {
        this.emit(
          'error',
          new PlayerError('PLAYER_AUTOPLAY_BLOCKED', 'The browser blocked autoplay with sound. Press play, or mute the player to start automatically.', {
            fatal: false,
            cause: error,
          }),
        );
      }
    }
  }

  private noteInternalPause(): void {
    if (this.media && !this.media.paused) this.expectInternalPause = true;
  }

  private resetMedia(): void {
    const media = this.media;
    if (!media) return;
    media.playbackRate = 1;
    if (media.getAttribute('src') || media.src) {
      media.removeAttribute('src');
      media.load();
    }
  }

  private videoQuality(): { decoded: number; dropped: number } {
    const media = this.media as HTMLVideoElement | null;
    if (!media || typeof media.getVideoPlaybackQuality !== 'function') return { decoded: 0, dropped: 0 };
    const q = media.getVideoPlaybackQuality();
    return { decoded: q.totalVideoFrames, dropped: q.droppedVideoFrames };
  }

  private startTimers(): void {
    if (this.controlTimer === null) this.controlTimer = setInterval(() => this.controlTick(), this.config.controlIntervalMs ?? 250);
    if (this.statsTimer === null) this.statsTimer = setInterval(() => this.emit('stats', this.stats), this.config.statsIntervalMs ?? 1000);
  }

  private stopTimers(): void {
    this.clearStartTicks();
    if (this.controlTimer !== null) clearInterval(this.controlTimer);
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    this.controlTimer = this.statsTimer = null;
  }

  private detachMediaListeners(): void {
    this.cancelFrameCallback();
    if (this.media && this.mediaAutoplay) this.media.autoplay = true;
    this.mediaAutoplay = false;
    this.media?.removeEventListener('error', this.onMediaError);
    this.media?.removeEventListener('seeked', this.onMediaSeeked);
    this.media?.removeEventListener('pause', this.onMediaPause);
    this.media?.removeEventListener('play', this.onMediaPlay);
    this.media?.removeEventListener('waiting', this.onMediaWaiting);
    this.media?.removeEventListener('loadedmetadata', this.onMediaLoadedMetadata);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Runs every controlIntervalMs: latency control, progress/stall tracking, state. */
  private controlTick(): void {
    const media = this.media;
    const session = this.session;
    if (!media || !session?.sink?.tracks) return;
    const tracks = session.sink.tracks;
    const t = now();
    this.watchFirstFrame(session, media, tracks);

    const range = bufferedRangeAround(media);
    const presentedTimestamp = media.currentTime * 1000 + tracks.timestampBase;
    const latencyMs = range ? this.estimator.latencyOf(presentedTimestamp, t) : null;
    // The start decision waits until what has arrived is appended (up to START_SETTLE_MS after
    // the first data is buffered): a server's GOP cache comes in one burst, the sink appends it
    // over a few tasks, and a decision on the first appended frames alone would start seconds
    // behind and jump, visibly, later. The element cannot seek past its buffered data (MSE
    // seekable range), so waiting is the way. It shows the first frame, paused, meanwhile.
    let appending = false;
    if (!this.controller.hasStarted && range) {
      const liveEdgeTimestamp = this.estimator.liveEdgeTimestamp;
      const receivedEnd = liveEdgeTimestamp === null ? null : (liveEdgeTimestamp - tracks.timestampBase) / 1000;
      this.firstBufferedAt ??= t;
      // ... and until the buffer ahead holds minBuffer: playing on one or two frames is an
      // underrun (a 'waiting' stall) a few ms later.
      const thin = range.end - Math.max(media.currentTime, range.start) < this.controller.options.minBuffer;
      appending = ((receivedEnd !== null && range.end < receivedEnd - START_APPEND_TOLERANCE_S) || thin) && t - this.firstBufferedAt < START_SETTLE_MS;
    }
    const decision = this.controller.update({
      now: t,
      currentTime: media.currentTime,
      bufferedStart: range?.start ?? null,
      bufferedEnd: range?.end ?? null,
      paused: media.paused,
      latency: latencyMs === null ? null : latencyMs / 1000,
      ingestBacklog: appending || this.ingestBacklog(),
    });
    if (Math.abs(media.playbackRate - decision.playbackRate) > 0.001) media.playbackRate = decision.playbackRate;
    const event: LatencyEvent = { latency: decision.latency, buffer: decision.buffer, playbackRate: decision.playbackRate };
    if (decision.seekTo !== undefined && range) {
      // Report what the seek leaves: it removes exactly the media it skips.
      const skipped = decision.seekTo - media.currentTime;
      media.currentTime = decision.seekTo;
      event.seek = { to: decision.seekTo, reason: decision.reason ?? 'seek' };
      if (event.latency !== null) event.latency -= skipped;
      if (event.buffer !== null) event.buffer -= skipped;
    }
    this.lastDecision = { ...decision, latency: event.latency, buffer: event.buffer };
    this.emit('latency', event);

    // Progress and stalls: currentTime must move while we want to play and are not paused.
    if (media.currentTime !== this.lastProgress.time) {
      this.lastProgress = { time: media.currentTime, at: t };
      if (this.stallSince !== null) {
        this.emit('stall', { since: this.stallSince, durationMs: t - this.stallSince, resolved: true });
        this.stallSince = null;
        this.stallReported = false;
      }
      if (!media.paused && media.readyState >= 3 && (this.state === 'buffering' || this.state === 'connecting')) {
        this.moveTo('playing', 'playback progressing');
        this.backoff.reset();
      }
    } else if (!media.paused && this.wantPlaying && this.state === 'playing' && t - this.lastProgress.at > 500) {
      this.stallSince ??= this.lastProgress.at;
      this.moveTo('buffering', 'no playback progress');
    }
    if (this.state === 'ended') {
      // No data is expected: not a stall.
      this.stallSince = null;
      this.stallReported = false;
    }
    if (this.stallSince !== null && !this.stallReported && t - this.stallSince >= (this.config.stallTimeoutMs ?? 2000)) {
      this.stallReported = true;
      this.stallCount++;
      const durationMs = t - this.stallSince;
      this.emit('stall', { since: this.stallSince, durationMs, resolved: false });
      this.emit('error', new PlayerError('MEDIA_STALLED', `Playback has not moved for ${(durationMs / 1000).toFixed(1)} s; jumping to the newest data.`, {
        fatal: false,
        details: { durationMs },
      }));
      this.controller.requestLiveEdge();
    }
    if (media.paused && this.wantPlaying && this.state !== 'error') void this.tryPlay();
  }

  /** First frame presented: requestVideoFrameCallback for video, playback progress for audio-only. */
  private watchFirstFrame(session: Session, media: HTMLMediaElement, tracks: SinkTracks): void {
    const video = media as HTMLVideoElement;
    if (tracks.video && typeof video.requestVideoFrameCallback === 'function') {
      if (this.frameCallbackId === null) {
        const onFrame = (at: number, metadata: VideoFrameCallbackMetadata) => {
          this.frameCallbackId = null;
          if (this.session !== session) return;
          this.countPresented(metadata.presentedFrames, at);
          if (!session.firstFrameReported) this.reportFirstFrame(session, at);
          this.frameCallbackId = video.requestVideoFrameCallback(onFrame);
        };
        this.frameCallbackId = video.requestVideoFrameCallback(onFrame);
      }
    } else if (!session.firstFrameReported && media.currentTime > 0 && !media.paused) {
      this.reportFirstFrame(session, now());
    }
  }

  private countPresented(presentedFrames: number, at: number): void {
    const p = this.presented;
    if (p.windowStart === 0 || presentedFrames < p.windowCount) {
      p.windowStart = at;
      p.windowCount = presentedFrames;
      return;
    }
    if (at - p.windowStart >= 1000) {
      p.fps = ((presentedFrames - p.windowCount) * 1000) / (at - p.windowStart);
      p.windowStart = at;
      p.windowCount = presentedFrames;
    }
  }

  private reportFirstFrame(session: Session, at: number): void {
    session.firstFrameReported = true;
    session.ttff.firstFrame = Math.max(0, at - session.startedAt);
    this.emit('firstFrame', { ...session.ttff });
  }

  private cancelFrameCallback(): void {
    const video = this.media as HTMLVideoElement | null;
    if (this.frameCallbackId !== null && video && typeof video.cancelVideoFrameCallback === 'function') {
      video.cancelVideoFrameCallback(this.frameCallbackId);
    }
    this.frameCallbackId = null;
    this.presented = { count: 0, windowStart: 0, windowCount: 0, fps: null };
  }

  private assertAlive(): void {
    if (this.destroyedFlag) throw new PlayerError('PLAYER_DESTROYED', 'This player was destroyed; create a new one.');
  }
}

/** The buffered range holding currentTime, else the first range after it, else the last one. */
function bufferedRangeAround(media: HTMLMediaElement): { start: number; end: number } | null {
  const ranges = media.buffered;
  if (ranges.length === 0) return null;
  const t = media.currentTime;
  for (let i = 0; i < ranges.length; i++) {
    if (t >= ranges.start(i) - 0.01 && t <= ranges.end(i)) return { start: ranges.start(i), end: ranges.end(i) };
    if (ranges.start(i) > t) return { start: ranges.start(i), end: ranges.end(i) };
  }
  return { start: ranges.start(ranges.length - 1), end: ranges.end(ranges.length - 1) };
}

function toRecord(value: AmfValue | undefined): Record<string, AmfValue> {
  if (value instanceof AmfEcmaArray) return Object.fromEntries(value.entries);
  if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) return { ...(value as Record<string, AmfValue>) };
  return {};
}

function asCodedError(error: unknown): CodedError {
  if (error instanceof Error && 'code' in error && 'category' in error) return error as CodedError;
  return new PlayerError('TRANSPORT_WS_CLOSED', error instanceof Error ? error.message : String(error), { cause: error, fatal: false });
}

/** The same error with `fatal` set as the player decided (CodedError.fatal is readonly). */
function withFatal(error: CodedError, fatal: boolean): CodedError {
  if (error.fatal === fatal) return error;
  return Object.assign(Object.create(Object.getPrototypeOf(error) as object) as CodedError, error, { fatal, message: error.message, stack: error.stack });
}

function explain(error: CodedError): string {
  return `${error.code}: ${error.message}`;
}
