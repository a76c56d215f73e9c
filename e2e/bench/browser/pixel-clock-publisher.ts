/**
 * A live publisher whose every frame carries the wall-clock time it was made: Node draws
 * 640x360 grey frames with the current Date.now() (mod 2^40) in the top row as 40 black/white 16x16
 * blocks (bit i at x = 16i, least significant first) and pipes them, paced at 30 fps, into
 * ffmpeg, which encodes H.264 (x264 veryfast zerolatency, 1 s GOP, no audio) and publishes
 * over RTMP. The page reads the blocks back from each presented frame (page/probe.ts), so
 * the difference is true glass-to-glass: capture, encode, server, bridge, player, decode,
 * present.
 */
import { spawn } from 'node:child_process';
import { sleep } from '../../servers/process';
import { CLOCK, CLOCK_MODULUS } from './page/probe';

export const CLOCK_VIDEO = { width: 640, height: 360, fps: 30 } as const;

export interface PixelClockPublisher {
  framesSent(): number;
  stop(): Promise<void>;
  logs(): string;
}

function drawFrame(frame: Buffer, index: number, epochMs: number): void {
  const { width, height } = CLOCK_VIDEO;
  frame.fill(96);
  // A moving bar, so the encoder has motion to code and frames are not all skipped.
  const barX = (index * 8) % width;
  for (let y = 64; y < height; y++) frame.fill(200, y * width + barX, y * width + Math.min(width, barX + 32));
  let value = epochMs % CLOCK_MODULUS;
  for (let bit = 0; bit < CLOCK.bits; bit++) {
    const on = value % 2 === 1;
    value = Math.floor(value / 2);
    const luma = on ? 255 : 0;
    for (let y = 0; y < CLOCK.block; y++) {
      const row = (CLOCK.row + y) * width + bit * CLOCK.block;
      frame.fill(luma, row, row + CLOCK.block);
    }
  }
}

export async function startPixelClockPublisher(rtmpUrl: string): Promise<PixelClockPublisher> {
  const { width, height, fps } = CLOCK_VIDEO;
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-f', 'rawvideo', '-pix_fmt', 'gray', '-video_size', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0', '-b:v', '1000k',
    '-f', 'flv', rtmpUrl,
  ];
  // The e2e launchers give children no stdin, so this one spawns ffmpeg itself; it is killed
  // by stop() and, should this process end first, by the exit hook below.
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stdin = child.stdin;
  let sent = 0;
  let stopped = false;
  const frame = Buffer.alloc(width * height);
  const start = performance.now();
  let blocked = false;
  const tick = (): void => {
    if (stopped) return;
    // Absolute schedule: frame i is due at start + i / fps, whatever the timer jitter. Each
    // frame carries the time it was drawn, so frames written late say so.
    const due = Math.floor(((performance.now() - start) * fps) / 1000) + 1;
    while (!blocked && sent < due) {
      drawFrame(frame, sent, Date.now());
      sent++;
      if (!stdin.write(frame)) {
        blocked = true;
        stdin.once('drain', () => {
          blocked = false;
        });
      }
    }
    setTimeout(tick, 5);
  };
  stdin.on('error', () => undefined);
  tick();
  const deadline = Date.now() + 15_000;
  while (sent <= fps) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stopped = true;
      child.kill('SIGKILL');
      throw new Error(`pixel clock publisher: ffmpeg did not take frames (exit ${child.exitCode}):\n${log}`);
    }
    await sleep(50);
  }
  return {
    framesSent: () => sent,
    logs: () => log,
    async stop() {
      stopped = true;
      stdin.end();
      // ffmpeg ends on EOF; make sure it does.
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
    },
  };
}
