import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@rtmp-web/bytes';
import { AmfEcmaArray, amf3Codec } from '@rtmp-web/amf';
import { commandMessage, dataMessage, decodeCommand, decodeDataMessage, encodeCommand, encodeDataMessage } from '../../src/messages';
import type { RtmpMessage } from '../../src/types';

/** AMF3 is opt-in: what the codecs need to read and write values behind the AVM+ switch (0x11). */
const withAmf3 = { amf3: amf3Codec };

const msg = (type: number, hex: string, streamId = 0): RtmpMessage => ({ type, streamId, timestamp: 0, csid: 3, payload: fromHex(hex) });

// The `connect` ffmpeg 5.1 sent to a loopback server in this repository's handshake test setup,
// for `ffmpeg -i rtmp://127.0.0.1:19350/live/stream` (captured once at development time).
const FFMPEG_CONNECT = `
  02 0007 636f6e6e656374                       # "connect"
  00 3ff0000000000000                          # transaction id 1
  03                                           # object
    0003 617070 02 0004 6c697665               #   app: "live"
    0008 666c617368566572                      #   flashVer:
      02 000d 4c4e5820392c302c3132342c32       #     "LNX 9,0,124,2"
    0005 746355726c                            #   tcUrl:
      02 001b 72746d703a2f2f3132372e302e302e313a31393335302f6c697665  # "rtmp://127.0.0.1:19350/live"
    0004 66706164 01 00                        #   fpad: false
    000c 6361706162696c6974696573              #   capabilities:
      00 402e000000000000                      #     15
    000b 617564696f436f64656373                #   audioCodecs:
      00 40afce0000000000                      #     4071
    000b 766964656f436f64656373                #   videoCodecs:
      00 406f800000000000                      #     252
    000d 766964656f46756e6374696f6e            #   videoFunction:
      00 3ff0000000000000                      #     1
  000009                                       # object end
`;

describe('command messages (RTMP 1.0 §7.1.1)', () => {
  it('decodes a real connect from ffmpeg', () => {
    expect(decodeCommand(msg(20, FFMPEG_CONNECT))).toEqual({
      name: 'connect',
      transactionId: 1,
      commandObject: {
        app: 'live',
        flashVer: 'LNX 9,0,124,2',
        tcUrl: 'rtmp://127.0.0.1:19350/live',
        fpad: false,
        capabilities: 15,
        audioCodecs: 4071,
        videoCodecs: 252,
        videoFunction: 1,
      },
      args: [],
      encoding: 0,
    });
  });

  it('re-encodes that connect to the same bytes', () => {
    const decoded = decodeCommand(msg(20, FFMPEG_CONNECT));
    expect(toHex(encodeCommand(decoded))).toBe(toHex(fromHex(FFMPEG_CONNECT)));
  });

  it('decodes a createStream _result (type 20)', () => {
    const hex = `
      02 0007 5f726573756c74      # "_result"
      00 4000000000000000         # transaction id 2
      05                          # command object: null
      00 3ff0000000000000         # stream id 1
    `;
    expect(decodeCommand(msg(20, hex))).toEqual({ name: '_result', transactionId: 2, commandObject: null, args: [1], encoding: 0 });
  });

  it('decodes a type-17 command: format byte, AMF0 name and id, AMF3 values behind 0x11', () => {
    const hex = `
      00                          # format byte
      02 0008 6f6e537461747573    # "onStatus" (AMF0)
      00 0000000000000000         # transaction id 0 (AMF0)
      05                          # null (AMF0)
      11 0a 0b 01                 # AVM+ switch, AMF3 object: dynamic, anonymous
        09 636f6465               #   "code" (inline string, length 4)
        06 29 4e657453747265616d2e506c61792e5374617274   # "NetStream.Play.Start" (length 20: 20 << 1 | 1)
        01                        #   end of dynamic members (empty string)
    `;
    expect(decodeCommand(msg(17, hex), withAmf3)).toEqual({
      name: 'onStatus',
      transactionId: 0,
      commandObject: null,
      args: [{ code: 'NetStream.Play.Start' }],
      encoding: 3,
    });
    // Without the AMF3 codec: MESSAGE_MALFORMED whose cause says AMF3 is not enabled.
    try {
      decodeCommand(msg(17, hex));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'MESSAGE_MALFORMED', details: { type: 17, causeCode: 'AMF_AMF3_NOT_ENABLED' } });
      expect((error as Error).cause).toMatchObject({ code: 'AMF_AMF3_NOT_ENABLED', details: { marker: 0x11, offset: 22 } });
    }
  });

  it('accepts a type-17 command without the format byte, and a missing command object', () => {
    expect(decodeCommand(msg(17, '02 0008 6f6e4257446f6e65 00 0000000000000000'))).toEqual({
      name: 'onBWDone',
      transactionId: 0,
      commandObject: null,
      args: [],
      encoding: 3,
    });
    expect(decodeCommand(msg(20, '02 0005 636c6f7365'))).toEqual({ name: 'close', transactionId: 0, commandObject: null, args: [], encoding: 0 });
  });

  it('encodes type-17 commands with AMF0 name/id and AMF3 values', () => {
    const bytes = encodeCommand({ name: 'play', transactionId: 4, commandObject: null, args: ['x', -2] }, 3, withAmf3);
    expect(toHex(bytes)).toBe(
      toHex(
        fromHex(`
          00                          # format byte
          02 0004 706c6179            # "play"
          00 4010000000000000         # 4
          05                          # null stays AMF0
          11 06 03 78                 # AMF3 string "x"
          11 04 ff ff ff fe           # AMF3 integer -2 (29-bit two's complement, 4-byte form)
        `),
      ),
    );
    expect(decodeCommand(msg(17, toHex(bytes)), withAmf3)).toEqual({ name: 'play', transactionId: 4, commandObject: null, args: ['x', -2], encoding: 3 });
    expect(() => encodeCommand({ name: 'play', transactionId: 4, commandObject: null, args: ['x'] }, 3)).toThrow(
      expect.objectContaining({ code: 'AMF_AMF3_NOT_ENABLED' }),
    );
    expect(toHex(commandMessage({ name: 'play', transactionId: 0, args: ['x'] }, { encoding: 3, amf: withAmf3 }).payload)).toBe(
      toHex(fromHex('00 02 0004 706c6179 00 0000000000000000 05 11 06 03 78')),
    );
  });

  it('commandMessage picks the type and the chunk stream', () => {
    expect(commandMessage({ name: 'createStream', transactionId: 2 })).toMatchObject({ type: 20, streamId: 0, csid: 3, timestamp: 0 });
    expect(commandMessage({ name: 'play', transactionId: 0, args: ['s'] }, { streamId: 1 })).toMatchObject({ type: 20, streamId: 1, csid: 8 });
    expect(commandMessage({ name: 'play', transactionId: 0 }, { encoding: 3, streamId: 1, csid: 9 })).toMatchObject({ type: 17, csid: 9 });
  });

  it('malformed commands are MESSAGE_MALFORMED with the AMF cause', () => {
    expect(() => decodeCommand(msg(20, '00 3ff0000000000000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => decodeCommand(msg(20, '02 0001 61 02 0001 62'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => decodeCommand(msg(20, ''))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    try {
      decodeCommand(msg(20, '02 0007 5f726573'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'MESSAGE_MALFORMED', category: 'protocol', details: { causeCode: 'AMF_TRUNCATED' } });
    }
    expect(() => decodeCommand(msg(18, '02 0001 61'))).toThrow(expect.objectContaining({ code: 'MESSAGE_UNEXPECTED_TYPE' }));
  });
});

describe('data messages (RTMP 1.0 §7.1.2)', () => {
  const onMetaData = `
    02 000a 6f6e4d65746144617461      # "onMetaData"
    08 00000002                       # ECMA array, count 2 (a hint)
      0005 7769647468 00 4084000000000000   # width: 640
      0006 686569676874 00 4076800000000000 # height: 360
    000009
  `;

  it('decodes onMetaData as a server sends it', () => {
    const data = decodeDataMessage(msg(18, onMetaData, 1));
    expect(data.name).toBe('onMetaData');
    expect(data.setDataFrame).toBe(false);
    expect(data.encoding).toBe(0);
    expect(data.args).toHaveLength(1);
    expect(data.args[0]).toBeInstanceOf(AmfEcmaArray);
    expect([...(data.args[0] as AmfEcmaArray).entries]).toEqual([
      ['width', 640],
      ['height', 360],
    ]);
  });

  it('unwraps @setDataFrame', () => {
    const hex = `02 000d 40736574446174614672616d65   # "@setDataFrame"\n ${onMetaData}`;
    const data = decodeDataMessage(msg(18, hex, 1));
    expect(data).toMatchObject({ name: 'onMetaData', setDataFrame: true });
    expect(toHex(encodeDataMessage({ name: 'onMetaData', args: data.args, setDataFrame: true }, 0, { ecmaArrayCount: 'entry-count' }))).toBe(toHex(fromHex(hex)));
  });

  it('decodes |RtmpSampleAccess and a type-15 message with its format byte', () => {
    expect(decodeDataMessage(msg(18, '02 0011 7c52746d7053616d706c65416363657373 01 01 01 01'))).toEqual({
      name: '|RtmpSampleAccess',
      args: [true, true],
      setDataFrame: false,
      encoding: 0,
    });
    expect(() => decodeDataMessage(msg(15, '00 02 000a 6f6e437565506f696e74 11 06 05 6162'))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_MALFORMED', details: { type: 15, causeCode: 'AMF_AMF3_NOT_ENABLED' } }),
    );
    expect(decodeDataMessage(msg(15, '00 02 000a 6f6e437565506f696e74 11 06 05 6162'), withAmf3)).toEqual({
      name: 'onCuePoint',
      args: ['ab'],
      setDataFrame: false,
      encoding: 3,
    });
  });

  it('encodes type 15 and builds messages', () => {
    expect(toHex(encodeDataMessage({ name: 'onTextData', args: [{ text: 'hi' }] }, 3, withAmf3))).toBe(
      toHex(fromHex('00 02 000a 6f6e5465787444617461 11 0a 0b 01 09 74657874 06 05 6869 01')),
    );
    expect(dataMessage({ name: 'onTextData' }, { streamId: 1, timestamp: 5 })).toMatchObject({ type: 18, streamId: 1, timestamp: 5, csid: 5 });
  });

  it('a data message must start with a string name', () => {
    expect(() => decodeDataMessage(msg(18, '05'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
  });
});
