/**
 * Holds a live stream at a target latency with the media element's playbackRate and, when far
 * behind, a jump to the live edge. Pure: the player samples the element and applies decisions.
 *
 * Why both: a small rate change (at most +25 %) is inaudible-ish and keeps playback continuous,
 * so small excess latency is drained that way; a large backlog (a background tab, a long stall)
 * would take minutes to drain at 1.25x, so beyond `jumpThreshold` we seek. The rate never goes
 * below 1: a live stream that plays slower than real time only builds latency, and starvation is
 * prevented by not speeding up when the buffer is already thin (`minBuffer`) instead.
 */
export interface LatencyControllerOptions {
  /** End-to-end latency to hold, seconds. */
  targetLatency?: number;
  /** Latency above target tolerated before speeding up, seconds (hysteresis: speed-up ends at the target). */
  tolerance?: number;
  /** Highest playbackRate used to catch up. */
  maxPlaybackRate?: number;
  /** Rate increase per second of excess latency (1.0 + gain * excess, capped). */
  rateGain?: number;
  /** Latency (or buffer) beyond which we seek to the live edge, seconds. */
  jumpThreshold?: number;
  /** Never speed up (and never seek closer than this) when the buffer ahead is thinner, seconds. */
  minBuffer?: number;
  /** After a seek, wait this long before another one (the estimate needs fresh frames), ms. */
  jumpCooldownMs?: number;
  /** Each underrun (playback waiting for data) adds this much to the target, s ... */
  underrunBoost?: number;
  /** ... up to this much in total, s ... */
  maxUnderrunBoost?: number;
  /** ... and the extra decays by this much per second of playback without underruns, s/s. */
  boostDecayPerSecond?: number;
}

export interface PlaybackSample {
  /** Wall clock, ms (performance.now()). */
  now: number;
  /** media.currentTime, s. */
  currentTime: number;
  /** End of the buffered range that holds currentTime (or of the last range when none does), s; null when nothing is buffered. */
  bufferedEnd: number | null;
  /** Start of that range, s. */
  bufferedStart: number | null;
  paused: boolean;
  /** End-to-end latency of the presented frame, s; null when not yet known (then the buffer stands in). */
  latency: number | null;
  /**
   * Messages are still arriving late (a backlog in the socket after the page was busy or
   * throttled): the buffered end is not the live edge yet, so seeks wait until it is.
   */
  ingestBacklog?: boolean;
}

export type SeekReason = 'start' | 'far-behind' | 'live-edge-requested';

export interface LatencyDecision {
  playbackRate: number;
  /** When set, seek media.currentTime here. */
  seekTo?: number;
  reason?: SeekReason;
  /** The figure the decision was based on, s. */
  latency: number | null;
  /** bufferedEnd - currentTime, s. */
  buffer: number | null;
}

const DEFAULTS: Required<LatencyControllerOptions> = {
  targetLatency: 0.2,
  tolerance: 0.05,
  maxPlaybackRate: 1.25,
  rateGain: 0.5,
  jumpThreshold: 1.0,
  minBuffer: 0.08,
  jumpCooldownMs: 2000,
  underrunBoost: 0.05,
  maxUnderrunBoost: 0.25,
  boostDecayPerSecond: 0.002,
};

export class LatencyController {
  readonly options: Required<LatencyControllerOptions>;
  private catchingUp = false;
  private started = false;
  private liveEdgeRequested = false;
  private lastJumpAt = -Infinity;
  private boost = 0;
  private lastUpdateAt: number | null = null;

  constructor(options: LatencyControllerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * The target actually held: the configured one plus what underruns added. A network or a
   * machine that cannot sustain the configured latency gets a little more buffer after each
   * underrun (playback waiting for data), and the extra drains away (0.12 s per minute by
   * default) while playback runs clean, so the latency settles where this path can hold it.
   */
  get effectiveTarget(): number {
    return this.options.targetLatency + this.boost;
  }

  /** Whether the start decision (jump to the live edge or not) was made for this pipeline. */
  get hasStarted(): boolean {
    return this.started;
  }

  /** Playback ran out of data (the element is waiting while it should play). */
  noteUnderrun(): void {
    this.boost = Math.min(this.options.maxUnderrunBoost, this.boost + this.options.underrunBoost);
  }

  /** Ask for a jump to the live edge at the next update (tab visible again, user request). */
  requestLiveEdge(): void {
    this.liveEdgeRequested = true;
  }

  /** A new pipeline started (new MSE timeline): the next buffered data gets the start jump again. */
  reset(): void {
    this.catchingUp = false;
    this.started = false;
    this.liveEdgeRequested = false;
    this.lastJumpAt = -Infinity;
  }

  update(sample: PlaybackSample): LatencyDecision {
    const o = this.options;
    if (this.lastUpdateAt !== null && !sample.paused) {
      const elapsed = Math.max(0, sample.now - this.lastUpdateAt) / 1000;
      this.boost = Math.max(0, this.boost - o.boostDecayPerSecond * elapsed);
    }
    this.lastUpdateAt = sample.now;
    const target = this.effectiveTarget;
    const { bufferedEnd, currentTime } = sample;
    if (bufferedEnd === null) return { playbackRate: 1, latency: sample.latency, buffer: null };
    const buffer = bufferedEnd - currentTime;
    // currentTime before the range's start: stuck in front of a gap (the element cannot play on).
    const inGap = sample.bufferedStart !== null && currentTime < sample.bufferedStart - 0.01;
    const latency = sample.latency ?? Math.max(0, buffer);
    // The part of the latency the buffer does not explain (transit, demux, decode) cannot be
    // seeked away; the buffer should hold only what is left of the target.
    const pipeline = Math.max(0, latency - Math.max(0, buffer));
    const bufferTarget = Math.max(o.minBuffer, target - pipeline);
    const liveEdge = Math.max(sample.bufferedStart ?? 0, bufferedEnd - bufferTarget);

    if (sample.paused && this.started) {
      // Nothing to hold while paused; resuming requests the live edge (see the player).
      this.catchingUp = false;
      return { playbackRate: 1, latency, buffer };
    }
    if (sample.ingestBacklog) {
      // Keep any live-edge request (and the start jump) for when the backlog has arrived.
      this.catchingUp = false;
      return { playbackRate: 1, latency, buffer };
    }
    let reason: SeekReason | undefined;
    if (!this.started) {
      this.started = true;
      if (buffer > bufferTarget + o.tolerance || buffer < 0 || inGap) reason = 'start';
    } else if (this.liveEdgeRequested) {
      reason = 'live-edge-requested';
    } else if (
      sample.now - this.lastJumpAt >= o.jumpCooldownMs &&
      (latency > o.jumpThreshold || buffer > o.jumpThreshold || buffer < 0 || inGap)
    ) {
      // buffer < 0 or inGap: currentTime is outside the data and cannot play on.
      reason = 'far-behind';
    }
    this.liveEdgeRequested = false;
    if (reason && liveEdge > currentTime + 0.01) {
      this.lastJumpAt = sample.now;
      this.catchingUp = false;
      return { playbackRate: 1, seekTo: liveEdge, reason, latency, buffer };
    }

    const excess = latency - target;
    if (sample.paused || buffer <= o.minBuffer || excess <= 0) this.catchingUp = false;
    else if (excess > o.tolerance) this.catchingUp = true;
    const playbackRate = this.catchingUp ? Math.min(o.maxPlaybackRate, 1 + o.rateGain * excess) : 1;
    return { playbackRate, latency, buffer };
  }
}
