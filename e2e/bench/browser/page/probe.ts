/**
 * Page-side measurement shared by both players (runs in Chromium): first presented frame,
 * the pixel clock in presented frames (glass-to-glass), stalls, and buffered seconds.
 * Frame timing comes from requestVideoFrameCallback.
 */

/** What the harness reads back with page.evaluate. */
export interface ProbeReport {
  /** ms from start() to the first presented frame, or null. */
  firstFrameMs: number | null;
  /** Glass-to-glass samples, ms: presentation wall time minus the clock drawn into the frame. */
  latencies: number[];
  /** Frames whose pixel clock could not be read (not a clock stream, or damaged). */
  unreadable: number;
  presented: number;
  /** 'waiting' events after the first frame. */
  stalls: number;
  errors: string[];
}

/** Layout of the pixel clock (must match pixel-clock-publisher.ts): 40 bits, LSB first. */
export const CLOCK = { bits: 40, block: 16, row: 0 } as const;
export const CLOCK_MODULUS = 2 ** CLOCK.bits;

export class PlaybackProbe {
  readonly report: ProbeReport = { firstFrameMs: null, latencies: [], unreadable: 0, presented: 0, stalls: 0, errors: [] };
  private readonly startedAt = performance.now();
  private readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;
  private stopped = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly readClock: boolean,
  ) {
    this.canvas.width = CLOCK.bits * CLOCK.block;
    this.canvas.height = CLOCK.block;
    this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    video.addEventListener('waiting', () => {
      if (this.report.firstFrameMs !== null) this.report.stalls++;
    });
    video.addEventListener('error', () => this.report.errors.push(`video error ${video.error?.code ?? '?'}: ${video.error?.message ?? ''}`));
    this.next();
  }

  stop(): void {
    this.stopped = true;
  }

  private next(): void {
    if (this.stopped) return;
    this.video.requestVideoFrameCallback((_now, metadata) => {
      this.onFrame(metadata);
      this.next();
    });
  }

  private onFrame(metadata: VideoFrameCallbackMetadata): void {
    this.report.presented++;
    if (this.report.firstFrameMs === null) this.report.firstFrameMs = metadata.presentationTime - this.startedAt;
    if (!this.readClock) return;
    const presentedAtEpoch = performance.timeOrigin + metadata.presentationTime;
    // Draw only the clock strip, at 1:1 (the video is 640 wide).
    this.context.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height, 0, 0, this.canvas.width, this.canvas.height);
    const pixels = this.context.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
    let value = 0;
    let confident = true;
    for (let bit = 0; bit < CLOCK.bits; bit++) {
      // The centre of each block: far from the edges the encoder smears.
      const x = bit * CLOCK.block + CLOCK.block / 2;
      const y = CLOCK.block / 2;
      const luma = pixels[(y * this.canvas.width + x) * 4]!;
      if (luma > 64 && luma < 192) confident = false;
      if (luma >= 128) value += 2 ** bit;
    }
    // The clock is Date.now() modulo 2^40 (about 35 years of ms): compare modulo too.
    const latency = (((presentedAtEpoch - value) % CLOCK_MODULUS) + CLOCK_MODULUS) % CLOCK_MODULUS;
    if (!confident || latency > 60_000) {
      this.report.unreadable++;
      return;
    }
    this.report.latencies.push(latency);
  }
}

/** Seconds buffered ahead of the playhead. */
export function bufferedAhead(video: HTMLVideoElement): number {
  const ranges = video.buffered;
  if (ranges.length === 0) return 0;
  return Math.max(0, ranges.end(ranges.length - 1) - video.currentTime);
}
