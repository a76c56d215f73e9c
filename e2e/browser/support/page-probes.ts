/**
 * Reads the playing page: the player's state and stats through window.__rtmpPlayer /
 * window.__rtmpDemo (the demo's test hooks), and the video element's own figures.
 */
import type { Page } from '@playwright/test';

/** Page errors (uncaught exceptions) collected for the whole test: there must be none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  return errors;
}

export interface VideoFigures {
  currentTime: number;
  paused: boolean;
  readyState: number;
  decodedFrames: number;
  droppedFrames: number;
  audioBytes: number;
  videoWidth: number;
  videoHeight: number;
  state: string;
}

export function videoFigures(page: Page): Promise<VideoFigures> {
  return page.evaluate(() => {
    const video = document.querySelector('video') as HTMLVideoElement & { webkitAudioDecodedByteCount?: number };
    const quality = video.getVideoPlaybackQuality();
    return {
      currentTime: video.currentTime,
      paused: video.paused,
      readyState: video.readyState,
      decodedFrames: quality.totalVideoFrames,
      droppedFrames: quality.droppedVideoFrames,
      audioBytes: video.webkitAudioDecodedByteCount ?? 0,
      videoWidth: video.videoWidth,
      videoHeight: video.videoHeight,
      state: window.__rtmpPlayer?.state ?? 'none',
    };
  });
}

/** Waits for the player to report `state` (default 'playing'). */
export async function waitForState(page: Page, state: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction((wanted) => window.__rtmpPlayer?.state === wanted, state, { timeout: timeoutMs, polling: 100 });
}

/** Waits until currentTime has advanced by `seconds` from now; returns the figures at start and end. */
export async function waitForPlayback(page: Page, seconds: number, timeoutMs = seconds * 1000 + 15_000): Promise<{ start: VideoFigures; end: VideoFigures }> {
  const start = await videoFigures(page);
  await page.waitForFunction((target) => (document.querySelector('video') as HTMLVideoElement).currentTime >= target, start.currentTime + seconds, {
    timeout: timeoutMs,
    polling: 200,
  });
  return { start, end: await videoFigures(page) };
}

/**
 * Draws the current video frame into a canvas and checks testsrc2's six vertical colour bars
 * (red, green, yellow, blue, magenta, cyan, left to right) in the lower half, where only the
 * moving grey square may cover part of one bar. Returns per bar the fraction of sampled pixels
 * that have the expected colour.
 */
export function testPatternScores(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const video = document.querySelector('video') as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(video, 0, 0);
    const expected: Array<[boolean, boolean, boolean]> = [
      [true, false, false],
      [false, true, false],
      [true, true, false],
      [false, false, true],
      [true, false, true],
      [false, true, true],
    ];
    return expected.map(([r, g, b], bar) => {
      const x = Math.round(((bar + 0.5) / 6) * canvas.width);
      let hits = 0;
      const samples = 12;
      for (let i = 0; i < samples; i++) {
        const y = Math.round((0.45 + (0.52 * i) / (samples - 1)) * canvas.height);
        const [pr, pg, pb] = ctx.getImageData(x, Math.min(y, canvas.height - 1), 1, 1).data;
        const on = (v: number | undefined) => (v ?? 0) > 170;
        const off = (v: number | undefined) => (v ?? 255) < 90;
        if ((r ? on(pr) : off(pr)) && (g ? on(pg) : off(pg)) && (b ? on(pb) : off(pb))) hits++;
      }
      return hits / samples;
    });
  });
}
