import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exportSession, importSession } from '../src/session-file';
import { InspectorError } from '../src/errors';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, Wire, command, deliverStream, metadata, msg } from './fixtures';

function recordedSession() {
  const wire = new Wire({ chunkSize: 4096 });
  const c0c1 = new Uint8Array(1537).map((_, i) => (i * 7) & 0xff);
  wire.recorder.handshake({ direction: 'out', label: 'C0C1', bytes: c0c1, at: 0.25 });
  wire.recorder.handshake({ direction: 'in', label: 'S0S1S2', bytes: new Uint8Array(3073).fill(3), at: 1.5 });
  wire.recorder.recordHandshakeResult({ kind: 'digest', serverDigestVerified: false, serverVersion: '3.3.3.3', serverTime: 0x03030303, roundTripMs: 1 }, 2);
  wire.recorder.note('transport', 'WebSocket open', 'ws://127.0.0.1:1/', 0);
  wire.deliver([msg.command(command('_result', 1, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success' }))], 3);
  wire.deliver([msg.data(metadata({ width: 640, height: 360 })), msg.video(AVC_SEQUENCE_HEADER, 0), msg.audio(AAC_SEQUENCE_HEADER, 0)], 4);
  deliverStream(wire, { toMs: 500, startAt: 5 });
  return wire.recorder.snapshot();
}

describe('session files', () => {
  it('round-trips a recording exactly: messages, chunks and their bytes, timeline, handshake', () => {
    const recording = recordedSession();
    expect(recording.messages.length).toBeGreaterThan(30);
    expect(recording.messages.every((m) => m.chunks.length > 0 && m.chunks.every((c) => c.raw))).toBe(true);
    const text = exportSession(recording, new Date('2025-01-02T03:04:05Z'));
    const imported = importSession(text);
    expect(imported).toEqual(recording);
    expect(JSON.parse(text)).toMatchObject({ format: 'rtmp-web-session', version: 1, exportedAt: '2025-01-02T03:04:05.000Z' });
    // And exporting the import gives the same document.
    expect(JSON.parse(exportSession(imported, new Date('2025-01-02T03:04:05Z')))).toEqual(JSON.parse(text));
  });

  it('rejects files that are not sessions with typed errors naming what is wrong', () => {
    const valid = JSON.parse(exportSession(recordedSession()));
    const cases: Array<[string, string, string]> = [
      ['{ not json', 'INSPECTOR_IMPORT_NOT_JSON', 'not JSON'],
      [JSON.stringify({ format: 'something-else' }), 'INSPECTOR_IMPORT_WRONG_FORMAT', '"something-else"'],
      [JSON.stringify({ ...valid, version: 2 }), 'INSPECTOR_IMPORT_UNSUPPORTED_VERSION', 'version 2'],
      [JSON.stringify({ ...valid, recording: { ...valid.recording, messages: 'x' } }), 'INSPECTOR_IMPORT_INVALID_FIELD', '$.recording.messages should be an array'],
    ];
    const badType = structuredClone(valid);
    badType.recording.messages[3].type = 300;
    cases.push([JSON.stringify(badType), 'INSPECTOR_IMPORT_INVALID_FIELD', '$.recording.messages[3].type should be an integer in 0..255']);
    const badChunk = structuredClone(valid);
    badChunk.recording.messages[1].chunks[0].fmt = 4;
    cases.push([JSON.stringify(badChunk), 'INSPECTOR_IMPORT_INVALID_FIELD', '$.recording.messages[1].chunks[0].fmt']);
    const badBytes = structuredClone(valid);
    badBytes.recording.messages[0].payload = 'abc';
    cases.push([JSON.stringify(badBytes), 'INSPECTOR_IMPORT_BAD_BASE64', '$.recording.messages[0].payload is not valid base64']);
    const badKind = structuredClone(valid);
    badKind.recording.timeline[0].kind = 'party';
    cases.push([JSON.stringify(badKind), 'INSPECTOR_IMPORT_INVALID_FIELD', '$.recording.timeline[0].kind should be one of']);
    for (const [text, code, message] of cases) {
      let caught: unknown;
      try {
        importSession(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, code).toBeInstanceOf(InspectorError);
      expect((caught as InspectorError).code).toBe(code);
      expect((caught as InspectorError).message).toContain(message);
    }
  });

  it('never throws anything but InspectorError, whatever JSON it is given', () => {
    const valid = JSON.parse(exportSession(recordedSession()));
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.constantFrom('recording', 'messages', 'timeline', 'handshake', 'limits', 'source'), (noise, value, field) => {
        for (const text of [JSON.stringify(noise), JSON.stringify({ ...valid, recording: { ...valid.recording, [field]: value } })]) {
          try {
            importSession(text);
          } catch (error) {
            expect(error).toBeInstanceOf(InspectorError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

