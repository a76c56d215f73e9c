import type { ChunkInfo, Direction, HandshakeResult } from '@rtmp-web/rtmp';

/**
 * The recording: plain data only (no classes, no functions), so it can be exported to JSON and
 * imported back into an identical value, and so a page and a CLI read the same thing.
 * Times called `at` are wall-clock milliseconds as given by the tap (the core's `now()`);
 * displays show them relative to `Recording.startedAt`.
 */

/** One handshake packet as the tap saw it (RTMP 1.0 §5.2). */
export interface HandshakeRecord {
  direction: Direction;
  label: 'C0C1' | 'S0S1S2' | 'C2' | 'S0S1' | 'S2' | 'C0C1C2';
  at: number;
  bytes: Uint8Array;
}

/** What can be said about the handshake, from its bytes and (when known) the session's result. */
export interface HandshakeSummary {
  /** What the client offered: C1 bytes 4..7 non-zero means the digest ("Flash Player 9") variant. */
  kind: 'simple' | 'digest';
  /** S0: the protocol version the server answered with (3 for plain RTMP). */
  serverProtocolVersion?: number;
  /** S1 bytes 4..7 as a dotted version ("0.0.0.0" when the server sent zeros). */
  serverVersion?: string;
  /** S1 time field. */
  serverTime?: number;
  /** Digest kind only: whether the server's S1 digest verified; undefined until the session reports it. */
  serverDigestVerified?: boolean;
  layout?: 'digest-first' | 'key-first';
  /** From sending C0C1 to receiving S0S1(S2). */
  roundTripMs?: number;
}

/** One RTMP message with the chunks that carried it. */
export interface MessageRecord {
  /** Position in the whole session, counting messages that were dropped from the buffer. */
  index: number;
  direction: Direction;
  at: number;
  csid: number;
  streamId: number;
  type: number;
  timestamp: number;
  /** Timestamp minus the previous message's on the same direction, chunk stream and message stream (0 for the first). */
  delta: number;
  payload: Uint8Array;
  /** The chunks in order; empty when the tap did not report them (or the session was imported from FLV). */
  chunks: ChunkInfo[];
}

export type TimelineKind =
  | 'transport'
  | 'handshake'
  | 'command'
  | 'status'
  | 'control'
  | 'user-control'
  | 'data'
  | 'shared-object'
  | 'media'
  | 'note'
  | 'error';

/** One line of the connection timeline. */
export interface TimelineEvent {
  /** Position in the whole session's timeline (counts dropped events). */
  index: number;
  at: number;
  kind: TimelineKind;
  direction?: Direction;
  /** Short text, e.g. "Set Chunk Size 4096" or "onStatus NetStream.Play.Start". */
  title: string;
  /** Longer plain-words text (description, values). */
  detail?: string;
  /** An onStatus / _error code when the event carries one. */
  code?: string;
  /** The message this event came from, when it came from one. */
  messageIndex?: number;
}

export interface RecordingLimits {
  maxMessages: number;
  maxBytes: number;
  maxTimeline: number;
}

export interface DropCounts {
  messages: number;
  bytes: number;
  timeline: number;
  /** Messages seen while capture was paused (not stored). */
  paused: number;
}

export interface RecordingSource {
  url?: string;
  bridge?: string;
  /** Where the recording came from: a live tap, an imported session file, or an FLV file. */
  origin: 'live' | 'session-file' | 'flv-file';
}

export interface Recording {
  /** Wall clock of the first event (or of the recorder's creation). */
  startedAt: number;
  source: RecordingSource;
  limits: RecordingLimits;
  dropped: DropCounts;
  handshake: HandshakeRecord[];
  handshakeSummary?: HandshakeSummary;
  timeline: TimelineEvent[];
  messages: MessageRecord[];
}

export type { ChunkInfo, Direction, HandshakeResult };
