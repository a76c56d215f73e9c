/**
 * AMF0 type markers (AMF0 §2.1) as plain constants in a module of their own: the codec compares
 * against these because bundlers inline constants imported from another module (they do not
 * inline a table's properties, nor constants declared after side-effectful code in the same
 * bundle scope). Amf0Marker is the public table of the same values.
 */
export const NUMBER = 0x00;
export const BOOLEAN = 0x01;
export const STRING = 0x02;
export const OBJECT = 0x03;
export const MOVIE_CLIP = 0x04;
export const NULL = 0x05;
export const UNDEFINED = 0x06;
export const REFERENCE = 0x07;
export const ECMA_ARRAY = 0x08;
export const OBJECT_END = 0x09;
export const STRICT_ARRAY = 0x0a;
export const DATE = 0x0b;
export const LONG_STRING = 0x0c;
export const UNSUPPORTED = 0x0d;
export const RECORD_SET = 0x0e;
export const XML_DOCUMENT = 0x0f;
export const TYPED_OBJECT = 0x10;
export const AVM_PLUS = 0x11;
