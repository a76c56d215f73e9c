import { describe, expect, it } from 'vitest';
import { encodeAmf0 } from '@rtmp-web/amf';
import { fromHex } from '@rtmp-web/bytes';
import { FlvError, MessageType, readFlvFile } from '@rtmp-web/rtmp';
import { analyzeRecording } from '../src/analyzer';
import { exportFlv, recordingFromFlv } from '../src/flv-export';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, Wire, command, deliverStream, metadata, msg } from './fixtures';

describe('exportFlv', () => {
  it('writes the received media of the stream as FLV tags that parse back with the same bodies', () => {
    const wire = new Wire({ chunkSize: 4096 });
    wire.deliver([msg.command(command('onStatus', 0, null, { code: 'NetStream.Play.Start' }), 1)], 0);
    // A live join: timestamps start at 90 s, not 0.
    wire.deliver([msg.data(metadata({ width: 640, height: 360 }), 90_000), msg.video(AVC_SEQUENCE_HEADER, 90_000), msg.audio(AAC_SEQUENCE_HEADER, 90_000)], 1);
    deliverStream(wire, { fromMs: 90_000, toMs: 91_000, startAt: -89_000 });
    const recording = wire.recorder.snapshot();
    const media = recording.messages.filter((m) => m.type === MessageType.Audio || m.type === MessageType.Video || m.type === MessageType.DataAmf0);
    const flv = readFlvFile(exportFlv(recording));
    expect(flv.header.hasAudio).toBe(true);
    expect(flv.header.hasVideo).toBe(true);
    expect(flv.tags.map((t) => t.tagType)).toEqual(media.map((m) => m.type));
    expect(flv.tags.map((t) => t.timestamp)).toEqual(media.map((m) => m.timestamp - 90_000));
    flv.tags.forEach((tag, i) => expect(tag.data).toEqual(media[i]!.payload));
  });

  it('re-encodes AMF3 data messages as AMF0 script data and skips other streams', () => {
    const wire = new Wire({ chunkSize: 4096 });
    const amf3Data = new Uint8Array([0x00, ...encodeAmf0(['onTextData', { text: 'hi' }])]);
    wire.deliver([{ type: MessageType.DataAmf3, streamId: 1, timestamp: 0, csid: 5, payload: amf3Data }, msg.audio(AAC_SEQUENCE_HEADER, 0), { ...msg.audio(AAC_SEQUENCE_HEADER, 0), streamId: 2 }], 0);
    const flv = readFlvFile(exportFlv(wire.recorder.snapshot()));
    expect(flv.header.hasVideo).toBe(false);
    expect(flv.tags.map((t) => t.tagType)).toEqual([18, 8]);
    expect(flv.tags[0]!.data).toEqual(encodeAmf0(['onTextData', { text: 'hi' }]));
  });

  it('an exported FLV imported back analyses like the live session', () => {
    const wire = new Wire({ chunkSize: 4096 });
    wire.deliver([msg.video(AVC_SEQUENCE_HEADER, 0), msg.audio(AAC_SEQUENCE_HEADER, 0)], 1000);
    deliverStream(wire, { toMs: 3000 });
    const live = analyzeRecording(wire.recorder.snapshot());
    const offline = analyzeRecording(recordingFromFlv(exportFlv(wire.recorder.snapshot()), 'x.flv'));
    const strip = (r: typeof live) => r.tracks.map(({ streamId: _s, ...t }) => t);
    expect(strip(offline)).toEqual(strip(live));
    expect(offline.gops.map((g) => g.durationMs)).toEqual(live.gops.map((g) => g.durationMs));
  });
});

describe('recordingFromFlv', () => {
  it('turns each tag into an incoming message on stream 1 at its timestamp, with per-type deltas', () => {
    const bytes = fromHex(`
      464c56 01 05 00000009 00000000   # FLV v1, audio + video, PreviousTagSize0
      09 000002 000000 00 000000  1700  0000000d   # video, ts 0, body 17 00
      08 000001 000014 00 000000  af    0000000c   # audio, ts 20, body af
      09 000002 000028 00 000000  2701  0000000d   # video, ts 40, body 27 01
    `);
    const recording = recordingFromFlv(bytes, 'x.flv');
    expect(recording.source).toEqual({ origin: 'flv-file', url: 'x.flv' });
    expect(recording.messages.map((m) => [m.type, m.csid, m.streamId, m.timestamp, m.at, m.delta, Array.from(m.payload)])).toEqual([
      [9, 6, 1, 0, 0, 0, [0x17, 0x00]],
      [8, 4, 1, 20, 20, 0, [0xaf]],
      [9, 6, 1, 40, 40, 40, [0x27, 0x01]],
    ]);
  });

  it('a damaged file throws the FLV reader\'s typed error', () => {
    const exported = exportFlv(recordingFromFlv(fromHex('464c56 01 04 00000009 00000000  08 000001 000000 00 000000 af 0000000c')));
    expect(() => recordingFromFlv(exported.subarray(0, exported.length - 6))).toThrow(FlvError);
    const wrongBackPointer = exported.slice();
    wrongBackPointer[wrongBackPointer.length - 1] = 0x0b;
    expect(() => recordingFromFlv(wrongBackPointer)).toThrowError(expect.objectContaining({ code: 'FLV_BAD_BACK_POINTER' }));
  });
});
