import { ByteReader, ByteWriter, utf8Encode } from '@rtmp-web/bytes';
import { AmfError, assertFits, depthExceeded, toAmfError, unknownMarker, withAmfErrors } from './errors';
import { defaultExternalizables, type ExternalizableRegistry } from './externalizable';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFERENCES, type Amf3Codec, type AmfDecodeOptions, type AmfEncodeOptions } from './options';
import {
  AMF3_INTEGER_MAX,
  AMF3_INTEGER_MIN,
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfInteger,
  AmfTypedObject,
  AmfUnsupported,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  isPlainObject,
  setOwn,
  type AmfObject,
  type AmfValue,
  type AmfVectorKind,
} from './values';
import {
  UNDEFINED,
  NULL,
  FALSE,
  TRUE,
  INTEGER,
  DOUBLE,
  STRING,
  XML_DOCUMENT,
  DATE,
  ARRAY,
  OBJECT,
  XML,
  BYTE_ARRAY,
  VECTOR_INT,
  VECTOR_UINT,
  VECTOR_DOUBLE,
  VECTOR_OBJECT,
  DICTIONARY,
} from './amf3-markers';

/** AMF3 type markers (AMF3 §3.1). */
export const Amf3Marker = {
  Undefined: UNDEFINED,
  Null: NULL,
  False: FALSE,
  True: TRUE,
  Integer: INTEGER,
  Double: DOUBLE,
  String: STRING,
  XmlDocument: XML_DOCUMENT,
  Date: DATE,
  Array: ARRAY,
  Object: OBJECT,
  Xml: XML,
  ByteArray: BYTE_ARRAY,
  VectorInt: VECTOR_INT,
  VectorUint: VECTOR_UINT,
  VectorDouble: VECTOR_DOUBLE,
  VectorObject: VECTOR_OBJECT,
  Dictionary: DICTIONARY,
} as const;

/** Vector element kinds in marker order, from VECTOR_INT (AMF3 §3.15). */
const VECTOR_KINDS: readonly AmfVectorKind[] = ['int', 'uint', 'double', 'object'];

/** The largest value a U29 can hold (AMF3 §1.3.1). */
const U29_MAX = 0x1fffffff;

/** A trait record (AMF3 §3.12): what the object-traits table holds. */
interface Traits {
  className: string;
  sealedMembers: string[];
  dynamic: boolean;
  externalizable: boolean;
}

/**
 * U29 (AMF3 §1.3.1): up to three bytes of 7 bits with the high bit as "more follows",
 * then a fourth byte that contributes all 8 bits.
 */
export function readU29(reader: ByteReader): number {
  let result = 0;
  for (let i = 0; i < 3; i++) {
    const byte = reader.u8();
    if (byte < 0x80) return (result << 7) | byte;
    result = (result << 7) | (byte & 0x7f);
  }
  return (result << 8) | reader.u8();
}

export function writeU29(writer: ByteWriter, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > U29_MAX) {
    throw new AmfError('AMF_UNENCODABLE', `${value} does not fit in a U29`, { value });
  }
  if (value < 0x80) {
    writer.u8(value);
  } else if (value < 0x4000) {
    writer.u8((value >>> 7) | 0x80).u8(value & 0x7f);
  } else if (value < 0x200000) {
    writer.u8((value >>> 14) | 0x80).u8(((value >>> 7) & 0x7f) | 0x80).u8(value & 0x7f);
  } else {
    writer
      .u8((value >>> 22) | 0x80)
      .u8(((value >>> 15) & 0x7f) | 0x80)
      .u8(((value >>> 8) & 0x7f) | 0x80)
      .u8(value & 0xff);
  }
}

/** Whether a JS number is written with the AMF3 integer marker (otherwise as a double). */
export function isAmf3Integer(value: number): boolean {
  return Number.isInteger(value) && value >= AMF3_INTEGER_MIN && value <= AMF3_INTEGER_MAX && !Object.is(value, -0);
}

/**
 * Reads AMF3 values from a ByteReader, one at a time. The three reference tables (strings,
 * objects, traits; AMF3 §2.2) live as long as this reader, so read every value of one
 * context through the same instance. After an error the tables are in an unknown state:
 * start a new reader.
 */
export class Amf3Reader {
  private readonly strings: string[] = [];
  private readonly objects: AmfValue[] = [];
  private readonly traits: Traits[] = [];
  private readonly maxDepth: number;
  private readonly maxReferences: number;
  private readonly externalizables: ExternalizableRegistry;

  constructor(options: AmfDecodeOptions = {}) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxReferences = options.maxReferences ?? DEFAULT_MAX_REFERENCES;
    this.externalizables = options.externalizables ?? defaultExternalizables;
  }

  /** Reads one value (marker included). Throws only AmfError. */
  readValue(reader: ByteReader): AmfValue {
    return withAmfErrors(() => this.readValueAtDepth(reader, 0));
  }

  /** @internal Used by the AMF0 reader after an AVM+ switch, so depth keeps counting. */
  readValueAtDepth(reader: ByteReader, depth: number): AmfValue {
    const marker = reader.u8();
    switch (marker) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INTEGER: {
        // §3.6: a 29-bit two's complement value; bit 28 is the sign.
        const raw = readU29(reader);
        return raw & 0x10000000 ? raw - 0x20000000 : raw;
      }
      case DOUBLE:
        return reader.f64();
      case STRING:
        return this.readString(reader);
    }
    if (marker > DICTIONARY) throw unknownMarker('AMF3', marker, reader.position - 1);
    // §3.9-§3.16: every other type starts with a U29 whose low bit 0 makes the rest an index
    // into the object table; with bit 0 set the rest is a length, count or trait information.
    const header = readU29(reader);
    if ((header & 1) === 0) return this.objectReference(header >>> 1);
    const length = header >>> 1;
    let value: AmfValue;
    switch (marker) {
      case XML_DOCUMENT:
      case XML: {
        // §3.9, §3.13: the byte length, then UTF-8; both kinds sit in the object table.
        const text = reader.utf8(length);
        value = marker === XML ? new AmfXml(text) : new AmfXmlDocument(text);
        break;
      }
      case DATE:
        // §3.10: only the inline flag, then milliseconds since the epoch (UTC).
        value = new Date(reader.f64());
        break;
      case BYTE_ARRAY:
        // §3.14: raw bytes, copied so the value outlives the input buffer.
        value = reader.bytesCopy(length);
        break;
      default:
        // Containers: arrays, objects, vectors and dictionaries count towards maxDepth.
        if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
        if (marker === ARRAY) return this.readArray(reader, length, depth);
        if (marker === OBJECT) return this.readObject(reader, header, depth);
        if (marker === DICTIONARY) return this.readDictionary(reader, length, depth);
        return this.readVector(reader, VECTOR_KINDS[marker - VECTOR_INT]!, length, depth);
    }
    this.remember(this.objects, value, 'object');
    return value;
  }

  /** §3.8 UTF-8-vr: a reference or an inline string; the empty string is never put in the table. */
  private readString(reader: ByteReader): string {
    const header = readU29(reader);
    if ((header & 1) === 0) {
      const index = header >>> 1;
      const text = this.strings[index];
      if (text === undefined) throw this.badReference('string', index, this.strings.length);
      return text;
    }
    const length = header >>> 1;
    if (length === 0) return '';
    const text = reader.utf8(length);
    this.remember(this.strings, text, 'string');
    return text;
  }

  /** §3.11: dense count, associative pairs up to the empty key, then the dense values. */
  private readArray(reader: ByteReader, denseCount: number, depth: number): AmfValue {
    assertFits(denseCount, 1, reader.remaining, 'AMF3 array');
    let key = this.readString(reader);
    if (key === '') {
      const array: AmfValue[] = [];
      this.remember(this.objects, array, 'object');
      for (let i = 0; i < denseCount; i++) array.push(this.readValueAtDepth(reader, depth + 1));
      return array;
    }
    const mixed = new AmfEcmaArray();
    this.remember(this.objects, mixed, 'object');
    while (key !== '') {
      mixed.entries.set(key, this.readValueAtDepth(reader, depth + 1));
      key = this.readString(reader);
    }
    assertFits(denseCount, 1, reader.remaining, 'AMF3 array');
    for (let i = 0; i < denseCount; i++) mixed.dense.push(this.readValueAtDepth(reader, depth + 1));
    return mixed;
  }

  /** §3.12: U29O (object reference, traits reference, externalizable or inline traits). */
  private readObject(reader: ByteReader, header: number, depth: number): AmfValue {
    const traits = this.readTraits(reader, header);

    if (traits.externalizable) {
      const codec = this.externalizables.get(traits.className);
      if (!codec) {
        throw new AmfError('AMF_UNKNOWN_EXTERNALIZABLE', `no externalizable codec for class "${traits.className}"`, {
          className: traits.className,
        });
      }
      const external = new AmfExternalizable(traits.className, undefined);
      this.remember(this.objects, external, 'object');
      try {
        external.data = codec.read({ bytes: reader, readValue: () => this.readValueAtDepth(reader, depth + 1) });
      } catch (error) {
        throw wrapCodecError(error, traits.className);
      }
      return external;
    }

    const properties: AmfObject = {};
    // An anonymous dynamic object with no sealed members is just a plain object; anything
    // else keeps its traits so that it re-encodes to the same trait record.
    const plain = traits.className === '' && traits.dynamic && traits.sealedMembers.length === 0;
    const result = plain
      ? properties
      : new AmfTypedObject(traits.className, properties, { sealedMembers: traits.sealedMembers, dynamic: traits.dynamic });
    this.remember(this.objects, result, 'object');
    for (const name of traits.sealedMembers) setOwn(properties, name, this.readValueAtDepth(reader, depth + 1));
    if (traits.dynamic) {
      for (let key = this.readString(reader); key !== ''; key = this.readString(reader)) {
        setOwn(properties, key, this.readValueAtDepth(reader, depth + 1));
      }
    }
    return result;
  }

  private readTraits(reader: ByteReader, header: number): Traits {
    if ((header & 2) === 0) {
      const index = header >>> 2;
      const traits = this.traits[index];
      if (!traits) throw this.badReference('traits', index, this.traits.length);
      return traits;
    }
    let traits: Traits;
    if ((header & 4) !== 0) {
      // U29O-traits-ext: the remaining bits carry nothing; the class alone knows its body.
      traits = { className: this.readString(reader), sealedMembers: [], dynamic: false, externalizable: true };
    } else {
      const count = header >>> 4;
      const className = this.readString(reader);
      assertFits(count, 1, reader.remaining, 'AMF3 traits');
      const sealedMembers: string[] = [];
      for (let i = 0; i < count; i++) sealedMembers.push(this.readString(reader));
      traits = { className, sealedMembers, dynamic: (header & 8) !== 0, externalizable: false };
    }
    this.remember(this.traits, traits, 'traits');
    return traits;
  }

  /** §3.15: U29V (count), fixed flag, (object type name), items. */
  private readVector(reader: ByteReader, kind: AmfVectorKind, count: number, depth: number): AmfValue {
    const fixed = reader.u8() !== 0;
    const typeName = kind === 'object' ? this.readString(reader) : '';
    const items: AmfValue[] = [];
    const vector = new AmfVector(kind, items, fixed, typeName);
    this.remember(this.objects, vector, 'object');
    const what = `AMF3 Vector.<${kind === 'double' ? 'Number' : kind === 'object' ? 'Object' : kind}>`;
    if (kind === 'object') {
      assertFits(count, 1, reader.remaining, what);
      for (let i = 0; i < count; i++) items.push(this.readValueAtDepth(reader, depth + 1));
    } else {
      assertFits(count, kind === 'double' ? 8 : 4, reader.remaining, what);
      for (let i = 0; i < count; i++) items.push(kind === 'int' ? reader.i32() : kind === 'uint' ? reader.u32() : reader.f64());
    }
    return vector;
  }

  /** §3.16: U29Dict, weak-keys flag, then key/value pairs. */
  private readDictionary(reader: ByteReader, count: number, depth: number): AmfValue {
    const dictionary = new AmfDictionary([], reader.u8() !== 0);
    this.remember(this.objects, dictionary, 'object');
    assertFits(count, 2, reader.remaining, 'AMF3 Dictionary');
    for (let i = 0; i < count; i++) {
      const key = this.readValueAtDepth(reader, depth + 1);
      dictionary.entries.set(key, this.readValueAtDepth(reader, depth + 1));
    }
    return dictionary;
  }

  private objectReference(index: number): AmfValue {
    if (index >= this.objects.length) throw this.badReference('object', index, this.objects.length);
    return this.objects[index];
  }

  private remember<T>(table: T[], value: T, kind: string): void {
    if (table.length >= this.maxReferences) {
      throw new AmfError('AMF_LIMIT_EXCEEDED', `more than ${this.maxReferences} ${kind} references`, {
        table: kind,
        maxReferences: this.maxReferences,
      });
    }
    table.push(value);
  }

  private badReference(table: string, index: number, size: number): AmfError {
    return new AmfError('AMF_BAD_REFERENCE', `${table} reference ${index} but the table holds ${size}`, {
      table,
      index,
      size,
    });
  }
}

/**
 * Writes AMF3 values, emitting references for repeated strings (by value), objects (by
 * identity) and trait records (by class name, sealed members, dynamic flag), AMF3 §2.2.
 * One instance is one reference context.
 */
export class Amf3Writer {
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private readonly traits = new Map<string, number>();
  private readonly maxDepth: number;
  private readonly externalizables: ExternalizableRegistry;

  constructor(options: AmfEncodeOptions = {}) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.externalizables = options.externalizables ?? defaultExternalizables;
  }

  /** Writes one value (marker included). Throws only AmfError. */
  writeValue(writer: ByteWriter, value: AmfValue): void {
    withAmfErrors(() => this.writeValueAtDepth(writer, value, 0));
  }

  /** @internal Used by the AMF0 writer after an AVM+ switch. */
  writeValueAtDepth(writer: ByteWriter, value: AmfValue, depth: number): void {
    switch (typeof value) {
      case 'undefined':
        writer.u8(UNDEFINED);
        return;
      case 'boolean':
        writer.u8(value ? TRUE : FALSE);
        return;
      case 'number':
        if (isAmf3Integer(value)) {
          writer.u8(INTEGER);
          writeU29(writer, value & U29_MAX);
        } else {
          writer.u8(DOUBLE).f64(value);
        }
        return;
      case 'string':
        writer.u8(STRING);
        this.writeString(writer, value);
        return;
      case 'object':
        if (value === null) {
          writer.u8(NULL);
          return;
        }
        this.writeObjectLike(writer, value, depth);
        return;
      default:
        throw unencodable(`a ${typeof value} has no AMF3 form`);
    }
  }

  private writeObjectLike(writer: ByteWriter, value: object, depth: number): void {
    if (value instanceof AmfInteger) {
      if (!isAmf3Integer(value.value)) throw unencodable(`AmfInteger ${value.value} is outside the AMF3 integer range`);
      writer.u8(INTEGER);
      writeU29(writer, value.value & U29_MAX);
      return;
    }
    if (value instanceof AmfUnsupported) throw unencodable('AMF3 has no unsupported marker');
    const marker = markerOf(value);
    if (marker === undefined) throw unencodable(`objects of class ${value.constructor?.name ?? '?'} have no AMF form`);
    writer.u8(marker);
    if (this.writeReference(writer, value)) return;

    if (value instanceof Date) {
      writer.u8(1).f64(value.getTime());
    } else if (value instanceof Uint8Array) {
      writeU29(writer, (value.byteLength << 1) | 1);
      writer.bytes(value);
    } else if (value instanceof AmfXml || value instanceof AmfXmlDocument) {
      const bytes = utf8Encode(value.xml);
      writeU29(writer, (checkLength(bytes.byteLength) << 1) | 1);
      writer.bytes(bytes);
    } else {
      if (depth >= this.maxDepth) throw depthExceeded(this.maxDepth);
      const next = depth + 1;
      if (Array.isArray(value)) {
        writeU29(writer, (checkLength(value.length) << 1) | 1);
        writer.u8(1); // empty associative part
        for (const item of value) this.writeValueAtDepth(writer, item as AmfValue, next);
      } else if (value instanceof AmfEcmaArray) {
        writeU29(writer, (checkLength(value.dense.length) << 1) | 1);
        for (const [key, item] of value.entries) {
          if (key === '') throw unencodable('an AMF3 associative array key cannot be "" (it ends the list)');
          this.writeString(writer, key);
          this.writeValueAtDepth(writer, item, next);
        }
        writer.u8(1);
        for (const item of value.dense) this.writeValueAtDepth(writer, item, next);
      } else if (value instanceof AmfTypedObject) {
        this.writeTypedObject(writer, value, next);
      } else if (value instanceof AmfExternalizable) {
        this.writeExternalizable(writer, value, next);
      } else if (value instanceof AmfVector) {
        this.writeVector(writer, value, next);
      } else if (value instanceof AmfDictionary) {
        writeU29(writer, (checkLength(value.entries.size) << 1) | 1);
        writer.u8(value.weakKeys ? 1 : 0);
        for (const [key, item] of value.entries) {
          this.writeValueAtDepth(writer, key, next);
          this.writeValueAtDepth(writer, item, next);
        }
      } else {
        // A plain object: anonymous, dynamic, no sealed members.
        this.writeTraits(writer, '', [], true, false);
        this.writeDynamicMembers(writer, value as AmfObject, Object.keys(value), next);
      }
    }
  }

  private writeTypedObject(writer: ByteWriter, value: AmfTypedObject, depth: number): void {
    const sealed = new Set(value.sealedMembers);
    const extra = Object.keys(value.properties).filter((key) => !sealed.has(key));
    if (!value.dynamic && extra.length > 0) {
      throw unencodable(`sealed object of class "${value.className}" has members outside its traits: ${extra.join(', ')}`);
    }
    this.writeTraits(writer, value.className, value.sealedMembers, value.dynamic, false);
    for (const name of value.sealedMembers) {
      this.writeValueAtDepth(writer, Object.hasOwn(value.properties, name) ? value.properties[name] : undefined, depth);
    }
    if (value.dynamic) this.writeDynamicMembers(writer, value.properties, extra, depth);
  }

  private writeDynamicMembers(writer: ByteWriter, properties: AmfObject, keys: readonly string[], depth: number): void {
    for (const key of keys) {
      if (key === '') throw unencodable('an AMF3 dynamic member name cannot be "" (it ends the list)');
      this.writeString(writer, key);
      this.writeValueAtDepth(writer, properties[key], depth);
    }
    writer.u8(1);
  }

  private writeExternalizable(writer: ByteWriter, value: AmfExternalizable, depth: number): void {
    const codec = this.externalizables.get(value.className);
    if (!codec) {
      throw new AmfError('AMF_UNKNOWN_EXTERNALIZABLE', `no externalizable codec for class "${value.className}"`, {
        className: value.className,
      });
    }
    this.writeTraits(writer, value.className, [], false, true);
    try {
      codec.write({ bytes: writer, writeValue: (item) => this.writeValueAtDepth(writer, item, depth) }, value.data);
    } catch (error) {
      throw wrapCodecError(error, value.className);
    }
  }

  private writeVector(writer: ByteWriter, value: AmfVector, depth: number): void {
    writeU29(writer, (checkLength(value.items.length) << 1) | 1);
    writer.u8(value.fixed ? 1 : 0);
    if (value.kind === 'object') {
      this.writeString(writer, value.objectTypeName);
      for (const item of value.items) this.writeValueAtDepth(writer, item, depth);
      return;
    }
    for (const item of value.items) {
      if (typeof item !== 'number') throw unencodable(`Vector.<${value.kind}> item is not a number`);
      if (value.kind === 'double') writer.f64(item);
      else if (value.kind === 'int') writer.i32(checkVectorItem(item, -0x80000000, 0x7fffffff, 'int'));
      else writer.u32(checkVectorItem(item, 0, 0xffffffff, 'uint'));
    }
  }

  private writeTraits(
    writer: ByteWriter,
    className: string,
    sealedMembers: readonly string[],
    dynamic: boolean,
    externalizable: boolean,
  ): void {
    const key = JSON.stringify([className, dynamic, externalizable, sealedMembers]);
    const index = this.traits.get(key);
    if (index !== undefined) {
      writeU29(writer, (index << 2) | 0b01); // inline object, traits by reference
      return;
    }
    if (this.traits.size <= U29_MAX >>> 2) this.traits.set(key, this.traits.size);
    if (externalizable) {
      writeU29(writer, 0b0111);
    } else {
      if (sealedMembers.length > U29_MAX >>> 4) throw unencodable('too many sealed members');
      writeU29(writer, (sealedMembers.length << 4) | (dynamic ? 0b1000 : 0) | 0b0011);
    }
    this.writeString(writer, className);
    for (const name of sealedMembers) this.writeString(writer, name);
  }

  private writeString(writer: ByteWriter, text: string): void {
    if (text === '') {
      writer.u8(1);
      return;
    }
    const index = this.strings.get(text);
    if (index !== undefined) {
      writeU29(writer, index << 1);
      return;
    }
    if (this.strings.size <= U29_MAX >>> 1) this.strings.set(text, this.strings.size);
    const bytes = utf8Encode(text);
    writeU29(writer, (checkLength(bytes.byteLength) << 1) | 1);
    writer.bytes(bytes);
  }

  /** Writes an object reference and returns true, or registers `value` and returns false. */
  private writeReference(writer: ByteWriter, value: object): boolean {
    const index = this.objects.get(value);
    if (index !== undefined) {
      writeU29(writer, index << 1);
      return true;
    }
    if (this.objects.size <= U29_MAX >>> 1) this.objects.set(value, this.objects.size);
    return false;
  }
}

/** The AMF3 marker of an object-like value, or undefined when it has none. */
function markerOf(value: object): number | undefined {
  if (Array.isArray(value) || value instanceof AmfEcmaArray) return ARRAY;
  if (value instanceof Date) return DATE;
  if (value instanceof Uint8Array) return BYTE_ARRAY;
  if (value instanceof AmfXml) return XML;
  if (value instanceof AmfXmlDocument) return XML_DOCUMENT;
  if (value instanceof AmfTypedObject || value instanceof AmfExternalizable) return OBJECT;
  if (value instanceof AmfDictionary) return DICTIONARY;
  if (value instanceof AmfVector) {
    const index = VECTOR_KINDS.indexOf(value.kind);
    return index < 0 ? undefined : VECTOR_INT + index;
  }
  if (isPlainObject(value)) return OBJECT;
  return undefined;
}

/** Lengths and counts are U28 (a U29 with the inline flag in bit 0). */
function checkLength(length: number): number {
  if (length > U29_MAX >>> 1) throw unencodable(`length ${length} exceeds the AMF3 limit of ${U29_MAX >>> 1}`);
  return length;
}

function checkVectorItem(item: number, min: number, max: number, kind: string): number {
  if (!Number.isInteger(item) || item < min || item > max) throw unencodable(`${item} is not a valid ${kind}`);
  return item;
}

function unencodable(message: string): AmfError {
  return new AmfError('AMF_UNENCODABLE', message);
}

/** Codec errors: AmfError and ByteReader/Writer errors keep their meaning; anything else is wrapped. */
function wrapCodecError(error: unknown, className: string): AmfError {
  try {
    return toAmfError(error);
  } catch {
    return new AmfError('AMF_EXTERNALIZABLE_FAILED', `externalizable codec for "${className}" failed`, { className }, error);
  }
}

/** Decodes every AMF3 value in `bytes`, in order, with one reference context. Throws only AmfError. */
export function decodeAmf3(bytes: Uint8Array, options?: AmfDecodeOptions): AmfValue[] {
  const reader = new ByteReader(bytes);
  const amf3 = new Amf3Reader(options);
  const values: AmfValue[] = [];
  while (reader.remaining > 0) values.push(amf3.readValue(reader));
  return values;
}

/** Encodes `values` one after another with one reference context. Throws only AmfError. */
export function encodeAmf3(values: readonly AmfValue[], options?: AmfEncodeOptions): Uint8Array {
  const writer = new ByteWriter();
  const amf3 = new Amf3Writer(options);
  for (const value of values) amf3.writeValue(writer, value);
  return writer.finish();
}

/** One value from `reader` with a fresh reference context. */
export function readAmf3Value(reader: ByteReader, options?: AmfDecodeOptions): AmfValue {
  return new Amf3Reader(options).readValue(reader);
}

/** One value to `writer` with a fresh reference context. */
export function writeAmf3Value(writer: ByteWriter, value: AmfValue, options?: AmfEncodeOptions): void {
  new Amf3Writer(options).writeValue(writer, value);
}

/**
 * The AMF3 codec, for the `amf3` option of the AMF0 codec (AVM+ switch, AMF0 §3.1) and of the
 * RTMP session. Importing it is what brings AMF3 into a bundle.
 */
export const amf3Codec: Amf3Codec = {
  reader: (options) => new Amf3Reader(options),
  writer: (options) => new Amf3Writer(options),
  isAmf3Only: (value) =>
    value instanceof AmfXml || value instanceof Uint8Array || value instanceof AmfVector || value instanceof AmfDictionary || value instanceof AmfExternalizable,
};
