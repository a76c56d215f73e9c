/**
 * End-to-end latency from RTMP timestamps and arrival times.
 *
 * Each media message gives one offset `arrival wall time - RTMP timestamp`. The smallest offset in
 * a sliding window is the baseline: the path the fastest message took (sender clock plus the
 * least transit). A frame presented now, with RTMP timestamp `ts`, would at best have arrived at
 * `ts + baseline`; everything after that moment (arrival jitter, demux, MSE buffer, decode) is
 * latency the player adds or inherits. Taking the minimum (not the first offset) makes the
 * estimate immune to a burst at join (a server's GOP cache sends old frames late, with large
 * offsets) and the sliding window follows a slow drift between the sender's and our clocks, so
 * the figure cannot creep over a long session.
 */
export class LatencyEstimator {
  private readonly windowMs: number;
  /** Monotonic deque of (wall time, offset), increasing offsets: the front is the window minimum. */
  private readonly window: Array<{ at: number; offset: number }> = [];
  private latestTimestamp: number | null = null;
  private latestOffset: number | null = null;

  constructor(options: { windowMs?: number } = {}) {
    this.windowMs = options.windowMs ?? 30_000;
  }

  /** One media message arrived (RTMP timestamp in ms, wall clock in ms). */
  onArrival(rtmpTimestamp: number, wallMs: number): void {
    const offset = wallMs - rtmpTimestamp;
    while (this.window.length > 0 && this.window[this.window.length - 1]!.offset >= offset) this.window.pop();
    this.window.push({ at: wallMs, offset });
    while (this.window[0]!.at < wallMs - this.windowMs) this.window.shift();
    if (this.latestTimestamp === null || rtmpTimestamp >= this.latestTimestamp) this.latestTimestamp = rtmpTimestamp;
    this.latestOffset = offset;
  }

  /** Forget everything (timestamps restarted: a new publisher or a reconnect). */
  reset(): void {
    this.window.length = 0;
    this.latestTimestamp = null;
    this.latestOffset = null;
  }

  /** The baseline offset (ms), or null before the first arrival. */
  get baseline(): number | null {
    return this.window[0]?.offset ?? null;
  }

  /** Newest RTMP timestamp received (the live edge on the sender's timeline). */
  get liveEdgeTimestamp(): number | null {
    return this.latestTimestamp;
  }

  /**
   * How late the most recent message arrived compared to the fastest one (ms). Grows when the
   * page reads slower than the stream plays: messages queue in the socket, bridge or server.
   */
  get arrivalLag(): number {
    const base = this.baseline;
    return base === null || this.latestOffset === null ? 0 : this.latestOffset - base;
  }

  /** Latency (ms) of the frame with RTMP timestamp `presentedTimestamp` shown at `wallMs`. */
  latencyOf(presentedTimestamp: number, wallMs: number): number | null {
    const base = this.baseline;
    return base === null ? null : wallMs - base - presentedTimestamp;
  }
}
