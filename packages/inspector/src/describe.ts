import type { AmfValue } from '@rtmp-web/amf';
import { MessageType, type ProtocolControl, type UserControlEvent } from '@rtmp-web/rtmp';
import { amfEntries, amfPreview } from './amf-tree';
import { decodeRecord, type DecodedMessage } from './core';
import type { MessageRecord, TimelineEvent } from './model';

const TYPE_NAMES: Record<number, string> = {
  [MessageType.SetChunkSize]: 'Set Chunk Size',
  [MessageType.Abort]: 'Abort',
  [MessageType.Acknowledgement]: 'Acknowledgement',
  [MessageType.UserControl]: 'User Control',
  [MessageType.WindowAckSize]: 'Window Ack Size',
  [MessageType.SetPeerBandwidth]: 'Set Peer Bandwidth',
  [MessageType.Audio]: 'Audio',
  [MessageType.Video]: 'Video',
  [MessageType.DataAmf3]: 'Data (AMF3)',
  [MessageType.SharedObjectAmf3]: 'Shared Object (AMF3)',
  [MessageType.CommandAmf3]: 'Command (AMF3)',
  [MessageType.DataAmf0]: 'Data (AMF0)',
  [MessageType.SharedObjectAmf0]: 'Shared Object (AMF0)',
  [MessageType.CommandAmf0]: 'Command (AMF0)',
  [MessageType.Aggregate]: 'Aggregate',
};

/** The message type's name (RTMP 1.0 §5.4, §7.1), or "Type N" for ids the spec does not define. */
export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `Type ${type}`;
}

/** Filter groups the log offers. */
export type MessageCategory = 'control' | 'command' | 'data' | 'shared-object' | 'audio' | 'video' | 'aggregate' | 'other';

export function messageCategory(type: number): MessageCategory {
  switch (type) {
    case MessageType.SetChunkSize:
    case MessageType.Abort:
    case MessageType.Acknowledgement:
    case MessageType.UserControl:
    case MessageType.WindowAckSize:
    case MessageType.SetPeerBandwidth:
      return 'control';
    case MessageType.CommandAmf0:
    case MessageType.CommandAmf3:
      return 'command';
    case MessageType.DataAmf0:
    case MessageType.DataAmf3:
      return 'data';
    case MessageType.SharedObjectAmf0:
    case MessageType.SharedObjectAmf3:
      return 'shared-object';
    case MessageType.Audio:
      return 'audio';
    case MessageType.Video:
      return 'video';
    case MessageType.Aggregate:
      return 'aggregate';
    default:
      return 'other';
  }
}

const PEER_BANDWIDTH_LIMITS = ['hard', 'soft', 'dynamic'];

/** The status info object of an onStatus / _result / _error (RTMP 1.0 §7.2.1.1, §7.2.2). */
export function statusInfo(args: readonly AmfValue[]): { code?: string; level?: string; description?: string } | undefined {
  for (const arg of args) {
    const entries = amfEntries(arg);
    if (entries && typeof entries.code === 'string') {
      return {
        code: entries.code,
        ...(typeof entries.level === 'string' ? { level: entries.level } : {}),
        ...(typeof entries.description === 'string' ? { description: entries.description } : {}),
      };
    }
  }
  return undefined;
}

/** One line saying what a message carries, for the log and the CLI trace. */
export function summarizeMessage(record: MessageRecord): string {
  return summarizeDecoded(decodeRecord(record), record);
}

function summarizeDecoded(decoded: DecodedMessage, record: MessageRecord): string {
  switch (decoded.kind) {
    case 'protocol-control':
      return protocolControlText(decoded.control);
    case 'user-control':
      return userControlText(decoded.control);
    case 'command': {
      const { name, transactionId, commandObject, args } = decoded.command;
      const info = statusInfo(args);
      if (info?.code) return `${name}(#${transactionId}) ${info.code}${info.description ? ` "${info.description}"` : ''}`;
      const shown = [...(commandObject === null || commandObject === undefined ? [] : [commandObject]), ...args];
      return `${name}(#${transactionId})${shown.length ? ' ' + shown.map((v) => amfPreview(v, 160)).join(', ') : ''}`;
    }
    case 'data':
      return `${decoded.data.name}${decoded.data.args.length ? ' ' + decoded.data.args.map((v) => amfPreview(v, 240)).join(', ') : ''}`;
    case 'shared-object': {
      const so = decoded.sharedObject;
      const events = so.events.map((e) => e.kind).join(', ');
      return `"${so.name}" v${so.version}${so.persistent ? ' persistent' : ''}: ${events || 'no events'}`;
    }
    case 'media': {
      if (decoded.frames.length === 0) return 'empty';
      return decoded.frames
        .map((f) => {
          const what = f.config ? 'sequence header' : f.kind === 'video' ? (f.keyframe ? 'keyframe' : 'inter frame') : 'frame';
          const track = f.trackId ? ` track ${f.trackId}` : '';
          const cts = f.kind === 'video' && !f.config && f.cts !== 0 ? ` cts ${f.cts}` : '';
          return `${f.codec}${track} ${what}${cts}`;
        })
        .join('; ');
    }
    case 'aggregate':
      return `${decoded.messages.length} sub-messages`;
    case 'malformed':
      return `malformed: ${decoded.error.message}`;
    case 'unknown':
      return `${record.payload.byteLength} bytes`;
  }
}

function protocolControlText(control: ProtocolControl): string {
  switch (control.kind) {
    case 'SetChunkSize':
      return String(control.chunkSize);
    case 'Abort':
      return `chunk stream ${control.csid}`;
    case 'Acknowledgement':
      return `${control.sequenceNumber} bytes received`;
    case 'WindowAckSize':
      return String(control.windowSize);
    case 'SetPeerBandwidth':
      return `${control.windowSize} (${PEER_BANDWIDTH_LIMITS[control.limitType]})`;
    case 'UserControl':
      return userControlText(control.event);
  }
}

function userControlText(c: UserControlEvent): string {
  const parts: string[] = [c.event === 'Unknown' ? `event ${c.eventType}` : c.event];
  if (c.streamId !== undefined) parts.push(`stream ${c.streamId}`);
  if (c.bufferLengthMs !== undefined) parts.push(`${c.bufferLengthMs} ms`);
  if (c.timestamp !== undefined) parts.push(`time ${c.timestamp}`);
  return parts.join(' ');
}

/** State that timeline derivation keeps across messages (first audio/video per stream). */
export interface TimelineState {
  mediaSeen: Set<string>;
}

/**
 * The timeline events one message produces: every control, command, data and shared-object
 * message, and the first audio / video / aggregate message of each stream.
 */
export function timelineEventsForMessage(record: MessageRecord, state: TimelineState): Array<Omit<TimelineEvent, 'index'>> {
  const category = messageCategory(record.type);
  const base = { at: record.at, direction: record.direction, messageIndex: record.index };
  const decoded = decodeRecord(record);
  const name = messageTypeName(record.type);
  if (decoded.kind === 'malformed') {
    return [{ ...base, kind: 'error', title: `malformed ${name}`, detail: decoded.error.message }];
  }
  switch (category) {
    case 'control':
      return [{ ...base, kind: record.type === MessageType.UserControl ? 'user-control' : 'control', title: `${name} ${summarizeDecoded(decoded, record)}` }];
    case 'command': {
      if (decoded.kind !== 'command') return [];
      const { name: command, transactionId, args } = decoded.command;
      const info = statusInfo(args);
      if (info?.code) {
        return [{ ...base, kind: 'status', title: `${command} ${info.code}`, code: info.code, ...(info.description ? { detail: info.description } : {}) }];
      }
      return [{ ...base, kind: 'command', title: `${command}${transactionId ? ` #${transactionId}` : ''}`, detail: summarizeDecoded(decoded, record) }];
    }
    case 'data':
      if (decoded.kind !== 'data') return [];
      return [{ ...base, kind: 'data', title: decoded.data.name, detail: summarizeDecoded(decoded, record) }];
    case 'shared-object':
      return [{ ...base, kind: 'shared-object', title: `shared object ${summarizeDecoded(decoded, record)}` }];
    case 'audio':
    case 'video':
    case 'aggregate': {
      const key = `${record.direction}:${record.streamId}:${category}`;
      if (state.mediaSeen.has(key)) return [];
      state.mediaSeen.add(key);
      return [{ ...base, kind: 'media', title: `first ${category} message on stream ${record.streamId}`, detail: summarizeDecoded(decoded, record) }];
    }
    default:
      return [{ ...base, kind: 'note', title: `${name} (${record.payload.byteLength} bytes)` }];
  }
}
