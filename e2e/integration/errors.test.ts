/**
 * What each real server does with a wrong application or stream name, and the exact error
 * (or success) the session and `rtmp-web probe` report for it. Observed behaviour, asserted
 * exactly; docs/errors.md explains each code.
 */
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodedError } from '@rtmp-web/bytes';
import { NetConnection, parseRtmpUrl } from '@rtmp-web/rtmp';
import { TcpTransport } from '@rtmp-web/rtmp/node';
import { runProbe } from '@rtmp-web/cli';
import { freePort, publishTestStream, startFfmpegServer, startNginxRtmp, startNodeMediaServer, type Publisher, type RtmpServerHandle } from '../servers/index';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
function track<T extends RtmpServerHandle | Publisher>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

async function failure(promise: Promise<unknown>): Promise<CodedError> {
  try {
    await promise;
  } catch (error) {
    return error as CodedError;
  }
  throw new Error('expected a failure');
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['--silent', 'rtmp-web', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function connectTo(url: string): Promise<{ nc: NetConnection; result: Promise<unknown> }> {
  const parsed = parseRtmpUrl(url);
  const nc = new NetConnection();
  cleanups.push(() => nc.close());
  const transport = await TcpTransport.connect(parsed.host, parsed.port, { timeoutMs: 5000 });
  return { nc, result: nc.connect(parsed, { transport, timeoutMs: 10_000 }) };
}

describe('wrong application', () => {
  it('nginx-rtmp closes the connection without answering connect: TRANSPORT_CLOSED (library and command)', async () => {
    // ngx_rtmp_cmd_connect finds no `application nosuchapp` and drops the connection; it never
    // sends _error, so there is no NetConnection.Connect.* code to report.
    const nginx = track(await startNginxRtmp());
    const { nc, result } = await connectTo(nginx.url('nosuchapp', 'cam'));
    const error = await failure(result);
    expect(error.code).toBe('TRANSPORT_CLOSED');
    expect(error.message).toContain('before answering connect');
    expect(nc.connectionState).toBe('closed');

    const cli = await runCli(['probe', nginx.url('nosuchapp', 'cam'), '--json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toEqual({ error: { code: 'TRANSPORT_CLOSED', message: error.message } });
    expect(cli.stderr.trim().split('\n')).toEqual([`rtmp-web probe: TRANSPORT_CLOSED: ${error.message}`]);
  });

  it('node-media-server v4 accepts any application: connect succeeds, play starts, nothing arrives: PROBE_NO_MEDIA', async () => {
    const nms = track(await startNodeMediaServer());
    const { result } = await connectTo(nms.url('nosuchapp', 'cam'));
    expect(await result).toMatchObject({ info: { code: 'NetConnection.Connect.Success' } });
    const error = await failure(runProbe({ url: nms.url('nosuchapp', 'cam'), durationSec: 2, timeoutSec: 5 }));
    expect(error.code).toBe('PROBE_NO_MEDIA');
  });

  it('ffmpeg -listen 1 ignores the application and stream names and serves its one stream', async () => {
    // libavformat's rtmp server only logs "App field don't match up" / "Unexpected stream".
    const server = track(await startFfmpegServer({ app: 'live', stream: 'cam', durationSec: 20 }));
    const report = await runProbe({ url: server.url('other', 'nope'), durationSec: 2 });
    expect(report.connect.code).toBe('NetConnection.Connect.Success');
    expect(report.play.code).toBe('NetStream.Play.Start');
    expect(report.counts.video).toBeGreaterThan(0);
  });
});

describe('wrong stream name', () => {
  it('nginx-rtmp VOD: NetStream.Play.StreamNotFound -> STREAM_NOT_FOUND (library and command)', async () => {
    const nginx = track(await startNginxRtmp());
    const { nc, result } = await connectTo(nginx.url('vod', 'missing.flv'));
    await result;
    const ns = await nc.createStream();
    const error = await failure(ns.play('missing.flv'));
    expect(error.code).toBe('STREAM_NOT_FOUND');
    expect(error.details.statusCode).toBe('NetStream.Play.StreamNotFound');
    expect(error.message).toBe('stream not found: Video on demand stream not found');
    expect(nc.isConnected).toBe(true);

    const cli = await runCli(['probe', nginx.url('vod', 'missing.flv'), '--json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toEqual({ error: { code: 'STREAM_NOT_FOUND', message: error.message } });
  });

  it('nginx-rtmp live waits for a publisher: Play.Start, then no media -> PROBE_NO_MEDIA after --timeout', async () => {
    const nginx = track(await startNginxRtmp());
    const started = Date.now();
    const error = await failure(runProbe({ url: nginx.url('live', 'nobody'), durationSec: 30, timeoutSec: 2 }));
    expect(error.code).toBe('PROBE_NO_MEDIA');
    expect(error.message).toContain('play started (NetStream.Play.Start) but no audio or video arrived within 2000 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('node-media-server v4 waits for a publisher too: PROBE_NO_MEDIA; a late publisher is then delivered', async () => {
    const nms = track(await startNodeMediaServer());
    const error = await failure(runProbe({ url: nms.url('live', 'later'), durationSec: 2, timeoutSec: 2 }));
    expect(error.code).toBe('PROBE_NO_MEDIA');
    // Same name, now published: the same probe succeeds.
    track(await publishTestStream(nms.url('live', 'later'), { durationSec: 30 }));
    const report = await runProbe({ url: nms.url('live', 'later'), durationSec: 2, timeoutSec: 10 });
    expect(report.counts.video).toBeGreaterThan(0);
  });

  it('node-media-server v4 drops a connection whose stream name has characters outside [A-Za-z0-9_-]: TRANSPORT_CLOSED', async () => {
    const nms = track(await startNodeMediaServer());
    const error = await failure(runProbe({ url: nms.url('vod', 'missing.flv'), durationSec: 2, timeoutSec: 5 }));
    expect(error.code).toBe('TRANSPORT_CLOSED');
    expect(error.message).toBe('the server closed the connection');
  });
});

describe('transport and usage failures', () => {
  it('nothing listening: TRANSPORT_CONNECT_FAILED naming ECONNREFUSED', async () => {
    const port = await freePort();
    const error = await failure(TcpTransport.connect('127.0.0.1', port, { timeoutMs: 3000 }));
    expect(error.code).toBe('TRANSPORT_CONNECT_FAILED');
    expect(error.category).toBe('transport');
    expect(error.details.errno).toBe('ECONNREFUSED');
    expect(error.message).toBe(`cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);

    const cli = await runCli(['probe', `rtmp://127.0.0.1:${port}/live/x`, '--json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toEqual({ error: { code: 'TRANSPORT_CONNECT_FAILED', message: error.message } });
  });

  it('a server that accepts TCP but never answers the handshake: SESSION_CONNECT_TIMEOUT', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const silentSockets = new Set<Socket>();
    silent.on('connection', (socket) => silentSockets.add(socket));
    cleanups.push(() => silentSockets.forEach((socket) => socket.destroy()));
    const error = await failure(runProbe({ url: `rtmp://127.0.0.1:${port}/live/x`, timeoutSec: 1 }));
    expect(error.code).toBe('SESSION_CONNECT_TIMEOUT');
    expect(error.message).toBe('no answer to connect within 1000 ms (state handshaking)');
  });

  it('usage errors exit 2 with the usage on stderr', async () => {
    const missing = await runCli(['probe']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('rtmp-web probe: PROBE_USAGE: missing <rtmp-url>');
    expect(missing.stderr).toContain('usage: rtmp-web probe <rtmp-url>');
    const badJson = await runCli(['probe', 'rtmp://127.0.0.1/live/x', '--duration', 'soon', '--json']);
    expect(badJson.code).toBe(2);
    expect(JSON.parse(badJson.stdout)).toEqual({ error: { code: 'PROBE_USAGE', message: '--duration must be a number of seconds in (0, 86400], got "soon"' } });
  });
});
