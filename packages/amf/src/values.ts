/**
 * The JavaScript shapes of AMF values. Primitives map to primitives; everything that has no
 * native JavaScript twin gets a small class so that decoding and re-encoding keeps the
 * wire type (the full table is in docs/amf.md).
 */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | AmfValue[]
  | AmfObject
  | AmfEcmaArray
  | AmfTypedObject
  | AmfInteger
  | AmfXmlDocument
  | AmfXml
  | AmfByteArray
  | AmfVector
  | AmfDictionary
  | AmfUnsupported
  | AmfExternalizable;

/** A plain object: AMF0 anonymous object (0x03), AMF3 anonymous dynamic object. */
export interface AmfObject {
  [key: string]: AmfValue;
}

/** AMF3 ByteArray (0x0C). Decoded as a copy, so it stays valid after the input is reused. */
export type AmfByteArray = Uint8Array;

/**
 * An ActionScript Array with named entries: AMF0 ECMA array (0x08) or an AMF3 array (0x09)
 * whose associative part is not empty. `entries` keeps wire order for every key, including
 * ordinal ones like "0" (a plain object would reorder those).
 */
export class AmfEcmaArray {
  /** Named entries in wire order. After an AMF0 decode every entry is here, ordinal keys too. */
  readonly entries: Map<string, AmfValue>;
  /**
   * The dense part (indexes 0..n-1), AMF3 only; always empty after an AMF0 decode. AMF0 has
   * no dense part, so the AMF0 encoder writes it as keys "0".."n-1" before `entries`.
   */
  readonly dense: AmfValue[];

  constructor(entries: Iterable<readonly [string, AmfValue]> | Record<string, AmfValue> = [], dense: AmfValue[] = []) {
    this.entries = new Map(isIterable(entries) ? entries : Object.entries(entries));
    this.dense = dense;
  }
}

export interface AmfTypedObjectTraits {
  /** Sealed member names in wire order (AMF3 §3.12). Default: every key of `properties`. */
  sealedMembers?: readonly string[];
  /** Whether members beyond the sealed ones may follow (AMF3 dynamic traits). Default false. */
  dynamic?: boolean;
}

/**
 * An object with a class name (AMF0 typed object 0x10, AMF3 object with a class name or
 * with sealed members). The traits are kept so AMF3 re-encodes the same trait record.
 */
export class AmfTypedObject {
  readonly className: string;
  readonly properties: AmfObject;
  readonly sealedMembers: readonly string[];
  readonly dynamic: boolean;

  constructor(className: string, properties: AmfObject = {}, traits: AmfTypedObjectTraits = {}) {
    this.className = className;
    this.properties = properties;
    this.sealedMembers = traits.sealedMembers ?? Object.keys(properties);
    this.dynamic = traits.dynamic ?? false;
  }
}

/** The smallest AMF3 integer (AMF3 §1.3.1: 29-bit two's complement). */
export const AMF3_INTEGER_MIN = -0x10000000;
/** The largest AMF3 integer. */
export const AMF3_INTEGER_MAX = 0x0fffffff;

/**
 * Forces the AMF3 integer marker (0x04). Plain numbers already use it when they are integers in
 * AMF3_INTEGER_MIN..AMF3_INTEGER_MAX (and not -0), so this wrapper is only needed to make the
 * intent explicit; the encoder refuses a wrapped value outside that range. AMF0 writes it as a
 * number. Decoders never produce it: AMF3 integers decode to plain numbers.
 */
export class AmfInteger {
  constructor(readonly value: number) {}
}

/** flash.xml.XMLDocument: AMF0 xml-document (0x0F), AMF3 XMLDocument (0x07). */
export class AmfXmlDocument {
  /** Type-only brand (no runtime field): keeps it distinct from AmfXml, which has the same shape. */
  declare private readonly xmlDocumentBrand: void;
  constructor(readonly xml: string) {}
}

/** E4X XML (AMF3 0x0B). AMF0 has no such type: the AMF0 encoder switches to AMF3 for it. */
export class AmfXml {
  declare private readonly xmlBrand: void;
  constructor(readonly xml: string) {}
}

export type AmfVectorKind = 'int' | 'uint' | 'double' | 'object';

/** AMF3 Vector.<int> (0x0D), Vector.<uint> (0x0E), Vector.<Number> (0x0F), Vector.<Object> (0x10). */
export class AmfVector {
  constructor(
    readonly kind: AmfVectorKind,
    readonly items: AmfValue[] = [],
    /** A fixed-length vector (AMF3 §3.15). */
    readonly fixed = false,
    /** Object vectors only: the element class name, "" for Vector.<Object> (or "*"). */
    readonly objectTypeName = '',
  ) {}
}

/** AMF3 Dictionary (0x11): keys may be any value, compared by identity like flash.utils.Dictionary. */
export class AmfDictionary {
  readonly entries: Map<AmfValue, AmfValue>;

  constructor(entries: Iterable<readonly [AmfValue, AmfValue]> = [], readonly weakKeys = false) {
    this.entries = new Map(entries);
  }
}

/** AMF0 unsupported-marker (0x0D): a value the sender could not serialise. */
export class AmfUnsupported {
  /**
   * Type-only brand (no runtime field). An empty class is structurally `{}`, which would let
   * any object pass as an AmfValue.
   */
  declare private readonly unsupportedBrand: void;
}

/**
 * An AMF3 externalizable object (IExternalizable, traits flag 0b0111): the class name and
 * whatever its codec's `read` returned (for flex.messaging.io.ArrayCollection: the source array).
 */
export class AmfExternalizable {
  constructor(
    readonly className: string,
    public data: AmfValue,
  ) {}
}

function isIterable(value: unknown): value is Iterable<readonly [string, AmfValue]> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** True for `{}`-like objects (prototype Object.prototype or null), the only ones encoded as AMF objects. */
export function isPlainObject(value: object): value is AmfObject {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Stores a decoded property without letting a key such as "__proto__" change the object's
 * prototype (a decoded payload must never be able to do that).
 */
export function setOwn(target: AmfObject, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
