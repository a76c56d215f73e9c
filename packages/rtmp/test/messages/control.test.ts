import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@rtmp-web/bytes';
import {
  controlMessage,
  decodeProtocolControl,
  decodeUserControl,
  encodeAbort,
  encodeAcknowledgement,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeUserControl,
  encodeWindowAckSize,
  isProtocolControl,
  userControlMessage,
} from '../../src/messages';
import type { UserControlEventInit } from '../../src/messages';
import type { RtmpMessage } from '../../src/types';

const control = (type: number, hex: string): RtmpMessage => controlMessage(type, fromHex(hex));

describe('protocol control messages (RTMP 1.0 §5.4)', () => {
  it('decodes each type', () => {
    expect(decodeProtocolControl(control(1, '00001000 # 4096'))).toEqual({ kind: 'SetChunkSize', chunkSize: 4096 });
    expect(decodeProtocolControl(control(2, '00000004 # csid 4'))).toEqual({ kind: 'Abort', csid: 4 });
    expect(decodeProtocolControl(control(3, 'ffffffff # wrapped counter'))).toEqual({ kind: 'Acknowledgement', sequenceNumber: 0xffffffff });
    expect(decodeProtocolControl(control(5, '004c4b40 # 5 000 000'))).toEqual({ kind: 'WindowAckSize', windowSize: 5_000_000 });
    expect(decodeProtocolControl(control(6, '004c4b40 # window\n 02 # dynamic'))).toEqual({ kind: 'SetPeerBandwidth', windowSize: 5_000_000, limitType: 2 });
    expect(decodeProtocolControl(control(4, '0000 # StreamBegin\n 00000000 # stream 0'))).toEqual({
      kind: 'UserControl',
      event: { event: 'StreamBegin', eventType: 0, streamId: 0, raw: fromHex('00000000') },
    });
  });

  it('encodes each type to the exact bytes', () => {
    expect(toHex(encodeSetChunkSize(4096))).toBe('00001000');
    expect(toHex(encodeAbort(4))).toBe('00000004');
    expect(toHex(encodeAcknowledgement(0xffffffff))).toBe('ffffffff');
    expect(toHex(encodeWindowAckSize(2_500_000))).toBe('002625a0');
    expect(toHex(encodeSetPeerBandwidth(2_500_000, 1))).toBe('002625a0' + '01');
    expect(controlMessage(5, encodeWindowAckSize(1))).toEqual({ type: 5, streamId: 0, timestamp: 0, csid: 2, payload: fromHex('00000001') });
  });

  it('rejects malformed payloads and wrong types with typed errors', () => {
    expect(() => decodeProtocolControl(control(5, '004c4b'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED', category: 'protocol' }));
    expect(() => decodeProtocolControl(control(6, '004c4b40 03'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED', details: { limitType: 3 } }));
    expect(() => decodeProtocolControl(control(1, '00000000'))).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CHUNK_SIZE' }));
    expect(() => decodeProtocolControl(control(1, '0010'))).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CHUNK_SIZE' }));
    expect(() => decodeProtocolControl(control(20, '00'))).toThrow(expect.objectContaining({ code: 'MESSAGE_UNEXPECTED_TYPE' }));
    expect(() => encodeSetChunkSize(0x80000000)).toThrow(expect.objectContaining({ code: 'CHUNK_BAD_CHUNK_SIZE' }));
    expect(() => encodeAcknowledgement(-1)).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID_ARGUMENT' }));
    expect(() => encodeSetPeerBandwidth(1, 3 as 0)).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID_ARGUMENT' }));
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(isProtocolControl)).toEqual([true, true, true, true, true, true, false, false, false]);
  });

  it('a short payload error carries the byte-level cause', () => {
    try {
      decodeProtocolControl(control(3, '0000'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'MESSAGE_MALFORMED', details: { type: 3, causeCode: 'BYTES_OUT_OF_RANGE' } });
      expect((error as Error).cause).toMatchObject({ code: 'BYTES_OUT_OF_RANGE' });
    }
  });
});

describe('user control messages (RTMP 1.0 §6.2, §7.1.7)', () => {
  const cases: Array<[string, string, object]> = [
    ['StreamBegin', '0000 00000001', { event: 'StreamBegin', eventType: 0, streamId: 1 }],
    ['StreamEOF', '0001 00000001', { event: 'StreamEOF', eventType: 1, streamId: 1 }],
    ['StreamDry', '0002 00000001', { event: 'StreamDry', eventType: 2, streamId: 1 }],
    ['SetBufferLength', '0003 00000001 000003e8', { event: 'SetBufferLength', eventType: 3, streamId: 1, bufferLengthMs: 1000 }],
    ['StreamIsRecorded', '0004 00000001', { event: 'StreamIsRecorded', eventType: 4, streamId: 1 }],
    ['PingRequest', '0006 0a0b0c0d', { event: 'PingRequest', eventType: 6, timestamp: 0x0a0b0c0d }],
    ['PingResponse', '0007 0a0b0c0d', { event: 'PingResponse', eventType: 7, timestamp: 0x0a0b0c0d }],
    ['SwfVerifyRequest', '001a', { event: 'SwfVerifyRequest', eventType: 26 }],
    ['BufferEmpty', '001f 00000001', { event: 'BufferEmpty', eventType: 31, streamId: 1 }],
    ['BufferReady', '0020 00000001', { event: 'BufferReady', eventType: 32, streamId: 1 }],
    ['Unknown', '0063 ff', { event: 'Unknown', eventType: 99 }],
  ];
  for (const [name, hex, expected] of cases) {
    it(`decodes ${name}`, () => {
      const payload = fromHex(hex);
      expect(decodeUserControl(payload)).toEqual({ ...expected, raw: payload.subarray(2) });
    });
  }

  it('decodes SwfVerifyResponse keeping its 42 data bytes', () => {
    const data = '01 01' + '11'.repeat(32) + '00000000 00000000';
    const decoded = decodeUserControl(fromHex(`001b ${data}`));
    expect(decoded.event).toBe('SwfVerifyResponse');
    expect(toHex(decoded.raw)).toBe(toHex(fromHex(data)));
    expect(decoded.raw.length).toBe(42);
  });

  it('encodes every event to the exact bytes', () => {
    const inits: Array<[UserControlEventInit, string]> = [
      [{ event: 'StreamBegin', streamId: 1 }, '000000000001'],
      [{ event: 'StreamEOF', streamId: 1 }, '000100000001'],
      [{ event: 'StreamDry', streamId: 1 }, '000200000001'],
      [{ event: 'SetBufferLength', streamId: 1, bufferLengthMs: 3000 }, '00030000000100000bb8'],
      [{ event: 'StreamIsRecorded', streamId: 1 }, '000400000001'],
      [{ event: 'PingRequest', timestamp: 5 }, '000600000005'],
      [{ event: 'PingResponse', timestamp: 0xffffffff }, '0007ffffffff'],
      [{ event: 'SwfVerifyRequest' }, '001a'],
      [{ event: 'SwfVerifyResponse', raw: fromHex('0101') }, '001b0101'],
      [{ event: 'BufferEmpty', streamId: 2 }, '001f00000002'],
      [{ event: 'BufferReady', streamId: 2 }, '002000000002'],
      [{ event: 'Unknown', eventType: 99, raw: fromHex('ff') }, '0063ff'],
    ];
    for (const [init, hex] of inits) expect(toHex(encodeUserControl(init)), init.event).toBe(hex);
    expect(userControlMessage({ event: 'PingResponse', timestamp: 5 }, 9)).toEqual({ type: 4, streamId: 0, timestamp: 9, csid: 2, payload: fromHex('000700000005') });
  });

  it('short data is MESSAGE_MALFORMED; extra bytes are ignored', () => {
    expect(() => decodeUserControl(fromHex('00'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => decodeUserControl(fromHex('0003 00000001 0000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(decodeUserControl(fromHex('0000 00000001 ffff'))).toMatchObject({ event: 'StreamBegin', streamId: 1 });
  });
});
