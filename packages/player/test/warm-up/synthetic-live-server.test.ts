import { describe, expect, it } from 'vitest';
import { NetConnection, createMemoryTransportPair, fullCodecs } from '@rtmp-web/rtmp';
import type { MediaFrame, NetStream } from '@rtmp-web/rtmp';
import { SyntheticLiveServer } from '../../src/warm-up/synthetic-live-server';

interface Played {
  frames: MediaFrame[];
  data: string[];
  statuses: string[];
  eof: boolean;
  metadata: Record<string, unknown> | null;
}

/** Plays the synthetic stream with the real client session over an in-memory pipe. */
function play(options: { videoFrames?: number; framesPerBatch?: number; shouldStop?: () => boolean } = {}) {
  const [client, server] = createMemoryTransportPair();
  new SyntheticLiveServer(server, { videoFrames: options.videoFrames ?? 30, ...(options.framesPerBatch ? { framesPerBatch: options.framesPerBatch } : {}) }, options.shouldStop);
  const connection = new NetConnection({ codecs: fullCodecs });
  const played: Played = { frames: [], data: [], statuses: [], eof: false, metadata: null };
  const closed = new Promise<void>((resolve) => connection.on('close', () => resolve()));
  const connected = connection.connect('rtmp://warm-up.invalid/live', { transport: client, handshake: 'digest' });
  let stream: NetStream | null = null;
  const ended = new Promise<void>((resolve) => {
    void connection.createStreamAndPlay('warm-up', {
      onStream: (s) => {
        stream = s;
        s.on('audio', (event) => played.frames.push(...event.frames));
        s.on('video', (event) => played.frames.push(...event.frames));
        s.on('data', (event) => {
          played.data.push(event.name);
          if (event.name === 'onMetaData') played.metadata = event.args[0] as Record<string, unknown>;
        });
        s.on('status', (info) => {
          played.statuses.push(info.code);
          if (info.code === 'NetStream.Play.UnpublishNotify') resolve();
        });
        s.on('streamEOF', () => {
          played.eof = true;
        });
      },
    });
  });
  return { connection, connected, ended, closed, played, stream: () => stream };
}

describe('SyntheticLiveServer (the warm-up stream)', () => {
  it('answers the digest handshake, connect and play as an RTMP server does, then streams H.264 + AAC in order and unpublishes', async () => {
    const { connection, connected, ended, played } = await Promise.resolve(play({ videoFrames: 30 }));
    const result = await connected;
    expect(result.handshake.kind).toBe('digest');
    expect(result.handshake.serverDigestVerified).toBe(true);
    expect(result.info.code).toBe('NetConnection.Connect.Success');
    await ended;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(played.statuses).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start', 'NetStream.Play.UnpublishNotify']);
    expect(played.data).toEqual(['|RtmpSampleAccess', 'onMetaData']);
    expect(played.metadata).toMatchObject({ width: 640, height: 360, framerate: 25, videocodecid: 7, audiocodecid: 10, hasAudio: true, hasVideo: true });
    expect(played.eof).toBe(true);

    const video = played.frames.filter((f) => f.kind === 'video');
    const audio = played.frames.filter((f) => f.kind === 'audio');
    // Sequence headers first, at the first timestamp.
    expect(video[0]).toMatchObject({ config: true, codec: 'avc1', dts: 1000 });
    expect(audio[0]).toMatchObject({ config: true, codec: 'mp4a', dts: 1000 });
    // 30 frames at 25 fps; keyframes open each 25-frame GOP.
    const pictures = video.slice(1);
    expect(pictures.map((f) => f.dts)).toEqual(Array.from({ length: 30 }, (_, i) => 1000 + 40 * i));
    expect(pictures.filter((f) => f.keyframe).map((f) => f.dts)).toEqual([1000, 2000]);
    expect(pictures[0]!.data.byteLength).toBe(4 + 6000);
    expect(pictures[1]!.data.byteLength).toBe(4 + 300);
    // AAC frames every 1024/44.1 ms (rounded), up to the end of the video.
    const sounds = audio.slice(1);
    expect(sounds.map((f) => f.dts)).toEqual(Array.from({ length: sounds.length }, (_, i) => Math.round(1000 + (i * 1024 * 1000) / 44_100)));
    expect(sounds.at(-1)!.dts).toBeGreaterThanOrEqual(1000 + 30 * 40 - 24);
    expect(sounds.at(-1)!.dts).toBeLessThan(1000 + 30 * 40);
    // Interleaved in timestamp order, as a live server sends.
    const dts = played.frames.map((f) => f.dts);
    expect(dts).toEqual([...dts].sort((a, b) => a - b));
    connection.close();
  });

  it('stops at the next batch when asked (a real player started), closing the connection', async () => {
    let batches = 0;
    const { connected, closed, played } = play({ videoFrames: 50, framesPerBatch: 4, shouldStop: () => ++batches >= 2 });
    await connected;
    await closed;
    const pictures = played.frames.filter((f) => f.kind === 'video' && !f.config);
    // Two batches of 4 frames went out, then the server closed: not the whole stream, no unpublish.
    expect(played.frames.filter((f) => !f.config)).toHaveLength(8);
    expect(pictures.length).toBeGreaterThan(0);
    expect(played.statuses).not.toContain('NetStream.Play.UnpublishNotify');
  });
});
