/**
 * Video on demand from nginx-rtmp (`application vod { play DIR; }`): the probe must receive
 * every audio and video tag of a known FLV file, with the file's timestamps and body sizes,
 * and stop by itself at the end of the recording.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '@rtmp-web/cli';
import { makeFlvFixture, makeTempDir, startNginxRtmp, type RtmpServerHandle } from '../servers/index';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface FlvTag {
  type: 'audio' | 'video' | 'data';
  timestamp: number;
  size: number;
}

/**
 * Our own count of the file's tags (FLV v10.1 §E.2, §E.4.1): a 9-byte header (its last 4 bytes
 * give the header size), then PreviousTagSize0, then per tag: type u8, DataSize u24,
 * Timestamp u24 + TimestampExtended u8 (the high byte), StreamID u24, the body, PreviousTagSize u32.
 */
function readFlvTags(bytes: Uint8Array): FlvTag[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!)).toBe('FLV');
  let offset = view.getUint32(5) + 4;
  const tags: FlvTag[] = [];
  while (offset + 11 <= bytes.byteLength) {
    const type = bytes[offset]! & 0x1f;
    const size = (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    const timestamp = ((bytes[offset + 7]! << 24) | (bytes[offset + 4]! << 16) | (bytes[offset + 5]! << 8) | bytes[offset + 6]!) >>> 0;
    expect(view.getUint32(offset + 11 + size)).toBe(size + 11);
    tags.push({ type: type === 8 ? 'audio' : type === 9 ? 'video' : 'data', timestamp, size });
    offset += 11 + size + 4;
  }
  expect(offset).toBe(bytes.byteLength);
  return tags;
}

describe('VOD from nginx-rtmp', () => {
  it('delivers every tag of the file, in order, with its timestamp and size, then stops at the end', async () => {
    const vod = makeTempDir('rtmp-web-vod-');
    cleanups.push(() => vod.remove());
    const file = join(vod.dir, 'clip.flv');
    await makeFlvFixture(file, { durationSec: 4 });
    const tags = readFlvTags(readFileSync(file));
    const media = tags.filter((tag) => tag.type !== 'data');
    // 100 frames, plus the sequence header and the end-of-sequence tag (AVCPacketType 2) ffmpeg writes last.
    expect(media.filter((tag) => tag.type === 'video').length).toBe(4 * 25 + 2);
    expect(media.filter((tag) => tag.type === 'audio').length).toBeGreaterThan(4 * 43);

    const nginx: RtmpServerHandle = await startNginxRtmp({ vodDir: vod.dir });
    cleanups.push(() => nginx.stop());
    const started = Date.now();
    const report = await runProbe({ url: nginx.url('vod', 'clip.flv'), durationSec: 60, collectMedia: true });

    expect(report.play.code).toBe('NetStream.Play.Start');
    // nginx-rtmp ends a recording with StreamEOF (user control 1) before any status.
    expect(report.stopReason).toBe('StreamEOF');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(report.counts.video).toBe(media.filter((tag) => tag.type === 'video').length);
    expect(report.counts.audio).toBe(media.filter((tag) => tag.type === 'audio').length);
    expect(report.media!.map((m) => ({ type: m.type, timestamp: m.timestamp, size: m.size }))).toEqual(
      media.map((tag) => ({ type: tag.type, timestamp: tag.timestamp, size: tag.size })),
    );
    // nginx sends the file's onMetaData (and |RtmpSampleAccess) as data messages.
    const metadata = report.metadata as Record<string, unknown>;
    expect(metadata.width).toBe(640);
    expect(metadata.height).toBe(360);
    expect(report.tracks).toEqual({
      video: { codec: 'avc1.64001e', width: 640, height: 360 },
      audio: { codec: 'mp4a.40.2', sampleRate: 44_100, channels: 2 },
    });
  });
});
