/**
 * The built-in demo source (DemoRtmpServer) read by real RTMP clients: ffprobe (FFmpeg's RTMP
 * client and FLV demuxer) and a raw client built from the core's ClientHandshake and
 * ChunkWriter that stops reading, to prove a slow viewer cannot make the server queue without
 * bound.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkReader, ChunkStreamId, ChunkWriter, ClientHandshake, MessageType, decodeCommand, decodeUserControl, encodeCommand, encodeUserControl } from '@rtmp-web/rtmp';
import type { RtmpMessage } from '@rtmp-web/rtmp';
import type { CodedError } from '@rtmp-web/bytes';
import { DemoRtmpServer } from '../../packages/cli/src/demo/demo-rtmp-server';
import type { DemoRtmpServerEvents, DemoRtmpServerOptions } from '../../packages/cli/src/demo/demo-rtmp-server';

interface ProbePacket {
  codec_type: string;
  pts: number;
  dts: number;
  flags: string;
}
interface ProbeResult {
  code: number | null;
  elapsedMs: number;
  streams: Array<{ codec_type: string; codec_name?: string; profile?: string; width?: number; height?: number; sample_rate?: string; channels?: number; pix_fmt?: string }>;
  packets: ProbePacket[];
  stderr: string;
}

/** ffprobe reading `seconds` of the stream from its start, with every packet's timestamps (in ms: FLV's time base). */
function probe(url: string, seconds: number): Promise<ProbeResult> {
  const args = ['-v', 'error', '-of', 'json', '-show_streams', '-show_entries', 'packet=codec_type,pts,dts,flags', '-read_intervals', `%+${seconds}`, url];
  const started = performance.now();
  const child = spawn('ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      const json = stdout ? (JSON.parse(stdout) as Partial<ProbeResult>) : {};
      resolve({ code, elapsedMs: performance.now() - started, streams: json.streams ?? [], packets: json.packets ?? [], stderr });
    });
  });
}

let server: DemoRtmpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function startServer(options: DemoRtmpServerOptions = {}): Promise<DemoRtmpServer> {
  server = await DemoRtmpServer.listen({ port: 0, ...options });
  return server;
}

function record<K extends keyof DemoRtmpServerEvents>(source: DemoRtmpServer, event: K): Array<DemoRtmpServerEvents[K]> {
  const events: Array<DemoRtmpServerEvents[K]> = [];
  source.on(event, (payload) => events.push(payload));
  return events;
}

function ofKind(packets: ProbePacket[], kind: 'video' | 'audio'): ProbePacket[] {
  return packets.filter((p) => p.codec_type === kind);
}

describe('DemoRtmpServer read by ffprobe', () => {
  it('serves H.264 High 640x360 and AAC-LC 48 kHz stereo, starting on a keyframe, paced in real time', async () => {
    const demo = await startServer();
    const plays = record(demo, 'play');
    const result = await probe(demo.url, 3);
    expect(result.code, result.stderr).toBe(0);
    expect(result.streams.map((s) => [s.codec_type, s.codec_name, s.profile])).toEqual([
      ['video', 'h264', 'High'],
      ['audio', 'aac', 'LC'],
    ]);
    expect(result.streams[0]).toMatchObject({ width: 640, height: 360, pix_fmt: 'yuv420p' });
    expect(result.streams[1]).toMatchObject({ sample_rate: '48000', channels: 2 });

    const video = ofKind(result.packets, 'video');
    expect(video[0]!.flags.startsWith('K')).toBe(true);
    // 3 s at 25 fps from the latest keyframe: at least 75 frames, at most 3 s + one GOP.
    expect(video.length).toBeGreaterThanOrEqual(75);
    expect(video.length).toBeLessThanOrEqual(101);
    for (let i = 1; i < video.length; i++) expect(video[i]!.dts - video[i - 1]!.dts).toBe(40);
    expect(ofKind(result.packets, 'audio').length).toBeGreaterThanOrEqual(130); // 46.875 AAC frames per second
    // Paced: the GOP burst is at most 1 s of media, so 3 s of media take at least ~2 s.
    expect(result.elapsedMs).toBeGreaterThan(1900);
    expect(plays).toEqual([{ connectionId: 1, streamId: 1, streamName: 'demo', timestamp: 21 }]);
  });

  it('gives two simultaneous viewers the same live timeline', async () => {
    const demo = await startServer();
    let peakViewers = 0;
    demo.on('play', () => (peakViewers = Math.max(peakViewers, demo.stats().viewers)));
    const first = probe(demo.url, 4);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = probe(demo.url, 2);
    const [a, b] = await Promise.all([first, second]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(peakViewers).toBe(2);
    // The later viewer joined at a keyframe the first one had already received, with the same timestamp.
    const firstVideo = new Map(ofKind(a.packets, 'video').map((p) => [p.pts, p.flags]));
    const secondVideo = ofKind(b.packets, 'video');
    expect(secondVideo[0]!.pts).toBeGreaterThanOrEqual(1021);
    expect(firstVideo.get(secondVideo[0]!.pts)).toMatch(/^K/);
    const shared = secondVideo.filter((p) => firstVideo.has(p.pts));
    expect(shared.length).toBeGreaterThanOrEqual(50);
  });

  it('keeps timestamps rising across loop seams (a 2 s loop read for 5 s)', async () => {
    const demo = await startServer({ clipOptions: { maxDurationMs: 2000 } });
    const result = await probe(demo.url, 5);
    expect(result.code, result.stderr).toBe(0);
    for (const kind of ['video', 'audio'] as const) {
      const packets = ofKind(result.packets, kind);
      const deltas = packets.slice(1).map((p, i) => p.dts - packets[i]!.dts);
      expect(Math.min(...deltas), kind).toBeGreaterThan(0);
      expect(Math.max(...deltas), kind).toBeLessThanOrEqual(kind === 'video' ? 40 : 23);
      expect(packets[packets.length - 1]!.dts - packets[0]!.dts, kind).toBeGreaterThan(4500); // crossed at least two seams
    }
  });

  it('refuses an unknown app or stream name (ffprobe fails, nothing plays)', async () => {
    const demo = await startServer();
    const plays = record(demo, 'play');
    const port = demo.port;
    const wrongApp = await probe(`rtmp://127.0.0.1:${port}/vod/demo`, 1);
    const wrongStream = await probe(`rtmp://127.0.0.1:${port}/live/other`, 1);
    expect(wrongApp.code).not.toBe(0);
    expect(wrongStream.code).not.toBe(0);
    expect(plays).toEqual([]);
    expect(demo.stats().viewers).toBe(0);
  });
});

describe('DemoRtmpServer and a viewer that stops reading', () => {
  it('drops its video first, then disconnects it; its queue never passes the hard limit by more than a frame', async () => {
    // A clock 100 times faster than real time sends ~4 MB/s, so the kernel's socket buffers fill
    // in seconds; the limits are small for the same reason.
    const limits = { dropVideoAboveBytes: 64 * 1024, resumeVideoBelowBytes: 16 * 1024, disconnectAboveBytes: 256 * 1024 };
    const demo = await startServer({ now: () => performance.now() * 100, flow: limits });
    const slow = record(demo, 'slow-viewer');
    const disconnected = new Promise<DemoRtmpServerEvents['disconnect']>((resolve) => demo.on('disconnect', resolve));

    const socket = await rawPlayer(demo.port, 'live', 'demo');
    socket.pause(); // never read again
    const event = await Promise.race([disconnected, new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000))]);
    socket.destroy();

    expect(event).not.toBeNull();
    expect((event!.error as CodedError).code).toBe('DEMO_VIEWER_TOO_SLOW');
    expect(slow.map((e) => e.action)).toEqual(['drop-video', 'disconnect']);
    expect(slow[0]!.queuedBytes).toBeGreaterThan(limits.dropVideoAboveBytes);
    expect(slow[1]!.queuedBytes).toBeGreaterThan(limits.disconnectAboveBytes);
    // The queue grows by at most one frame (the clip's largest is a keyframe of ~10 KB) between checks.
    expect(slow[1]!.queuedBytes).toBeLessThan(limits.disconnectAboveBytes + 64 * 1024);
    expect(demo.stats().viewers).toBe(0);
  }, 90_000);
});

describe('DemoRtmpServer and misbehaving clients', () => {
  it('answers a PingRequest with a PingResponse carrying the same timestamp', async () => {
    const demo = await startServer();
    const socket = await rawPlayer(demo.port, 'live', 'demo', { play: false });
    const reader = new ChunkReader();
    const messages: RtmpMessage[] = [];
    socket.on('data', (bytes: Buffer) => messages.push(...reader.push(new Uint8Array(bytes))));
    const writer = new ChunkWriter();
    socket.write(writer.write({ type: MessageType.UserControl, streamId: 0, timestamp: 0, csid: ChunkStreamId.ProtocolControl, payload: encodeUserControl({ event: 'PingRequest', timestamp: 0x12345678 }) }));
    await expect
      .poll(() => messages.filter((m) => m.type === MessageType.UserControl).map((m) => decodeUserControl(m.payload)).find((e) => e.event === 'PingResponse'))
      .toMatchObject({ event: 'PingResponse', timestamp: 0x12345678 });
    // Before it: the connect reply in the usual order.
    const order = messages.map((m) => (m.type === MessageType.CommandAmf0 ? decodeCommand(m).name : m.type));
    expect(order.slice(0, 6)).toEqual([MessageType.WindowAckSize, MessageType.SetPeerBandwidth, MessageType.SetChunkSize, MessageType.UserControl, '_result', '_result']);
    socket.destroy();
  });

  it('closes a connection that sends a bad handshake, and keeps serving others', async () => {
    const demo = await startServer();
    const disconnected = new Promise<DemoRtmpServerEvents['disconnect']>((resolve) => demo.on('disconnect', resolve));
    const socket = connect({ host: '127.0.0.1', port: demo.port });
    socket.on('error', () => undefined);
    socket.write(new Uint8Array(1537).fill(6)); // C0 = 6 is RTMPE, which this server does not speak
    const event = await disconnected;
    expect(event.error?.code).toBe('HANDSHAKE_BAD_VERSION');
    socket.destroy();
    const result = await probe(demo.url, 1);
    expect(result.code, result.stderr).toBe(0);
  });

  it('closes a connection that does not connect in time', async () => {
    const demo = await startServer({ connectTimeoutMs: 300 });
    const disconnected = new Promise<DemoRtmpServerEvents['disconnect']>((resolve) => demo.on('disconnect', resolve));
    const socket = connect({ host: '127.0.0.1', port: demo.port });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const started = performance.now();
    const event = await disconnected;
    await closed;
    expect(event.error?.code).toBe('DEMO_VIEWER_PROTOCOL');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });
});

/**
 * A minimal RTMP player written with the core's pieces: simple handshake, then connect,
 * createStream and play sent back to back (the server answers in order; createStream's stream
 * id is 1 on a fresh connection). Resolves once the handshake is done and play is sent.
 */
async function rawPlayer(port: number, app: string, stream: string, options: { play?: boolean } = {}): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const handshake = new ClientHandshake({ kind: 'simple' });
  socket.write(await handshake.start());
  const c2 = await new Promise<Uint8Array>((resolve, reject) => {
    const onData = (bytes: Buffer) => {
      handshake.push(new Uint8Array(bytes)).then((step) => {
        if (step.status === 'done') {
          socket.off('data', onData);
          resolve(step.c2);
        }
      }, reject);
    };
    socket.on('data', onData);
  });
  const writer = new ChunkWriter();
  const command = (streamId: number, csid: number, name: string, transactionId: number, commandObject: Parameters<typeof encodeCommand>[0]['commandObject'], args: Parameters<typeof encodeCommand>[0]['args'] = []) =>
    writer.write({ type: MessageType.CommandAmf0, streamId, timestamp: 0, csid, payload: encodeCommand({ name, transactionId, commandObject, args }, 0) });
  socket.write(c2);
  socket.write(command(0, ChunkStreamId.Command, 'connect', 1, { app, tcUrl: `rtmp://127.0.0.1:${port}/${app}`, flashVer: 'LNX 9,0,124,2', objectEncoding: 0 }));
  socket.write(command(0, ChunkStreamId.Command, 'createStream', 2, null));
  if (options.play !== false) socket.write(command(1, ChunkStreamId.StreamCommand, 'play', 0, null, [stream, -1, -1, true]));
  return socket;
}
