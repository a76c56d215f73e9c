// The wire protocol without the session, for information: what a client that drives the
// protocol itself would embed. Client handshake, ChunkReader/ChunkWriter, the message codecs a
// client decodes (protocol control, user control, commands, data, shared objects, aggregates) and
// encodes (commands, acknowledgements, window size, chunk size, user control), AMF0. AMF3 is an
// opt-in codec (decoders take `{ amf3: amf3Codec }`), not passed here: a type 15/16/17 message or
// an AVM+ switch is then a MESSAGE_MALFORMED whose cause is AMF_AMF3_NOT_ENABLED.
// No NetConnection/NetStream, no URL parser, no audio/video message parsing.
import {
  ChunkReader,
  ChunkWriter,
  ClientHandshake,
  commandMessage,
  decodeCommand,
  decodeDataMessage,
  decodeProtocolControl,
  decodeSharedObjectMessage,
  encodeAcknowledgement,
  encodeSetChunkSize,
  encodeUserControl,
  encodeWindowAckSize,
  isProtocolControl,
  MessageType,
  unpackAggregate,
} from '@rtmp-web/rtmp';
import type { RtmpMessage } from '@rtmp-web/rtmp';

export { ClientHandshake, ChunkReader, ChunkWriter, commandMessage, encodeAcknowledgement, encodeSetChunkSize, encodeUserControl, encodeWindowAckSize };

/** Decodes whatever a server sends a client, the way a hand-written session would. */
export function decodeIncoming(message: RtmpMessage): unknown[] {
  if (isProtocolControl(message.type)) return [decodeProtocolControl(message)];
  switch (message.type) {
    case MessageType.CommandAmf0:
    case MessageType.CommandAmf3:
      return [decodeCommand(message)];
    case MessageType.DataAmf0:
    case MessageType.DataAmf3:
      return [decodeDataMessage(message)];
    case MessageType.SharedObjectAmf0:
    case MessageType.SharedObjectAmf3:
      return [decodeSharedObjectMessage(message)];
    case MessageType.Aggregate:
      return unpackAggregate(message).flatMap(decodeIncoming);
    default:
      return [message];
  }
}
