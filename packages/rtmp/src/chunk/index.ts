export { ChunkReader, validateChunkSize } from './chunk-reader';
export type { ChunkReaderOptions } from './chunk-reader';
export { ChunkWriter } from './chunk-writer';
export type { ChunkWriterOptions } from './chunk-writer';
export { ChunkStreamId, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MAX_MESSAGE_LENGTH } from './constants';
export type { ChunkStreamIdName } from './constants';
