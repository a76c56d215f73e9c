/**
 * What to do with the next media frame for one viewer, given how many bytes are still queued
 * in its socket. Pure: the server asks before each write.
 *
 * A live source must not queue without bound for a viewer that reads slowly. Like live RTMP
 * servers, it first sheds video — a video frame is only decodable after its keyframe, so once
 * one is dropped every frame up to the next keyframe goes too — and keeps audio flowing
 * (audio is small and its loss is what people notice). If even that does not drain the queue
 * and it passes the hard limit, the viewer is disconnected.
 */
export interface ViewerFlowLimits {
  /** Start dropping video when this many bytes are queued. Default 512 KiB. */
  dropVideoAboveBytes: number;
  /** Resume video (at a keyframe) only once the queue is below this. Default 128 KiB. */
  resumeVideoBelowBytes: number;
  /** Disconnect the viewer when this many bytes are queued. Default 4 MiB. */
  disconnectAboveBytes: number;
}

export const DEFAULT_VIEWER_FLOW_LIMITS: ViewerFlowLimits = {
  dropVideoAboveBytes: 512 * 1024,
  resumeVideoBelowBytes: 128 * 1024,
  disconnectAboveBytes: 4 * 1024 * 1024,
};

export type FlowDecision = 'send' | 'drop' | 'disconnect';

export class ViewerFlowControl {
  private droppingVideo = false;
  private droppedFrames = 0;

  constructor(private readonly limits: ViewerFlowLimits = DEFAULT_VIEWER_FLOW_LIMITS) {
    if (!(limits.resumeVideoBelowBytes <= limits.dropVideoAboveBytes && limits.dropVideoAboveBytes <= limits.disconnectAboveBytes)) {
      throw new RangeError('viewer flow limits must satisfy resumeVideoBelow <= dropVideoAbove <= disconnectAbove');
    }
  }

  /** True while video is being skipped until a keyframe arrives with the queue drained. */
  get isDroppingVideo(): boolean {
    return this.droppingVideo;
  }

  get framesDropped(): number {
    return this.droppedFrames;
  }

  decide(frame: { kind: 'audio' | 'video'; keyframe: boolean }, queuedBytes: number): FlowDecision {
    if (queuedBytes > this.limits.disconnectAboveBytes) return 'disconnect';
    if (frame.kind === 'audio') return 'send';
    if (this.droppingVideo) {
      if (frame.keyframe && queuedBytes < this.limits.resumeVideoBelowBytes) {
        this.droppingVideo = false;
        return 'send';
      }
      this.droppedFrames++;
      return 'drop';
    }
    if (queuedBytes > this.limits.dropVideoAboveBytes) {
      this.droppingVideo = true;
      this.droppedFrames++;
      return 'drop';
    }
    return 'send';
  }
}
