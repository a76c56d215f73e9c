import {
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfInteger,
  AmfTypedObject,
  AmfUnsupported,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
} from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';
import { toHex } from '@rtmp-web/bytes';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * AMF values as plain JSON, for `probe --json`: ECMA arrays and typed objects become objects,
 * dates ISO strings, byte arrays hex strings, vectors arrays, dictionaries arrays of [key, value],
 * undefined and unsupported null. Non-finite numbers become null (JSON has no NaN).
 */
export function amfToJson(value: AmfValue, depth = 0): JsonValue {
  if (depth > 64) return null;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map((item) => amfToJson(item, depth + 1));
  if (value instanceof Uint8Array) return toHex(value);
  if (value instanceof AmfInteger) return value.value;
  if (value instanceof AmfXml || value instanceof AmfXmlDocument) return value.xml;
  if (value instanceof AmfUnsupported) return null;
  if (value instanceof AmfVector) return value.items.map((item) => amfToJson(item, depth + 1));
  if (value instanceof AmfDictionary) return [...value.entries].map(([k, v]) => [amfToJson(k, depth + 1), amfToJson(v, depth + 1)]);
  if (value instanceof AmfExternalizable) return { className: value.className, data: amfToJson(value.data, depth + 1) };
  const out: { [key: string]: JsonValue } = {};
  if (value instanceof AmfEcmaArray) {
    value.dense.forEach((item, index) => (out[String(index)] = amfToJson(item, depth + 1)));
    for (const [key, entry] of value.entries) out[key] = amfToJson(entry, depth + 1);
    return out;
  }
  const properties = value instanceof AmfTypedObject ? value.properties : value;
  for (const [key, entry] of Object.entries(properties)) out[key] = amfToJson(entry, depth + 1);
  return out;
}

/** A short one-line rendering of AMF values for trace lines: JSON-ish, cut at `maxLength` characters. */
export function summarizeAmf(values: readonly AmfValue[], maxLength = 240): string {
  const text = values.map((value) => JSON.stringify(amfToJson(value)) ?? 'null').join(' ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
