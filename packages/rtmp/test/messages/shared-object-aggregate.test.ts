import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@rtmp-web/bytes';
import { amf3Codec } from '@rtmp-web/amf';
import { decodeSharedObjectMessage, encodeSharedObjectMessage, packAggregate, unpackAggregate } from '../../src/messages';
import type { RtmpMessage } from '../../src/types';

const msg = (type: number, hex: string, extra: Partial<RtmpMessage> = {}): RtmpMessage => ({
  type,
  streamId: 0,
  timestamp: 0,
  csid: 3,
  payload: fromHex(hex),
  ...extra,
});

const SHARED_OBJECT = `
  0004 63686174                 # name "chat"
  00000001                      # version 1
  00000002                      # flags: persistent (2)
  00000000                      # reserved
  04 0000000a                   # Change, 10 bytes:
    0003 6d7367                 #   "msg"
    02 0002 6869                #   = "hi" (AMF0 string)
  07 00000024                   # Status, 36 bytes:
    001b 5368617265644f626a6563742e42616450657273697374656e6365   # "SharedObject.BadPersistence"
    0005 6572726f72             #   "error"
  06 00000011                   # SendMessage, 17 bytes:
    02 0005 6f6e4d7367          #   handler "onMsg" (AMF0 string, with marker)
    00 3ff0000000000000         #   1
  0b 00000000                   # UseSuccess
  09 00000005 0003 6d7367       # Remove "msg"
  08 00000000                   # Clear
  63 00000001 ab                # an unknown event type 99
`;

describe('shared object messages (RTMP 1.0 §7.1.3)', () => {
  it('decodes every event kind', () => {
    const decoded = decodeSharedObjectMessage(msg(19, SHARED_OBJECT));
    expect({ ...decoded, events: decoded.events.map(({ raw, ...rest }) => ({ ...rest, raw: toHex(raw) })) }).toEqual({
      name: 'chat',
      version: 1,
      persistent: true,
      encoding: 0,
      events: [
        { type: 4, kind: 'Change', properties: [{ name: 'msg', value: 'hi' }], raw: '00036d7367020002' + '6869' },
        { type: 7, kind: 'Status', message: 'SharedObject.BadPersistence', level: 'error', raw: '001b5368617265644f626a6563742e42616450657273697374656e636500056572726f72' },
        { type: 6, kind: 'SendMessage', handler: 'onMsg', args: [1], raw: '0200056f6e4d7367003ff0000000000000' },
        { type: 11, kind: 'UseSuccess', raw: '' },
        { type: 9, kind: 'Remove', name: 'msg', raw: '00036d7367' },
        { type: 8, kind: 'Clear', raw: '' },
        { type: 99, kind: 'Unknown', raw: 'ab' },
      ],
    });
  });

  it('encodes them back to the same bytes', () => {
    const decoded = decodeSharedObjectMessage(msg(19, SHARED_OBJECT));
    expect(toHex(encodeSharedObjectMessage(decoded))).toBe(toHex(fromHex(SHARED_OBJECT)));
  });

  it('encodes a client Use + RequestChange, and type 16 with its encoding byte', () => {
    const so = { name: 'chat', version: 0, persistent: false, events: [{ kind: 'Use' as const }, { kind: 'RequestChange' as const, properties: [{ name: 'n', value: 1 }] }] };
    const expected = `
      0004 63686174 00000000 00000000 00000000   # "chat", version 0, not persistent
      01 00000000                                # Use
      03 0000000c 0001 6e 00 3ff0000000000000    # RequestChange n = 1
    `;
    expect(toHex(encodeSharedObjectMessage(so))).toBe(toHex(fromHex(expected)));
    const amf3 = encodeSharedObjectMessage(so, 3);
    expect(toHex(amf3)).toBe('00' + toHex(fromHex(expected)));
    expect(decodeSharedObjectMessage(msg(16, toHex(amf3)))).toMatchObject({ name: 'chat', encoding: 3, events: [{ kind: 'Use' }, { kind: 'RequestChange', properties: [{ name: 'n', value: 1 }] }] });
  });

  it('decodes type 16 with encoding byte 3: AMF3 strings (with references) and values', () => {
    const hex = `
      03                          # encoding byte: AMF3
      09 63686174                 # name "chat" (AMF3 string: length 4 << 1 | 1)
      00000002 00000000 00000000  # version 2, not persistent
      04 00000007                 # Change, 7 bytes:
        03 6e                     #   "n"
        04 05                     #   = 5 (AMF3 integer)
        00                        #   string reference 0: "chat"
        04 07                     #   = 7
    `;
    const decoded = decodeSharedObjectMessage(msg(16, hex), { amf3: amf3Codec });
    expect(decoded).toMatchObject({ name: 'chat', version: 2, persistent: false, encoding: 3 });
    // That layout is AMF3 throughout: without the AMF3 codec it is refused, saying so.
    expect(() => decodeSharedObjectMessage(msg(16, hex))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_MALFORMED', details: { type: 16, causeCode: 'AMF_AMF3_NOT_ENABLED' } }),
    );
    expect(decoded.events[0]!.properties).toEqual([
      { name: 'n', value: 5 },
      { name: 'chat', value: 7 },
    ]);
  });

  it('malformed shared object messages are MESSAGE_MALFORMED', () => {
    expect(() => decodeSharedObjectMessage(msg(19, '0004 6368'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => decodeSharedObjectMessage(msg(19, '0000 00000000 00000000 00000000 04 000000ff 00'))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_MALFORMED', details: { type: 4, length: 255 } }),
    );
    expect(() => decodeSharedObjectMessage(msg(16, '07 0000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => encodeSharedObjectMessage({ name: 'x', events: [{ kind: 'Remove' }] })).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID_ARGUMENT' }));
  });
});

describe('aggregate messages (RTMP 1.0 §7.1.6)', () => {
  const AGGREGATE = `
    09 000005 000064 00 000000   # video, 5 bytes, timestamp 100, stream id 0
    1701000000                   # body
    00000010                     # back-pointer 11 + 5
    08 000002 000078 00 000000   # audio, 2 bytes, timestamp 120
    af01
    0000000d                     # back-pointer 11 + 2
    09 000001 00006e 01 000000   # video, 1 byte, timestamp 0x0100006e (extension byte 01)
    27
    0000000c
  `;

  it('splits sub-messages and shifts their timestamps onto the aggregate timeline', () => {
    const parts = unpackAggregate(msg(22, AGGREGATE, { timestamp: 5000, streamId: 1, csid: 6 }));
    expect(parts.map((p) => ({ ...p, payload: toHex(p.payload) }))).toEqual([
      { type: 9, streamId: 1, timestamp: 5000, payload: '1701000000', csid: 6 },
      { type: 8, streamId: 1, timestamp: 5020, payload: 'af01', csid: 6 },
      { type: 9, streamId: 1, timestamp: 0x0100006e + 4900, payload: '27', csid: 6 },
    ]);
  });

  it('tolerates a missing final back-pointer and an empty aggregate', () => {
    const withoutLast = AGGREGATE.trim().split('\n').slice(0, -1).join('\n');
    expect(unpackAggregate(msg(22, withoutLast, { timestamp: 100 })).map((p) => p.timestamp)).toEqual([100, 120, 0x0100006e]);
    expect(unpackAggregate(msg(22, ''))).toEqual([]);
  });

  it('packAggregate writes the same layout', () => {
    const parts = unpackAggregate(msg(22, AGGREGATE, { timestamp: 100 }));
    expect(toHex(packAggregate(parts))).toBe(toHex(fromHex(AGGREGATE)));
  });

  it('truncated sub-messages are MESSAGE_MALFORMED', () => {
    expect(() => unpackAggregate(msg(22, '09 000005 000064 00 000000 17'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => unpackAggregate(msg(22, '09 000001 000064 00 000000 17 0000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => unpackAggregate(msg(22, '09 0000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => unpackAggregate(msg(9, ''))).toThrow(expect.objectContaining({ code: 'MESSAGE_UNEXPECTED_TYPE' }));
  });
});
