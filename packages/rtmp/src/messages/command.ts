import { Amf0Reader, Amf0Writer, AmfInteger } from '@rtmp-web/amf';
import type { AmfDecodeOptions, AmfEncodeOptions, AmfValue } from '@rtmp-web/amf';
import { ByteReader, ByteWriter } from '@rtmp-web/bytes';
import { ChunkStreamId } from '../chunk/constants';
import type { RtmpMessage } from '../types';
import { MSG_COMMAND_AMF0, MSG_COMMAND_AMF3 } from './type-ids';
import { decoding, expectType, malformed } from './errors';

/** Object encoding of a command or data message: 0 = AMF0 (types 20, 18, 19), 3 = AMF3 (types 17, 15, 16). */
export type ObjectEncoding = 0 | 3;

/** A decoded command message (RTMP 1.0 §7.1.1, §7.2). */
export interface RtmpCommand {
  name: string;
  transactionId: number;
  /** The command object (connect's properties, `_result`'s properties...) or null. */
  commandObject: AmfValue;
  /** Everything after the command object. */
  args: AmfValue[];
  /** Which message type carried it: 0 for type 20, 3 for type 17. */
  encoding: ObjectEncoding;
}

export interface CommandInit {
  name: string;
  transactionId: number;
  commandObject?: AmfValue;
  args?: readonly AmfValue[];
}

/**
 * Decodes a command message. Type 20 is a run of AMF0 values. Type 17 starts with a format byte
 * (0x00) and continues in AMF0, where each value may switch to AMF3 with the 0x11 marker; some
 * peers omit the format byte, which is recognisable because a command starts with a string.
 * A value behind 0x11 needs `options.amf3` (`amf3Codec`); without it the MESSAGE_MALFORMED error
 * has AmfError AMF_AMF3_NOT_ENABLED as its cause (`details.causeCode`).
 */
export function decodeCommand(message: RtmpMessage, options?: AmfDecodeOptions): RtmpCommand {
  expectType(message.type, [MSG_COMMAND_AMF0, MSG_COMMAND_AMF3], 'command message');
  const encoding: ObjectEncoding = message.type === MSG_COMMAND_AMF3 ? 3 : 0;
  return decoding('command message', { type: message.type }, () => {
    const values = readValues(message.payload, encoding === 3, options);
    const [name, transactionId, commandObject, ...args] = values;
    if (typeof name !== 'string') throw malformed(`command name is ${describe(name)}, not a string`, { type: message.type });
    let id = 0;
    if (transactionId instanceof AmfInteger) id = transactionId.value;
    else if (typeof transactionId === 'number') id = transactionId;
    else if (transactionId !== undefined) throw malformed(`transaction id of "${name}" is ${describe(transactionId)}, not a number`);
    return { name, transactionId: id, commandObject: values.length > 2 ? commandObject : null, args, encoding };
  });
}

/**
 * Encodes a command payload. Encoding 0: name, transaction id, command object and arguments in
 * AMF0 (message type 20). Encoding 3 (message type 17): the 0x00 format byte, name and transaction
 * id in AMF0 (servers match on them without an AMF3 reader), then every non-null value behind an
 * AVM+ switch (0x11) in AMF3, as Flash Player does with objectEncoding 3. AMF3 is opt-in:
 * encoding 3 (and any AMF3-only value) needs `options.amf3` (`amf3Codec`), or fails with
 * AmfError AMF_AMF3_NOT_ENABLED.
 */
export function encodeCommand(command: CommandInit, encoding: ObjectEncoding = 0, options?: AmfEncodeOptions): Uint8Array {
  const writer = new ByteWriter(128);
  const amf0 = new Amf0Writer(options);
  if (encoding === 3) writer.u8(0);
  amf0.writeValue(writer, command.name);
  amf0.writeValue(writer, command.transactionId);
  for (const value of [command.commandObject ?? null, ...(command.args ?? [])]) writeValue(writer, amf0, value, encoding);
  return writer.finish().slice();
}

/** A command message ready for ChunkWriter. NetConnection commands use stream 0 and chunk stream 3. */
export function commandMessage(
  command: CommandInit,
  /** `amf`: the encoder's options; encoding 3 needs `amf.amf3` (`amf3Codec`). */
  options: { encoding?: ObjectEncoding; streamId?: number; csid?: number; timestamp?: number; amf?: AmfEncodeOptions } = {},
): RtmpMessage {
  const encoding = options.encoding ?? 0;
  return {
    type: encoding === 3 ? MSG_COMMAND_AMF3 : MSG_COMMAND_AMF0,
    streamId: options.streamId ?? 0,
    timestamp: options.timestamp ?? 0,
    payload: encodeCommand(command, encoding, options.amf),
    csid: options.csid ?? ((options.streamId ?? 0) === 0 ? ChunkStreamId.Command : ChunkStreamId.StreamCommand),
  };
}

/** AMF0 values to the end of `payload`, after the optional 0x00 format byte of AMF3 message types. */
export function readValues(payload: Uint8Array, amf3Type: boolean, options?: AmfDecodeOptions): AmfValue[] {
  const reader = new ByteReader(payload);
  // 0x00 is also the AMF0 number marker, but no command or data message starts with a number.
  if (amf3Type && payload.length > 0 && payload[0] === 0) reader.skip(1);
  const amf0 = new Amf0Reader(options);
  const values: AmfValue[] = [];
  while (reader.remaining > 0) values.push(amf0.readValue(reader));
  return values;
}

export function writeValue(writer: ByteWriter, amf0: Amf0Writer, value: AmfValue, encoding: ObjectEncoding): void {
  if (encoding === 3 && value !== null && value !== undefined) amf0.writeAvmPlus(writer, value);
  else amf0.writeValue(writer, value);
}

export function describe(value: AmfValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return `a ${typeof value}`;
}
