/**
 * Audio priority when the page falls behind (the promise RTMP itself makes: Flash Player dropped
 * video, never audio). While `behind`, video messages are dropped up to the next keyframe, because
 * any inter frame after a dropped one could not be decoded anyway; audio and decoder
 * configurations always pass. Each keyframe lets video resume, so while the page stays behind
 * only keyframes get through and audio keeps flowing; once it catches up, full video returns at
 * the first keyframe. Pure: no clocks, the caller says whether it is behind.
 */
export interface DropCandidate {
  kind: 'audio' | 'video';
  keyframe: boolean;
  config: boolean;
}

export class VideoDropPolicy {
  private droppingUntilKeyframe = false;
  private droppedTotal = 0;

  /** Video frames dropped so far. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** True while waiting for a keyframe to resume video. */
  get dropping(): boolean {
    return this.droppingUntilKeyframe;
  }

  /** Whether to forward this frame to the media sink. */
  accept(frame: DropCandidate, behind: boolean): boolean {
    if (frame.kind === 'audio' || frame.config) return true;
    if (frame.keyframe) {
      // A keyframe decodes on its own: resume here, and let the next inter frame decide again.
      this.droppingUntilKeyframe = false;
      return true;
    }
    if (behind) this.droppingUntilKeyframe = true;
    if (this.droppingUntilKeyframe) {
      this.droppedTotal++;
      return false;
    }
    return true;
  }

  /** A new stream (reconnect): forget any drop in progress. */
  reset(): void {
    this.droppingUntilKeyframe = false;
  }
}
