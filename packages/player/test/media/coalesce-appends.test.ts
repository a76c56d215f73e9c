import { describe, expect, it } from 'vitest';
import { MAX_COALESCED_APPEND_BYTES, coalesceAppends, mergeHead } from '../../src/media/mpegts-remux-sink';
import type { QueuedSegment } from '../../src/media/mpegts-remux-sink';

type Segment = QueuedSegment & { sampleCount?: number };

const bytesOf = (segment: Segment) => [...new Uint8Array(segment.data)];
const segment = (type: 'audio' | 'video', bytes: number[], extra: Partial<Segment> = {}): Segment => ({ type, data: new Uint8Array(bytes).buffer, ...extra });

describe('mergeHead', () => {
  it('joins the queued segments of a track into one, bytes in order', () => {
    const queue = [segment('video', [1, 2]), segment('video', [3]), segment('video', [4, 5, 6], { sampleCount: 1 })];
    mergeHead(queue);
    expect(queue).toHaveLength(1);
    expect(queue[0]!.type).toBe('video');
    expect(bytesOf(queue[0]!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('leaves a lone segment, and an empty queue, as they are', () => {
    const lone = [segment('audio', [9])];
    const before = lone[0];
    mergeHead(lone);
    expect(lone).toEqual([before]);
    expect(lone[0]).toBe(before);
    const empty: Segment[] = [];
    mergeHead(empty);
    expect(empty).toEqual([]);
  });

  it('stops at a segment with a timestampOffset, which keeps its own append', () => {
    const withOffset = segment('audio', [3], { timestampOffset: 1000 });
    const queue = [segment('audio', [1]), segment('audio', [2]), withOffset, segment('audio', [4])];
    mergeHead(queue);
    expect(queue.map(bytesOf)).toEqual([[1, 2], [3], [4]]);
    expect(queue[1]).toBe(withOffset);
    // At the head it is not merged with what follows.
    const headOffset = [withOffset, segment('audio', [5])];
    mergeHead(headOffset);
    expect(headOffset.map(bytesOf)).toEqual([[3], [5]]);
  });

  it('appends a backlog in pieces of at most MAX_COALESCED_APPEND_BYTES (a larger single segment still goes whole)', () => {
    const big = MAX_COALESCED_APPEND_BYTES / 2;
    const queue = [segment('video', new Array(big).fill(1)), segment('video', new Array(big).fill(2)), segment('video', [3])];
    mergeHead(queue);
    expect(queue.map((s) => s.data.byteLength)).toEqual([MAX_COALESCED_APPEND_BYTES, 1]);
    const huge = [segment('video', new Array(MAX_COALESCED_APPEND_BYTES + 1).fill(0)), segment('video', [1])];
    mergeHead(huge);
    expect(huge.map((s) => s.data.byteLength)).toEqual([MAX_COALESCED_APPEND_BYTES + 1, 1]);
  });
});

describe('coalesceAppends', () => {
  it('merges the queue of each idle track just before the controller appends, and leaves a busy track queued as it is', () => {
    const appended: Record<string, number[][]> = { video: [], audio: [] };
    const controller = {
      _pendingSegments: {
        video: [segment('video', [0x69]), segment('video', [1]), segment('video', [2])],
        audio: [segment('audio', [7]), segment('audio', [8])],
      },
      _sourceBuffers: { video: { updating: false }, audio: { updating: true } },
      // What MSEController does: the head of each idle track's queue goes to its SourceBuffer.
      _doAppendSegments() {
        for (const type of ['video', 'audio'] as const) {
          if (controller._sourceBuffers[type].updating || controller._pendingSegments[type].length === 0) continue;
          appended[type]!.push(bytesOf(controller._pendingSegments[type].shift()!));
        }
      },
    };
    coalesceAppends(controller);
    controller._doAppendSegments();
    expect(appended['video']).toEqual([[0x69, 1, 2]]);
    expect(appended['audio']).toEqual([]);
    expect(controller._pendingSegments.audio.map(bytesOf)).toEqual([[7], [8]]);
    // The audio buffer is idle again (its updateend): both queued segments go as one.
    controller._sourceBuffers.audio.updating = false;
    controller._doAppendSegments();
    expect(appended['audio']).toEqual([[7, 8]]);
  });
});
