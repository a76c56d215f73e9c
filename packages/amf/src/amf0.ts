import { ByteReader, ByteWriter, utf8Encode } from '@rtmp-web/bytes';
import { AmfError, amf3NotEnabled, assertFits, depthExceeded, unknownMarker, withAmfErrors } from './errors';
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_REFERENCES,
  type Amf3ValueReader,
  type Amf3ValueWriter,
  type AmfDecodeOptions,
  type AmfEncodeOptions,
} from './options';
import {
  AmfEcmaArray,
  AmfInteger,
  AmfTypedObject,
  AmfUnsupported,
  AmfXmlDocument,
  isPlainObject,
  setOwn,
  type AmfObject,
  type AmfValue,
} from './values';
import {
  NUMBER,
  BOOLEAN,
  STRING,
  OBJECT,
  MOVIE_CLIP,
  NULL,
  UNDEFINED,
  REFERENCE,
  ECMA_ARRAY,
  OBJECT_END,
  STRICT_ARRAY,
  DATE,
  LONG_STRING,
  UNSUPPORTED,
  RECORD_SET,
  XML_DOCUMENT,
  TYPED_OBJECT,
  AVM_PLUS,
} from './amf0-markers';

/** AMF0 type markers (AMF0 §2.1). */
export const Amf0Marker = {
  Number: NUMBER,
  Boolean: BOOLEAN,
  String: STRING,
  Object: OBJECT,
  MovieClip: MOVIE_CLIP,
  Null: NULL,
  Undefined: UNDEFINED,
  Reference: REFERENCE,
  EcmaArray: ECMA_ARRAY,
  ObjectEnd: OBJECT_END,
  StrictArray: STRICT_ARRAY,
  Date: DATE,
  LongString: LONG_STRING,
  Unsupported: UNSUPPORTED,
  RecordSet: RECORD_SET,
  XmlDocument: XML_DOCUMENT,
  TypedObject: TYPED_OBJECT,
  AvmPlus: AVM_PLUS,
} as const;

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/**
 * Reads AMF0 values from a ByteReader, one at a time (what the RTMP command codec needs:
 * name, transaction id, then arguments, all from one message). The object reference table
 * (AMF0 §2.9) lives as long as this reader: use one reader per message. After an error
 * the table is in an unknown state: start a new reader.
 */
export class Amf0Reader {
  private readonly objects: AmfValue[] = [];
  private readonly maxDepth: number;
  private readonly maxReferences: number;
  private readonly options: AmfDecodeOptions;
  private sharedAmf3: Amf3ValueReader | undefined;

  constructor(options: AmfDecodeOptions = {}) {
    this.options = options;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxReferences = options.maxReferences ?? DEFAULT_MAX_REFERENCES;
  }

  /** Reads one value (marker included); an AVM+ switch (0x11) yields the AMF3 value behind it. Throws only AmfError. */
  readValue(reader: ByteReader): AmfValue {
    return withAmfErrors(() => this.readValueAtDepth(reader, 0));
  }

  private readValueAtDepth(reader: ByteReader, depth: number): AmfValue {
    const marker = reader.u8();
    switch (marker) {
      case NUMBER:
        return reader.f64();
      case BOOLEAN:
        return reader.u8() !== 0;
      case STRING:
        return reader.utf8(reader.u16());
      case OBJECT: {
        if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
        const object: AmfObject = {};
        this.remember(object);
        this.readProperties(reader, depth, (key, value) => setOwn(object, key, value));
        return object;
      }
      case NULL:
        return null;
      case UNDEFINED:
        return undefined;
      case REFERENCE: {
        // §2.9: an index into the table of objects, typed objects and arrays read so far.
        const index = reader.u16();
        if (index >= this.objects.length) {
          throw new AmfError('AMF_BAD_REFERENCE', `object reference ${index} but the table holds ${this.objects.length}`, {
            table: 'object',
            index,
            size: this.objects.length,
          });
        }
        return this.objects[index];
      }
      case ECMA_ARRAY: {
        if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
        // §2.10: the associative count is only a hint (Flash writes the Array length, 0 for a
        // hash); the entries run to the object-end marker, so the count is read and ignored.
        reader.u32();
        const array = new AmfEcmaArray();
        this.remember(array);
        this.readProperties(reader, depth, (key, value) => array.entries.set(key, value));
        return array;
      }
      case STRICT_ARRAY: {
        if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
        const count = reader.u32();
        assertFits(count, 1, reader.remaining, 'AMF0 strict array');
        const array: AmfValue[] = [];
        this.remember(array);
        for (let i = 0; i < count; i++) array.push(this.readValueAtDepth(reader, depth + 1));
        return array;
      }
      case DATE: {
        // §2.13: milliseconds since the epoch (UTC), then a reserved time zone that must be ignored.
        const time = reader.f64();
        reader.i16();
        return new Date(time);
      }
      case LONG_STRING:
        return reader.utf8(reader.u32());
      case UNSUPPORTED:
        return new AmfUnsupported();
      case XML_DOCUMENT:
        return new AmfXmlDocument(reader.utf8(reader.u32()));
      case TYPED_OBJECT: {
        if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
        const className = reader.utf8(reader.u16());
        const properties: AmfObject = {};
        const members: string[] = [];
        const typed = new AmfTypedObject(className, properties, { sealedMembers: members });
        this.remember(typed);
        this.readProperties(reader, depth, (key, value) => {
          if (!Object.hasOwn(properties, key)) members.push(key);
          setOwn(properties, key, value);
        });
        return typed;
      }
      case AVM_PLUS: {
        // AMF0 §3.1: the next value is AMF3, readable only with the AMF3 codec the caller passed.
        const codec = this.options.amf3;
        if (!codec) throw amf3NotEnabled(`AVM+ switch (0x11) to AMF3 at offset ${reader.position - 1}`, { marker, offset: reader.position - 1 });
        const amf3 = this.options.shareAmf3Context ? (this.sharedAmf3 ??= codec.reader(this.options)) : codec.reader(this.options);
        return amf3.readValueAtDepth(reader, depth);
      }
      case MOVIE_CLIP:
      case RECORD_SET:
        throw new AmfError('AMF_RESERVED_MARKER', `AMF0 marker 0x${marker.toString(16)} is reserved and never serialised`, {
          marker,
          offset: reader.position - 1,
        });
      case OBJECT_END:
        throw new AmfError('AMF_UNEXPECTED_MARKER', 'AMF0 object-end marker where a value was expected', {
          marker,
          offset: reader.position - 1,
        });
      default:
        throw unknownMarker('AMF0', marker, reader.position - 1);
    }
  }

  /**
   * §2.5: (UTF-8 name, value) pairs ended by an empty name followed by the object-end marker.
   * An empty name followed by anything else is a real member named "" (Flash writes those).
   */
  private readProperties(reader: ByteReader, depth: number, set: (key: string, value: AmfValue) => void): void {
    const lenient = this.options.allowMissingObjectEnd === true;
    for (;;) {
      if (lenient && reader.remaining === 0) return;
      const key = reader.utf8(reader.u16());
      if (key === '') {
        if (lenient && reader.remaining === 0) return;
        if (reader.peekU8() === OBJECT_END) {
          reader.skip(1);
          return;
        }
      }
      set(key, this.readValueAtDepth(reader, depth + 1));
    }
  }

  private remember(value: AmfValue): void {
    if (this.objects.length >= this.maxReferences) {
      throw new AmfError('AMF_LIMIT_EXCEEDED', `more than ${this.maxReferences} object references`, {
        table: 'object',
        maxReferences: this.maxReferences,
      });
    }
    this.objects.push(value);
  }
}

/**
 * Writes AMF0 values. With `references` on, a repeated object (by identity) becomes a
 * reference (0x07); values AMF0 cannot express go behind an AVM+ switch (0x11) unless
 * `avmPlus` is false.
 */
export class Amf0Writer {
  private readonly objects = new Map<object, number>();
  private readonly inProgress = new Set<object>();
  private readonly maxDepth: number;
  private readonly options: AmfEncodeOptions;
  private sharedAmf3: Amf3ValueWriter | undefined;

  constructor(options: AmfEncodeOptions = {}) {
    this.options = options;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** Writes one value (marker included). Throws only AmfError. */
  writeValue(writer: ByteWriter, value: AmfValue): void {
    withAmfErrors(() => this.writeValueAtDepth(writer, value, 0));
  }

  /** Writes an AVM+ switch (0x11) and `value` in AMF3, whatever its type (AMF0 §3.1). */
  writeAvmPlus(writer: ByteWriter, value: AmfValue): void {
    withAmfErrors(() => this.writeAvmPlusAtDepth(writer, value, 0));
  }

  private writeAvmPlusAtDepth(writer: ByteWriter, value: AmfValue, depth: number): void {
    const codec = this.options.amf3;
    if (!codec) throw amf3NotEnabled('value to write behind an AVM+ switch (0x11)');
    writer.u8(AVM_PLUS);
    const amf3 = this.options.shareAmf3Context ? (this.sharedAmf3 ??= codec.writer(this.options)) : codec.writer(this.options);
    amf3.writeValueAtDepth(writer, value, depth);
  }

  private writeValueAtDepth(writer: ByteWriter, value: AmfValue, depth: number): void {
    switch (typeof value) {
      case 'undefined':
        writer.u8(UNDEFINED);
        return;
      case 'boolean':
        writer.u8(BOOLEAN).u8(value ? 1 : 0);
        return;
      case 'number':
        writer.u8(NUMBER).f64(value);
        return;
      case 'string':
        this.writeString(writer, value);
        return;
      case 'object':
        break;
      default:
        throw new AmfError('AMF_UNENCODABLE', `a ${typeof value} has no AMF0 form`);
    }
    if (value === null) {
      writer.u8(NULL);
    } else if (value instanceof AmfInteger) {
      writer.u8(NUMBER).f64(value.value);
    } else if (value instanceof Date) {
      // §2.13: the time zone is reserved and should be 0.
      writer.u8(DATE).f64(value.getTime()).i16(0);
    } else if (value instanceof AmfXmlDocument) {
      const bytes = utf8Encode(value.xml);
      if (bytes.byteLength > U32_MAX) throw new AmfError('AMF_UNENCODABLE', 'XML document longer than 4 GiB');
      writer.u8(XML_DOCUMENT).u32(bytes.byteLength).bytes(bytes);
    } else if (value instanceof AmfUnsupported) {
      writer.u8(UNSUPPORTED);
    } else if (Array.isArray(value) || value instanceof AmfEcmaArray || value instanceof AmfTypedObject || isPlainObject(value)) {
      this.writeComplex(writer, value, depth);
    } else if (this.options.avmPlus !== false && this.options.amf3?.isAmf3Only(value)) {
      // AmfXml, Uint8Array, AmfVector, AmfDictionary, AmfExternalizable: asked of the AMF3 codec,
      // so that an AMF0-only writer does not carry those classes.
      this.writeAvmPlusAtDepth(writer, value, depth);
    } else {
      const name = (value as object).constructor?.name ?? '?';
      throw new AmfError('AMF_UNENCODABLE', `objects of class ${name} have no AMF0 form (AMF3-only values need avmPlus and { amf3: amf3Codec })`);
    }
  }

  /** Objects, typed objects, ECMA and strict arrays: the types AMF0 can reference (§2.9). */
  private writeComplex(writer: ByteWriter, value: AmfValue[] | AmfEcmaArray | AmfTypedObject | AmfObject, depth: number): void {
    if (this.options.references) {
      const index = this.objects.get(value);
      if (index !== undefined) {
        writer.u8(REFERENCE).u16(index);
        return;
      }
      if (this.objects.size <= U16_MAX) this.objects.set(value, this.objects.size);
    } else if (this.inProgress.has(value)) {
      throw new AmfError('AMF_UNENCODABLE', 'circular structure: AMF0 can only express it with references on');
    }
    if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
    this.inProgress.add(value);
    const next = depth + 1;
    if (Array.isArray(value)) {
      writer.u8(STRICT_ARRAY).u32(value.length);
      for (const item of value) this.writeValueAtDepth(writer, item as AmfValue, next);
    } else if (value instanceof AmfEcmaArray) {
      const count = this.options.ecmaArrayCount === 'entry-count' ? ecmaEntryCount(value) : ecmaArrayLength(value);
      writer.u8(ECMA_ARRAY).u32(count);
      // AMF0 has no dense part: indexes become the keys "0".."n-1", written first.
      value.dense.forEach((item, index) => this.writeProperty(writer, String(index), item, next));
      for (const [key, item] of value.entries) this.writeProperty(writer, key, item, next);
      writer.u16(0).u8(OBJECT_END);
    } else if (value instanceof AmfTypedObject) {
      writer.u8(TYPED_OBJECT);
      this.writeKey(writer, value.className);
      this.writeProperties(writer, value.properties, next);
    } else {
      writer.u8(OBJECT);
      this.writeProperties(writer, value, next);
    }
    this.inProgress.delete(value);
  }

  private writeProperties(writer: ByteWriter, properties: AmfObject, depth: number): void {
    for (const key of Object.keys(properties)) this.writeProperty(writer, key, properties[key], depth);
    writer.u16(0).u8(OBJECT_END);
  }

  private writeProperty(writer: ByteWriter, key: string, value: AmfValue, depth: number): void {
    this.writeKey(writer, key);
    this.writeValueAtDepth(writer, value, depth);
  }

  /** Member names and class names are UTF-8 with a u16 length (§1.3). */
  private writeKey(writer: ByteWriter, key: string): void {
    const bytes = utf8Encode(key);
    if (bytes.byteLength > U16_MAX) throw new AmfError('AMF_UNENCODABLE', `name longer than ${U16_MAX} bytes`, { length: bytes.byteLength });
    writer.u16(bytes.byteLength).bytes(bytes);
  }

  /** §2.4 / §2.14: a string with a u16 length, or a long string when it does not fit. */
  private writeString(writer: ByteWriter, text: string): void {
    const bytes = utf8Encode(text);
    if (bytes.byteLength <= U16_MAX) {
      writer.u8(STRING).u16(bytes.byteLength).bytes(bytes);
    } else if (bytes.byteLength <= U32_MAX) {
      writer.u8(LONG_STRING).u32(bytes.byteLength).bytes(bytes);
    } else {
      throw new AmfError('AMF_UNENCODABLE', 'string longer than 4 GiB');
    }
  }
}

/**
 * The associative-count hint of §2.10, written the way Flash does: the ActionScript Array
 * length (one past the largest index key), 0 for a pure hash.
 */
function ecmaArrayLength(array: AmfEcmaArray): number {
  let length = array.dense.length;
  for (const key of array.entries.keys()) {
    if (/^(0|[1-9][0-9]{0,9})$/.test(key)) {
      const index = Number(key);
      if (index < U32_MAX && index + 1 > length) length = index + 1;
    }
  }
  return length;
}

/** Dense items plus named entries: how many pairs follow (FFmpeg's and nginx-rtmp's count). */
function ecmaEntryCount(array: AmfEcmaArray): number {
  return Math.min(U32_MAX, array.dense.length + array.entries.size);
}

/** Decodes every AMF0 value in `bytes`, in order, with one reference context. Throws only AmfError. */
export function decodeAmf0(bytes: Uint8Array, options?: AmfDecodeOptions): AmfValue[] {
  const reader = new ByteReader(bytes);
  const amf0 = new Amf0Reader(options);
  const values: AmfValue[] = [];
  while (reader.remaining > 0) values.push(amf0.readValue(reader));
  return values;
}

/** Encodes `values` one after another with one reference context. Throws only AmfError. */
export function encodeAmf0(values: readonly AmfValue[], options?: AmfEncodeOptions): Uint8Array {
  const writer = new ByteWriter();
  const amf0 = new Amf0Writer(options);
  for (const value of values) amf0.writeValue(writer, value);
  return writer.finish();
}

/** One value from `reader` with a fresh reference context. */
export function readAmf0Value(reader: ByteReader, options?: AmfDecodeOptions): AmfValue {
  return new Amf0Reader(options).readValue(reader);
}

/** One value to `writer` with a fresh reference context. */
export function writeAmf0Value(writer: ByteWriter, value: AmfValue, options?: AmfEncodeOptions): void {
  new Amf0Writer(options).writeValue(writer, value);
}
