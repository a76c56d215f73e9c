export {
  AmfEcmaArray,
  AmfTypedObject,
  AmfInteger,
  AmfXmlDocument,
  AmfXml,
  AmfVector,
  AmfDictionary,
  AmfUnsupported,
  AmfExternalizable,
  AMF3_INTEGER_MIN,
  AMF3_INTEGER_MAX,
} from './values';
export type { AmfValue, AmfObject, AmfByteArray, AmfVectorKind, AmfTypedObjectTraits } from './values';
export { AmfError } from './errors';
export type { AmfErrorCode } from './errors';
export type { AmfDecodeOptions, AmfEncodeOptions, Amf3Codec, Amf3ValueReader, Amf3ValueWriter } from './options';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFERENCES } from './options';
export { ExternalizableRegistry, BUILT_IN_EXTERNALIZABLES } from './externalizable';
export type { ExternalizableCodec, ExternalizableInput, ExternalizableOutput } from './externalizable';
export { Amf0Marker, Amf0Reader, Amf0Writer, decodeAmf0, encodeAmf0, readAmf0Value, writeAmf0Value } from './amf0';
export { Amf3Marker, Amf3Reader, Amf3Writer, amf3Codec, decodeAmf3, encodeAmf3, readAmf3Value, writeAmf3Value, isAmf3Integer, readU29 } from './amf3';
