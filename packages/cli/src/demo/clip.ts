import { ByteReader } from '@rtmp-web/bytes';
import { DemoError } from './errors';
import type { FlvTag } from '@rtmp-web/rtmp';

/** One audio or video frame of the clip, ready to be sent as an RTMP message body. */
export interface ClipFrame {
  kind: 'audio' | 'video';
  /** Milliseconds from the start of the clip (the earliest media tag is 0). */
  timestamp: number;
  /** The FLV AUDIODATA / VIDEODATA body, which is exactly an RTMP audio/video message body. */
  data: Uint8Array;
  /** A point where a viewer can start: a video keyframe, or any audio frame of an audio-only clip. */
  joinPoint: boolean;
}

/** A clip prepared for looping: sequence headers apart, frames in send order, one loop period. */
export interface DemoClip {
  /** The onMetaData script tag body (AMF0 "onMetaData" + object), or null when the file has none. */
  metadata: Uint8Array | null;
  /** AVCDecoderConfigurationRecord tag body (or E-RTMP SequenceStart), sent once per viewer. */
  videoConfig: Uint8Array | null;
  /** AudioSpecificConfig tag body (or E-RTMP SequenceStart), sent once per viewer. */
  audioConfig: Uint8Array | null;
  /** Coded frames sorted by timestamp (file order among equal timestamps). */
  frames: ClipFrame[];
  /** Indexes into `frames` of the join points, ascending. */
  joinPoints: number[];
  /** The loop period in ms: loop k plays frame i at k * durationMs + frames[i].timestamp. */
  durationMs: number;
}

export interface PrepareClipOptions {
  /** Keep only frames before this many ms (a shorter loop, for tests); the period becomes this value. */
  maxDurationMs?: number;
  /** Override the computed loop period. Must be greater than the last frame's timestamp. */
  loopDurationMs?: number;
}

type MediaRole = 'config' | 'frame' | 'skip';

/**
 * Turns the tags of an FLV file into a loopable clip.
 *
 * The loop period is the longest track span, each span being (last - first) timestamp plus
 * that track's median frame interval: a clip of 200 video frames at 40 ms is 8000 ms long even
 * when its first video tag sits at 21 ms (ffmpeg shifts video by the AAC priming delay).
 */
export function prepareClip(tags: readonly FlvTag[], options: PrepareClipOptions = {}): DemoClip {
  let metadata: Uint8Array | null = null;
  let videoConfig: Uint8Array | null = null;
  let audioConfig: Uint8Array | null = null;
  const raw: Array<{ kind: 'audio' | 'video'; timestamp: number; data: Uint8Array; keyframe: boolean; order: number }> = [];

  tags.forEach((tag, order) => {
    if (tag.kind === 'script') {
      if (metadata === null && scriptDataName(tag.data) === 'onMetaData') metadata = tag.data;
      return;
    }
    if (tag.kind === 'video') {
      const role = videoRole(tag.data);
      if (role === 'config') videoConfig ??= tag.data;
      else if (role === 'frame') raw.push({ kind: 'video', timestamp: tag.timestamp, data: tag.data, keyframe: isVideoKeyframe(tag.data), order });
      return;
    }
    if (tag.kind === 'audio') {
      const role = audioRole(tag.data);
      if (role === 'config') audioConfig ??= tag.data;
      else if (role === 'frame') raw.push({ kind: 'audio', timestamp: tag.timestamp, data: tag.data, keyframe: false, order });
    }
  });

  if (raw.length === 0) throw new DemoError('DEMO_CLIP_EMPTY', 'the clip has no audio or video frames');
  raw.sort((a, b) => a.timestamp - b.timestamp || a.order - b.order);
  const origin = raw[0]!.timestamp;
  let frames = raw.map((f) => ({ ...f, timestamp: f.timestamp - origin }));

  let durationMs: number;
  if (options.maxDurationMs !== undefined) {
    if (!(options.maxDurationMs > 0)) throw new DemoError('DEMO_BAD_OPTION', `maxDurationMs must be positive, got ${options.maxDurationMs}`);
    frames = frames.filter((f) => f.timestamp < options.maxDurationMs!);
    durationMs = options.maxDurationMs;
  } else {
    durationMs = Math.max(trackSpan(frames, 'video'), trackSpan(frames, 'audio'));
  }
  if (options.loopDurationMs !== undefined) durationMs = options.loopDurationMs;
  const lastTimestamp = frames[frames.length - 1]!.timestamp;
  // Timestamps must keep rising across the loop seam: loop k+1's first frame (k+1)*P + 0 must
  // come after loop k's last frame k*P + last.
  if (!(durationMs > lastTimestamp)) {
    throw new DemoError('DEMO_BAD_OPTION', `loop period ${durationMs} ms must exceed the last frame timestamp ${lastTimestamp} ms`, {
      details: { durationMs, lastTimestamp },
    });
  }

  const hasVideo = frames.some((f) => f.kind === 'video');
  const clipFrames: ClipFrame[] = frames.map((f) => ({
    kind: f.kind,
    timestamp: f.timestamp,
    data: f.data,
    joinPoint: hasVideo ? f.kind === 'video' && f.keyframe : true,
  }));
  const joinPoints: number[] = [];
  clipFrames.forEach((f, i) => {
    if (f.joinPoint) joinPoints.push(i);
  });
  if (joinPoints.length === 0) throw new DemoError('DEMO_CLIP_NO_KEYFRAME', 'the clip has video but no keyframe: no viewer could start decoding');
  return { metadata, videoConfig, audioConfig, frames: clipFrames, joinPoints, durationMs: Math.round(durationMs) };
}

function trackSpan(frames: ReadonlyArray<{ kind: string; timestamp: number }>, kind: 'audio' | 'video'): number {
  const times = frames.filter((f) => f.kind === kind).map((f) => f.timestamp);
  if (times.length === 0) return 0;
  if (times.length === 1) return 1;
  const deltas = times.slice(1).map((t, i) => t - times[i]!);
  deltas.sort((a, b) => a - b);
  // The mean of the deltas is exact for audio whose frames alternate 21/22 ms (1024 samples at
  // 48 kHz); the median guards video against one long gap. Take the mean when they agree.
  const median = deltas[Math.floor(deltas.length / 2)]!;
  const mean = (times[times.length - 1]! - times[0]!) / (times.length - 1);
  const interval = Math.abs(mean - median) <= 1 ? mean : median;
  return times[times.length - 1]! - times[0]! + interval;
}

/**
 * Sorts a VIDEODATA body (FLV v10.1 E.4.3.1; E-RTMP v2 ExVideoTagHeader when bit 0x80 is set)
 * into decoder configuration, coded frame, or something a live loop must not repeat
 * (end of sequence, video info/command frames).
 */
export function videoRole(data: Uint8Array): MediaRole {
  if (data.byteLength < 1) return 'skip';
  const first = data[0]!;
  if (first & 0x80) {
    // E-RTMP: [IsExHeader:1][FrameType:3][PacketType:4] then a FourCC.
    const frameType = (first >> 4) & 0x07;
    const packetType = first & 0x0f;
    if (frameType === 5) return 'skip'; // command frame
    if (packetType === 0) return 'config'; // SequenceStart
    if (packetType === 1 || packetType === 3) return 'frame'; // CodedFrames, CodedFramesX
    return 'skip';
  }
  const frameType = first >> 4;
  const codecId = first & 0x0f;
  if (frameType === 5) return 'skip'; // video info/command frame (E.4.3.1)
  if (codecId === 7 || codecId === 12) {
    // AVC (7) and the de facto HEVC id (12): AVCPacketType 0 = sequence header, 1 = NALUs, 2 = end of sequence.
    if (data.byteLength < 2) return 'skip';
    const packetType = data[1]!;
    if (packetType === 0) return 'config';
    if (packetType === 1) return 'frame';
    return 'skip';
  }
  return 'frame';
}

/** FrameType 1 (keyframe) in either the legacy or the E-RTMP video header. */
export function isVideoKeyframe(data: Uint8Array): boolean {
  if (data.byteLength < 1) return false;
  const first = data[0]!;
  const frameType = first & 0x80 ? (first >> 4) & 0x07 : first >> 4;
  return frameType === 1;
}

/** Sorts an AUDIODATA body (E.4.2.1; E-RTMP ExAudioTagHeader for SoundFormat 9). */
export function audioRole(data: Uint8Array): MediaRole {
  if (data.byteLength < 1) return 'skip';
  const soundFormat = data[0]! >> 4;
  if (soundFormat === 10) {
    // AAC: AACPacketType 0 = AudioSpecificConfig, 1 = raw frame.
    if (data.byteLength < 2) return 'skip';
    return data[1] === 0 ? 'config' : 'frame';
  }
  if (soundFormat === 9) {
    const packetType = data[0]! & 0x0f;
    if (packetType === 0) return 'config'; // SequenceStart
    if (packetType === 1) return 'frame'; // CodedFrames
    return 'skip';
  }
  return 'frame';
}

/**
 * The name a SCRIPTDATA body starts with: an AMF0 string (marker 0x02, u16 length, UTF-8),
 * e.g. "onMetaData" (FLV v10.1 E.4.4.1). Null when the body does not start with a string.
 */
export function scriptDataName(data: Uint8Array): string | null {
  const reader = new ByteReader(data);
  if (!reader.hasRemaining(3) || reader.u8() !== 0x02) return null;
  const length = reader.u16();
  if (!reader.hasRemaining(length)) return null;
  return reader.utf8(length);
}
