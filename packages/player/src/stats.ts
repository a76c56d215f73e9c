/**
 * Rates over a sliding window (bitrate and message rate per track), from arrival events.
 * Pure: the caller passes times. A window of a couple of seconds smooths GOP-sized bursts
 * (a keyframe is many times a P-frame) without hiding a real drop for long.
 */
export interface TrackRate {
  /** kbit/s of RTMP message bodies over the window. */
  kbps: number;
  /** Messages per second over the window (for video, the received frame rate). */
  perSecond: number;
  /** Totals since the start. */
  bytes: number;
  messages: number;
}

export class RateMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private totalBytes = 0;
  private totalMessages = 0;
  private firstAt: number | null = null;

  constructor(private readonly windowMs = 2000) {}

  record(bytes: number, at: number): void {
    this.samples.push({ at, bytes });
    this.totalBytes += bytes;
    this.totalMessages++;
    this.firstAt ??= at;
    this.prune(at);
  }

  snapshot(now: number): TrackRate {
    this.prune(now);
    // Until a whole window has passed, divide by the time actually observed (at least 250 ms).
    const span = Math.max(250, Math.min(this.windowMs, now - (this.firstAt ?? now)));
    let bytes = 0;
    for (const s of this.samples) bytes += s.bytes;
    return {
      kbps: (bytes * 8) / span,
      perSecond: (this.samples.length * 1000) / span,
      bytes: this.totalBytes,
      messages: this.totalMessages,
    };
  }

  reset(): void {
    this.samples.length = 0;
    this.totalBytes = 0;
    this.totalMessages = 0;
    this.firstAt = null;
  }

  private prune(now: number): void {
    while (this.samples.length > 0 && this.samples[0]!.at < now - this.windowMs) this.samples.shift();
  }
}

/** Time to first frame, each stage in ms since load() (or since the reconnect attempt began). */
export interface TimeToFirstFrame {
  wsOpen: number | null;
  handshake: number | null;
  connect: number | null;
  /** NetStream.Play.Start received. */
  play: number | null;
  firstMedia: number | null;
  /** First video frame presented (requestVideoFrameCallback), or audio-only playback started. */
  firstFrame: number | null;
}

export function emptyTimeToFirstFrame(): TimeToFirstFrame {
  return { wsOpen: null, handshake: null, connect: null, play: null, firstMedia: null, firstFrame: null };
}
