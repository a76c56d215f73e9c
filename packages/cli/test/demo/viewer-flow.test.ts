import { describe, expect, it } from 'vitest';
import { ViewerFlowControl } from '../../src/demo/viewer-flow';

const limits = { dropVideoAboveBytes: 1000, resumeVideoBelowBytes: 200, disconnectAboveBytes: 5000 };
const key = { kind: 'video', keyframe: true } as const;
const inter = { kind: 'video', keyframe: false } as const;
const audio = { kind: 'audio', keyframe: false } as const;

describe('ViewerFlowControl', () => {
  it('sends everything while the queue is short', () => {
    const flow = new ViewerFlowControl(limits);
    expect([flow.decide(key, 0), flow.decide(inter, 1000), flow.decide(audio, 4999)]).toEqual(['send', 'send', 'send']);
    expect(flow.isDroppingVideo).toBe(false);
  });

  it('drops video up to a keyframe that finds the queue drained, and keeps audio flowing', () => {
    const flow = new ViewerFlowControl(limits);
    const steps: Array<[typeof key | typeof inter | typeof audio, number]> = [
      [inter, 1001], // over the mark: start dropping
      [audio, 1500], // audio still goes
      [inter, 100], // queue drained, but an inter frame cannot be decoded without its keyframe
      [key, 500], // keyframe, but the queue is not below the resume mark yet
      [inter, 150],
      [audio, 150],
      [key, 199], // keyframe with the queue drained: resume
      [inter, 999],
    ];
    expect(steps.map(([f, q]) => flow.decide(f, q))).toEqual(['drop', 'send', 'drop', 'drop', 'drop', 'send', 'send', 'send']);
    expect(flow.framesDropped).toBe(4);
    expect(flow.isDroppingVideo).toBe(false);
  });

  it('disconnects past the hard limit, whatever the frame', () => {
    const flow = new ViewerFlowControl(limits);
    expect(flow.decide(audio, 5001)).toBe('disconnect');
    expect(flow.decide(key, 5001)).toBe('disconnect');
  });

  it('rejects limits in the wrong order', () => {
    expect(() => new ViewerFlowControl({ dropVideoAboveBytes: 10, resumeVideoBelowBytes: 20, disconnectAboveBytes: 30 })).toThrow(RangeError);
  });
});
