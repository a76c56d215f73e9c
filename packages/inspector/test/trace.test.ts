import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose';
import { createTraceLog, formatMessageLine, formatTimelineLine, formatTrace } from '../src/trace';
import { ChunkReader, ChunkWriter } from '@rtmp-web/rtmp';
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

  it('prints a live trace: handshake packets as timeline lines, then every message, keeping nothing', () => {
    const lines: string[] = [];
    let clock = 500;
    const tap = createTraceLog((line) => lines.push(line), { now: () => clock });
    tap.handshake({ direction: 'out', label: 'C0C1', bytes: new Uint8Array(1537), at: 500 });
    const writer = new ChunkWriter();
    const reader = new ChunkReader({ tap, now: () => clock });
    clock = 503;
    reader.push(writer.write(msg.setChunkSize(4096)));
    clock = 510;
    reader.push(writer.write(msg.command(command('_result', 1, null, { code: 'NetConnection.Connect.Success' }))));
    expect(lines).toEqual([
      '   +0.000s -> handshake     C0C1 sent  1537 bytes, offers the simple handshake',
      '   +0.003s <-     #0 cs 2   st 0  Set Chunk Size       ts 0              +0      4 B 1ch  4096',
      '   +0.010s <-     #1 cs 3   st 0  Command (AMF0)       ts 0              +0     62 B 1ch  _result(#1) NetConnection.Connect.Success',
    ]);
    expect(tap.stats.storedMessages).toBe(1);
  });
});

