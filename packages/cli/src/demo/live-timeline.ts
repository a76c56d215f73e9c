import type { ClipFrame, DemoClip } from './clip';

/**
 * The endless live timeline made by looping one clip: pure arithmetic, no clock of its own.
 *
 * Every frame ever broadcast has a sequence number `seq`: loop = floor(seq / n), index =
 * seq mod n, where n is the number of frames in the clip. Its timestamp is
 * loop * period + frames[index].timestamp, so timestamps keep rising across the loop seam
 * instead of jumping back to 0 (a jump back makes MSE players stall or drop the buffer).
 * "Live time" is milliseconds since the source started; a frame is due once live time has
 * reached its timestamp, so every viewer sees the same frame at the same moment.
 */
export class LiveTimeline {
  private readonly frames: readonly ClipFrame[];
  private readonly joinPoints: readonly number[];
  private readonly period: number;

  constructor(clip: Pick<DemoClip, 'frames' | 'joinPoints' | 'durationMs'>) {
    if (clip.frames.length === 0) throw new RangeError('LiveTimeline needs at least one frame');
    if (clip.joinPoints.length === 0) throw new RangeError('LiveTimeline needs at least one join point');
    this.frames = clip.frames;
    this.joinPoints = clip.joinPoints;
    this.period = clip.durationMs;
  }

  get framesPerLoop(): number {
    return this.frames.length;
  }

  get periodMs(): number {
    return this.period;
  }

  /** The frame with sequence number `seq` and its timestamp on the live timeline. */
  frameAt(seq: number): { frame: ClipFrame; timestamp: number; loop: number } {
    const n = this.frames.length;
    const loop = Math.floor(seq / n);
    const frame = this.frames[seq - loop * n]!;
    return { frame, timestamp: loop * this.period + frame.timestamp, loop };
  }

  timestampOf(seq: number): number {
    return this.frameAt(seq).timestamp;
  }

  /**
   * How many frames are due at `liveMs`: the sequence number of the first frame whose
   * timestamp is still in the future.
   */
  dueCount(liveMs: number): number {
    if (liveMs < 0) return 0;
    const loop = Math.floor(liveMs / this.period);
    const within = liveMs - loop * this.period;
    return loop * this.frames.length + countAtOrBefore(this.frames, within);
  }

  /**
   * Where a viewer joining at `liveMs` starts: the most recent join point (keyframe) whose
   * timestamp is at or before `liveMs` — the "GOP cache" of live servers, so the picture
   * appears at once instead of after up to one GOP. Before the very first join point has been
   * reached it is that first join point, which the viewer then waits for.
   */
  joinSeq(liveMs: number): number {
    const due = this.dueCount(liveMs);
    if (due === 0) return this.joinPoints[0]!;
    const n = this.frames.length;
    const lastDue = due - 1;
    let loop = Math.floor(lastDue / n);
    const index = lastDue - loop * n;
    // Largest join point index <= index in this loop, else the last join point of the loop before.
    let pick = -1;
    for (let lo = 0, hi = this.joinPoints.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if (this.joinPoints[mid]! <= index) {
        pick = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (pick < 0) {
      if (loop === 0) return this.joinPoints[0]!;
      loop -= 1;
      pick = this.joinPoints.length - 1;
    }
    return loop * n + this.joinPoints[pick]!;
  }
}

/** Number of frames with timestamp <= t (frames are sorted by timestamp). */
function countAtOrBefore(frames: readonly ClipFrame[], t: number): number {
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
