export { ByteReader } from './byte-reader';
export { ByteWriter, utf8Encode, utf8ByteLength } from './byte-writer';
export { CodedError, BytesError } from './errors';
export type { ErrorCategory, CodedErrorOptions } from './errors';
export { fromHex, toHex, concatBytes, bytesEqual } from './hex';
export { splitAtEveryBoundary, splitIntoSingleBytes } from './testing';
