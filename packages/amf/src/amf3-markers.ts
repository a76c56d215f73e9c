/**
 * AMF3 type markers (AMF3 §3.1) as plain constants in a module of their own: the codec compares
 * against these because bundlers inline constants imported from another module (they do not
 * inline a table's properties, nor constants declared after side-effectful code in the same
 * bundle scope). Amf3Marker is the public table of the same values.
 */
export const UNDEFINED = 0x00;
export const NULL = 0x01;
export const FALSE = 0x02;
export const TRUE = 0x03;
export const INTEGER = 0x04;
export const DOUBLE = 0x05;
export const STRING = 0x06;
export const XML_DOCUMENT = 0x07;
export const DATE = 0x08;
export const ARRAY = 0x09;
export const OBJECT = 0x0a;
export const XML = 0x0b;
export const BYTE_ARRAY = 0x0c;
export const VECTOR_INT = 0x0d;
export const VECTOR_UINT = 0x0e;
export const VECTOR_DOUBLE = 0x0f;
export const VECTOR_OBJECT = 0x10;
export const DICTIONARY = 0x11;
