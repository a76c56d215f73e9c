export { FlvTagType, FLV_HEADER_LENGTH, FLV_TAG_HEADER_LENGTH, FLV_BACK_POINTER_LENGTH } from './flv-format';
export type { FlvTagTypeId } from './flv-format';
export { encodeFlvHeader, encodeFlvTag, writeFlvFile } from './flv-writer';
export type { FlvTagToWrite, FlvFileToWrite } from './flv-writer';
export { FlvReader, readFlvFile } from './flv-reader';
export type { FlvHeader, FlvTag, FlvFile, FlvReadEvent, FlvReaderOptions } from './flv-reader';
export { FlvError } from './flv-errors';
export type { FlvErrorCode } from './flv-errors';
