import type { ByteReader, ByteWriter } from '@rtmp-web/bytes';
import type { ExternalizableRegistry } from './externalizable';
import type { AmfValue } from './values';

/** One AMF3 reading context (the three reference tables of AMF3 §2.2), as an AVM+ switch needs it. */
export interface Amf3ValueReader {
  /** Reads one AMF3 value (marker included). Throws only AmfError. */
  readValue(reader: ByteReader): AmfValue;
  /** Reads one AMF3 value (marker included) `depth` containers deep. */
  readValueAtDepth(reader: ByteReader, depth: number): AmfValue;
}

/** One AMF3 writing context, as an AVM+ switch needs it. */
export interface Amf3ValueWriter {
  /** Writes one AMF3 value (marker included). Throws only AmfError. */
  writeValue(writer: ByteWriter, value: AmfValue): void;
  /** Writes one AMF3 value (marker included) `depth` containers deep. */
  writeValueAtDepth(writer: ByteWriter, value: AmfValue, depth: number): void;
}

/**
 * AMF3 support for the AMF0 codec: what it needs for the AVM+ switch (0x11, AMF0 §3.1), the only
 * place AMF0 meets AMF3. It is an option, not an import, so that an AMF0-only client (the RTMP
 * default object encoding) does not carry the AMF3 codec: pass `amf3Codec` to enable it.
 */
export interface Amf3Codec {
  /** A new AMF3 reading context. */
  reader(options: AmfDecodeOptions): Amf3ValueReader;
  /** A new AMF3 writing context. */
  writer(options: AmfEncodeOptions): Amf3ValueWriter;
  /** Whether `value` exists only in AMF3 (XML, ByteArray, Vector, Dictionary, externalizable), so AMF0 writes it behind the switch. */
  isAmf3Only(value: object): boolean;
}

export interface AmfDecodeOptions {
  /** Deepest nesting of containers accepted. Default 64. */
  maxDepth?: number;
  /** Most entries any one reference table (AMF0 objects; AMF3 strings, objects, traits) may hold. Default 1,048,576. */
  maxReferences?: number;
  /** Codecs for AMF3 externalizable classes. Default: the built-ins (flex.messaging.io.ArrayCollection, ArrayList, ObjectProxy). */
  externalizables?: ExternalizableRegistry;
  /**
   * AMF0 only: when the input ends where the next key of an object or ECMA array would start,
   * end the container instead of failing (some encoders drop the final 00 00 09). Default false.
   */
  allowMissingObjectEnd?: boolean;
  /**
   * AMF0 only: keep one AMF3 context (reference tables) across every AVM+ switch (0x11) read by
   * one reader, instead of a fresh context per switched value. Default false.
   */
  shareAmf3Context?: boolean;
  /**
   * AMF0 only: the AMF3 codec (`amf3Codec`) that reads a value behind an AVM+ switch (0x11).
   * Without it such a value fails with AMF_AMF3_NOT_ENABLED. Default: none.
   */
  amf3?: Amf3Codec;
}

export interface AmfEncodeOptions {
  /** Deepest nesting of containers written. Default 64. */
  maxDepth?: number;
  /** Codecs for AMF3 externalizable classes. Default: the built-ins. */
  externalizables?: ExternalizableRegistry;
  /**
   * AMF0 only: write a repeated object (same identity) as a reference (0x07). Default false,
   * because several RTMP servers do not read AMF0 references; cycles then are AMF_UNENCODABLE.
   */
  references?: boolean;
  /**
   * AMF0 only: values that AMF0 cannot express (AmfXml, Uint8Array, AmfVector, AmfDictionary,
   * AmfExternalizable) are written as an AVM+ switch (0x11) followed by the AMF3 value.
   * Default true; false, or no `amf3` codec, makes them AMF_UNENCODABLE.
   */
  avmPlus?: boolean;
  /**
   * AMF0 only: the AMF3 codec (`amf3Codec`) that writes values behind an AVM+ switch. Without it
   * `writeAvmPlus` fails with AMF_AMF3_NOT_ENABLED, and AMF3-only values are AMF_UNENCODABLE
   * (AMF0 has no form for them; the message says to pass `amf3`). Default: none.
   */
  amf3?: Amf3Codec;
  /** AMF0 only: share one AMF3 context across all AVM+ switches of one writer. Default false. */
  shareAmf3Context?: boolean;
  /**
   * AMF0 only: the count written before an ECMA array's entries, a hint every reader ignores
   * (AMF0 §2.10). 'array-length' (default) is what Flash writes: one past the largest index
   * key, 0 for a pure hash. 'entry-count' is what FFmpeg and nginx-rtmp write in onMetaData.
   */
  ecmaArrayCount?: 'array-length' | 'entry-count';
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_REFERENCES = 1 << 20;
