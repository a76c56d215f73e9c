import type { CodedError } from '@rtmp-web/bytes';
import { NetConnection, fullCodecs, parseRtmpUrl } from '@rtmp-web/rtmp';
import type { MediaFrame, MediaMessageEvent, NetStream, ProtocolTap, RtmpUrl, Transport } from '@rtmp-web/rtmp';
import { TcpTransport } from '@rtmp-web/rtmp/node';
import { amfToJson } from './amf-json';
import type { JsonValue } from './amf-json';
import { ProbeError } from './errors';
import { TrackDetector } from './tracks';
import type { ProbeTracks } from './tracks';

export interface ProbeOptions {
  /** rtmp://host[:port]/app[/instance]/stream (split like FFmpeg, see parseRtmpUrl). */
  url: string;
  /** Stop after this many seconds of playing (default 5). */
  durationSec?: number;
  /** Limit for each wait: TCP connect, handshake + connect, Play.Start, first media message (default 10 s). */
  timeoutSec?: number;
  /** Keep one entry per media message in the report (`--messages`). */
  collectMedia?: boolean;
  /** Handshake dialect to offer (default 'digest'). */
  handshake?: 'simple' | 'digest';
  /** Observer of every handshake packet, chunk and message (`--trace`). */
  tap?: ProtocolTap;
  /** Called with every media message as it arrives (the CLI prints `--messages` lines live). */
  onMedia?: (entry: ProbeMediaEntry) => void;
  /** Opens the transport; default TcpTransport (TLS for rtmps/rtmpts). */
  openTransport?: (url: RtmpUrl, timeoutMs: number) => Promise<Transport>;
}

export interface ProbeMediaEntry {
  type: 'audio' | 'video';
  /** Message timestamp, ms. */
  timestamp: number;
  /** Message body length in bytes. */
  size: number;
  keyframe?: boolean;
  /** A sequence header (decoder configuration). */
  config?: boolean;
  codec?: string;
}

export type ProbeStopReason = 'duration' | 'NetStream.Play.Stop' | 'NetStream.Play.Complete' | 'StreamEOF' | 'NetStream.Play.UnpublishNotify' | 'connection-closed';

/** What `rtmp-web probe` saw; `--json` prints exactly this. */
export interface ProbeReport {
  url: string;
  app: string;
  streamName: string;
  handshake: { kind: 'simple' | 'digest'; serverDigestVerified: boolean; serverVersion: string; roundTripMs: number };
  /** connect's `_result` info object (code, level, description and whatever else the server put there), plus the server's `properties` (fmsVer, capabilities...). */
  connect: { code: string; level: string; description: string; properties: JsonValue; [key: string]: JsonValue };
  play: { code: string; description: string };
  /** Every NetStream status code in order of arrival. */
  statuses: string[];
  metadata: JsonValue;
  tracks: ProbeTracks;
  counts: { audio: number; video: number; data: number };
  bytes: { audio: number; video: number };
  /** Payload bitrate per track over its timestamp span, kbit/s (null with fewer than two messages). */
  bitrateKbps: { audio: number | null; video: number | null };
  /** Wall-clock time from Play.Start to the end of the probe. */
  playedMs: number;
  stopReason: ProbeStopReason;
  media?: ProbeMediaEntry[];
}

/** Statuses that end a probe: the end of a recorded stream, or a live publisher leaving. */
const STOP_STATUS_CODES: ReadonlySet<string> = new Set(['NetStream.Play.Stop', 'NetStream.Play.Complete', 'NetStream.Play.UnpublishNotify']);

interface TrackTotals {
  count: number;
  bytes: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
}

/**
 * Connects, plays and watches a stream: the library behind `rtmp-web probe`. Resolves with the
 * report; rejects with the session's error (SESSION_*, STREAM_*, TRANSPORT_*, HANDSHAKE_*...) or a
 * ProbeError (PROBE_PLAY_TIMEOUT, PROBE_NO_MEDIA). Always closes the connection.
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const url = parseRtmpUrl(options.url);
  if (url.streamName === '') throw new ProbeError('PROBE_USAGE', `the URL names no stream to play: ${options.url}`, { url: options.url });
  const durationMs = (options.durationSec ?? 5) * 1000;
  const timeoutMs = (options.timeoutSec ?? 10) * 1000;
  const openTransport = options.openTransport ?? defaultOpenTransport;

  const transport = await openTransport(url, timeoutMs);
  // The probe reports whatever a server sends: AMF3 and shared objects enabled.
  const connection = new NetConnection({ codecs: fullCodecs });
  try {
    const connected = await connection.connect(url, {
      transport,
      handshake: options.handshake ?? 'digest',
      timeoutMs,
      ...(options.tap ? { tap: options.tap } : {}),
    });
    const stream = await withTimeout(connection.createStream(), timeoutMs, () => new ProbeError('PROBE_PLAY_TIMEOUT', `createStream got no answer within ${timeoutMs} ms`));
    const watcher = new StreamWatcher(stream, options);
    const closed = new Promise<CodedError | undefined>((resolve) => connection.once('close', (event) => resolve(event.error)));

    const playInfo = await withTimeout(
      Promise.race([stream.play(url.streamName), closed.then((error) => Promise.reject(error ?? new ProbeError('PROBE_PLAY_TIMEOUT', 'the connection closed before play started')))]),
      timeoutMs,
      () => new ProbeError('PROBE_PLAY_TIMEOUT', `no NetStream.Play.Start (or error status) within ${timeoutMs} ms of play; the server may be waiting for a publisher`, { timeoutMs }),
    );
    const playedAt = Date.now();
    const stopReason = await watcher.watch(durationMs, timeoutMs, closed);
    const playedMs = Date.now() - playedAt;
    if (watcher.video.count + watcher.audio.count === 0) {
      throw new ProbeError(
        'PROBE_NO_MEDIA',
        stopReason === 'duration'
          ? `play started (${playInfo.code}) but no audio or video arrived within ${Math.min(durationMs, timeoutMs)} ms; is anyone publishing "${url.streamName}"?`
          : `the stream ended (${stopReason}) without any audio or video`,
        { stopReason },
      );
    }

    const report: ProbeReport = {
      url: options.url,
      app: url.app,
      streamName: url.streamName,
      handshake: {
        kind: connected.handshake.kind,
        serverDigestVerified: connected.handshake.serverDigestVerified,
        serverVersion: connected.handshake.serverVersion,
        roundTripMs: connected.handshake.roundTripMs,
      },
      connect: {
        ...(amfToJson(connected.info.raw) as Record<string, JsonValue>),
        code: connected.info.code,
        level: connected.info.level,
        description: connected.info.description,
        properties: amfToJson(connected.properties),
      },
      play: { code: playInfo.code, description: playInfo.description },
      statuses: watcher.statuses,
      metadata: watcher.metadata,
      tracks: watcher.tracks.result(watcher.metadata),
      counts: { audio: watcher.audio.count, video: watcher.video.count, data: watcher.dataCount },
      bytes: { audio: watcher.audio.bytes, video: watcher.video.bytes },
      bitrateKbps: { audio: bitrate(watcher.audio), video: bitrate(watcher.video) },
      playedMs,
      stopReason,
    };
    if (options.collectMedia) report.media = watcher.media;
    return report;
  } finally {
    connection.close();
  }
}

/** Collects what one playing stream delivers and decides when the probe is over. */
class StreamWatcher {
  readonly audio: TrackTotals = { count: 0, bytes: 0, firstTimestamp: null, lastTimestamp: null };
  readonly video: TrackTotals = { count: 0, bytes: 0, firstTimestamp: null, lastTimestamp: null };
  readonly tracks = new TrackDetector();
  readonly statuses: string[] = [];
  readonly media: ProbeMediaEntry[] = [];
  dataCount = 0;
  metadata: JsonValue = null;
  private ended: ((reason: ProbeStopReason) => void) | null = null;
  private firstMedia: (() => void) | null = null;

  constructor(
    stream: NetStream,
    private readonly options: ProbeOptions,
  ) {
    stream.on('audio', (event) => this.onMedia('audio', event));
    stream.on('video', (event) => this.onMedia('video', event));
    stream.on('data', (event) => {
      this.dataCount++;
      if (event.name === 'onMetaData') this.metadata = amfToJson(event.args[0]);
    });
    stream.on('status', (info) => {
      this.statuses.push(info.code);
      // The end of a recorded stream; a live stream whose publisher left reports UnpublishNotify.
      if (STOP_STATUS_CODES.has(info.code)) this.ended?.(info.code as ProbeStopReason);
    });
    stream.on('streamEOF', () => this.ended?.('StreamEOF'));
  }

  /** Resolves when the duration is over, the stream ends, or no media came within `timeoutMs`. */
  watch(durationMs: number, timeoutMs: number, closed: Promise<CodedError | undefined>): Promise<ProbeStopReason> {
    return new Promise((resolve, reject) => {
      const timers: Array<ReturnType<typeof setTimeout>> = [];
      const finish = (reason: ProbeStopReason): void => {
        for (const timer of timers) clearTimeout(timer);
        this.ended = null;
        this.firstMedia = null;
        resolve(reason);
      };
      this.ended = finish;
      timers.push(setTimeout(() => finish('duration'), durationMs));
      if (timeoutMs < durationMs && this.audio.count + this.video.count === 0) {
        const noMedia = setTimeout(() => finish('duration'), timeoutMs);
        timers.push(noMedia);
        this.firstMedia = () => clearTimeout(noMedia);
      }
      void closed.then((error) => {
        if (!this.ended) return;
        for (const timer of timers) clearTimeout(timer);
        this.ended = null;
        // A server that simply hangs up after sending media has ended the stream (ffmpeg -listen
        // does at the end of its input); before any media, or on a real failure, it is an error.
        const hungUp = error === undefined || error.code === 'TRANSPORT_CLOSED';
        if (hungUp && this.audio.count + this.video.count > 0) resolve('connection-closed');
        else reject(error ?? new ProbeError('PROBE_NO_MEDIA', 'the connection closed without any audio or video'));
      });
    });
  }

  private onMedia(type: 'audio' | 'video', event: MediaMessageEvent): void {
    const totals = type === 'audio' ? this.audio : this.video;
    const { message, frames } = event;
    totals.count++;
    totals.bytes += message.payload.byteLength;
    // Sequence headers may carry timestamp 0 ahead of a GOP cache that starts seconds later
    // (node-media-server): only coded frames count for the bitrate's time span.
    if (!frames[0]?.config) {
      totals.firstTimestamp ??= message.timestamp;
      totals.lastTimestamp = message.timestamp;
    }
    this.firstMedia?.();
    this.firstMedia = null;
    const frame: MediaFrame | undefined = frames[0];
    if (frame) this.tracks.observe(frame);
    const entry: ProbeMediaEntry = { type, timestamp: message.timestamp, size: message.payload.byteLength };
    if (frame) {
      if (type === 'video') entry.keyframe = frame.keyframe;
      if (frame.config) entry.config = true;
      entry.codec = frame.codec;
    }
    if (this.options.collectMedia) this.media.push(entry);
    this.options.onMedia?.(entry);
  }
}

function bitrate(totals: TrackTotals): number | null {
  if (totals.count < 2 || totals.firstTimestamp === null || totals.lastTimestamp === null) return null;
  const spanMs = totals.lastTimestamp - totals.firstTimestamp;
  if (spanMs <= 0) return null;
  return Math.round((totals.bytes * 8) / spanMs * 10) / 10;
}

async function defaultOpenTransport(url: RtmpUrl, timeoutMs: number): Promise<Transport> {
  if (url.protocol !== 'rtmp' && url.protocol !== 'rtmps') {
    throw new ProbeError('PROBE_USAGE', `${url.protocol}:// is not supported by probe (use rtmp:// or rtmps://)`, { protocol: url.protocol });
  }
  return TcpTransport.connect(url.host, url.port, { timeoutMs, ...(url.protocol === 'rtmps' ? { tls: true } : {}) });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, makeError: () => CodedError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(makeError()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
