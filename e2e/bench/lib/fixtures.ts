/**
 * Media for the benchmarks: a real H.264 + AAC FLV made by ffmpeg (cached under
 * e2e/bench/.cache), and the server-to-client RTMP chunk stream a player would receive
 * for it, synthesized with our ChunkWriter.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes } from '@rtmp-web/bytes';
import { ChunkWriter, MessageType } from '@rtmp-web/rtmp';
import { makeFlvFixture } from '../../servers/index';

export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache');

export interface FlvTagRecord {
  type: number;
  timestamp: number;
  body: Uint8Array;
}

/**
 * 1280x720 at 30 fps, 2.5 Mbit/s H.264 (x264 veryfast, zerolatency, 1 s GOP) with 96 kbit/s
 * AAC: the bitrate of the fan-out viewers, so one fixture serves every benchmark.
 */
export const FIXTURE = { width: 1280, height: 720, fps: 30, videoKbps: 2500, durationSec: 20 } as const;

export async function ensureFlvFixture(log: (message: string) => void): Promise<string> {
  const name = `av-${FIXTURE.width}x${FIXTURE.height}-${FIXTURE.fps}fps-${FIXTURE.videoKbps}k-${FIXTURE.durationSec}s.flv`;
  const path = join(CACHE_DIR, name);
  if (existsSync(path)) return path;
  mkdirSync(CACHE_DIR, { recursive: true });
  log(`making ${name} with ffmpeg (once; cached in e2e/bench/.cache)`);
  const partial = `${path}.partial.flv`;
  await makeFlvFixture(partial, {
    width: FIXTURE.width,
    height: FIXTURE.height,
    fps: FIXTURE.fps,
    gopFrames: FIXTURE.fps,
    durationSec: FIXTURE.durationSec,
    // Later -b:v wins over the launcher's default 600k.
    extraArgs: ['-b:v', `${FIXTURE.videoKbps}k`, '-maxrate', `${FIXTURE.videoKbps}k`, '-bufsize', `${FIXTURE.videoKbps}k`],
  });
  renameSync(partial, path);
  return path;
}

/** Walks an FLV file (FLV 10.1 §E.2, §E.3): 9-byte header, then tag + PreviousTagSize. */
export function readFlvTags(bytes: Uint8Array): FlvTagRecord[] {
  const headerLength = ((bytes[5]! << 24) | (bytes[6]! << 16) | (bytes[7]! << 8) | bytes[8]!) >>> 0;
  const tags: FlvTagRecord[] = [];
  let p = headerLength + 4;
  while (p + 11 <= bytes.length) {
    const type = bytes[p]! & 0x1f;
    const size = (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    // 24-bit timestamp plus its extension byte as the high 8 bits.
    const timestamp = (((bytes[p + 7]! << 24) | (bytes[p + 4]! << 16) | (bytes[p + 5]! << 8) | bytes[p + 6]!) >>> 0);
    if (p + 11 + size > bytes.length) break;
    tags.push({ type, timestamp, body: bytes.slice(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return tags;
}

export function loadFlvTags(path: string): FlvTagRecord[] {
  return readFlvTags(new Uint8Array(readFileSync(path)));
}

/** Chunk stream ids as nginx-rtmp uses them when it plays out a stream. */
const CSID = { control: 2, data: 5, audio: 6, video: 7 } as const;

/**
 * The bytes after the handshake of a play session: Set Chunk Size (when not 128), then
 * every tag as an RTMP message on message stream 1, chunked as the server would.
 */
export function buildServerToClientStream(tags: readonly FlvTagRecord[], chunkSize: number): Uint8Array {
  const writer = new ChunkWriter();
  const parts: Uint8Array[] = [];
  if (chunkSize !== 128) {
    const body = new Uint8Array(4);
    new DataView(body.buffer).setUint32(0, chunkSize);
    parts.push(writer.write({ type: MessageType.SetChunkSize, streamId: 0, timestamp: 0, payload: body, csid: CSID.control }));
  }
  for (const tag of tags) {
    const csid = tag.type === MessageType.Audio ? CSID.audio : tag.type === MessageType.Video ? CSID.video : CSID.data;
    parts.push(writer.write({ type: tag.type, streamId: 1, timestamp: tag.timestamp, payload: tag.body, csid }));
  }
  return concatBytes(parts);
}
