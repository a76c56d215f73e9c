import type { AmfValue } from '@rtmp-web/amf';
import type { MediaFrame, RtmpMessage } from '@rtmp-web/rtmp';
import { MessageType } from '@rtmp-web/rtmp';
import { amfEntries } from './amf-tree';
import { codecDetails, decodeData, decodeRecord, mediaFrames, type CodecDetails } from './core';
import type { Direction, HandshakeRecord, MessageRecord, Recording } from './model';
import type { SessionRecorder } from './recorder';

/** Codecs whose frames cannot be decoded without a sequence header / decoder configuration first. */
const CODECS_NEEDING_CONFIG = new Set(['avc1', 'hvc1', 'av01', 'vp09', 'vp08', 'vvc1', 'mp4a', 'Opus', 'fLaC']);

export interface TrackReport {
  /** "video", "audio", or with a stream / track suffix when there are several ("video s2", "audio t1"). */
  id: string;
  kind: 'audio' | 'video';
  streamId: number;
  trackId: number;
  /** MediaFrame.codec: 'avc1', 'mp4a', 'flv-2'... */
  codec: string;
  /** From the configuration record, when it was seen. */
  details?: CodecDetails;
  configCount: number;
  /** Timestamp of the first configuration message. */
  configTimestamp?: number;
  /** Coded frames that arrived before any configuration (for codecs that need one). */
  framesBeforeConfig: number;
  frames: number;
  keyframes: number;
  bytes: number;
  firstTimestamp?: number;
  lastTimestamp?: number;
  /** Frames per second from the timestamps (video). */
  frameRate?: number;
  /** Average kbit/s over the timestamp span. */
  averageKbps?: number;
}

export interface GopReport {
  track: string;
  /** Counts from the session start, including GOPs no longer kept. */
  index: number;
  startTimestamp: number;
  /** Keyframe-to-keyframe time; undefined while the GOP is still open. */
  durationMs?: number;
  frames: number;
  bytes: number;
  keyframeBytes: number;
  /** Sizes of the frames in order (first is the keyframe), at most 1000 kept. */
  frameSizes: number[];
  at: number;
}

/** A timestamp that went backwards or jumped ahead of the wall clock on one track. */
export interface TimestampIssue {
  kind: 'backwards' | 'jump';
  track: string;
  messageIndex: number;
  at: number;
  from: number;
  to: number;
  /** Wall-clock time between the two messages. */
  wallMs: number;
}

/** One value per wall-clock second since the first media message (null where nothing was measured). */
export interface TimeSeries {
  /** Wall clock of second 0. */
  startAt: number;
  /** Second number of the first kept value (older ones are trimmed). */
  firstSecond: number;
  bitrateKbps: Record<string, number[]>;
  framesPerSecond: number[];
  /** Last video timestamp minus last audio timestamp at the end of each second, ms. */
  avDriftMs: Array<number | null>;
  /**
   * Arrival delay above the best seen: (arrival − first arrival) − (timestamp − first timestamp),
   * minus its minimum so far. 0 means data arrives as early as it ever did; growth means a backlog.
   */
  latencyMs: Array<number | null>;
}

export interface DriftSample {
  at: number;
  driftMs: number;
}

export interface MetadataReport {
  at: number;
  messageIndex: number;
  values: Record<string, AmfValue>;
}

export interface AnalysisReport {
  tracks: TrackReport[];
  gops: GopReport[];
  series: TimeSeries;
  timestampIssues: TimestampIssue[];
  drift: DriftSample[];
  metadata?: MetadataReport;
  chunkSize: {
    /** The chunk size the peer used at the end (128 unless it sent Set Chunk Size, RTMP 1.0 §5.4.1). */
    incoming: number;
    setChunkSizeSeen: boolean;
    incomingMessages: number;
    incomingPayloadBytes: number;
  };
  mediaMessages: number;
  /** Wall clock of the first / last analysed message. */
  firstAt?: number;
  lastAt?: number;
}

export interface MediaAnalyzerOptions {
  /** Which direction's media to analyse. Default 'in' (what a player receives). */
  direction?: Direction;
  /** Seconds of time series kept. Default 3600. */
  maxSeconds?: number;
  /** GOPs kept per track. Default 500. */
  maxGops?: number;
  /** Timestamp-vs-wall-clock gap that counts as a jump, ms. Default 1000. */
  jumpThresholdMs?: number;
}

interface TrackState {
  report: TrackReport;
  lastAt?: number;
  gop?: GopReport;
  /** Frames and bytes since firstTimestamp (this connection), for the rates. */
  spanFrames: number;
  spanBytes: number;
}

/**
 * Incremental analysis of the media a session carries: per-track codec details, GOPs,
 * per-second series and timestamp problems. Fed message by message (also while the recorder's
 * buffer drops old messages), so its numbers cover the whole session.
 */
export class MediaAnalyzer {
  private readonly direction: Direction;
  private readonly maxSeconds: number;
  private readonly maxGops: number;
  private readonly jumpThresholdMs: number;
  private readonly tracks = new Map<string, TrackState>();
  private readonly gops: GopReport[] = [];
  private gopCount = 0;
  private readonly issues: TimestampIssue[] = [];
  private readonly drift: DriftSample[] = [];
  private metadata: MetadataReport | undefined;
  private chunkSize = 128;
  private setChunkSizeSeen = false;
  private incomingMessages = 0;
  private incomingPayloadBytes = 0;
  private mediaMessages = 0;
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  // Series state.
  private seriesStart: number | undefined;
  private firstSecond = 0;
  private readonly bitrate: Record<string, number[]> = {};
  private readonly fps: number[] = [];
  private readonly avDrift: Array<number | null> = [];
  private readonly latency: Array<number | null> = [];
  private lastVideoTs: number | undefined;
  private lastAudioTs: number | undefined;
  private latencyOrigin: { at: number; ts: number } | undefined;
  private latencyMin = Infinity;
  private lastDriftSecond = -1;

  constructor(options: MediaAnalyzerOptions = {}) {
    this.direction = options.direction ?? 'in';
    this.maxSeconds = options.maxSeconds ?? 3600;
    this.maxGops = options.maxGops ?? 500;
    this.jumpThresholdMs = options.jumpThresholdMs ?? 1000;
  }

  push(record: MessageRecord): void {
    if (record.direction !== this.direction) return;
    if (this.firstAt === undefined) this.firstAt = record.at;
    this.lastAt = record.at;
    this.incomingMessages++;
    this.incomingPayloadBytes += record.payload.byteLength;
    switch (record.type) {
      case MessageType.SetChunkSize: {
        const decoded = decodeRecord(record);
        if (decoded.kind === 'protocol-control' && decoded.control.kind === 'SetChunkSize') {
          this.chunkSize = decoded.control.chunkSize;
          this.setChunkSizeSeen = true;
        }
        return;
      }
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        this.onData(record);
        return;
      case MessageType.Audio:
      case MessageType.Video:
      case MessageType.Aggregate:
        this.onMedia(record);
        return;
      default:
    }
  }

  /**
   * A new connection starts (a reconnect): timestamps restart, so continuity checks and the
   * latency baseline restart too; everything counted so far is kept.
   */
  startConnection(): void {
    for (const state of this.tracks.values()) {
      delete state.lastAt;
      delete state.report.firstTimestamp;
      delete state.report.lastTimestamp;
      state.spanFrames = 0;
      state.spanBytes = 0;
      if (state.gop) {
        this.gops.push(state.gop);
        delete state.gop;
      }
    }
    this.latencyOrigin = undefined;
    this.latencyMin = Infinity;
    this.lastVideoTs = undefined;
    this.lastAudioTs = undefined;
  }

  /**
   * Analyses everything a recorder sees from now on (including what its buffer later drops),
   * restarting continuity at each new connection. Returns a function that stops following.
   */
  follow(recorder: SessionRecorder): () => void {
    const offMessage = recorder.on('message', (record) => this.push(record));
    const offHandshake = recorder.on('handshake', (record) => {
      if (startsConnection(record) && this.firstAt !== undefined) this.startConnection();
    });
    return () => {
      offMessage();
      offHandshake();
    };
  }

  report(): AnalysisReport {
    const tracks = [...this.tracks.values()].map(finishTrack);
    const gops = [...this.gops];
    for (const state of this.tracks.values()) if (state.gop) gops.push({ ...state.gop, frameSizes: [...state.gop.frameSizes] });
    const bitrateKbps: Record<string, number[]> = {};
    for (const [track, values] of Object.entries(this.bitrate)) bitrateKbps[track] = values.map((bits) => Math.round(bits / 100) / 10);
    return {
      tracks,
      gops,
      series: {
        startAt: this.seriesStart ?? 0,
        firstSecond: this.firstSecond,
        bitrateKbps,
        framesPerSecond: [...this.fps],
        avDriftMs: [...this.avDrift],
        latencyMs: [...this.latency],
      },
      timestampIssues: [...this.issues],
      drift: [...this.drift],
      ...(this.metadata ? { metadata: this.metadata } : {}),
      chunkSize: {
        incoming: this.chunkSize,
        setChunkSizeSeen: this.setChunkSizeSeen,
        incomingMessages: this.incomingMessages,
        incomingPayloadBytes: this.incomingPayloadBytes,
      },
      mediaMessages: this.mediaMessages,
      ...(this.firstAt === undefined ? {} : { firstAt: this.firstAt }),
      ...(this.lastAt === undefined ? {} : { lastAt: this.lastAt }),
    };
  }

  private onData(record: MessageRecord): void {
    const data = decodeData(record);
    if (!data || data.name !== 'onMetaData') return;
    const values = data.args.length > 0 ? amfEntries(data.args[0]!) : undefined;
    if (values) this.metadata = { at: record.at, messageIndex: record.index, values };
  }

  private onMedia(record: MessageRecord): void {
    this.mediaMessages++;
    for (const { message, frames } of mediaFrames(record)) {
      for (const frame of frames) this.onFrame(record, message, frame);
    }
  }

  private onFrame(record: MessageRecord, message: RtmpMessage, frame: MediaFrame): void {
    const state = this.track(message.streamId, frame);
    const track = state.report;
    const size = message.payload.byteLength;
    track.bytes += size;
    this.addSeries(record.at, track.id, size, frame, message.timestamp);
    if (frame.config) {
      track.configCount++;
      if (track.configTimestamp === undefined) track.configTimestamp = message.timestamp;
      const details = codecDetails(frame);
      if (details) track.details = details;
      return;
    }
    if (track.configCount === 0 && CODECS_NEEDING_CONFIG.has(frame.codec)) track.framesBeforeConfig++;
    if (!track.details) {
      const details = codecDetails(frame); // codecs without a configuration describe themselves per frame
      if (details) track.details = details;
    }
    // Timestamps of coded frames per track (config records may repeat an old time: ignore them).
    if (track.lastTimestamp !== undefined && state.lastAt !== undefined) {
      const delta = timestampDelta(track.lastTimestamp, message.timestamp);
      const wallMs = record.at - state.lastAt;
      if (delta < 0) {
        this.issues.push({ kind: 'backwards', track: track.id, messageIndex: record.index, at: record.at, from: track.lastTimestamp, to: message.timestamp, wallMs });
      } else if (delta - Math.max(0, wallMs) > this.jumpThresholdMs) {
        this.issues.push({ kind: 'jump', track: track.id, messageIndex: record.index, at: record.at, from: track.lastTimestamp, to: message.timestamp, wallMs });
      }
    }
    if (track.firstTimestamp === undefined) track.firstTimestamp = message.timestamp;
    track.lastTimestamp = message.timestamp;
    state.lastAt = record.at;
    track.frames++;
    state.spanFrames++;
    state.spanBytes += size;
    if (frame.kind === 'video') {
      if (frame.keyframe) track.keyframes++;
      this.onVideoFrame(state, record, message, frame);
    }
  }

  private onVideoFrame(state: TrackState, record: MessageRecord, message: RtmpMessage, frame: MediaFrame): void {
    const size = message.payload.byteLength;
    if (frame.keyframe) {
      if (state.gop) {
        state.gop.durationMs = timestampDelta(state.gop.startTimestamp, message.timestamp);
        this.gops.push(state.gop);
        if (this.gops.length > this.maxGops * Math.max(1, this.tracks.size)) this.gops.shift();
      }
      state.gop = { track: state.report.id, index: this.gopCount++, startTimestamp: message.timestamp, frames: 0, bytes: 0, keyframeBytes: size, frameSizes: [], at: record.at };
    }
    const gop = state.gop;
    if (!gop) return; // frames before the first keyframe belong to no GOP
    gop.frames++;
    gop.bytes += size;
    if (gop.frameSizes.length < 1000) gop.frameSizes.push(size);
  }

  private track(streamId: number, frame: MediaFrame): TrackState {
    const key = `${streamId}:${frame.kind}:${frame.trackId}`;
    let state = this.tracks.get(key);
    if (!state) {
      const sameKind = [...this.tracks.values()].filter((t) => t.report.kind === frame.kind);
      let id: string = frame.kind;
      if (frame.trackId !== 0) id += ` t${frame.trackId}`;
      if (sameKind.some((t) => t.report.streamId !== streamId)) id += ` s${streamId}`;
      state = {
        report: { id, kind: frame.kind, streamId, trackId: frame.trackId, codec: frame.codec, configCount: 0, framesBeforeConfig: 0, frames: 0, keyframes: 0, bytes: 0 },
        spanFrames: 0,
        spanBytes: 0,
      };
      this.tracks.set(key, state);
    }
    return state;
  }

  private addSeries(at: number, trackId: string, bytes: number, frame: MediaFrame, timestamp: number): void {
    if (this.seriesStart === undefined) this.seriesStart = at;
    const second = Math.max(0, Math.floor((at - this.seriesStart) / 1000));
    // Close the seconds that ended before this one: drift is sampled at the end of each second.
    for (let s = this.lastDriftSecond + 1; s < second; s++) this.closeSecond(s);
    this.lastDriftSecond = Math.max(this.lastDriftSecond, second - 1);
    const slot = this.slot(second);
    const series = (this.bitrate[trackId] ??= []);
    while (series.length <= slot) series.push(0);
    series[slot] = series[slot]! + bytes * 8;
    while (this.fps.length <= slot) this.fps.push(0);
    if (frame.kind === 'video' && !frame.config) this.fps[slot] = this.fps[slot]! + 1;
    if (!frame.config) {
      if (frame.kind === 'video') this.lastVideoTs = timestamp;
      else this.lastAudioTs = timestamp;
      this.latencyOrigin ??= { at, ts: timestamp };
      const delay = at - this.latencyOrigin.at - timestampDelta(this.latencyOrigin.ts, timestamp);
      this.latencyMin = Math.min(this.latencyMin, delay);
      while (this.latency.length <= slot) this.latency.push(null);
      this.latency[slot] = Math.round(delay - this.latencyMin);
    }
    while (this.avDrift.length <= slot) this.avDrift.push(null);
    this.trim();
  }

  private closeSecond(second: number): void {
    if (this.lastVideoTs === undefined || this.lastAudioTs === undefined) return;
    const drift = timestampDelta(this.lastAudioTs, this.lastVideoTs);
    const slot = this.slot(second);
    if (slot < 0) return;
    while (this.avDrift.length <= slot) this.avDrift.push(null);
    this.avDrift[slot] = drift;
    this.drift.push({ at: (this.seriesStart ?? 0) + (second + 1) * 1000, driftMs: drift });
    if (this.drift.length > this.maxSeconds) this.drift.shift();
  }

  private slot(second: number): number {
    return second - this.firstSecond;
  }

  private trim(): void {
    const excess = this.fps.length - this.maxSeconds;
    if (excess <= 0) return;
    this.firstSecond += excess;
    this.fps.splice(0, excess);
    this.avDrift.splice(0, excess);
    this.latency.splice(0, excess);
    for (const values of Object.values(this.bitrate)) values.splice(0, Math.min(excess, values.length));
  }
}

/** Runs a fresh analyzer over every message of a recording. */
export function analyzeRecording(recording: Recording, options?: MediaAnalyzerOptions): AnalysisReport {
  const analyzer = new MediaAnalyzer(options);
  // Each C0C1 after the first starts a new connection (a reconnect); see startConnection().
  const starts = recording.handshake.filter(startsConnection).map((h) => h.at).slice(1);
  let next = 0;
  for (const message of recording.messages) {
    while (next < starts.length && message.at >= starts[next]!) {
      analyzer.startConnection();
      next++;
    }
    analyzer.push(message);
  }
  return analyzer.report();
}

/** An outgoing C0C1 opens a connection (RTMP 1.0 §5.2.5). */
function startsConnection(record: HandshakeRecord): boolean {
  return record.direction === 'out' && record.label.startsWith('C0C1');
}

/** b − a for 32-bit RTMP timestamps, taking the shorter way around the wrap (RTMP 1.0 §5.3.1.2). */
export function timestampDelta(a: number, b: number): number {
  let delta = (b - a) % 0x100000000;
  if (delta > 0x7fffffff) delta -= 0x100000000;
  if (delta < -0x80000000) delta += 0x100000000;
  return delta;
}

function finishTrack(state: TrackState): TrackReport {
  const track = state.report;
  const out = { ...track, ...(track.details ? { details: { ...track.details } } : {}) };
  if (track.firstTimestamp !== undefined && track.lastTimestamp !== undefined) {
    const span = timestampDelta(track.firstTimestamp, track.lastTimestamp);
    if (span > 0 && state.spanFrames > 1) {
      if (track.kind === 'video') out.frameRate = Math.round(((state.spanFrames - 1) * 1000 * 100) / span) / 100;
      out.averageKbps = Math.round((state.spanBytes * 8) / span);
    }
  }
  return out;
}
