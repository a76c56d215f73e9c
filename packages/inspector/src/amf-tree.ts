import { ByteReader } from '@rtmp-web/bytes';
import {
  Amf0Reader,
  amf3Codec,
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfInteger,
  AmfTypedObject,
  AmfUnsupported,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  type AmfValue,
} from '@rtmp-web/amf';

/** One node of a decoded AMF value, ready to show as an expandable tree. */
export interface AmfTreeNode {
  /** Property name, array index ("[0]") or argument label. */
  key: string;
  /** The wire type, e.g. "AMF0 ECMA array", "AMF3 integer". */
  type: string;
  /** A one-line rendering: the value for scalars, a count for containers. */
  preview: string;
  children?: AmfTreeNode[];
}

/** Deepest level expanded into nodes; deeper values show only a preview (decoders allow 64). */
const MAX_TREE_DEPTH = 32;
/** Children shown per container; the rest are summarised in one node. */
const MAX_CHILDREN = 500;

/**
 * Builds the tree of a decoded value with wire-type labels. `encoding` is the AMF version the
 * value was read with (AMF0 command/data messages, or AMF3 behind the 0x11 switch, AMF0 §2.18).
 * AMF3 integers decode to plain numbers, so an integral number in the U29 range is labelled
 * "integer" (the type a conforming AMF3 encoder picks for it) and any other number "double".
 */
export function amfTree(value: AmfValue, encoding: 0 | 3, key = '', depth = 0): AmfTreeNode {
  const v = `AMF${encoding}`;
  const node = (type: string, preview: string, children?: Array<[string, AmfValue]>): AmfTreeNode => {
    const result: AmfTreeNode = { key, type: `${v} ${type}`, preview };
    if (children && depth < MAX_TREE_DEPTH) {
      result.children = children.slice(0, MAX_CHILDREN).map(([k, child]) => amfTree(child, encoding, k, depth + 1));
      if (children.length > MAX_CHILDREN) {
        result.children.push({ key: '…', type: '', preview: `${children.length - MAX_CHILDREN} more not shown` });
      }
    }
    return result;
  };
  const indexed = (items: readonly AmfValue[]): Array<[string, AmfValue]> => items.map((item, i) => [`[${i}]`, item]);

  if (value === null) return node('null', 'null');
  if (value === undefined) return node('undefined', 'undefined');
  if (typeof value === 'number') {
    if (encoding === 3) {
      const integer = Number.isInteger(value) && !Object.is(value, -0) && value >= -0x10000000 && value <= 0x0fffffff;
      return node(integer ? 'integer' : 'double', formatNumber(value));
    }
    return node('number', formatNumber(value));
  }
  if (typeof value === 'boolean') return node(encoding === 3 ? (value ? 'true' : 'false') : 'boolean', String(value));
  if (typeof value === 'string') {
    const long = encoding === 0 && value.length > 0xffff / 3 && new TextEncoder().encode(value).byteLength > 0xffff;
    return node(long ? 'long string' : 'string', JSON.stringify(truncate(value, 200)));
  }
  if (value instanceof Date) return node('date', Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
  if (Array.isArray(value)) return node(encoding === 0 ? 'strict array' : 'array', `${value.length} item${value.length === 1 ? '' : 's'}`, indexed(value));
  if (value instanceof Uint8Array) return node('ByteArray', `${value.byteLength} bytes`);
  if (value instanceof AmfInteger) return node('integer', formatNumber(value.value));
  if (value instanceof AmfEcmaArray) {
    const children: Array<[string, AmfValue]> = [...indexed(value.dense), ...value.entries];
    return node(encoding === 0 ? 'ECMA array' : 'array (associative)', `${children.length} entr${children.length === 1 ? 'y' : 'ies'}`, children);
  }
  if (value instanceof AmfTypedObject) {
    const entries = Object.entries(value.properties);
    return node(encoding === 0 ? 'typed object' : value.dynamic ? 'object (dynamic)' : 'object (sealed)', `${value.className || '(anonymous)'} {${entries.length}}`, entries);
  }
  if (value instanceof AmfXmlDocument) return node('XML document', JSON.stringify(truncate(value.xml, 200)));
  if (value instanceof AmfXml) return node('XML', JSON.stringify(truncate(value.xml, 200)));
  if (value instanceof AmfVector) {
    const name = value.kind === 'double' ? 'Number' : value.kind === 'object' ? value.objectTypeName || 'Object' : value.kind;
    return node(`Vector.<${name}>${value.fixed ? ' (fixed)' : ''}`, `${value.items.length} items`, indexed(value.items));
  }
  if (value instanceof AmfDictionary) {
    const children: Array<[string, AmfValue]> = [...value.entries].map(([k, item]) => [keyText(k), item]);
    return node(`Dictionary${value.weakKeys ? ' (weak keys)' : ''}`, `${children.length} entries`, children);
  }
  if (value instanceof AmfUnsupported) return node('unsupported', '(unsupported)');
  if (value instanceof AmfExternalizable) return node('externalizable', value.className, [['data', value.data]]);
  const entries = Object.entries(value);
  return node(encoding === 0 ? 'object' : 'object (anonymous)', `{${entries.length}}`, entries);
}

/** A short single-line rendering of a value, for message summaries and the CLI trace. */
export function amfPreview(value: AmfValue, maxLength = 120): string {
  return truncate(previewOf(value, 0), maxLength);
}

function previewOf(value: AmfValue, depth: number): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth > 2) return '…';
  if (Array.isArray(value)) return `[${value.map((v) => previewOf(v, depth + 1)).join(', ')}]`;
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof AmfInteger) return formatNumber(value.value);
  if (value instanceof AmfEcmaArray) {
    return `{${[...value.dense.map((v, i) => [String(i), v] as const), ...value.entries].map(([k, v]) => `${k}: ${previewOf(v, depth + 1)}`).join(', ')}}`;
  }
  if (value instanceof AmfTypedObject) {
    return `${value.className}{${Object.entries(value.properties).map(([k, v]) => `${k}: ${previewOf(v, depth + 1)}`).join(', ')}}`;
  }
  if (value instanceof AmfXmlDocument || value instanceof AmfXml) return JSON.stringify(value.xml);
  if (value instanceof AmfVector) return `Vector[${value.items.map((v) => previewOf(v, depth + 1)).join(', ')}]`;
  if (value instanceof AmfDictionary) return `Dictionary(${value.entries.size})`;
  if (value instanceof AmfUnsupported) return 'unsupported';
  if (value instanceof AmfExternalizable) return `${value.className}(${previewOf(value.data, depth + 1)})`;
  return `{${Object.entries(value).map(([k, v]) => `${k}: ${previewOf(v, depth + 1)}`).join(', ')}}`;
}

/**
 * The named entries of an object-like value (AMF object, ECMA array, typed object) as a plain
 * record, e.g. onMetaData's properties, which encoders send as either.
 */
export function amfEntries(value: AmfValue): Record<string, AmfValue> | undefined {
  if (value instanceof AmfEcmaArray) {
    const out: Record<string, AmfValue> = {};
    value.dense.forEach((item, i) => (out[String(i)] = item));
    for (const [k, item] of value.entries) out[k] = item;
    return out;
  }
  if (value instanceof AmfTypedObject) return value.properties;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) return value as Record<string, AmfValue>;
  }
  return undefined;
}

function keyText(key: AmfValue): string {
  return typeof key === 'string' ? key : previewOf(key, 2);
}

function formatNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The AMF version of each top-level value of a command or data message body. AMF0 bodies
 * (types 18, 20) can switch single values to AMF3 with the 0x11 marker (AMF0 §3.1); AMF3 bodies
 * (types 15, 17) start with a 0x00 format byte, then AMF0 values of which some switch the same
 * way. Reading stops at the first malformed value; the values read so far are returned.
 */
export function topLevelEncodings(payload: Uint8Array, type: number): Array<0 | 3> {
  const reader = new ByteReader(payload);
  if ((type === 15 || type === 17) && payload[0] === 0x00) reader.skip(1);
  const amf0 = new Amf0Reader({ amf3: amf3Codec });
  const out: Array<0 | 3> = [];
  try {
    while (reader.remaining > 0) {
      out.push(reader.peekU8() === 0x11 ? 3 : 0);
      amf0.readValue(reader);
    }
  } catch {
    out.pop();
  }
  return out;
}
