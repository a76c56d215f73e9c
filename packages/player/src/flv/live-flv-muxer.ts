import { concatBytes, bytesEqual } from '@rtmp-web/bytes';
import { encodeFlvHeader, encodeFlvTag, FlvTagType } from '@rtmp-web/rtmp';
import type { MediaFrame } from '@rtmp-web/rtmp';

export type TrackKind = 'audio' | 'video';

export interface LiveFlvMuxerOptions {
  /** How long after the first media message to wait for the other track before starting with what is present. */
  trackWaitMs?: number;
  /** How long to wait for a track that onMetaData declares but that has not shown up yet. */
  declaredTrackWaitMs?: number;
  /** A timestamp this far behind the previous one on the same track starts a new pipeline. */
  backwardJumpMs?: number;
  /** A timestamp this far ahead of the previous one on the same track starts a new pipeline. */
  forwardJumpMs?: number;
  /** Upper bound on frames held while deciding the tracks (oldest dropped first). */
  maxPendingFrames?: number;
}

export interface TrackDescription {
  kind: TrackKind;
  /** MediaFrame.codec: 'avc1', 'mp4a', 'Opus', ... */
  codec: string;
  /** The decoder configuration record (MediaFrame.data of the config frame), when the codec has one. */
  config: Uint8Array | null;
}

export interface MuxerStart {
  audio: TrackDescription | null;
  video: TrackDescription | null;
  /** RTMP timestamp (ms) written as FLV timestamp 0 in this generation. */
  timestampBase: number;
  generation: number;
}

export type RestartReason = 'timestamp-jump' | 'config-changed' | 'track-added';

export interface MuxerOutput {
  /** FLV bytes to hand to the demuxer now (the first output of a generation starts with the FLV header). */
  bytes: Uint8Array | null;
  /** Set when this call decided the tracks and wrote the header. */
  started?: MuxerStart;
  /** Set when this call ended the current generation; the consumer must start a new demuxer/MSE pipeline. */
  restart?: RestartReason;
  /** Frames dropped by this call (before a keyframe, unknown track, duplicate config, before the base). */
  dropped: number;
}

/**
 * Codecs whose frames cannot be decoded before a decoder configuration message (sequence
 * header: FLV v10.1 E.4.2.1/E.4.3.1, E-RTMP SequenceStart). Everything else (MP3, and the legacy
 * FLV codecs: Sorenson H.263, VP6, screen video, PCM, ADPCM, Nellymoser, G.711, Speex) is
 * self-describing, so its track is ready with its first frame (and an unplayable one is then
 * reported by name instead of silently left out).
 */
const CODECS_WITH_CONFIG = new Set(['avc1', 'hvc1', 'av01', 'vp09', 'vp08', 'vvc1', 'mp4a', 'Opus', 'fLaC', 'ac-3', 'ec-3']);

const DEFAULTS: Required<LiveFlvMuxerOptions> = {
  trackWaitMs: 400,
  declaredTrackWaitMs: 1500,
  backwardJumpMs: 1000,
  forwardJumpMs: 3000,
  maxPendingFrames: 600,
};

interface TrackState {
  config: MediaFrame | null;
  /** Non-config frames seen in the current generation. */
  framesSeen: number;
  lastTimestamp: number | null;
}

/**
 * Turns a live RTMP stream's media frames into an FLV byte stream for a demuxer (mpegts.js).
 *
 * Why it waits: the FLV header's TypeFlags decide which SourceBuffers the demuxer creates, and a
 * SourceBuffer that never receives data stalls playback forever (the media element only plays
 * the intersection of its buffers). So the header is written only once the tracks actually
 * present are known: both configs and frames seen, or `trackWaitMs` after the first frame
 * (longer when onMetaData declared a track that has not arrived yet). Audio-only and video-only
 * streams therefore start with no configuration.
 *
 * Timestamps are rebased so the first frame written is FLV time 0; `timestampBase` maps back.
 * Discontinuities (timestamps jumping, a new decoder configuration, a track appearing later)
 * end the generation: the caller tears down its pipeline and the muxer starts the next
 * generation, replaying the known configurations. Pure: time comes in as arguments.
 */
export class LiveFlvMuxer {
  private readonly options: Required<LiveFlvMuxerOptions>;
  private readonly tracks: Record<TrackKind, TrackState> = {
    audio: { config: null, framesSeen: 0, lastTimestamp: null },
    video: { config: null, framesSeen: 0, lastTimestamp: null },
  };
  private declared: { audio: boolean; video: boolean } = { audio: false, video: false };
  private pending: MediaFrame[] = [];
  private firstFrameAt: number | null = null;
  private current: MuxerStart | null = null;
  private generationCounter = 0;

  constructor(options: LiveFlvMuxerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The running generation's tracks and base, or null while still deciding. */
  get started(): MuxerStart | null {
    return this.current;
  }

  /** onMetaData said which tracks exist (hasAudio/hasVideo, or audiocodecid/videocodecid present). */
  declareTracks(declared: { audio?: boolean; video?: boolean }, now: number): MuxerOutput {
    if (declared.audio !== undefined) this.declared.audio = declared.audio;
    if (declared.video !== undefined) this.declared.video = declared.video;
    return this.poll(now);
  }

  push(frame: MediaFrame, now: number): MuxerOutput {
    // E-RTMP multitrack: only the default track feeds the single-track demuxer.
    if (frame.trackId !== 0) return { bytes: null, dropped: 1 };
    return this.current ? this.pushRunning(frame, now) : this.pushWaiting(frame, now);
  }

  /** Re-evaluates the start deadline; call from a timer while waiting. */
  poll(now: number): MuxerOutput {
    if (this.current) return { bytes: null, dropped: 0 };
    return this.tryStart(now);
  }

  /** Milliseconds until poll() could change anything, or null when no timer is needed. */
  nextDeadline(now: number): number | null {
    if (this.current || this.firstFrameAt === null) return null;
    const waited = now - this.firstFrameAt;
    if (waited < this.options.trackWaitMs) return this.options.trackWaitMs - waited;
    if (waited < this.options.declaredTrackWaitMs) return this.options.declaredTrackWaitMs - waited;
    return null;
  }

  private pushWaiting(frame: MediaFrame, now: number): MuxerOutput {
    const track = this.tracks[frame.kind];
    if (frame.config) {
      track.config = frame;
      return this.tryStart(now);
    }
    track.framesSeen++;
    this.firstFrameAt ??= now;
    this.pending.push(frame);
    let dropped = 0;
    if (this.pending.length > this.options.maxPendingFrames) {
      this.pending.shift();
      dropped++;
    }
    const out = this.tryStart(now);
    out.dropped += dropped;
    return out;
  }

  private isReady(kind: TrackKind): boolean {
    const track = this.tracks[kind];
    if (track.framesSeen === 0) return false;
    const codec = track.config?.codec ?? this.pending.find((f) => f.kind === kind)?.codec ?? '';
    if (!track.config && CODECS_WITH_CONFIG.has(codec)) return false;
    // A video track can only start on a random access point (MSE coded frame processing drops
    // everything before it anyway, so waiting costs nothing).
    return kind === 'audio' || this.pending.some((f) => f.kind === 'video' && f.keyframe);
  }

  private tryStart(now: number): MuxerOutput {
    if (this.firstFrameAt === null) return { bytes: null, dropped: 0 };
    const audio = this.isReady('audio');
    const video = this.isReady('video');
    const waited = now - this.firstFrameAt;
    let start = audio && video;
    if (!start && (audio || video) && waited >= this.options.trackWaitMs) {
      const missingDeclared = (this.declared.audio && !audio) || (this.declared.video && !video);
      start = !missingDeclared || waited >= this.options.declaredTrackWaitMs;
    }
    if (!start) return { bytes: null, dropped: 0 };
    return this.writeStart({ audio, video });
  }

  private writeStart(chosen: { audio: boolean; video: boolean }): MuxerOutput {
    let frames = this.pending;
    let dropped = 0;
    this.pending = [];
    frames = frames.filter((f) => chosen[f.kind]);
    if (chosen.video) {
      const keyIndex = frames.findIndex((f) => f.kind === 'video' && f.keyframe);
      const keyTimestamp = frames[keyIndex]!.dts;
      const kept = frames.filter((f, i) => (f.kind === 'video' ? i >= keyIndex : f.dts >= keyTimestamp));
      dropped += frames.length - kept.length;
      frames = kept;
    }
    const timestampBase = Math.min(...frames.map((f) => f.dts));
    const description = (kind: TrackKind): TrackDescription | null => {
      if (!chosen[kind]) return null;
      const track = this.tracks[kind];
      const codec = track.config?.codec ?? frames.find((f) => f.kind === kind)!.codec;
      return { kind, codec, config: track.config ? track.config.data : null };
    };
    this.current = {
      audio: description('audio'),
      video: description('video'),
      timestampBase,
      generation: ++this.generationCounter,
    };
    const parts: Uint8Array[] = [encodeFlvHeader(chosen)];
    // Decoder configurations first, at FLV time 0 (FLV spec E.4.3.1: the AVC sequence header
    // precedes the first NALU).
    for (const kind of ['video', 'audio'] as const) {
      const config = this.tracks[kind].config;
      if (chosen[kind] && config) parts.push(this.tag(config, 0));
    }
    for (const frame of frames) {
      this.tracks[frame.kind].lastTimestamp = frame.dts;
      parts.push(this.tag(frame, frame.dts - timestampBase));
    }
    return { bytes: concatBytes(parts), started: this.current, dropped };
  }

  private pushRunning(frame: MediaFrame, now: number): MuxerOutput {
    const running = this.current!;
    const description = running[frame.kind];
    const track = this.tracks[frame.kind];
    if (!description) {
      if (frame.config) {
        track.config = frame;
        return this.restart('track-added', null, now);
      }
      return { bytes: null, dropped: 1 };
    }
    if (frame.config) {
      if (track.config && bytesEqual(track.config.payload, frame.payload)) return { bytes: null, dropped: 1 };
      track.config = frame;
      return this.restart('config-changed', null, now);
    }
    const last = track.lastTimestamp;
    if (last !== null && (frame.dts < last - this.options.backwardJumpMs || frame.dts > last + this.options.forwardJumpMs)) {
      return this.restart('timestamp-jump', frame, now);
    }
    const flvTimestamp = frame.dts - running.timestampBase;
    if (flvTimestamp < 0) return { bytes: null, dropped: 1 };
    track.lastTimestamp = frame.dts;
    return { bytes: this.tag(frame, flvTimestamp), dropped: 0 };
  }

  private restart(reason: RestartReason, frame: MediaFrame | null, now: number): MuxerOutput {
    this.current = null;
    this.pending = [];
    this.firstFrameAt = null;
    for (const kind of ['audio', 'video'] as const) {
      this.tracks[kind].framesSeen = 0;
      this.tracks[kind].lastTimestamp = null;
    }
    const out: MuxerOutput = frame ? this.pushWaiting(frame, now) : { bytes: null, dropped: 0 };
    out.restart = reason;
    return out;
  }

  private tag(frame: MediaFrame, timestamp: number): Uint8Array {
    return encodeFlvTag(frame.kind === 'audio' ? FlvTagType.Audio : FlvTagType.Video, timestamp, frame.payload);
  }
}
