import type { ChunkInfo } from '@rtmp-web/rtmp';
import { decodeBase64, encodeBase64 } from './base64';
import { InspectorError } from './errors';
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

/**
 * The session file: one JSON document, versioned, holding everything a Recording holds with
 * every byte array as base64. `importSession(exportSession(r))` deep-equals `r`.
 *
 * {
 *   "format": "rtmp-web-session", "version": 1, "exportedAt": "<ISO time>",
 *   "recording": { startedAt, source, limits, dropped, handshake: [{direction,label,at,bytes}],
 *                  handshakeSummary?, timeline: [...], messages: [{index,direction,at,csid,streamId,type,
 *                  timestamp,delta,payload,chunks:[{...ChunkInfo, raw?}]}] }
 * }
 */
export const SESSION_FORMAT = 'rtmp-web-session';
export const SESSION_VERSION = 1;

export function exportSession(recording: Recording, exportedAt: Date = new Date()): string {
  const document = {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    exportedAt: exportedAt.toISOString(),
    recording: {
      ...recording,
      handshake: recording.handshake.map((h) => ({ ...h, bytes: encodeBase64(h.bytes) })),
      messages: recording.messages.map((m) => ({
        ...m,
        payload: encodeBase64(m.payload),
        chunks: m.chunks.map((c) => (c.raw === undefined ? c : { ...c, raw: encodeBase64(c.raw) })),
      })),
    },
  };
  return JSON.stringify(document);
}

/** Parses and validates a session file; every problem is an InspectorError naming the JSON path. */
export function importSession(text: string): Recording {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InspectorError('INSPECTOR_IMPORT_NOT_JSON', 'the file is not JSON (is it an rtmp-web session export?)', {}, error);
  }
  const root = object(document, '$');
  if (root.format !== SESSION_FORMAT) {
    throw new InspectorError('INSPECTOR_IMPORT_WRONG_FORMAT', `the file is JSON but not an rtmp-web session (format is ${JSON.stringify(root.format)})`, {
      format: root.format,
    });
  }
  if (root.version !== SESSION_VERSION) {
    throw new InspectorError('INSPECTOR_IMPORT_UNSUPPORTED_VERSION', `session file version ${JSON.stringify(root.version)} is not supported (this build reads version ${SESSION_VERSION})`, {
      version: root.version,
    });
  }
  const r = object(root.recording, '$.recording');
  const recording: Recording = {
    startedAt: num(r.startedAt, '$.recording.startedAt'),
    source: readSource(r.source, '$.recording.source'),
    limits: readLimits(r.limits, '$.recording.limits'),
    dropped: readDropped(r.dropped, '$.recording.dropped'),
    handshake: array(r.handshake, '$.recording.handshake').map((h, i) => readHandshake(h, `$.recording.handshake[${i}]`)),
    timeline: array(r.timeline, '$.recording.timeline').map((e, i) => readTimeline(e, `$.recording.timeline[${i}]`)),
    messages: array(r.messages, '$.recording.messages').map((m, i) => readMessage(m, `$.recording.messages[${i}]`)),
  };
  if (r.handshakeSummary !== undefined) recording.handshakeSummary = readHandshakeSummary(r.handshakeSummary, '$.recording.handshakeSummary');
  return recording;
}

// ---- field readers ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

function invalid(path: string, expected: string, value: unknown): never {
  const shown = value === undefined ? 'missing' : JSON.stringify(value)?.slice(0, 40);
  throw new InspectorError('INSPECTOR_IMPORT_INVALID_FIELD', `${path} should be ${expected} but is ${shown}`, { path });
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(path, 'an object', value);
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) invalid(path, 'an array', value);
  return value as unknown[];
}

function num(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, 'a number', value);
  return value as number;
}

function int(value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) invalid(path, `an integer in ${min}..${max}`, value);
  return value as number;
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(path, 'a string', value);
  return value as string;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') invalid(path, 'true or false', value);
  return value as boolean;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) invalid(path, `one of ${options.join(', ')}`, value);
  return value as T;
}

function optional<T>(o: Json, key: string, path: string, read: (value: unknown, path: string) => T): { [k: string]: T } {
  return o[key] === undefined ? {} : { [key]: read(o[key], `${path}.${key}`) };
}

const DIRECTIONS = ['in', 'out'] as const;
const HANDSHAKE_LABELS = ['C0C1', 'S0S1S2', 'C2', 'S0S1', 'S2', 'C0C1C2'] as const;
const TIMELINE_KINDS: readonly TimelineKind[] = [
  'transport', 'handshake', 'command', 'status', 'control', 'user-control', 'data', 'shared-object', 'media', 'note', 'error',
];
const U32 = 0xffffffff;

function readSource(value: unknown, path: string): RecordingSource {
  const o = object(value, path);
  return {
    ...optional(o, 'url', path, str),
    ...optional(o, 'bridge', path, str),
    origin: oneOf(o.origin, `${path}.origin`, ['live', 'session-file', 'flv-file'] as const),
  };
}

function readLimits(value: unknown, path: string): RecordingLimits {
  const o = object(value, path);
  return {
    maxMessages: int(o.maxMessages, `${path}.maxMessages`, 1),
    maxBytes: int(o.maxBytes, `${path}.maxBytes`, 1),
    maxTimeline: int(o.maxTimeline, `${path}.maxTimeline`, 1),
  };
}

function readDropped(value: unknown, path: string): DropCounts {
  const o = object(value, path);
  return {
    messages: int(o.messages, `${path}.messages`),
    bytes: int(o.bytes, `${path}.bytes`),
    timeline: int(o.timeline, `${path}.timeline`),
    paused: int(o.paused, `${path}.paused`),
  };
}

function readHandshake(value: unknown, path: string): HandshakeRecord {
  const o = object(value, path);
  return {
    direction: oneOf(o.direction, `${path}.direction`, DIRECTIONS),
    label: oneOf(o.label, `${path}.label`, HANDSHAKE_LABELS),
    at: num(o.at, `${path}.at`),
    bytes: decodeBase64(str(o.bytes, `${path}.bytes`), `${path}.bytes`),
  };
}

function readHandshakeSummary(value: unknown, path: string): HandshakeSummary {
  const o = object(value, path);
  return {
    kind: oneOf(o.kind, `${path}.kind`, ['simple', 'digest'] as const),
    ...optional(o, 'serverProtocolVersion', path, (v, p) => int(v, p, 0, 255)),
    ...optional(o, 'serverVersion', path, str),
    ...optional(o, 'serverTime', path, (v, p) => int(v, p, 0, U32)),
    ...optional(o, 'serverDigestVerified', path, bool),
    ...optional(o, 'layout', path, (v, p) => oneOf(v, p, ['digest-first', 'key-first'] as const)),
    ...optional(o, 'roundTripMs', path, num),
  } as HandshakeSummary;
}

function readTimeline(value: unknown, path: string): TimelineEvent {
  const o = object(value, path);
  return {
    index: int(o.index, `${path}.index`),
    at: num(o.at, `${path}.at`),
    kind: oneOf(o.kind, `${path}.kind`, TIMELINE_KINDS),
    ...optional(o, 'direction', path, (v, p) => oneOf(v, p, DIRECTIONS)),
    title: str(o.title, `${path}.title`),
    ...optional(o, 'detail', path, str),
    ...optional(o, 'code', path, str),
    ...optional(o, 'messageIndex', path, (v, p) => int(v, p)),
  } as TimelineEvent;
}

function readMessage(value: unknown, path: string): MessageRecord {
  const o = object(value, path);
  return {
    index: int(o.index, `${path}.index`),
    direction: oneOf(o.direction, `${path}.direction`, DIRECTIONS),
    at: num(o.at, `${path}.at`),
    csid: int(o.csid, `${path}.csid`, 2, 65599),
    streamId: int(o.streamId, `${path}.streamId`, 0, U32),
    type: int(o.type, `${path}.type`, 0, 255),
    timestamp: int(o.timestamp, `${path}.timestamp`, 0, U32),
    delta: int(o.delta, `${path}.delta`, -U32, U32),
    payload: decodeBase64(str(o.payload, `${path}.payload`), `${path}.payload`),
    chunks: array(o.chunks, `${path}.chunks`).map((c, i) => readChunk(c, `${path}.chunks[${i}]`)),
  };
}

function readChunk(value: unknown, path: string): ChunkInfo {
  const o = object(value, path);
  const chunk: ChunkInfo = {
    direction: oneOf(o.direction, `${path}.direction`, DIRECTIONS),
    fmt: int(o.fmt, `${path}.fmt`, 0, 3) as ChunkInfo['fmt'],
    csid: int(o.csid, `${path}.csid`, 2, 65599),
    timestampField: int(o.timestampField, `${path}.timestampField`, 0, U32),
    extendedTimestamp: bool(o.extendedTimestamp, `${path}.extendedTimestamp`),
    timestamp: int(o.timestamp, `${path}.timestamp`, 0, U32),
    messageLength: int(o.messageLength, `${path}.messageLength`, 0, 0xffffff),
    messageType: int(o.messageType, `${path}.messageType`, 0, 255),
    streamId: int(o.streamId, `${path}.streamId`, 0, U32),
    headerLength: int(o.headerLength, `${path}.headerLength`, 1, 18),
    payloadLength: int(o.payloadLength, `${path}.payloadLength`, 0, 0xffffff),
    payloadOffset: int(o.payloadOffset, `${path}.payloadOffset`, 0, 0xffffff),
    completesMessage: bool(o.completesMessage, `${path}.completesMessage`),
  };
  if (o.raw !== undefined) chunk.raw = decodeBase64(str(o.raw, `${path}.raw`), `${path}.raw`);
  return chunk;
}
