import { describe, expect, it } from 'vitest';
import { concatBytes, splitAtEveryBoundary } from '@rtmp-web/bytes';
import { ChunkReader, ChunkWriter, MessageType, type RtmpMessage } from '@rtmp-web/rtmp';
import { SessionRecorder } from '../src/recorder';
import { AVC_SEQUENCE_HEADER, Wire, command, metadata, msg, videoFrame } from './fixtures';

describe('SessionRecorder', () => {
  it('records each message with the chunks that carried it and their raw bytes', () => {
    const wire = new Wire();
    const payload = command('_result', 1, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.'.repeat(8) });
    expect(payload.byteLength).toBeGreaterThan(256);
    const written = wire.writer.write(msg.command(payload));
    wire.push(written, 5);
    const [record] = wire.recorder.snapshot().messages;
    expect(record).toMatchObject({ index: 0, direction: 'in', at: 5, csid: 3, streamId: 0, type: 20, timestamp: 0, delta: 0 });
    expect(record!.payload).toEqual(payload);
    // Default chunk size 128 (RTMP 1.0 §5.4.1): a fmt 0 chunk, then fmt 3 continuations.
    const chunks = Math.ceil(payload.byteLength / 128);
    expect(record!.chunks.map((c) => c.fmt)).toEqual([0, ...Array(chunks - 1).fill(3)]);
    expect(record!.chunks.map((c) => c.payloadOffset)).toEqual(Array.from({ length: chunks }, (_, i) => i * 128));
    expect(concatBytes(record!.chunks.map((c) => c.raw!))).toEqual(written);
  });

  it('attaches the same chunks however the bytes are split, with several messages per chunk stream in one push', () => {
    const writer = new ChunkWriter();
    const messages: RtmpMessage[] = [
      msg.video(AVC_SEQUENCE_HEADER, 0),
      msg.video(videoFrame(true, 300), 0),
      msg.audio(new Uint8Array([0xaf, 0x01, 1, 2, 3]), 5),
      msg.video(videoFrame(false, 40), 40),
    ];
    const bytes = concatBytes(messages.map((m) => writer.write(m)));
    const reference = record([bytes]);
    expect(reference.map((m) => [m.type, m.timestamp, m.chunks.length])).toEqual([
      [9, 0, 1],
      [9, 0, 3],
      [8, 5, 1],
      [9, 40, 1],
    ]);
    for (const parts of splitAtEveryBoundary(bytes)) expect(record(parts)).toEqual(reference);

    function record(parts: Uint8Array[]) {
      const recorder = new SessionRecorder();
      const reader = new ChunkReader({ tap: recorder, now: () => 1 });
      // push() takes ownership of its input (the reader rewrites it), and the splits share `bytes`.
      for (const part of parts) reader.push(part.slice());
      return recorder.snapshot().messages;
    }
  });

  it('computes timestamp deltas per direction, chunk stream and message stream', () => {
    const wire = new Wire();
    wire.deliver([msg.video(videoFrame(true), 1000), msg.audio(new Uint8Array([0xaf, 1, 0]), 1010)], 0);
    wire.deliver([msg.video(videoFrame(false), 1040), msg.audio(new Uint8Array([0xaf, 1, 0]), 1033)], 40);
    expect(wire.recorder.snapshot().messages.map((m) => [m.type, m.timestamp, m.delta])).toEqual([
      [9, 1000, 0],
      [8, 1010, 0],
      [9, 1040, 40],
      [8, 1033, 23],
    ]);
  });

  it('builds the connection timeline from control messages, results, onStatus and the first media', () => {
    const wire = new Wire();
    wire.deliver([msg.windowAck(2_500_000), msg.setChunkSize(4096)], 10);
    wire.deliver([msg.command(command('_result', 1, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.' }))], 11);
    wire.deliver([msg.command(command('onStatus', 0, null, { level: 'status', code: 'NetStream.Play.Start', description: 'Start live' }), 1)], 12);
    wire.deliver([msg.data(metadata({ width: 640, height: 360 })), msg.video(AVC_SEQUENCE_HEADER, 0), msg.video(videoFrame(true), 0)], 13);
    const timeline = wire.recorder.snapshot().timeline;
    expect(timeline.map((e) => [e.kind, e.title, e.code, e.messageIndex])).toEqual([
      ['control', 'Window Ack Size 2500000', undefined, 0],
      ['control', 'Set Chunk Size 4096', undefined, 1],
      ['status', '_result NetConnection.Connect.Success', 'NetConnection.Connect.Success', 2],
      ['status', 'onStatus NetStream.Play.Start', 'NetStream.Play.Start', 3],
      ['data', 'onMetaData', undefined, 4],
      ['media', 'first video message on stream 1', undefined, 5],
    ]);
    expect(timeline[2]!.detail).toBe('Connection succeeded.');
    expect(timeline[4]!.detail).toBe('onMetaData {width: 640, height: 360}');
    expect(timeline.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps a bounded ring buffer and counts what it dropped', () => {
    const wire = new Wire({ maxMessages: 3 });
    for (let i = 0; i < 8; i++) wire.deliver([msg.audio(new Uint8Array([0xaf, 1, i]), i * 23)], i);
    const snapshot = wire.recorder.snapshot();
    expect(snapshot.messages.map((m) => m.index)).toEqual([5, 6, 7]);
    expect(snapshot.dropped.messages).toBe(5);
    // Each dropped record held its 3-byte payload and one raw chunk (12-byte fmt 0 or 1..8 byte header + 3).
    expect(snapshot.dropped.bytes).toBe(wire.recorder.stats.dropped.bytes);
    expect(snapshot.dropped.bytes).toBeGreaterThan(5 * 3);

    const byBytes = new Wire({ maxBytes: 1000, keepRawChunks: false });
    for (let i = 0; i < 10; i++) byBytes.deliver([msg.video(videoFrame(false, 300), i * 40)], i);
    expect(byBytes.recorder.stats.storedMessages).toBe(3);
    expect(byBytes.recorder.stats.storedBytes).toBe(900);
    expect(byBytes.recorder.snapshot().dropped).toEqual({ messages: 7, bytes: 2100, timeline: 0, paused: 0 });
    expect(byBytes.recorder.snapshot().messages.every((m) => m.chunks.every((c) => c.raw === undefined))).toBe(true);
  });

  it('stops storing while paused but still reports every message', () => {
    const wire = new Wire();
    const seen: number[] = [];
    wire.recorder.on('message', (m) => seen.push(m.index));
    wire.deliver([msg.audio(new Uint8Array([0xaf, 1, 0]), 0)], 0);
    wire.recorder.pause();
    wire.deliver([msg.audio(new Uint8Array([0xaf, 1, 0]), 23), msg.audio(new Uint8Array([0xaf, 1, 0]), 46)], 1);
    wire.recorder.resume();
    wire.deliver([msg.audio(new Uint8Array([0xaf, 1, 0]), 69)], 2);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(wire.recorder.snapshot().messages.map((m) => m.index)).toEqual([0, 3]);
    expect(wire.recorder.snapshot().dropped.paused).toBe(2);
  });

  it('summarises the handshake from its bytes and from the session result', () => {
    const recorder = new SessionRecorder();
    const c0c1 = new Uint8Array(1537);
    c0c1[0] = 3;
    c0c1.set([9, 0, 124, 2], 5); // C1 version bytes: the digest handshake
    const s0s1s2 = new Uint8Array(3073);
    s0s1s2[0] = 3;
    s0s1s2.set([0, 0, 0x12, 0x34], 1); // S1 time
    s0s1s2.set([13, 10, 14, 13], 5); // S1 version
    recorder.handshake({ direction: 'out', label: 'C0C1', bytes: c0c1, at: 100 });
    recorder.handshake({ direction: 'in', label: 'S0S1S2', bytes: s0s1s2, at: 103.4 });
    expect(recorder.snapshot().handshakeSummary).toEqual({ kind: 'digest', serverProtocolVersion: 3, serverTime: 0x1234, serverVersion: '13.10.14.13', roundTripMs: 3 });
    expect(recorder.snapshot().timeline.map((e) => [e.title, e.detail])).toEqual([
      ['C0C1 sent', '1537 bytes, offers the digest handshake'],
      ['S0S1S2 received', '3073 bytes, server version 13.10.14.13, RTMP version 3, round trip 3 ms'],
    ]);
    recorder.recordHandshakeResult({ kind: 'digest', serverDigestVerified: true, layout: 'digest-first', serverVersion: '13.10.14.13', serverTime: 0x1234, roundTripMs: 3 }, 104);
    expect(recorder.snapshot().handshakeSummary).toMatchObject({ serverDigestVerified: true, layout: 'digest-first' });
    expect(recorder.snapshot().timeline[2]!.detail).toBe('server version 13.10.14.13, server digest verified (digest-first), round trip 3 ms');
  });

  it('drops a partial message on Abort (RTMP 1.0 §5.4.2) so its chunks never reach a later message', () => {
    const wire = new Wire();
    const big = wire.writer.write(msg.video(videoFrame(true, 300), 0));
    const abort: RtmpMessage = { type: MessageType.Abort, streamId: 0, timestamp: 0, csid: 2, payload: new Uint8Array([0, 0, 0, 6]) };
    // The first 140 bytes hold the first chunk of the video message (csid 6); then Abort csid 6.
    wire.push(concatBytes([big.subarray(0, 140), wire.writer.write(abort)]), 0);
    wire.deliver([msg.video(videoFrame(false, 20), 40)], 1);
    const records = wire.recorder.snapshot().messages;
    expect(records.map((m) => m.type)).toEqual([2, 9]);
    expect(records[1]!.chunks).toHaveLength(1);
    expect(records[1]!.chunks[0]!.payloadLength).toBe(20);
  });
});
