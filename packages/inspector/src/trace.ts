import { messageTypeName, summarizeMessage } from './describe';
import { SessionRecorder } from './recorder';
import type { Diagnostic } from './diagnose';
import type { MessageRecord, Recording, TimelineEvent } from './model';

/**
 * Text renderings shared by `rtmp-web probe --trace` and the page, so both show the same
 * timeline and log. Times are seconds since the recording started, to the millisecond.
 */

export function formatOffset(at: number, startedAt: number): string {
  const seconds = (at - startedAt) / 1000;
  return `${seconds >= 0 ? '+' : '-'}${Math.abs(seconds).toFixed(3)}s`;
}

function arrow(direction: 'in' | 'out' | undefined): string {
  return direction === 'in' ? '<-' : direction === 'out' ? '->' : '  ';
}

/** `+0.012s -> handshake    C0C1 sent  1537 bytes, offers the digest handshake` */
export function formatTimelineLine(event: TimelineEvent, startedAt: number): string {
  const detail = event.detail ? `  ${event.detail}` : '';
  return `${formatOffset(event.at, startedAt).padStart(10)} ${arrow(event.direction)} ${event.kind.padEnd(13)} ${event.title}${detail}`;
}

/** `+1.234s <- #12 cs 3 st 0 Command (AMF0) ts 0 +0 312 B  _result(#1) NetConnection.Connect.Success` */
export function formatMessageLine(record: MessageRecord, startedAt: number): string {
  const chunks = record.chunks.length > 0 ? ` ${record.chunks.length}ch` : '';
  const delta = `${record.delta >= 0 ? '+' : ''}${record.delta}`;
  return [
    formatOffset(record.at, startedAt).padStart(10),
    arrow(record.direction),
    `#${record.index}`.padStart(6),
    `cs ${record.csid}`.padEnd(6),
    `st ${record.streamId}`.padEnd(5),
    messageTypeName(record.type).padEnd(20),
    `ts ${record.timestamp}`.padEnd(13),
    delta.padStart(6),
    `${record.payload.byteLength} B${chunks}`.padStart(12),
    ` ${summarizeMessage(record)}`,
  ].join(' ');
}

export function formatDiagnosticLine(diagnostic: Diagnostic): string {
  return `[${diagnostic.severity}] ${diagnostic.title}: ${diagnostic.detail}`;
}

export interface TraceOptions {
  /** Include the message log. Default true. */
  messages?: boolean;
  /** Include audio/video messages in the log (they dominate it). Default true. */
  media?: boolean;
  diagnostics?: readonly Diagnostic[];
}

/** The whole recording as text: handshake summary, timeline, message log, diagnostics. */
export function formatTrace(recording: Recording, options: TraceOptions = {}): string {
  const lines: string[] = [];
  const start = recording.startedAt;
  const h = recording.handshakeSummary;
  if (h) {
    const verified = h.serverDigestVerified === undefined ? '' : h.serverDigestVerified ? ', server digest verified' : ', server digest not verified';
    lines.push(`handshake: ${h.kind}, server version ${h.serverVersion ?? '?'}${verified}${h.roundTripMs === undefined ? '' : `, round trip ${h.roundTripMs} ms`}`);
  }
  lines.push('== timeline');
  for (const event of recording.timeline) lines.push(formatTimelineLine(event, start));
  if (options.messages ?? true) {
    lines.push('== messages');
    const media = options.media ?? true;
    for (const record of recording.messages) {
      if (!media && (record.type === 8 || record.type === 9 || record.type === 22)) continue;
      lines.push(formatMessageLine(record, start));
    }
  }
  const d = recording.dropped;
  if (d.messages || d.timeline || d.paused) {
    lines.push(`(buffer dropped ${d.messages} messages / ${d.bytes} bytes and ${d.timeline} timeline events; ${d.paused} messages not kept while paused)`);
  }
  if (options.diagnostics) {
    lines.push('== diagnostics');
    if (options.diagnostics.length === 0) lines.push('no problems found');
    for (const diagnostic of options.diagnostics) lines.push(formatDiagnosticLine(diagnostic));
  }
  return lines.join('\n') + '\n';
}

/**
 * A ProtocolTap that prints the trace while the session runs (`rtmp-web probe --trace`): one
 * `formatMessageLine` per message, both directions, and one `formatTimelineLine` per timeline
 * event that no message carries (handshake packets, notes). It keeps only the newest message,
 * so a long trace costs no memory. Times count from the first event.
 */
export function createTraceLog(writeLine: (line: string) => void, options: { now?: () => number } = {}): SessionRecorder {
  const recorder = new SessionRecorder({ maxMessages: 1, maxBytes: 1, maxTimeline: 1, keepRawChunks: false, ...(options.now ? { now: options.now } : {}) });
  let start: number | undefined;
  recorder.on('message', (record) => {
    start ??= record.at;
    writeLine(formatMessageLine(record, start));
  });
  recorder.on('timeline', (event) => {
    start ??= event.at;
    if (event.messageIndex === undefined) writeLine(formatTimelineLine(event, start));
  });
  return recorder;
}
