import { decodeCommand, decodeDataMessage, decodeProtocolControl, decodeUserControl, MessageType } from '@rtmp-web/rtmp';
import type { ProtocolTap, RtmpMessage } from '@rtmp-web/rtmp';
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
 * A tap that writes one text line per handshake packet and per message, both directions:
 * `+<ms since start> <in|out> csid=<n> sid=<n> <TypeName>(<id>) <size> B ts=<ms> <summary>`.
 * The summary decodes commands (name, transaction id, AMF values), data messages, user control
 * and protocol control events; audio/video show only size and timestamp (the message log
 * of `--messages` has the per-frame details).
 */
export function createTraceTap(writeLine: (line: string) => void, now: () => number = () => performance.now()): ProtocolTap {
  const start = now();
  const stamp = (at: number): string => `+${(at - start).toFixed(3).padStart(10)}`;
  return {
    handshake(event) {
      writeLine(`${stamp(event.at)} ${event.direction.padEnd(3)} handshake ${event.label} ${event.bytes.byteLength} B`);
    },
    message(event) {
      const { message } = event;
      const head = `${stamp(event.at)} ${event.direction.padEnd(3)} csid=${message.csid} sid=${message.streamId} ${messageTypeName(message.type)}(${message.type}) ${message.payload.byteLength} B ts=${message.timestamp}`;
      const summary = summarizeMessage(message);
      writeLine(summary ? `${head} ${summary}` : head);
    },
  };
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
