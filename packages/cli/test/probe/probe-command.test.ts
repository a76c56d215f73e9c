import { describe, expect, it } from 'vitest';
import { AmfDictionary, AmfEcmaArray, AmfExternalizable, AmfInteger, AmfTypedObject, AmfUnsupported, AmfVector, AmfXml, AmfXmlDocument } from '@rtmp-web/amf';
import { encodeCommand, encodeDataMessage, encodeUserControl, encodeWindowAckSize, MessageType } from '@rtmp-web/rtmp';
import { amfToJson, summarizeAmf } from '../../src/probe/amf-json';
import { formatMediaEntry, formatReport, parseProbeArgs, runProbeCommand } from '../../src/probe/probe-command';
import type { ProbeReport } from '../../src/probe/run-probe';
import { createTraceTap } from '../../src/probe/trace';
import { ProbeError } from '../../src/probe/errors';

function capture(): { io: { stdout(text: string): void; stderr(text: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text) }, out, err };
}

describe('parseProbeArgs', () => {
  it('applies the defaults', () => {
    expect(parseProbeArgs(['rtmp://h/live/s'])).toEqual({
      options: { url: 'rtmp://h/live/s', durationSec: 5, timeoutSec: 10, collectMedia: false, handshake: 'digest' },
      json: false,
      trace: false,
      messages: false,
    });
  });

  it('reads every option, in any position', () => {
    expect(parseProbeArgs(['--json', 'rtmp://h/live/s', '--duration', '2.5', '--timeout', '3', '--messages', '--trace', '--handshake', 'simple'])).toEqual({
      options: { url: 'rtmp://h/live/s', durationSec: 2.5, timeoutSec: 3, collectMedia: true, handshake: 'simple' },
      json: true,
      trace: true,
      messages: true,
    });
  });

  const bad: Array<[string[], string]> = [
    [[], 'missing <rtmp-url>'],
    [['a', 'b'], 'expected one URL, got 2 arguments'],
    [['rtmp://h/a/b', '--duration', '0'], '--duration must be a number of seconds in (0, 86400], got "0"'],
    [['rtmp://h/a/b', '--duration=-1'], '--duration must be a number of seconds in (0, 86400], got "-1"'],
    [['rtmp://h/a/b', '--timeout', '1e3'], '--timeout must be a number of seconds in (0, 86400], got "1e3"'],
    [['rtmp://h/a/b', '--handshake', 'rtmpe'], '--handshake must be "digest" or "simple", got "rtmpe"'],
  ];
  for (const [argv, message] of bad) {
    it(`${JSON.stringify(argv)} -> PROBE_USAGE`, () => {
      let caught: unknown;
      try {
        parseProbeArgs(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProbeError);
      expect((caught as ProbeError).code).toBe('PROBE_USAGE');
      expect((caught as ProbeError).message).toBe(message);
    });
  }

  it('unknown options are usage errors too', () => {
    expect(() => parseProbeArgs(['rtmp://h/a/b', '--frobnicate'])).toThrow(ProbeError);
  });
});

describe('runProbeCommand exit codes', () => {
  it('usage error: exit 2, one line plus the usage on stderr', async () => {
    const { io, out, err } = capture();
    expect(await runProbeCommand([], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toBe('rtmp-web probe: PROBE_USAGE: missing <rtmp-url>\n');
    expect(err[1]).toMatch(/^usage: rtmp-web probe <rtmp-url>/);
  });

  it('usage error with --json: the error document on stdout', async () => {
    const { io, out } = capture();
    expect(await runProbeCommand(['--json'], io)).toBe(2);
    expect(out).toEqual(['{"error":{"code":"PROBE_USAGE","message":"missing <rtmp-url>"}}\n']);
  });

  it('a URL without a stream name is a usage error', async () => {
    const { io, err } = capture();
    expect(await runProbeCommand(['rtmp://127.0.0.1:1/live'], io)).toBe(2);
    expect(err[0]).toBe('rtmp-web probe: PROBE_USAGE: the URL names no stream to play: rtmp://127.0.0.1:1/live\n');
  });

  it('an invalid URL fails with SESSION_INVALID_URL (exit 1)', async () => {
    const { io, out, err } = capture();
    expect(await runProbeCommand(['http://example.com/a/b', '--json'], io)).toBe(1);
    expect(JSON.parse(out[0]!)).toEqual({ error: { code: 'SESSION_INVALID_URL', message: 'unsupported protocol "http" in http://example.com/a/b' } });
    expect(err).toEqual(['rtmp-web probe: SESSION_INVALID_URL: unsupported protocol "http" in http://example.com/a/b\n']);
  });

  it('--help prints the usage and exits 0', async () => {
    const { io, out } = capture();
    expect(await runProbeCommand(['--help'], io)).toBe(0);
    expect(out[0]).toMatch(/^usage: rtmp-web probe/);
  });
});

const REPORT: ProbeReport = {
  url: 'rtmp://127.0.0.1:1935/live/cam',
  app: 'live',
  streamName: 'cam',
  handshake: { kind: 'digest', serverDigestVerified: true, serverVersion: '13.14.10.13', roundTripMs: 2.4 },
  connect: { code: 'NetConnection.Connect.Success', level: 'status', description: 'Connection succeeded.', properties: { fmsVer: 'FMS/3,0,1,123', capabilities: 31 } },
  play: { code: 'NetStream.Play.Start', description: 'Start live' },
  statuses: ['NetStream.Play.Reset', 'NetStream.Play.Start'],
  metadata: { width: 640, height: 360, profile: '\u0000\u0000 ', encoder: 'Lavf59' },
  tracks: { video: { codec: 'avc1.64001e', width: 640, height: 360 }, audio: { codec: 'mp4a.40.2', sampleRate: 44100, channels: 2 } },
  counts: { audio: 132, video: 59, data: 2 },
  bytes: { audio: 36775, video: 175165 },
  bitrateKbps: { audio: 96.7, video: 604 },
  playedMs: 3012,
  stopReason: 'duration',
};

describe('formatReport', () => {
  it('prints one labelled line per finding', () => {
    expect(formatReport(REPORT)).toBe(
      [
        'url        rtmp://127.0.0.1:1935/live/cam  (app "live", stream "cam")',
        'handshake  digest, server digest verified, server version 13.14.10.13, 2 ms',
        'connect    NetConnection.Connect.Success "Connection succeeded." (FMS/3,0,1,123)',
        'play       NetStream.Play.Start "Start live"',
        'statuses   NetStream.Play.Reset, NetStream.Play.Start',
        'metadata   width=640 height=360 profile= encoder=Lavf59',
        'video      avc1.64001e 640x360, 59 messages, 175165 B, 604.0 kbit/s',
        'audio      mp4a.40.2 44100 Hz 2 ch, 132 messages, 36775 B, 96.7 kbit/s',
        'data       2 messages',
        'stopped    duration reached after 3.0 s',
        '',
      ].join('\n'),
    );
  });

  it('says when a track is missing or the server answered the simple handshake', () => {
    const text = formatReport({
      ...REPORT,
      handshake: { ...REPORT.handshake, serverDigestVerified: false, serverVersion: '0.0.0.0' },
      tracks: { video: REPORT.tracks.video! },
      counts: { audio: 0, video: 10, data: 0 },
      bitrateKbps: { audio: null, video: null },
      stopReason: 'StreamEOF',
      metadata: null,
    });
    expect(text).toContain('handshake  digest, server digest NOT verified (server answered the simple way), server version 0.0.0.0, 2 ms\n');
    expect(text).toContain('metadata   (none)\n');
    expect(text).toContain('video      avc1.64001e 640x360, 10 messages, 175165 B\n');
    expect(text).toContain('audio      (none), 0 messages\n');
    expect(text).toContain('stopped    StreamEOF after 3.0 s\n');
  });

  it('formats --messages lines', () => {
    expect(formatMediaEntry({ type: 'video', timestamp: 40, size: 1234, keyframe: true, config: true, codec: 'avc1' })).toBe('video ts=     40 size=  1234 avc1 keyframe config');
    expect(formatMediaEntry({ type: 'audio', timestamp: 1023, size: 7, codec: 'mp4a' })).toBe('audio ts=   1023 size=     7 mp4a');
  });
});

describe('amfToJson', () => {
  it('maps every AMF shape to plain JSON', () => {
    const ecma = new AmfEcmaArray([['duration', 0], ['stereo', true]], ['dense']);
    expect(
      amfToJson({
        n: 1.5,
        nan: Number.NaN,
        s: 'x',
        b: false,
        nil: null,
        undef: undefined,
        date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)),
        list: [1, 'two'],
        ecma,
        typed: new AmfTypedObject('com.example.Point', { x: 1, y: 2 }),
        int: new AmfInteger(7),
        bytes: new Uint8Array([0xde, 0xad]),
        xml: new AmfXml('<a/>'),
        xmlDoc: new AmfXmlDocument('<b/>'),
        vector: new AmfVector('int', [1, 2]),
        dict: new AmfDictionary([['k', 1]]),
        unsupported: new AmfUnsupported(),
        ext: new AmfExternalizable('flex.messaging.io.ArrayCollection', [1]),
      }),
    ).toEqual({
      n: 1.5,
      nan: null,
      s: 'x',
      b: false,
      nil: null,
      undef: null,
      date: '2020-01-02T03:04:05.000Z',
      list: [1, 'two'],
      ecma: { '0': 'dense', duration: 0, stereo: true },
      typed: { x: 1, y: 2 },
      int: 7,
      bytes: 'dead',
      xml: '<a/>',
      xmlDoc: '<b/>',
      vector: [1, 2],
      dict: [['k', 1]],
      unsupported: null,
      ext: { className: 'flex.messaging.io.ArrayCollection', data: [1] },
    });
  });

  it('summarizes values on one line, cut at the limit', () => {
    expect(summarizeAmf([null, { a: 1 }, 'x'])).toBe('null {"a":1} "x"');
    expect(summarizeAmf(['y'.repeat(50)], 20)).toBe(`"${'y'.repeat(18)}…`);
  });
});

describe('createTraceTap (the inspector trace log)', () => {
  it('writes one line per handshake packet and per message, with decoded summaries', () => {
    let clock = 1000;
    const lines: string[] = [];
    const tap = createTraceTap((line) => lines.push(line), () => clock);
    clock = 1001.5;
    tap.handshake!({ direction: 'out', label: 'C0C1', bytes: new Uint8Array(1537), at: clock });
    clock = 1012.25;
    tap.message!({
      direction: 'in',
      at: clock,
      message: { type: MessageType.CommandAmf0, streamId: 1, timestamp: 0, csid: 5, payload: encodeCommand({ name: 'onStatus', transactionId: 0, commandObject: null, args: [{ code: 'NetStream.Play.Start' }] }) },
    });
    tap.message!({ direction: 'out', at: clock, message: { type: MessageType.UserControl, streamId: 0, timestamp: 0, csid: 2, payload: encodeUserControl({ event: 'SetBufferLength', streamId: 1, bufferLengthMs: 1000 }) } });
    tap.message!({ direction: 'in', at: clock, message: { type: MessageType.WindowAckSize, streamId: 0, timestamp: 0, csid: 2, payload: encodeWindowAckSize(5_000_000) } });
    tap.message!({ direction: 'in', at: clock, message: { type: MessageType.DataAmf0, streamId: 1, timestamp: 0, csid: 5, payload: encodeDataMessage({ name: 'onMetaData', args: [{ width: 640 }] }) } });
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/C0C1.*1537/);
    expect(lines[1]).toMatch(/cs 5 +st 1 .*onStatus.*NetStream\.Play\.Start/);
    expect(lines[2]).toMatch(/cs 2 +st 0 .*SetBufferLength stream 1 1000 ms/);
    expect(lines[3]).toMatch(/Window Ack Size.*5000000/);
    expect(lines[4]).toMatch(/onMetaData \{width: 640\}/);
  });
});
