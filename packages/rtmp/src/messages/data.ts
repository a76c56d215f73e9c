import { Amf0Writer } from '@rtmp-web/amf';
import type { AmfDecodeOptions, AmfEncodeOptions, AmfValue } from '@rtmp-web/amf';
import { ByteWriter } from '@rtmp-web/bytes';
import { ChunkStreamId } from '../chunk/constants';
import type { RtmpMessage } from '../types';
import { MSG_DATA_AMF0, MSG_DATA_AMF3 } from './type-ids';
import { describe, readValues, writeValue } from './command';
import type { ObjectEncoding } from './command';
import { decoding, expectType, malformed } from './errors';

/** A decoded data message (RTMP 1.0 §7.1.2): onMetaData, onTextData, onCuePoint, |RtmpSampleAccess... */
export interface RtmpData {
  /** The handler name; for "@setDataFrame" wrappers, the wrapped name (usually onMetaData). */
  name: string;
  args: AmfValue[];
  /** True when the message was "@setDataFrame", name, ...args (what publishers send). */
  setDataFrame: boolean;
  encoding: ObjectEncoding;
}

export interface DataInit {
  name: string;
  args?: readonly AmfValue[];
  /** Wrap as "@setDataFrame", name, ...args (a publisher storing metadata on the server). */
  setDataFrame?: boolean;
}

const SET_DATA_FRAME = '@setDataFrame';

/**
 * Decodes a data message: type 18 is AMF0 values; type 15 starts with a 0x00 format byte, then
 * AMF0 values that may switch to AMF3 (the same layout as a type-17 command).
 */
export function decodeDataMessage(message: RtmpMessage, options?: AmfDecodeOptions): RtmpData {
  expectType(message.type, [MSG_DATA_AMF0, MSG_DATA_AMF3], 'data message');
  const encoding: ObjectEncoding = message.type === MSG_DATA_AMF3 ? 3 : 0;
  return decoding('data message', { type: message.type }, () => {
    const values = readValues(message.payload, encoding === 3, options);
    let [name, ...args] = values;
    let setDataFrame = false;
    if (name === SET_DATA_FRAME && typeof args[0] === 'string') {
      setDataFrame = true;
      [name, ...args] = args;
    }
    if (typeof name !== 'string') throw malformed(`data message name is ${describe(name)}, not a string`, { type: message.type });
    return { name, args, setDataFrame, encoding };
  });
}

/** Encodes a data message payload (type 18 for encoding 0, type 15 for encoding 3). */
export function encodeDataMessage(data: DataInit, encoding: ObjectEncoding = 0, options?: AmfEncodeOptions): Uint8Array {
  const writer = new ByteWriter(128);
  const amf0 = new Amf0Writer(options);
  if (encoding === 3) writer.u8(0);
  if (data.setDataFrame) amf0.writeValue(writer, SET_DATA_FRAME);
  amf0.writeValue(writer, data.name);
  for (const value of data.args ?? []) writeValue(writer, amf0, value, encoding);
  return writer.finish().slice();
}

/** A data message ready for ChunkWriter. */
export function dataMessage(
  data: DataInit,
  /** `amf`: the encoder's options; encoding 3 needs `amf.amf3` (`amf3Codec`). */
  options: { encoding?: ObjectEncoding; streamId?: number; csid?: number; timestamp?: number; amf?: AmfEncodeOptions } = {},
): RtmpMessage {
  const encoding = options.encoding ?? 0;
  return {
    type: encoding === 3 ? MSG_DATA_AMF3 : MSG_DATA_AMF0,
    streamId: options.streamId ?? 0,
    timestamp: options.timestamp ?? 0,
    payload: encodeDataMessage(data, encoding, options.amf),
    csid: options.csid ?? ChunkStreamId.Data,
  };
}
