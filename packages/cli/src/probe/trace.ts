import type { ProtocolTap } from '@rtmp-web/rtmp';
import { createTraceLog } from '@rtmp-web/inspector';

/**
 * The `--trace` tap: the stream inspector's live trace (`createTraceLog` in @rtmp-web/inspector),
 * so the command line and the page's inspector show the same timeline and message log. One line
 * per handshake packet and per message, both directions: time since the first event, direction,
 * message index, chunk stream, message stream, type, timestamp, delta, size, chunk count, and
 * the decoded content (commands, onStatus codes, data, control and user-control events, codecs).
 * Message names and summaries are the inspector's (`messageTypeName`, `summarizeMessage`).
 */
export function createTraceTap(writeLine: (line: string) => void, now: () => number = () => performance.now()): ProtocolTap {
  return createTraceLog(writeLine, { now });
}
