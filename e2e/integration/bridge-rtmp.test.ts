/**
 * A real RTMP session through the bridge: the protocol core's NetConnection, running over a
 * WebSocket transport (what a page does), connects to nginx-rtmp through the bridge, plays a live
 * stream published by ffmpeg, and receives decodable H.264 and AAC frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { CodedError } from '@rtmp-web/bytes';
import { createBridge, type Bridge, type SessionRecord } from '@rtmp-web/bridge';
import { NetConnection, RtmpError, type MediaFrame, type Transport } from '@rtmp-web/rtmp';
import { openPage, silentLogger, waitUntil } from '../../packages/bridge/test/support/peers';
import { publishTestStream, startNginxRtmp, waitForStream, type NginxRtmpHandle, type Publisher } from '../servers/index';

/**
 * The Transport seam over a Node `ws` client: what the player's WebSocketTransport does in a
 * page, written against `ws` so the session runs here unchanged. Binary messages in, bytes out.
 */
class NodeWebSocketTransport implements Transport {
  onData: ((bytes: Uint8Array) => void) | null = null;
  onClose: ((error?: CodedError) => void) | null = null;
  private closed = false;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onData?.(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    ws.on('close', (code, reason) => {
      if (this.closed) return;
      this.closed = true;
      // 1000 means the server closed the RTMP connection cleanly; anything else is a failure.
      this.onClose?.(code === 1000 ? undefined : new RtmpError('TRANSPORT_ERROR', `bridge closed the WebSocket with ${code} ${reason.toString()}`, { details: { code } }));
    });
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    this.ws.send(bytes);
  }

  close(): void {
    this.ws.close(1000);
  }
}

describe('RTMP through the bridge (nginx-rtmp)', () => {
  let nginx: NginxRtmpHandle;
  let publisher: Publisher;
  let bridge: Bridge;
  const records: SessionRecord[] = [];

  beforeAll(async () => {
    nginx = await startNginxRtmp();
    publisher = await publishTestStream(nginx.url('live', 'bridged'), { durationSec: 60, width: 320, height: 180, fps: 25 });
    await waitForStream(nginx, 'live', 'bridged');
    bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${nginx.port}`], logger: silentLogger });
    bridge.on('session-close', (record) => records.push(record));
  });

  afterAll(async () => {
    await bridge?.close(2000);
    await publisher?.stop();
    await nginx?.stop();
  });

  it('connects, plays a live stream and receives H.264 + AAC frames', async () => {
    const ws = await openPage(`${bridge.url}?target=${encodeURIComponent(`rtmp://127.0.0.1:${nginx.port}/live`)}`);
    const transport = new NodeWebSocketTransport(ws);
    const connection = new NetConnection();
    const result = await connection.connect(nginx.url('live', 'bridged'), { transport });
    expect(result.info.code).toBe('NetConnection.Connect.Success');

    const stream = await connection.createStream();
    const video: MediaFrame[] = [];
    const audio: MediaFrame[] = [];
    stream.on('video', (event) => video.push(...event.frames));
    stream.on('audio', (event) => audio.push(...event.frames));
    const started = await stream.play('bridged');
    expect(started.code).toBe('NetStream.Play.Start');

    // nginx has no GOP cache: it starts at the next keyframe (one per second here).
    await waitUntil(() => video.filter((f) => !f.config).length >= 25 && audio.filter((f) => !f.config).length >= 20, 20_000, '25 video and 20 audio frames');
    const videoConfig = video.find((f) => f.config);
    expect(videoConfig?.codec).toBe('avc1');
    expect(audio.find((f) => f.config)?.codec).toBe('mp4a');
    const firstPicture = video.find((f) => !f.config);
    expect(firstPicture?.keyframe).toBe(true);
    const pictures = video.filter((f) => !f.config);
    for (let i = 1; i < pictures.length; i++) expect(pictures[i]!.dts).toBeGreaterThanOrEqual(pictures[i - 1]!.dts);

    const session = bridge.stats().sessions[0]!;
    expect(session.target).toBe(`127.0.0.1:${nginx.port}`);
    expect(session.bytesToPage).toBeGreaterThan(10_000);
    expect(session.bytesToUpstream).toBeGreaterThan(1536); // C0+C1, C2, connect, createStream, play...

    connection.close();
    await waitUntil(() => records.length === 1, 10_000, 'the session record');
    expect(records[0]).toMatchObject({ closedBy: 'page', closeCode: 1000 });
  });
});
