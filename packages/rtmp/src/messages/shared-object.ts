import { Amf0Reader, Amf0Writer, AmfError, readU29 } from '@rtmp-web/amf';
import type { Amf3ValueReader, AmfDecodeOptions, AmfEncodeOptions, AmfValue } from '@rtmp-web/amf';
import { ByteReader, ByteWriter, utf8Encode } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import type { RtmpMessage } from '../types';
import { MSG_SHARED_OBJECT_AMF0, MSG_SHARED_OBJECT_AMF3 } from './type-ids';
import { describe } from './command';
import type { ObjectEncoding } from './command';
import { decoding, expectType, malformed } from './errors';

/** Shared object event types (RTMP 1.0 §7.1.3). */
export const SharedObjectEventType = {
  Use: 1,
  Release: 2,
  RequestChange: 3,
  Change: 4,
  Success: 5,
  SendMessage: 6,
  Status: 7,
  Clear: 8,
  Remove: 9,
  RequestRemove: 10,
  UseSuccess: 11,
} as const;

export type SharedObjectEventKind = keyof typeof SharedObjectEventType | 'Unknown';

export interface SharedObjectProperty {
  name: string;
  value: AmfValue;
}

/** One event of a shared object message; which fields are set depends on `kind`. */
export interface SharedObjectMessageEvent {
  type: number;
  kind: SharedObjectEventKind;
  /** RequestChange, Change: the name/value pairs, in wire order. */
  properties?: SharedObjectProperty[];
  /** Success, Remove, RequestRemove: the property name. */
  name?: string;
  /** SendMessage: the handler name and its arguments. */
  handler?: string;
  args?: AmfValue[];
  /** Status: the message (a code such as "SharedObject.BadPersistence") and its level. */
  message?: string;
  level?: string;
  /** The event data as received (a view of the message payload); empty for Use, Release, Clear, UseSuccess. */
  raw: Uint8Array;
}

/** What encodeSharedObjectMessage writes for one event; `type` defaults from `kind` (required for Unknown). */
export type SharedObjectMessageEventInit = Omit<SharedObjectMessageEvent, 'type' | 'raw'> & { type?: number; raw?: Uint8Array };

export interface SharedObjectMessage {
  name: string;
  version: number;
  persistent: boolean;
  events: SharedObjectMessageEvent[];
  encoding: ObjectEncoding;
}

export interface SharedObjectMessageInit {
  name: string;
  version?: number;
  persistent?: boolean;
  events: readonly SharedObjectMessageEventInit[];
}

const KINDS = new Map<number, SharedObjectEventKind>(
  Object.entries(SharedObjectEventType).map(([kind, type]) => [type, kind as SharedObjectEventKind]),
);

/**
 * Decodes a shared object message (§7.1.3): name, version u32, flags (persistent when the first
 * u32 is 2, as Red5 and FMS write it, then 4 reserved bytes), then events of type u8, length u32
 * and data. Names inside events are u16-length UTF-8 strings; values are AMF0 (switching to AMF3
 * behind 0x11). Type 16 starts with an encoding byte: 0 keeps this layout, 3 makes the strings
 * AMF3 strings and the values AMF3, as Red5 reads it; that layout, like any AVM+ switch, needs
 * `options.amf3` (`amf3Codec`) and fails with AMF_AMF3_NOT_ENABLED (as MESSAGE_MALFORMED's cause)
 * without it.
 */
export function decodeSharedObjectMessage(message: RtmpMessage, options?: AmfDecodeOptions): SharedObjectMessage {
  expectType(message.type, [MSG_SHARED_OBJECT_AMF0, MSG_SHARED_OBJECT_AMF3], 'shared object message');
  return decoding('shared object message', { type: message.type }, () => {
    const reader = new ByteReader(message.payload);
    let amf3Strings = false;
    if (message.type === MSG_SHARED_OBJECT_AMF3) {
      const format = reader.u8();
      if (format !== 0 && format !== 3) throw malformed(`shared object encoding byte ${format} is neither 0 nor 3`);
      amf3Strings = format === 3;
    }
    const values = amf3Strings ? new Amf3ValueSource(options) : new Amf0ValueSource(options);
    const name = values.readName(reader);
    const version = reader.u32();
    const flags = reader.u32();
    reader.skip(4);
    const events: SharedObjectMessageEvent[] = [];
    while (reader.remaining > 0) {
      const type = reader.u8();
      const length = reader.u32();
      if (length > reader.remaining) {
        throw malformed(`shared object event of ${length} bytes but only ${reader.remaining} remain`, { type, length });
      }
      const raw = reader.bytesView(length);
      events.push(decodeEvent(type, raw, values));
    }
    return {
      name,
      version,
      persistent: (flags & 2) !== 0,
      events,
      encoding: message.type === MSG_SHARED_OBJECT_AMF3 ? 3 : 0,
    };
  });
}

function decodeEvent(type: number, raw: Uint8Array, values: ValueSource): SharedObjectMessageEvent {
  const kind = KINDS.get(type) ?? 'Unknown';
  const event: SharedObjectMessageEvent = { type, kind, raw };
  const reader = new ByteReader(raw);
  switch (kind) {
    case 'RequestChange':
    case 'Change':
      event.properties = [];
      while (reader.remaining > 0) event.properties.push({ name: values.readName(reader), value: values.readValue(reader) });
      break;
    case 'Success':
    case 'Remove':
    case 'RequestRemove':
      if (raw.length > 0) event.name = values.readName(reader);
      break;
    case 'SendMessage': {
      const handler = values.readValue(reader);
      if (typeof handler !== 'string') throw malformed(`shared object send handler is ${describe(handler)}, not a string`);
      event.handler = handler;
      event.args = [];
      while (reader.remaining > 0) event.args.push(values.readValue(reader));
      break;
    }
    case 'Status':
      event.message = values.readName(reader);
      event.level = values.readName(reader);
      break;
    default:
      break;
  }
  return event;
}

interface ValueSource {
  readName(reader: ByteReader): string;
  readValue(reader: ByteReader): AmfValue;
}

class Amf0ValueSource implements ValueSource {
  private readonly amf0: Amf0Reader;
  constructor(options?: AmfDecodeOptions) {
    this.amf0 = new Amf0Reader(options);
  }
  readName(reader: ByteReader): string {
    return reader.utf8(reader.u16());
  }
  readValue(reader: ByteReader): AmfValue {
    return this.amf0.readValue(reader);
  }
}

/**
 * Type 16 with encoding byte 3: AMF3 strings (U29 length or reference, AMF3 §1.3.1 and §3.8) and
 * AMF3 values. The names have a string table of their own, apart from the values' reader.
 */
class Amf3ValueSource implements ValueSource {
  private readonly amf3: Amf3ValueReader;
  private readonly strings: string[] = [];
  constructor(options: AmfDecodeOptions = {}) {
    if (!options.amf3) {
      throw new AmfError(
        'AMF_AMF3_NOT_ENABLED',
        'shared object message in the AMF3 layout (type 16, encoding byte 3), but AMF3 is not enabled: pass { amf3: amf3Codec } (from @rtmp-web/amf) in the decode options',
        { encodingByte: 3 },
      );
    }
    this.amf3 = options.amf3.reader(options);
  }
  readName(reader: ByteReader): string {
    const header = readU29(reader);
    if ((header & 1) === 0) {
      const text = this.strings[header >>> 1];
      if (text === undefined) throw malformed(`AMF3 string reference ${header >>> 1} is out of range`);
      return text;
    }
    const text = reader.utf8(header >>> 1);
    if (text !== '') this.strings.push(text);
    return text;
  }
  readValue(reader: ByteReader): AmfValue {
    return this.amf3.readValue(reader);
  }
}

/**
 * Encodes a shared object message payload in the AMF0 layout. With encoding 3 (message type 16)
 * it is prefixed by the encoding byte 0, which tells the reader the rest is that same layout.
 */
export function encodeSharedObjectMessage(so: SharedObjectMessageInit, encoding: ObjectEncoding = 0, options?: AmfEncodeOptions): Uint8Array {
  const writer = new ByteWriter(128);
  const amf0 = new Amf0Writer(options);
  if (encoding === 3) writer.u8(0);
  writeName(writer, so.name);
  writer.u32(so.version ?? 0).u32(so.persistent ? 2 : 0).u32(0);
  for (const event of so.events) {
    const type = event.type ?? (event.kind === 'Unknown' ? undefined : SharedObjectEventType[event.kind]);
    if (type === undefined) throw new RtmpError('MESSAGE_INVALID_ARGUMENT', 'an Unknown shared object event needs its type');
    const body = new ByteWriter(64);
    switch (event.kind) {
      case 'RequestChange':
      case 'Change':
        for (const property of event.properties ?? []) {
          writeName(body, property.name);
          amf0.writeValue(body, property.value);
        }
        break;
      case 'Success':
      case 'Remove':
      case 'RequestRemove':
        writeName(body, requireField(event.name, 'name', event.kind));
        break;
      case 'SendMessage':
        amf0.writeValue(body, requireField(event.handler, 'handler', event.kind));
        for (const arg of event.args ?? []) amf0.writeValue(body, arg);
        break;
      case 'Status':
        writeName(body, requireField(event.message, 'message', event.kind));
        writeName(body, event.level ?? 'error');
        break;
      case 'Unknown':
        body.bytes(event.raw ?? new Uint8Array(0));
        break;
      default:
        break;
    }
    const data = body.finish();
    writer.u8(type).u32(data.length).bytes(data);
  }
  return writer.finish().slice();
}

function writeName(writer: ByteWriter, name: string): void {
  const bytes = utf8Encode(name);
  if (bytes.length > 0xffff) throw new RtmpError('MESSAGE_INVALID_ARGUMENT', `shared object string of ${bytes.length} bytes does not fit a u16 length`);
  writer.u16(bytes.length).bytes(bytes);
}

function requireField<T>(value: T | undefined, field: string, kind: string): T {
  if (value === undefined) throw new RtmpError('MESSAGE_INVALID_ARGUMENT', `a ${kind} shared object event needs its ${field}`);
  return value;
}
