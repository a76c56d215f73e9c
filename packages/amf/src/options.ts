import type { ExternalizableRegistry } from './externalizable';

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
   * Default true; false makes them AMF_UNENCODABLE.
   */
  avmPlus?: boolean;
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
