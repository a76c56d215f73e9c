export * from './types';
export { RtmpError, categoryOf } from './errors';
export type { RtmpErrorCode, RtmpErrorCategory, RtmpErrorOptions } from './errors';
export * from './handshake';
export * from './chunk';
export * from './messages';
export * from './media';
export * from './session';
export * from './flv';
