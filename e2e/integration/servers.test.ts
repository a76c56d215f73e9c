/**
 * Proves the real-server launchers in e2e/servers: every server accepts what it should and
 * ffprobe/ffmpeg (real RTMP clients) read the media back with the expected codecs and
 * sizes; stop() frees ports and leaves no process behind; restart() keeps the port.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ffprobeJson,
  freePort,
  isListening,
  makeFlvFixture,
  makeTempDir,
  publishTestStream,
  startFfmpegServer,
  startNginxRtmp,
  startNodeMediaServer,
  waitForStream,
  type FfprobeResult,
  type Publisher,
  type RtmpServerHandle,
} from '../servers/index';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function track<T extends RtmpServerHandle | Publisher>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

/** The default test stream: H.264 High 640x360 and AAC-LC 44.1 kHz stereo. */
function expectDefaultStreams(result: FfprobeResult): void {
  const video = result.streams.find((s) => s.codec_type === 'video');
  const audio = result.streams.find((s) => s.codec_type === 'audio');
  expect(video).toMatchObject({ codec_name: 'h264', profile: 'High', width: 640, height: 360 });
  expect(audio).toMatchObject({ codec_name: 'aac', profile: 'LC', sample_rate: '44100', channels: 2 });
}

/** Binding the port ourselves is the real proof that nobody holds it any more. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('freePort', () => {
  it('returns a bindable loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1024);
    expect(await canBind(port)).toBe(true);
  });
});

describe('nginx-rtmp', () => {
  it('accepts a live publish on `live` that ffprobe reads back', async () => {
    const nginx = track(await startNginxRtmp());
    expect(nginx.url('live', 'cam')).toBe(`rtmp://127.0.0.1:${nginx.port}/live/cam`);
    track(await publishTestStream(nginx.url(nginx.liveApp, 'cam')));
    await waitForStream(nginx, 'live', 'cam');
    expectDefaultStreams(await ffprobeJson(nginx.url('live', 'cam')));
  });

  it('plays an FLV file from `vod` by its file name', async () => {
    const vod = makeTempDir('rtmp-web-vod-');
    cleanups.push(() => vod.remove());
    await makeFlvFixture(join(vod.dir, 'clip.flv'), { durationSec: 2 });
    const nginx = track(await startNginxRtmp({ vodDir: vod.dir }));
    expect(nginx.vodDir).toBe(vod.dir);
    const result = await ffprobeJson(nginx.url(nginx.vodApp, 'clip.flv'), ['-rtmp_playpath', 'clip.flv']);
    expectDefaultStreams(result);
    expect(Number(result.format?.duration)).toBeCloseTo(2, 0);
  });

  it('stop() frees the port and is idempotent; restart() keeps the port', async () => {
    const nginx = await startNginxRtmp();
    const port = nginx.port;
    expect(isListening(port)).toBe(true);
    await nginx.restart();
    expect(nginx.port).toBe(port);
    expect(isListening(port)).toBe(true);
    const publisher = track(await publishTestStream(nginx.url('live', 'again')));
    await waitForStream(nginx, 'live', 'again');
    await publisher.stop();
    await nginx.stop();
    await nginx.stop();
    expect(isListening(port)).toBe(false);
    expect(await canBind(port)).toBe(true);
    expect(nginx.logs()).toContain('nginx');
  });
});

describe('node-media-server', () => {
  it('accepts a publish that ffprobe reads back over RTMP and HTTP-FLV', async () => {
    const nms = track(await startNodeMediaServer());
    expect(nms.httpFlvUrl('live', 'cam')).toBe(`http://127.0.0.1:${nms.httpPort}/live/cam.flv`);
    expect(nms.wsFlvUrl('live', 'cam')).toBe(`ws://127.0.0.1:${nms.httpPort}/live/cam.flv`);
    track(await publishTestStream(nms.url('live', 'cam')));
    await waitForStream(nms, 'live', 'cam');
    expectDefaultStreams(await ffprobeJson(nms.url('live', 'cam')));
    expectDefaultStreams(await ffprobeJson(nms.httpFlvUrl('live', 'cam')));
  });

  it('serves raw FLV bytes over HTTP (signature "FLV", version 1)', async () => {
    const nms = track(await startNodeMediaServer());
    track(await publishTestStream(nms.url('live', 'raw')));
    await waitForStream(nms, 'live', 'raw');
    const response = await fetch(nms.httpFlvUrl('live', 'raw'));
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    await reader.cancel();
    // FLV header (FLV spec v10, E.2): "FLV", version 1.
    expect(Array.from(first.value!.subarray(0, 4))).toEqual([0x46, 0x4c, 0x56, 0x01]);
  });

  it('stop() frees both ports; restart() keeps them', async () => {
    const nms = await startNodeMediaServer();
    const { port, httpPort } = nms;
    await nms.restart();
    expect([nms.port, nms.httpPort]).toEqual([port, httpPort]);
    const publisher = track(await publishTestStream(nms.url('live', 'again'), { video: false }));
    await waitForStream(nms, 'live', 'again');
    await publisher.stop();
    await nms.stop();
    await nms.stop();
    expect(await canBind(port)).toBe(true);
    expect(await canBind(httpPort)).toBe(true);
  });
});

describe('ffmpeg as the server', () => {
  it('serves one playing client, then stops listening', async () => {
    const server = track(await startFfmpegServer({ app: 'app', stream: 'key' }));
    expect(server.kind).toBe('ffmpeg');
    await waitForStream(server, 'app', 'key'); // must not use up the one client
    expectDefaultStreams(await ffprobeJson(server.url('app', 'key')));
    expect(isListening(server.port)).toBe(false);
    await server.stop();
    expect(await canBind(server.port)).toBe(true);
  });

  it('serves audio only when asked', async () => {
    const server = track(await startFfmpegServer({ app: 'app', stream: 'a', video: false }));
    const result = await ffprobeJson(server.url('app', 'a'), ['-analyzeduration', '1000000']);
    expect(result.streams.map((s) => s.codec_type)).toEqual(['audio']);
  });
});

describe('test media', () => {
  it('keyframes every gopFrames; the planted fault jumps timestamps forward', async () => {
    const dir = makeTempDir('rtmp-web-fixture-');
    cleanups.push(() => dir.remove());
    const file = join(dir.dir, 'jump.flv');
    await makeFlvFixture(file, { durationSec: 3, audio: false, fps: 20, gopFrames: 10, timestampJumpAtSec: 1, timestampJumpSec: 4 });
    const result = await ffprobeJson(file, ['-show_packets']);
    const video = result.packets!.filter((p) => p.codec_type === 'video');
    expect(video).toHaveLength(60);
    expect(video.map((p, i) => (p.flags.startsWith('K') ? i : -1)).filter((i) => i >= 0)).toEqual([0, 10, 20, 30, 40, 50]);
    const pts = video.map((p) => Number(p.pts_time));
    const steps = pts.slice(1).map((t, i) => Math.round((t - pts[i]!) * 1000));
    // 50 ms per frame at 20 fps, except one step of 50 ms + 4 s at input time 1 s.
    expect(steps.filter((s) => s !== 50)).toEqual([4050]);
    expect(steps.indexOf(4050)).toBe(19);
  });

  it('kills every server when the test process exits without stop()', async () => {
    // A child Node process starts nginx and exits at once; its exit handler must take
    // nginx down with it.
    const dir = makeTempDir('rtmp-web-orphan-');
    cleanups.push(() => dir.remove());
    const script = join(dir.dir, 'orphan.mts');
    const launcher = new URL('../servers/index.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { startNginxRtmp } from ${JSON.stringify(launcher)};\n` +
        `const nginx = await startNginxRtmp();\nconsole.log(nginx.port);\nprocess.exit(0);\n`,
    );
    const tsxCli = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, [tsxCli, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const port = Number(stdout.trim());
    expect(port).toBeGreaterThan(0);
    // SIGKILL is sent synchronously from the exit handler; the kernel closes the socket
    // as soon as nginx is gone.
    await expect.poll(() => isListening(port), { timeout: 2000, interval: 20 }).toBe(false);
  });
});
