import type { ChunkInfo, Direction, HandshakeResult, ProtocolTap, RtmpMessage } from '@rtmp-web/rtmp';
import { MessageType } from '@rtmp-web/rtmp';
import { decodeRecord } from './core';
import { InspectorError } from './errors';
import { summarizeHandshake } from './handshake';
import type {
  DropCounts,
  HandshakeRecord,
  HandshakeSummary,
  MessageRecord,
  Recording,
  RecordingLimits,
  RecordingSource,
  TimelineEvent,
  TimelineKind,
} from './model';
import { timelineEventsForMessage, type TimelineState } from './describe';

export interface SessionRecorderOptions {
  /** Most messages kept; older ones are dropped (and counted). Default 20,000. */
  maxMessages?: number;
  /** Most payload + raw chunk bytes kept. Default 64 MiB. */
  maxBytes?: number;
  /** Most timeline events kept. Default 5,000. */
  maxTimeline?: number;
  /** Keep each chunk's raw bytes (for the chunk view). Default true. */
  keepRawChunks?: boolean;
  /**
   * Clock for events that do not carry their own time (notes). Must be the session's clock
   * (NetConnection's `now`), default performance.now like the session's.
   */
  now?: () => number;
  source?: Omit<RecordingSource, 'origin'>;
}

/** The recorder's typed events (one payload type each). */
export interface SessionRecorderEvents {
  /** Every message, also while paused (analysis keeps running; only storage pauses). */
  message: MessageRecord;
  timeline: TimelineEvent;
  /** A handshake packet; an outgoing C0C1 starts a new connection (a reconnect after the first). */
  handshake: HandshakeRecord;
  /** The buffer was cleared. */
  clear: undefined;
}

type Listener<T> = (payload: T) => void;

export const DEFAULT_LIMITS: RecordingLimits = { maxMessages: 20_000, maxBytes: 64 * 1024 * 1024, maxTimeline: 5_000 };

/**
 * A ProtocolTap that records a session: handshake packets, every message of both directions
 * with the chunks that carried it, and a timeline of the connection's events. Memory is bounded:
 * the oldest messages leave a ring buffer first and are counted in `dropped`.
 *
 * Chunks reach the tap before the message they complete (incoming) or around it (outgoing,
 * depending on who reports the message), so chunks are gathered per direction and chunk stream
 * and attached to the message on that chunk stream whichever arrives first.
 */
export class SessionRecorder implements ProtocolTap {
  readonly wantsRawChunks: boolean;
  readonly limits: RecordingLimits;
  private readonly now: () => number;
  private startedAt: number | undefined;
  private source: RecordingSource;
  private readonly handshakes: HandshakeRecord[] = [];
  private handshakeResult: HandshakeResult | undefined;
  private messages: MessageRecord[] = [];
  private messagesHead = 0;
  private timeline: TimelineEvent[] = [];
  private timelineHead = 0;
  private storedBytes = 0;
  /** Records in the buffer (a record can gain chunks after it was stored). */
  private stored = new WeakSet<MessageRecord>();
  private readonly dropped: DropCounts = { messages: 0, bytes: 0, timeline: 0, paused: 0 };
  private messageCount = 0;
  private timelineCount = 0;
  private isPaused = false;
  /** Chunks of a message not yet complete, per direction + csid. */
  private readonly partialChunks = new Map<string, ChunkInfo[]>();
  /** Chunk groups of completed messages not yet reported, per direction + csid, oldest first. */
  private readonly completedChunks = new Map<string, ChunkInfo[][]>();
  /** Whether the tap reports chunks at all (it does not for imported or synthetic sessions). */
  private chunksReported = false;
  /** Messages reported before their chunks, per direction + csid. */
  private readonly awaitingChunks = new Map<string, MessageRecord>();
  private readonly lastTimestamp = new Map<string, number>();
  private readonly timelineState: TimelineState = { mediaSeen: new Set() };
  private readonly listeners: { [K in keyof SessionRecorderEvents]: Set<Listener<SessionRecorderEvents[K]>> } = {
    message: new Set(),
    timeline: new Set(),
    handshake: new Set(),
    clear: new Set(),
  };

  constructor(options: SessionRecorderOptions = {}) {
    this.limits = {
      maxMessages: options.maxMessages ?? DEFAULT_LIMITS.maxMessages,
      maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
      maxTimeline: options.maxTimeline ?? DEFAULT_LIMITS.maxTimeline,
    };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new InspectorError('INSPECTOR_INVALID_OPTION', `${name} must be a positive integer, got ${value}`, { [name]: value });
      }
    }
    this.wantsRawChunks = options.keepRawChunks ?? true;
    this.now = options.now ?? (() => performance.now());
    this.source = { origin: 'live', ...options.source };
  }

  // ---- ProtocolTap -------------------------------------------------------------------------

  handshake(event: { direction: Direction; label: HandshakeRecord['label']; bytes: Uint8Array; at: number }): void {
    this.touch(event.at);
    const record: HandshakeRecord = { direction: event.direction, label: event.label, at: event.at, bytes: event.bytes.slice() };
    this.handshakes.push(record);
    this.emit('handshake', record);
    const summary = this.handshakeSummary();
    const size = `${record.bytes.byteLength} bytes`;
    let detail = size;
    if (record.label.startsWith('C0C1') && summary) detail = `${size}, offers the ${summary.kind} handshake`;
    if (record.direction === 'in' && summary?.serverVersion !== undefined) {
      detail = `${size}, server version ${summary.serverVersion}, RTMP version ${summary.serverProtocolVersion ?? '?'}`;
      if (summary.roundTripMs !== undefined) detail += `, round trip ${summary.roundTripMs} ms`;
    }
    this.addTimeline({ at: event.at, kind: 'handshake', direction: event.direction, title: `${event.label} ${event.direction === 'out' ? 'sent' : 'received'}`, detail });
  }

  chunk(chunk: ChunkInfo): void {
    this.chunksReported = true;
    const key = `${chunk.direction}:${chunk.csid}`;
    // A shallow copy: the tap's object is not ours to keep. `raw` is already a copy (types.ts).
    const { raw, ...fields } = chunk;
    const kept: ChunkInfo = this.wantsRawChunks && raw !== undefined ? { ...fields, raw } : fields;
    const waiting = this.awaitingChunks.get(key);
    if (waiting) {
      this.attachChunk(waiting, kept);
      if (chunk.completesMessage) this.awaitingChunks.delete(key);
      return;
    }
    let partial = this.partialChunks.get(key);
    // A first chunk (payloadOffset 0) means any earlier partial message on this chunk stream was abandoned.
    if (!partial || chunk.payloadOffset === 0) this.partialChunks.set(key, (partial = []));
    partial.push(kept);
    if (chunk.completesMessage) {
      this.partialChunks.delete(key);
      let queue = this.completedChunks.get(key);
      if (!queue) this.completedChunks.set(key, (queue = []));
      queue.push(partial);
    }
  }

  message(event: { direction: Direction; message: RtmpMessage; at: number }): void {
    this.touch(event.at);
    const { message, direction } = event;
    const key = `${direction}:${message.csid}`;
    const deltaKey = `${key}:${message.streamId}`;
    const previous = this.lastTimestamp.get(deltaKey);
    this.lastTimestamp.set(deltaKey, message.timestamp);
    const record: MessageRecord = {
      index: this.messageCount++,
      direction,
      at: event.at,
      csid: message.csid,
      streamId: message.streamId,
      type: message.type,
      timestamp: message.timestamp,
      delta: previous === undefined ? 0 : message.timestamp - previous,
      // ChunkReader's payloads are never written again (views of reads it owns, or its own
      // buffers) and ChunkWriter's tap gets a copy, so the payload is ours to keep without
      // another copy (the media path is the hot one).
      payload: message.payload,
      chunks: [],
    };
    // ChunkReader reports every chunk of a push before the session reports the messages it
    // completed, so several finished groups can wait here for messages of one chunk stream.
    const group = this.completedChunks.get(key)?.shift();
    if (group) {
      record.chunks = group;
    } else if (this.chunksReported) {
      this.awaitingChunks.set(key, record);
    }
    // RTMP 1.0 §5.4.2: Abort discards the partial message on the named chunk stream.
    if (message.type === MessageType.Abort) {
      const decoded = decodeRecord(record);
      if (decoded.kind === 'protocol-control' && decoded.control.kind === 'Abort') this.partialChunks.delete(`${direction}:${decoded.control.csid}`);
    }
    if (this.isPaused) this.dropped.paused++;
    else this.store(record);
    this.emit('message', record);
    for (const partial of timelineEventsForMessage(record, this.timelineState)) this.addTimeline(partial);
  }

  // ---- Other sources of events ----------------------------------------------------------------

  /** Adds what the tap cannot see: WebSocket open/close, errors, user actions. */
  note(kind: Extract<TimelineKind, 'transport' | 'note' | 'error'>, title: string, detail?: string, at = this.now()): void {
    this.touch(at);
    this.addTimeline({ at, kind, title, ...(detail === undefined ? {} : { detail }) });
  }

  /** The session's handshake outcome (it alone can verify the server's digest: HMAC is async). */
  recordHandshakeResult(result: HandshakeResult, at = this.now()): void {
    this.handshakeResult = result;
    const verified = result.kind === 'digest' ? (result.serverDigestVerified ? ', server digest verified' : ', server digest NOT verified') : '';
    this.addTimeline({
      at,
      kind: 'handshake',
      title: `handshake done (${result.kind})`,
      detail: `server version ${result.serverVersion}${verified}${result.layout ? ` (${result.layout})` : ''}, round trip ${Math.round(result.roundTripMs)} ms`,
    });
  }

  setSource(source: Omit<RecordingSource, 'origin'>): void {
    this.source = { ...this.source, ...source };
  }

  // ---- Control -----------------------------------------------------------------------------

  get paused(): boolean {
    return this.isPaused;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
  }

  /** Forgets stored messages and timeline (counters of the whole session keep counting). */
  clear(): void {
    this.messages = [];
    this.messagesHead = 0;
    this.timeline = [];
    this.timelineHead = 0;
    this.storedBytes = 0;
    this.stored = new WeakSet();
    this.emit('clear', undefined);
  }

  get stats(): { storedMessages: number; storedBytes: number; totalMessages: number; dropped: DropCounts } {
    return {
      storedMessages: this.messages.length - this.messagesHead,
      storedBytes: this.storedBytes,
      totalMessages: this.messageCount,
      dropped: { ...this.dropped },
    };
  }

  /** A copy of the recording as it stands (messages are shared, not cloned: treat them as read-only). */
  snapshot(): Recording {
    const summary = this.handshakeSummary();
    return {
      startedAt: this.startedAt ?? this.now(),
      source: { ...this.source },
      limits: { ...this.limits },
      dropped: { ...this.dropped },
      handshake: this.handshakes.slice(),
      ...(summary ? { handshakeSummary: summary } : {}),
      timeline: this.timeline.slice(this.timelineHead),
      messages: this.messages.slice(this.messagesHead),
    };
  }

  on<K extends keyof SessionRecorderEvents>(event: K, listener: Listener<SessionRecorderEvents[K]>): () => void {
    this.listeners[event].add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof SessionRecorderEvents>(event: K, listener: Listener<SessionRecorderEvents[K]>): void {
    this.listeners[event].delete(listener);
  }

  // ---- Internals ---------------------------------------------------------------------------

  private handshakeSummary(): HandshakeSummary | undefined {
    return summarizeHandshake(this.handshakes, this.handshakeResult);
  }

  private touch(at: number): void {
    if (this.startedAt === undefined) this.startedAt = at;
  }

  private attachChunk(record: MessageRecord, chunk: ChunkInfo): void {
    record.chunks.push(chunk);
    // Only count bytes of stored records; a record awaiting chunks may already be in the buffer.
    if (chunk.raw && this.stored.has(record)) {
      this.storedBytes += chunk.raw.byteLength;
      this.enforceLimits();
    }
  }

  private store(record: MessageRecord): void {
    this.messages.push(record);
    this.stored.add(record);
    this.storedBytes += recordBytes(record);
    this.enforceLimits();
  }

  private enforceLimits(): void {
    const { maxMessages, maxBytes } = this.limits;
    // Keep at least the newest message, even when it alone is over the byte budget.
    while (this.messages.length - this.messagesHead > 1 && (this.messages.length - this.messagesHead > maxMessages || this.storedBytes > maxBytes)) {
      const oldest = this.messages[this.messagesHead++]!;
      this.stored.delete(oldest);
      const bytes = recordBytes(oldest);
      this.storedBytes -= bytes;
      this.dropped.messages++;
      this.dropped.bytes += bytes;
    }
    // Compact now and then instead of shifting on every drop (shift is O(n)).
    if (this.messagesHead > 1024 && this.messagesHead * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.messagesHead);
      this.messagesHead = 0;
    }
  }

  private addTimeline(partial: Omit<TimelineEvent, 'index'>): void {
    const event: TimelineEvent = { index: this.timelineCount++, ...partial };
    this.timeline.push(event);
    if (this.timeline.length - this.timelineHead > this.limits.maxTimeline) {
      this.timelineHead++;
      this.dropped.timeline++;
      if (this.timelineHead > 256 && this.timelineHead * 2 > this.timeline.length) {
        this.timeline = this.timeline.slice(this.timelineHead);
        this.timelineHead = 0;
      }
    }
    this.emit('timeline', event);
  }

  private emit<K extends keyof SessionRecorderEvents>(event: K, payload: SessionRecorderEvents[K]): void {
    for (const listener of this.listeners[event]) listener(payload);
  }
}

/** Bytes a record holds: its payload plus the raw chunk copies. */
export function recordBytes(record: MessageRecord): number {
  let bytes = record.payload.byteLength;
  for (const chunk of record.chunks) bytes += chunk.raw?.byteLength ?? 0;
  return bytes;
}
