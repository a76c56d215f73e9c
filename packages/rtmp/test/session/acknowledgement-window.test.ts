import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AcknowledgementWindow } from '../../src/session/acknowledgement-window';

describe('AcknowledgementWindow (RTMP 1.0 §5.4.3)', () => {
  it('owes nothing before the peer announced a window', () => {
    const window = new AcknowledgementWindow();
    window.received(10_000_000);
    expect(window.takeDueAcknowledgement()).toBeNull();
  });

  it('reports the running total once a window of bytes arrived since the last report', () => {
    const window = new AcknowledgementWindow();
    window.setWindowSize(1000);
    window.received(999);
    expect(window.takeDueAcknowledgement()).toBeNull();
    window.received(1);
    expect(window.takeDueAcknowledgement()).toBe(1000);
    expect(window.takeDueAcknowledgement()).toBeNull();
    window.received(2500);
    expect(window.takeDueAcknowledgement()).toBe(3500);
    window.received(999);
    expect(window.takeDueAcknowledgement()).toBeNull();
  });

  it('wraps the sequence number at 2^32 while the window arithmetic stays exact', () => {
    const window = new AcknowledgementWindow(2 ** 32 - 100);
    window.setWindowSize(1000);
    window.received(999);
    expect(window.takeDueAcknowledgement()).toBeNull();
    window.received(1);
    expect(window.takeDueAcknowledgement()).toBe(900); // (2^32 - 100 + 1000) mod 2^32
    expect(window.bytesReceived).toBe(2 ** 32 + 900);
  });

  it('property: every report is total mod 2^32, at least a window apart, and due as soon as the window is reached', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 100_000 }), fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 60 }), (start, size, runs) => {
        const window = new AcknowledgementWindow(start);
        window.setWindowSize(size);
        let total = start;
        let last = start;
        for (const run of runs) {
          window.received(run);
          total += run;
          const due = window.takeDueAcknowledgement();
          if (total - last >= size) {
            expect(due).toBe(total % 2 ** 32);
            last = total;
          } else {
            expect(due).toBeNull();
          }
        }
      }),
    );
  });
});
