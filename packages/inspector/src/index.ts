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
export { SessionRecorder, DEFAULT_LIMITS, recordBytes } from './recorder';
export type { SessionRecorderOptions, SessionRecorderEvents } from './recorder';
export { summarizeHandshake } from './handshake';
export { MediaAnalyzer, analyzeRecording, timestampDelta } from './analyzer';
export type { AnalysisReport, TrackReport, GopReport, TimeSeries, TimestampIssue, DriftSample, MetadataReport, MediaAnalyzerOptions } from './analyzer';
export { diagnose } from './diagnose';
export type { Diagnostic, DiagnosticId, DiagnoseOptions, Severity } from './diagnose';
export { decodeRecord, codecDetails } from './core';
export type { DecodedMessage, CodecDetails } from './core';
export { messageTypeName, messageCategory, summarizeMessage, statusInfo } from './describe';
export type { MessageCategory } from './describe';
export { amfTree, amfPreview, amfEntries, topLevelEncodings } from './amf-tree';
export type { AmfTreeNode } from './amf-tree';
export { chunkFieldRanges } from './chunk-layout';
export type { ChunkField, ChunkFieldRange } from './chunk-layout';
export { exportSession, importSession, SESSION_FORMAT, SESSION_VERSION } from './session-file';
export { exportFlv, recordingFromFlv } from './flv-export';
export type { FlvExportOptions } from './flv-export';
export { formatTrace, formatTimelineLine, formatMessageLine, formatDiagnosticLine, formatOffset, createTraceLog } from './trace';
export type { TraceOptions } from './trace';
export { encodeBase64, decodeBase64 } from './base64';
