import { AmfEcmaArray, amf3Codec, decodeAmf0, encodeAmf0 } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';

/**
 * onMetaData as a plain record (FLV v10.1 E.5: SCRIPTDATA "onMetaData" followed by an ECMA
 * array, or by an anonymous object in some writers). Null when the body is something else.
 */
export function readOnMetaData(scriptBody: Uint8Array): Record<string, AmfValue> | null {
  const values = decodeAmf0(scriptBody, { amf3: amf3Codec });
  if (values[0] !== 'onMetaData') return null;
  return toRecord(values[1]);
}

/**
 * The metadata a live stream announces: the file's onMetaData without the fields that only
 * describe a file (`duration`, `filesize`, and the keyframe index some writers add). A live
 * viewer told "duration 8" may treat the stream as an 8-second recording.
 */
export function liveMetadataBody(scriptBody: Uint8Array): Uint8Array {
  const record = readOnMetaData(scriptBody);
  if (!record) return scriptBody;
  const entries = Object.entries(record).filter(([key]) => !FILE_ONLY_FIELDS.has(key));
  // The ECMA array count states the number of entries, as FFmpeg and nginx-rtmp write it
  // (AMF0 §2.10 calls it approximate; some players size a table from it).
  return encodeAmf0(['onMetaData', new AmfEcmaArray(entries)], { ecmaArrayCount: 'entry-count', amf3: amf3Codec });
}

const FILE_ONLY_FIELDS = new Set(['duration', 'filesize', 'keyframes', 'lasttimestamp', 'lastkeyframetimestamp', 'lastkeyframelocation']);

function toRecord(value: AmfValue | undefined): Record<string, AmfValue> | null {
  if (value instanceof AmfEcmaArray) return Object.fromEntries(value.entries);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return { ...(value as Record<string, AmfValue>) };
  }
  return null;
}
