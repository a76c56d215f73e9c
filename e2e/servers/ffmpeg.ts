/**
 * ffmpeg in its three roles for the tests: a live publisher (the usual OBS stand-in), an
 * RTMP "server" that serves exactly one playing client (`-listen 1`), and a maker of FLV
 * files with known content for VOD tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { LaunchError, isListening, startProcess, waitUntil, type ManagedProcess } from './process';
import type { Publisher, PublisherOptions, RtmpServerHandle } from './types';

export const FFMPEG_BINARY = 'ffmpeg';
export const FFPROBE_BINARY = 'ffprobe';

/** The defaults every helper here uses; tests may rely on them. */
export const PUBLISHER_DEFAULTS = {
  width: 640,
  height: 360,
  fps: 25,
  audioSampleRate: 44_100,
  audioFrequencyHz: 440,
  timestampJumpSec: 5,
} as const;

/**
 * Input and encoder arguments shared by all three roles: lavfi testsrc2 (a moving test
 * card with a frame counter) and a sine tone, H.264 (x264 High, yuv420p, zerolatency, so
 * no B-frames) with a keyframe every gopFrames, AAC-LC stereo. `realtime` adds -re so
 * ffmpeg sends at the pace of the timestamps, like a live encoder.
 */
export function encoderArgs(options: PublisherOptions, realtime: boolean): string[] {
  const video = options.video ?? true;
  const audio = options.audio ?? true;
  if (!video && !audio) throw new Error('encoderArgs: at least one of video and audio is needed');
  const width = options.width ?? PUBLISHER_DEFAULTS.width;
  const height = options.height ?? PUBLISHER_DEFAULTS.height;
  const fps = options.fps ?? PUBLISHER_DEFAULTS.fps;
  const gop = options.gopFrames ?? fps;
  const args: string[] = [];
  const re = realtime ? ['-re'] : [];
  // The duration limits the sources, not the output: an output -t would also cut the
  // stream short at the planted timestamp jump.
  const duration = options.durationSec === undefined ? '' : `:duration=${options.durationSec}`;
  if (video) args.push(...re, '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}${duration}`);
  if (audio) {
    args.push(
      ...re,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${PUBLISHER_DEFAULTS.audioFrequencyHz}:sample_rate=${PUBLISHER_DEFAULTS.audioSampleRate}${duration}`,
    );
  }
  const jumpAt = options.timestampJumpAtSec;
  const jumpBy = options.timestampJumpSec ?? PUBLISHER_DEFAULTS.timestampJumpSec;
  // The planted timestamp fault: PTS + jumpBy seconds once the input time T reaches
  // jumpAt. -re paces on input timestamps, so the jump shows only in what is sent.
  const shift = jumpAt === undefined ? undefined : `+gte(T\\,${jumpAt})*${jumpBy}/TB`;
  if (video) {
    args.push('-map', '0:v');
    if (shift) args.push('-vf', `setpts=PTS${shift}`);
    args.push(
      '-c:v', 'libx264',
      '-preset', 'veryfast',
      '-tune', 'zerolatency',
      '-profile:v', 'high',
      '-pix_fmt', 'yuv420p',
      '-g', String(gop),
      '-keyint_min', String(gop),
      '-sc_threshold', '0',
      '-b:v', '600k',
    );
  }
  if (audio) {
    args.push('-map', video ? '1:a' : '0:a');
    if (shift) args.push('-af', `asetpts=PTS${shift}`);
    args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', String(PUBLISHER_DEFAULTS.audioSampleRate));
  }
  // Keep the timestamps as produced (no frame duplication to fill the planted gap).
  args.push('-fps_mode', 'passthrough');
  args.push(...(options.extraArgs ?? []));
  return args;
}

const COMMON_ARGS = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-stats_period', '0.5'];

/**
 * Publishes a live test stream to `url` (rtmp://...). Resolves once ffmpeg has connected,
 * the server has accepted the publish and ffmpeg has written the FLV header (ffmpeg opens
 * the RTMP output, including connect/createStream/publish, before it prints
 * "Output #0"), so a player may start at once.
 */
export async function publishTestStream(url: string, options: PublisherOptions = {}): Promise<Publisher> {
  const args = [...COMMON_ARGS, ...encoderArgs(options, true), '-f', 'flv', url];
  const proc = startProcess(FFMPEG_BINARY, args, { label: 'ffmpeg-publisher' });
  let text = '';
  let started = false;
  proc.onOutput((chunk) => {
    text += chunk;
    if (!started && /Output #0, flv, to /.test(text)) started = true;
  });
  try {
    await waitUntil(`ffmpeg publishing to ${url}`, () => started, proc, 15_000);
  } catch (error) {
    await proc.stop('SIGKILL', 0);
    throw error;
  }
  return {
    done: proc.exited,
    logs: () => proc.logs(),
    async stop() {
      // SIGTERM makes ffmpeg finish the output cleanly (FCUnpublish, deleteStream).
      await proc.stop('SIGTERM', 3000);
    },
  };
}

/**
 * ffmpeg as the RTMP server a player connects to and plays from (`-f flv -listen 1`).
 * It serves one client and exits when that client leaves. Readiness comes from
 * /proc/net/tcp, never from a probe connection (which would be that one client). `restart()`
 * kills it and listens again on the same port (the reconnect tests).
 */
export async function startFfmpegServer(options: {
  app: string;
  stream: string;
  video?: boolean;
  audio?: boolean;
  durationSec?: number;
}): Promise<RtmpServerHandle> {
  // freePort() can race with another process taking the port: then ffmpeg exits at once
  // ("Address already in use") and we try another port.
  const listenArgs = (on: number) => [...COMMON_ARGS, ...encoderArgs(options, true), '-f', 'flv', '-listen', '1', `rtmp://127.0.0.1:${on}/${options.app}/${options.stream}`];
  let port = 0;
  let proc: ManagedProcess | undefined;
  for (let attempt = 0; attempt < 4 && !proc; attempt++) {
    port = await freePort();
    const candidate = startProcess(FFMPEG_BINARY, listenArgs(port), { label: 'ffmpeg-server' });
    const listening = port;
    try {
      await waitUntil(`ffmpeg server on ${port}`, () => isListening(listening), candidate, 10_000);
      proc = candidate;
    } catch (error) {
      await candidate.stop('SIGKILL', 0);
      if (attempt === 3) throw error;
    }
  }
  if (!proc) throw new LaunchError('LAUNCH_PORT_RACE', 'ffmpeg server: no free port');
  let current = proc;
  let earlierLogs = '';
  let stopped = false;
  const listenPort = port;
  return {
    kind: 'ffmpeg',
    host: '127.0.0.1',
    port,
    url: (app, stream) => `rtmp://127.0.0.1:${port}/${app}/${stream}`,
    logs: () => earlierLogs + current.logs(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await current.stop('SIGTERM', 2000);
    },
    /** Kills the server (SIGKILL, as a crash) and starts a new one listening on the same port (ffmpeg listens with SO_REUSEADDR). */
    async restart() {
      if (stopped) throw new Error('ffmpeg server: restart() after stop()');
      await current.stop('SIGKILL', 0);
      earlierLogs += current.logs();
      const next = startProcess(FFMPEG_BINARY, listenArgs(listenPort), { label: 'ffmpeg-server' });
      try {
        await waitUntil(`ffmpeg server on ${listenPort} again`, () => isListening(listenPort), next, 10_000);
      } catch (error) {
        await next.stop('SIGKILL', 0);
        throw error;
      }
      current = next;
    },
  };
}

/** Writes an FLV file with known content (as fast as possible, no -re). */
export async function makeFlvFixture(path: string, options: PublisherOptions & { durationSec: number }): Promise<void> {
  const args = [...COMMON_ARGS, '-y', ...encoderArgs(options, false), '-f', 'flv', path];
  const proc = startProcess(FFMPEG_BINARY, args, { label: 'ffmpeg-fixture' });
  const timer = setTimeout(() => void proc.stop('SIGKILL', 0), 60_000);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw new LaunchError('LAUNCH_EXITED', `ffmpeg could not write ${path} (exit ${code})`, proc.logs());
}

/** Runs ffprobe on `input` and returns its JSON (-show_streams -show_format), with a timeout. */
export async function ffprobeJson(input: string, extraArgs: string[] = [], timeoutMs = 20_000): Promise<FfprobeResult> {
  const args = ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', ...extraArgs, input];
  const proc = startProcess(FFPROBE_BINARY, args, { label: 'ffprobe' });
  let stdout = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const timer = setTimeout(() => void proc.stop('SIGKILL', 0), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw new LaunchError('LAUNCH_EXITED', `ffprobe ${input} failed (exit ${code})`, proc.logs());
  return JSON.parse(stdout) as FfprobeResult;
}

export interface FfprobeStream {
  index: number;
  codec_type: 'video' | 'audio' | 'data' | string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  avg_frame_rate?: string;
}

export interface FfprobePacket {
  codec_type: 'video' | 'audio' | string;
  stream_index: number;
  pts_time?: string;
  dts_time?: string;
  /** "K_" for a keyframe, "__" otherwise. */
  flags: string;
  size?: string;
}

export interface FfprobeResult {
  streams: FfprobeStream[];
  /** Present when called with -show_packets. */
  packets?: FfprobePacket[];
  format?: { format_name?: string; duration?: string };
}

/** A fresh temp dir under os.tmpdir() and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
