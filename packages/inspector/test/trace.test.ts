import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose';
import { formatMessageLine, formatTimelineLine, formatTrace } from '../src/trace';
import { Wire, command, msg } from './fixtures';

describe('trace formatting (shared with rtmp-web probe --trace)', () => {
  it('formats timeline events and messages as fixed columns', () => {
    const wire = new Wire();
    wire.recorder.note('transport', 'WebSocket open', 'ws://127.0.0.1:8080/', 1000);
    wire.deliver([msg.setChunkSize(4096)], 1001.5);
    wire.deliver([msg.command(command('onStatus', 0, null, { level: 'status', code: 'NetStream.Play.Start', description: 'Start live' }), 1)], 1012);
    const recording = wire.recorder.snapshot();
    expect(recording.timeline.map((e) => formatTimelineLine(e, recording.startedAt))).toEqual([
      '   +0.000s    transport     WebSocket open  ws://127.0.0.1:8080/',
      '   +0.002s <- control       Set Chunk Size 4096',
      '   +0.012s <- status        onStatus NetStream.Play.Start  Start live',
    ]);
    expect(formatMessageLine(recording.messages[1]!, recording.startedAt)).toBe(
      '   +0.012s <-     #1 cs 3   st 1  Command (AMF0)       ts 0              +0     96 B 1ch  onStatus(#0) NetStream.Play.Start "Start live"',
    );
    const trace = formatTrace(recording, { diagnostics: diagnose(recording) });
    expect(trace.split('\n')).toEqual([
      '== timeline',
      ...recording.timeline.map((e) => formatTimelineLine(e, recording.startedAt)),
      '== messages',
      ...recording.messages.map((m) => formatMessageLine(m, recording.startedAt)),
      '== diagnostics',
      'no problems found',
      '',
    ]);
  });
});
