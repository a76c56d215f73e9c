/**
 * `rtmp-web probe` against real servers with ffmpeg publishing (or serving): through the
 * library (runProbe) and as the real command (`pnpm --silent rtmp-web probe ... --json`).
 * Every test starts and stops its own servers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '@rtmp-web/cli';
import type { ProbeReport } from '@rtmp-web/cli';
import {
  PUBLISHER_DEFAULTS,
  publishTestStream,
  startFfmpegServer,
  startNginxRtmp,
  startNodeMediaServer,
  waitForStream,
  type Publisher,
  type RtmpServerHandle,
} from '../servers/index';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
function track<T extends RtmpServerHandle | Publisher>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

/** Runs the CLI as a child process from the repository root, as the README says. */
export function runCli(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['--silent', 'rtmp-web', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rtmp-web ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * What every server must deliver for the default test stream (H.264 High 640x360 25 fps,
 * AAC-LC 44.1 kHz stereo): the probe's findings, exactly.
 */
function expectDefaultStream(report: ProbeReport, serverDigest: boolean): void {
  expect(report.handshake.kind).toBe('digest');
  expect(report.handshake.serverDigestVerified).toBe(serverDigest);
  expect(report.connect.code).toBe('NetConnection.Connect.Success');
  expect(report.play.code).toBe('NetStream.Play.Start');
  const metadata = report.metadata as Record<string, unknown>;
  expect(metadata.width).toBe(PUBLISHER_DEFAULTS.width);
  expect(metadata.height).toBe(PUBLISHER_DEFAULTS.height);
  // x264 chooses level 3.0 (0x1e) for 640x360 at 25 fps; High profile is 0x64.
  expect(report.tracks.video).toEqual({ codec: 'avc1.64001e', width: 640, height: 360 });
  expect(report.tracks.audio).toEqual({ codec: 'mp4a.40.2', sampleRate: PUBLISHER_DEFAULTS.audioSampleRate, channels: 2 });
  expect(report.counts.video).toBeGreaterThan(10);
  expect(report.counts.audio).toBeGreaterThan(10);
  expect(report.counts.data).toBeGreaterThanOrEqual(1);
  expect(report.bitrateKbps.video).toBeGreaterThan(0);
  expect(report.bitrateKbps.audio).toBeGreaterThan(0);
  const media = report.media ?? [];
  expect(media.length).toBe(report.counts.audio + report.counts.video);
  for (const type of ['audio', 'video'] as const) {
    const entries = media.filter((m) => m.type === type);
    // Sequence header first, then frames with timestamps that never go back.
    expect(entries[0]?.config).toBe(true);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.timestamp).toBeGreaterThanOrEqual(entries[i - 1]!.timestamp);
    expect(entries.every((m) => m.size > 0)).toBe(true);
  }
  expect(media.find((m) => m.type === 'video' && !m.config)?.keyframe).toBe(true);
}

describe('probe against nginx-rtmp (live)', () => {
  it('reports the published stream, through the library and through the command', async () => {
    const nginx = track(await startNginxRtmp());
    track(await publishTestStream(nginx.url('live', 'cam'), { durationSec: 60 }));
    await waitForStream(nginx, 'live', 'cam');

    const report = await runProbe({ url: nginx.url('live', 'cam'), durationSec: 3, collectMedia: true });
    expectDefaultStream(report, true);
    expect(report.stopReason).toBe('duration');

    const cli = await runCli(['probe', nginx.url('live', 'cam'), '--duration', '3', '--messages', '--json']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as ProbeReport;
    expectDefaultStream(fromCli, true);
  });
});

describe('probe against node-media-server v4', () => {
  it('reports the published stream, through the library and through the command', async () => {
    const nms = track(await startNodeMediaServer());
    track(await publishTestStream(nms.url('live', 'cam'), { durationSec: 60 }));
    await waitForStream(nms, 'live', 'cam');

    const report = await runProbe({ url: nms.url('live', 'cam'), durationSec: 3, collectMedia: true });
    expectDefaultStream(report, NMS_SIGNS_S1);
    expect(report.stopReason).toBe('duration');

    const cli = await runCli(['probe', nms.url('live', 'cam'), '--duration', '3', '--messages', '--json']);
    expect(cli.code).toBe(0);
    expectDefaultStream(JSON.parse(cli.stdout) as ProbeReport, NMS_SIGNS_S1);
  });
});

describe('probe against ffmpeg -listen 1', () => {
  it('reports the served stream (library)', async () => {
    const server = track(await startFfmpegServer({ app: 'live', stream: 'cam', durationSec: 30 }));
    const report = await runProbe({ url: server.url('live', 'cam'), durationSec: 3, collectMedia: true });
    expectDefaultStream(report, FFMPEG_SIGNS_S1);
  });

  it('stops by itself when ffmpeg ends its input and hangs up (stopReason connection-closed)', async () => {
    const server = track(await startFfmpegServer({ app: 'live', stream: 'cam', durationSec: 3 }));
    const started = Date.now();
    const report = await runProbe({ url: server.url('live', 'cam'), durationSec: 60 });
    expect(report.stopReason).toBe('connection-closed');
    expect(Date.now() - started).toBeLessThan(20_000);
    // 3 s at 25 fps: 75 frames plus the sequence header (the end-of-sequence tag may not make it).
    expect(report.counts.video).toBeGreaterThanOrEqual(76);
  });

  it('reports the served stream (command, text output)', async () => {
    const server = track(await startFfmpegServer({ app: 'live', stream: 'cam', durationSec: 30 }));
    const cli = await runCli(['probe', server.url('live', 'cam'), '--duration', '2']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^handshake +digest, /m);
    expect(cli.stdout).toMatch(/^connect +NetConnection\.Connect\.Success/m);
    expect(cli.stdout).toMatch(/^play +NetStream\.Play\.Start/m);
    expect(cli.stdout).toMatch(/^video +avc1\.64001e 640x360, \d+ messages/m);
    expect(cli.stdout).toMatch(/^audio +mp4a\.40\.2 44100 Hz 2 ch, \d+ messages/m);
  });
});

/** Observed facts about each server's handshake (see the notes in docs/session.md). */
const NMS_SIGNS_S1 = true;
const FFMPEG_SIGNS_S1 = false;
