import type { AmfValue } from '@rtmp-web/amf';
import { analyzeRecording, type AnalysisReport, type TrackReport } from './analyzer';
import type { Recording } from './model';

export type Severity = 'info' | 'warning' | 'error';

/** One finding, in plain words with the numbers that back it. */
export interface Diagnostic {
  /** Stable id: 'timestamp-backwards', 'timestamp-jump', 'av-drift', 'missing-sequence-header', 'long-keyframe-interval', 'metadata-mismatch', 'chunk-size-not-raised', 'status-error'. */
  id: DiagnosticId;
  severity: Severity;
  title: string;
  detail: string;
  /** Wall clock (same clock as the recording) of the first occurrence, when there is one. */
  at?: number;
  /** Message that shows it, when there is one. */
  messageIndex?: number;
}

export type DiagnosticId =
  | 'timestamp-backwards'
  | 'timestamp-jump'
  | 'av-drift'
  | 'missing-sequence-header'
  | 'long-keyframe-interval'
  | 'metadata-mismatch'
  | 'chunk-size-not-raised'
  | 'status-error';

export interface DiagnoseOptions {
  /** Longest keyframe interval fit for low latency, ms. Default 2000. */
  maxKeyframeIntervalMs?: number;
  /** A/V drift that counts as a problem when it keeps growing, ms. Default 200. */
  driftThresholdMs?: number;
  /** Media messages received before "chunk size never raised" is judged. Default 50. */
  minMessagesForChunkSize?: number;
}

/** FLV videocodecid values (FLV spec v10.1 E.4.3.1) and the FourCC the stream would carry. */
const VIDEO_CODEC_IDS: Record<number, string> = { 2: 'flv-2', 3: 'flv-3', 4: 'flv-4', 5: 'flv-5', 6: 'flv-6', 7: 'avc1', 12: 'hvc1', 13: 'av01' };
/** FLV soundformat values (E.4.2.1). */
const AUDIO_CODEC_IDS: Record<number, string> = { 2: '.mp3', 10: 'mp4a', 13: 'Opus' };

/**
 * Looks for the problems people most often chase in an RTMP stream. `analysis` lets a caller
 * that already runs a MediaAnalyzer over the whole session pass its report (it covers messages
 * the recording's ring buffer dropped); otherwise the recording is analysed here.
 */
export function diagnose(recording: Recording, analysis: AnalysisReport = analyzeRecording(recording), options: DiagnoseOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  statusErrors(recording, out);
  timestampIssues(analysis, out);
  drift(analysis, options.driftThresholdMs ?? 200, out);
  missingSequenceHeaders(analysis, out);
  keyframeInterval(analysis, options.maxKeyframeIntervalMs ?? 2000, out);
  metadataMismatch(analysis, out);
  chunkSize(analysis, options.minMessagesForChunkSize ?? 50, out);
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function statusErrors(recording: Recording, out: Diagnostic[]): void {
  for (const event of recording.timeline) {
    if (event.kind !== 'status' || !event.code) continue;
    const failed = /(Failed|Rejected|NotFound|InvalidApp|BadName|InsufficientBW|AppShutdown)$/.test(event.code) || event.title.startsWith('_error');
    if (!failed) continue;
    out.push({
      id: 'status-error',
      severity: 'error',
      title: `The server answered ${event.code}`,
      detail: `${event.title}${event.detail ? `: "${event.detail}"` : ''}. The stream or application the URL names is not available as asked.`,
      at: event.at,
      ...(event.messageIndex === undefined ? {} : { messageIndex: event.messageIndex }),
    });
  }
}

function timestampIssues(analysis: AnalysisReport, out: Diagnostic[]): void {
  for (const kind of ['backwards', 'jump'] as const) {
    const issues = analysis.timestampIssues.filter((i) => i.kind === kind);
    const first = issues[0];
    if (!first) continue;
    const tracks = [...new Set(issues.map((i) => i.track))].join(' and ');
    const times = issues.length === 1 ? 'once' : `${issues.length} times`;
    if (kind === 'backwards') {
      out.push({
        id: 'timestamp-backwards',
        severity: 'error',
        title: `Timestamps go backwards (${tracks})`,
        detail: `The ${first.track} timestamp went from ${first.from} ms back to ${first.to} ms (${first.to - first.from} ms), ${times} in all. Players drop or stall on frames that go back in time.`,
        at: first.at,
        messageIndex: first.messageIndex,
      });
    } else {
      out.push({
        id: 'timestamp-jump',
        severity: 'warning',
        title: `Timestamps jump ahead of the clock (${tracks})`,
        detail: `The ${first.track} timestamp jumped from ${first.from} ms to ${first.to} ms (+${first.to - first.from} ms) while only ${Math.round(first.wallMs)} ms passed on the wall clock, ${times} in all. A player sees a gap of about ${((first.to - first.from - first.wallMs) / 1000).toFixed(1)} s and may freeze or skip.`,
        at: first.at,
        messageIndex: first.messageIndex,
      });
    }
  }
}

function drift(analysis: AnalysisReport, threshold: number, out: Diagnostic[]): void {
  const samples = analysis.drift;
  if (samples.length < 3) return;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const worst = samples.reduce((a, b) => (Math.abs(b.driftMs) > Math.abs(a.driftMs) ? b : a));
  // "Growing": the end is far from the start, not one burst (a GOP cache flush skews one sample).
  const growth = Math.abs(last.driftMs) - Math.abs(first.driftMs);
  if (Math.abs(last.driftMs) <= threshold || growth < threshold / 2) return;
  const seconds = Math.round((last.at - first.at) / 1000);
  const ahead = last.driftMs > 0 ? 'video is ahead of audio' : 'audio is ahead of video';
  out.push({
    id: 'av-drift',
    severity: 'warning',
    title: `Audio and video drift apart (${Math.abs(last.driftMs)} ms)`,
    detail: `The gap between the latest video and audio timestamps grew from ${first.driftMs} ms to ${last.driftMs} ms over ${seconds} s (worst ${worst.driftMs} ms); ${ahead}. Lips and sound will be out of sync and players may stall waiting for the late track.`,
    at: samples.find((s) => Math.abs(s.driftMs) > threshold)?.at ?? last.at,
  });
}

function missingSequenceHeaders(analysis: AnalysisReport, out: Diagnostic[]): void {
  for (const track of analysis.tracks) {
    if (track.framesBeforeConfig === 0) continue;
    const header = track.kind === 'video' ? 'decoder configuration (sequence header)' : 'AudioSpecificConfig / sequence header';
    const got = track.configCount === 0 ? `and no ${header} ever came` : `before its ${header} (which came at ${track.configTimestamp} ms)`;
    out.push({
      id: 'missing-sequence-header',
      severity: 'error',
      title: `${cap(track.kind)} frames arrived before their sequence header (${track.id})`,
      detail: `${track.framesBeforeConfig} ${track.codec} ${track.kind} frame${track.framesBeforeConfig === 1 ? '' : 's'} arrived ${got}. A decoder cannot start without it: ${track.kind === 'video' ? 'black video' : 'silence'} until it comes.`,
    });
  }
}

function keyframeInterval(analysis: AnalysisReport, maxMs: number, out: Diagnostic[]): void {
  const byTrack = new Map<string, number[]>();
  for (const gop of analysis.gops) {
    if (gop.durationMs === undefined) continue;
    let list = byTrack.get(gop.track);
    if (!list) byTrack.set(gop.track, (list = []));
    list.push(gop.durationMs);
  }
  for (const [track, durations] of byTrack) {
    const longest = Math.max(...durations);
    if (longest <= maxMs) continue;
    const average = durations.reduce((a, b) => a + b, 0) / durations.length;
    const first = analysis.gops.find((g) => g.track === track && (g.durationMs ?? 0) > maxMs);
    out.push({
      id: 'long-keyframe-interval',
      severity: 'warning',
      title: `Keyframes too far apart for low latency (${(longest / 1000).toFixed(1)} s)`,
      detail: `On ${track} the keyframe interval is ${(average / 1000).toFixed(1)} s on average and up to ${(longest / 1000).toFixed(1)} s (${durations.length} GOP${durations.length === 1 ? '' : 's'} measured); above ${(maxMs / 1000).toFixed(0)} s a viewer who joins waits that long for a picture, and servers without a GOP cache add it to the latency. Set the encoder's keyframe interval to 1-2 s.`,
      ...(first ? { at: first.at } : {}),
    });
  }
}

function metadataMismatch(analysis: AnalysisReport, out: Diagnostic[]): void {
  const metadata = analysis.metadata;
  if (!metadata) return;
  const m = metadata.values;
  const video = analysis.tracks.find((t) => t.kind === 'video' && t.frames > 0);
  const audio = analysis.tracks.find((t) => t.kind === 'audio' && t.frames > 0);
  const problems: string[] = [];
  if (video?.details?.width !== undefined && num(m.width) !== undefined && num(m.width) !== video.details.width) {
    problems.push(`width ${num(m.width)} in onMetaData but ${video.details.width} in the stream`);
  }
  if (video?.details?.height !== undefined && num(m.height) !== undefined && num(m.height) !== video.details.height) {
    problems.push(`height ${num(m.height)} in onMetaData but ${video.details.height} in the stream`);
  }
  const declaredRate = num(m.framerate) ?? num(m.videoframerate);
  if (video && declaredRate && enoughForRate(video) && video.frameRate !== undefined && Math.abs(video.frameRate - declaredRate) / declaredRate > 0.1) {
    problems.push(`frame rate ${declaredRate} in onMetaData but ${video.frameRate.toFixed(2)} fps measured from the timestamps`);
  }
  const videoCodec = codecFromId(m.videocodecid, VIDEO_CODEC_IDS);
  if (video && videoCodec !== undefined && videoCodec !== video.codec) {
    problems.push(`videocodecid ${show(m.videocodecid)} (${videoCodec}) in onMetaData but the stream carries ${video.codec}`);
  }
  const audioCodec = codecFromId(m.audiocodecid, AUDIO_CODEC_IDS);
  if (audio && audioCodec !== undefined && audioCodec !== audio.codec) {
    problems.push(`audiocodecid ${show(m.audiocodecid)} (${audioCodec}) in onMetaData but the stream carries ${audio.codec}`);
  }
  if (problems.length === 0) return;
  out.push({
    id: 'metadata-mismatch',
    severity: 'warning',
    title: 'onMetaData disagrees with the stream',
    detail: `${cap(problems.join('; '))}. Players that size or configure themselves from onMetaData will be wrong; the encoder or server rewrote one without the other.`,
    at: metadata.at,
    messageIndex: metadata.messageIndex,
  });
}

function chunkSize(analysis: AnalysisReport, minMessages: number, out: Diagnostic[]): void {
  const c = analysis.chunkSize;
  if (c.setChunkSizeSeen || analysis.mediaMessages < minMessages) return;
  // Each 128-byte chunk after the first costs a 1-byte type-3 header (RTMP 1.0 §5.3.1): ~0.8%,
  // plus far more work per byte for both ends.
  const extraChunks = Math.max(0, Math.ceil(c.incomingPayloadBytes / 128) - c.incomingMessages);
  out.push({
    id: 'chunk-size-not-raised',
    severity: 'info',
    title: 'The server never raised its chunk size (still 128 bytes)',
    detail: `${c.incomingMessages} messages (${(c.incomingPayloadBytes / 1024).toFixed(0)} KiB) came in 128-byte chunks: about ${extraChunks} extra chunk headers to parse. Most servers send Set Chunk Size (nginx 4096, SRS 60000) right after connect.`,
  });
}

function enoughForRate(track: TrackReport): boolean {
  return track.frames >= 25 && track.firstTimestamp !== undefined && track.lastTimestamp !== undefined && track.lastTimestamp - track.firstTimestamp >= 2000;
}

function num(value: AmfValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function show(value: AmfValue | undefined): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A metadata codec id: an FLV number, an E-RTMP FourCC as a number, or a FourCC string. */
function codecFromId(value: AmfValue | undefined, table: Record<number, string>): string | undefined {
  if (typeof value === 'string') return value.length === 4 ? value : undefined;
  const id = num(value);
  if (id === undefined) return undefined;
  if (table[id]) return table[id];
  if (id > 0xffffff) return String.fromCharCode((id >>> 24) & 0xff, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
  return undefined;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
