/**
 * node-media-server 4.4.3's own code, loaded from e2e/node_modules for side-by-side runs.
 * It is CommonJS without types; these are the few members the benchmarks touch.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface NmsRtmpPacket {
  header: { fmt: number; cid: number; timestamp: number; length: number; type: number; stream_id: number };
  clock: number;
  payload: Buffer;
}

/** src/protocol/rtmp.js `Rtmp`: the chunk parser NMS runs for every RTMP session. */
export interface NmsRtmp {
  handshakeState: number;
  inChunkSize: number;
  parserPacket: NmsRtmpPacket;
  chunkRead(data: Buffer, p: number, bytes: number): string | null;
  packetHandler(): void;
  controlHandler(): void;
}

export const NmsRtmp = require('node-media-server/src/protocol/rtmp.js') as new () => NmsRtmp;

/** src/protocol/amf.js: AMF0 only (NMS has no AMF3 codec). */
export const nmsAmf = require('node-media-server/src/protocol/amf.js') as {
  amf0Decode(buffer: Buffer): unknown[];
  amf0Encode(values: unknown[]): Buffer;
};

/** amf-codec 1.4.0: AMF0 only. */
export const amfCodec = require('amf-codec') as {
  toAMF(value: unknown): Buffer;
  decodeAMF(buffer: Buffer, memo: { position: number }): unknown;
  Memo: new (position: number) => { position: number };
};
