import { decodeCommand, decodeDataMessage, decodeProtocolControl, decodeUserControl, MessageType } from '@rtmp-web/rtmp';
import type { ProtocolTap, RtmpMessage } from '@rtmp-web/rtmp';
import { createTraceLog } from '@rtmp-web/inspector';
import { summarizeAmf } from './amf-json';

const TYPE_NAMES: Record<number, string> = {
  [MessageType.SetChunkSize]: 'SetChunkSize',
  [MessageType.Abort]: 'Abort',
  [MessageType.Acknowledgement]: 'Acknowledgement',
  [MessageType.UserControl]: 'UserControl',
  [MessageType.WindowAckSize]: 'WindowAckSize',
  [MessageType.SetPeerBandwidth]: 'SetPeerBandwidth',
  [MessageType.Audio]: 'Audio',
  [MessageType.Video]: 'Video',
  [MessageType.DataAmf3]: 'DataAmf3',
  [MessageType.SharedObjectAmf3]: 'SharedObjectAmf3',
  [MessageType.CommandAmf3]: 'CommandAmf3',
  [MessageType.DataAmf0]: 'DataAmf0',
  [MessageType.SharedObjectAmf0]: 'SharedObjectAmf0',
  [MessageType.CommandAmf0]: 'CommandAmf0',
  [MessageType.Aggregate]: 'Aggregate',
};

export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type${type}`;
}

/**
 * The `--trace` tap: the stream inspector's live trace (`createTraceLog` in @rtmp-web/inspector),
 * so the command line and the page's inspector show the same timeline and message log. One line
 * per handshake packet and per message, both directions: time since the first event, direction,
 * message index, chunk stream, message stream, type, timestamp, delta, size, chunk count, and
 * the decoded content (commands, onStatus codes, data, control and user-control events, codecs).
 */
export function createTraceTap(writeLine: (line: string) => void, now: () => number = () => performance.now()): ProtocolTap {
  return createTraceLog(writeLine, { now });
}

export function summarizeMessage(message: RtmpMessage): string {
  try {
    switch (message.type) {
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3: {
        const command = decodeCommand(message);
        return `${command.name} #${command.transactionId} ${summarizeAmf([command.commandObject, ...command.args])}`;
      }
      case MessageType.DataAmf0:
      case MessageType.DataAmf3: {
        const data = decodeDataMessage(message);
        return `${data.name} ${summarizeAmf(data.args)}`;
      }
      case MessageType.UserControl: {
        const event = decodeUserControl(message.payload);
        const parts: string[] = [event.event];
        if (event.streamId !== undefined) parts.push(`stream=${event.streamId}`);
        if (event.bufferLengthMs !== undefined) parts.push(`buffer=${event.bufferLengthMs}ms`);
        if (event.timestamp !== undefined) parts.push(`timestamp=${event.timestamp}`);
        return parts.join(' ');
      }
      case MessageType.SetChunkSize:
      case MessageType.Abort:
      case MessageType.Acknowledgement:
      case MessageType.WindowAckSize:
      case MessageType.SetPeerBandwidth:
        return JSON.stringify(decodeProtocolControl(message));
      default:
        return '';
    }
  } catch (error) {
    return `(undecodable: ${error instanceof Error ? error.message : String(error)})`;
  }
}
