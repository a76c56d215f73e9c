export { InspectorError } from './errors';
export type { InspectorErrorCode } from './errors';
export type {
  Recording,
  RecordingLimits,
  RecordingSource,
  DropCounts,
  HandshakeRecord,
  HandshakeSummary,
  MessageRecord,
  TimelineEvent,
  TimelineKind,
} from './model';
export { summarizeHandshake } from './handshake';
export { exportSession, importSession, SESSION_FORMAT, SESSION_VERSION } from './session-file';
export { writeFlv, parseFlv } from './flv';
export type { FlvFile, FlvTag } from './flv';
export { encodeBase64, decodeBase64 } from './base64';
