/**
 * The demo source played by the project's own client (NetConnection / NetStream over
 * TcpTransport): the exact commands, statuses, data and media a player sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, NetConnection } from '@rtmp-web/rtmp';
import type { DataMessageEvent, MediaMessageEvent, NetStream, ProtocolTap, RtmpMessage } from '@rtmp-web/rtmp';
import { TcpTransport } from '@rtmp-web/rtmp/node';
import type { CodedError } from '@rtmp-web/bytes';
import { DemoRtmpServer } from '../../packages/cli/src/demo/demo-rtmp-server';
import type { DemoRtmpServerOptions } from '../../packages/cli/src/demo/demo-rtmp-server';

let server: DemoRtmpServer | null = null;
const connections: NetConnection[] = [];
afterEach(async () => {
  for (const nc of connections.splice(0)) nc.close();
  await server?.close();
  server = null;
});

async function startServer(options: DemoRtmpServerOptions = {}): Promise<DemoRtmpServer> {
  server = await DemoRtmpServer.listen({ port: 0, ...options });
  return server;
}

async function connectTo(url: string, port: number, options: { windowAckSize?: number; tap?: ProtocolTap } = {}): Promise<NetConnection> {
  const nc = new NetConnection();
  connections.push(nc);
  await nc.connect(url, { transport: await TcpTransport.connect('127.0.0.1', port), ...options });
  return nc;
}

/** Everything one NetStream receives, in order. */
function collect(stream: NetStream) {
  const statuses: string[] = [];
  const data: DataMessageEvent[] = [];
  const media: Array<MediaMessageEvent & { kind: 'audio' | 'video' }> = [];
  stream.on('status', (info) => statuses.push(info.code));
  stream.on('data', (event) => data.push(event));
  stream.on('audio', (event) => media.push({ ...event, kind: 'audio' }));
  stream.on('video', (event) => media.push({ ...event, kind: 'video' }));
  return { statuses, data, media };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorCode(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: CodedError) => error.code,
  );
}

describe('DemoRtmpServer played by NetConnection', () => {
  it('answers connect, createStream and play like a live server, metadata and sequence headers first', async () => {
    const demo = await startServer();
    const nc = await connectTo(demo.url, demo.port);
    const stream = await nc.createStream();
    expect(stream.streamId).toBe(1);
    const seen = collect(stream);
    const start = await stream.play('demo');
    expect(start.code).toBe('NetStream.Play.Start');
    await sleep(1500);

    expect(seen.statuses).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start']);
    expect(seen.data.map((d) => [d.name, d.args])).toEqual([
      ['|RtmpSampleAccess', [true, true]],
      [
        'onMetaData',
        [
          expect.objectContaining({
            entries: new Map<string, unknown>([
              ['width', 640],
              ['height', 360],
              ['videodatarate', 273.4375],
              ['framerate', 25],
              ['videocodecid', 7],
              ['audiodatarate', 62.5],
              ['audiosamplerate', 48000],
              ['audiosamplesize', 16],
              ['stereo', true],
              ['audiocodecid', 10],
            ]),
          }),
        ],
      ],
    ]);

    const [videoConfig, audioConfig, firstFrame] = seen.media;
    expect(videoConfig!.kind).toBe('video');
    expect(videoConfig!.frames[0]).toMatchObject({ config: true, codec: 'avc1' });
    expect(audioConfig!.kind).toBe('audio');
    expect(audioConfig!.frames[0]).toMatchObject({ config: true, codec: 'mp4a' });
    // The join point: a keyframe with the same timestamp as the sequence headers.
    expect(firstFrame!.kind).toBe('video');
    expect(firstFrame!.frames[0]).toMatchObject({ keyframe: true, config: false });
    expect(firstFrame!.message.timestamp).toBe(videoConfig!.message.timestamp);
    expect(seen.media.filter((m) => m.frames[0]?.config)).toHaveLength(2); // sent once, not per loop
  });

  it('keeps every timestamp rising across loop seams (2 s loop, 4.5 s of play)', async () => {
    const demo = await startServer({ clipOptions: { maxDurationMs: 2000 } });
    const nc = await connectTo(demo.url, demo.port);
    const stream = await nc.createStream();
    const seen = collect(stream);
    await stream.play('demo');
    await sleep(4500);
    for (const kind of ['audio', 'video'] as const) {
      const times = seen.media.filter((m) => m.kind === kind && !m.frames[0]?.config).map((m) => m.message.timestamp);
      const deltas = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.min(...deltas), kind).toBeGreaterThan(0);
      expect(Math.max(...deltas), kind).toBeLessThanOrEqual(kind === 'video' ? 40 : 23);
      expect(times[times.length - 1]! - times[0]!, kind).toBeGreaterThan(4000);
    }
    const keyframeTimes = seen.media.filter((m) => m.kind === 'video' && m.frames[0]?.keyframe && !m.frames[0].config).map((m) => m.message.timestamp);
    // Keyframes at 21 and 1021 in each 2000 ms loop.
    for (const t of keyframeTimes) expect([21, 1021]).toContain(t % 2000);
  });

  it('gives a second connection the same timestamps for the same frames', async () => {
    const demo = await startServer();
    const first = collect(await (await connectTo(demo.url, demo.port)).createStream().then(async (s) => (await s.play('demo'), s)));
    await sleep(1200);
    const second = collect(await (await connectTo(demo.url, demo.port)).createStream().then(async (s) => (await s.play('demo'), s)));
    await sleep(1200);
    const key = (m: MediaMessageEvent & { kind: string }) => `${m.kind}@${m.message.timestamp}`;
    const firstFrames = new Map(first.media.map((m) => [key(m), m.message.payload.byteLength]));
    const shared = second.media.filter((m) => !m.frames[0]?.config && firstFrames.has(key(m)));
    expect(shared.length).toBeGreaterThan(40);
    for (const m of shared) expect(m.message.payload.byteLength).toBe(firstFrames.get(key(m)));
  });

  it('rejects another app with NetConnection.Connect.Rejected and another stream with StreamNotFound', async () => {
    const demo = await startServer();
    expect(await errorCode(connectTo(`rtmp://127.0.0.1:${demo.port}/vod`, demo.port))).toBe('SESSION_CONNECT_REJECTED');
    const nc = await connectTo(demo.url, demo.port);
    const stream = await nc.createStream();
    const seen = collect(stream);
    expect(await errorCode(stream.play('nope'))).toBe('STREAM_NOT_FOUND');
    expect(seen.statuses).toEqual(['NetStream.Play.StreamNotFound']);
    expect(seen.media).toEqual([]);
    // The connection stays usable: the right name plays on a new stream.
    const other = await nc.createStream();
    expect((await other.play('demo?token=ignored')).code).toBe('NetStream.Play.Start');
  });

  it('pauses (no media) and resumes at the live edge on a keyframe', async () => {
    const demo = await startServer();
    const nc = await connectTo(demo.url, demo.port);
    const stream = await nc.createStream();
    const seen = collect(stream);
    await stream.play('demo');
    await sleep(600);
    stream.pause(true);
    await sleep(300);
    const countAtPause = seen.media.length;
    await sleep(1200);
    expect(seen.media.length).toBe(countAtPause);
    stream.pause(false);
    await sleep(800);
    expect(seen.statuses).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start', 'NetStream.Pause.Notify', 'NetStream.Unpause.Notify']);
    const resumed = seen.media.slice(countAtPause);
    expect(resumed.slice(0, 3).map((m) => [m.kind, m.frames[0]?.config, m.frames[0]?.keyframe])).toEqual([
      ['video', true, true],
      ['audio', true, false],
      ['video', false, true],
    ]);
    const beforePause = seen.media[countAtPause - 1]!.message.timestamp;
    expect(resumed[2]!.message.timestamp).toBeGreaterThan(beforePause);
  });

  it('acknowledges each window of bytes the client announced', async () => {
    const demo = await startServer();
    const incoming: RtmpMessage[] = [];
    const tap: ProtocolTap = { message: ({ direction, message }) => direction === 'in' && incoming.push(message) };
    // The handshake alone (C0 C1 C2 = 3073 bytes) crosses a 1000-byte window three times, but
    // an Acknowledgement reports the total so far, once per check after reading.
    const nc = await connectTo(demo.url, demo.port, { windowAckSize: 1000, tap });
    await nc.createStream();
    const acks = incoming.filter((m) => m.type === MessageType.Acknowledgement);
    expect(acks.length).toBeGreaterThanOrEqual(1);
    const sequence = new DataView(acks[0]!.payload.buffer, acks[0]!.payload.byteOffset).getUint32(0);
    expect(sequence).toBeGreaterThan(3073); // handshake plus at least part of connect
  });
});
