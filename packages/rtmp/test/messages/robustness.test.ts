import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex } from '@rtmp-web/bytes';
import { amf3Codec } from '@rtmp-web/amf';
import { RtmpError } from '../../src/errors';
import {
  decodeCommand,
  decodeDataMessage,
  decodeProtocolControl,
  decodeSharedObjectMessage,
  decodeUserControl,
  encodeCommand,
  encodeSharedObjectMessage,
  unpackAggregate,
} from '../../src/messages';
import type { RtmpMessage } from '../../src/types';

const message = (type: number, payload: Uint8Array): RtmpMessage => ({ type, streamId: 0, timestamp: 0, csid: 3, payload });
/** The decoders run with AMF3 enabled, so that hostile input reaches the AMF3 paths too. */
const withAmf3 = { amf3: amf3Codec };
const ALLOWED = new Set(['MESSAGE_MALFORMED', 'MESSAGE_UNEXPECTED_TYPE', 'CHUNK_BAD_CHUNK_SIZE']);

function decodeAny(type: number, payload: Uint8Array): void {
  const m = message(type, payload);
  if (type >= 1 && type <= 6) decodeProtocolControl(m);
  else if (type === 17 || type === 20) decodeCommand(m, withAmf3);
  else if (type === 15 || type === 18) decodeDataMessage(m, withAmf3);
  else if (type === 16 || type === 19) decodeSharedObjectMessage(m, withAmf3);
  else if (type === 22) unpackAggregate(m);
  else decodeUserControl(payload);
}

describe('message decoders on hostile input', () => {
  it('throw only RtmpError with a MESSAGE_* (or chunk size) code, for any bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4, 5, 6, 15, 16, 17, 18, 19, 20, 22, 0), fc.uint8Array({ maxLength: 80 }), (type, payload) => {
        try {
          decodeAny(type, payload);
        } catch (error) {
          if (!(error instanceof RtmpError) || !ALLOWED.has(error.code)) throw error;
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('every truncation of a valid command, shared object or aggregate is MESSAGE_MALFORMED', () => {
    const cases: Array<[number, Uint8Array]> = [
      [20, encodeCommand({ name: '_result', transactionId: 1, commandObject: { fmsVer: 'FMS/3,0,1,123' }, args: [{ code: 'NetConnection.Connect.Success' }] })],
      [17, encodeCommand({ name: 'onStatus', transactionId: 0, args: [{ code: 'NetStream.Play.Start', level: 'status' }] }, 3, withAmf3)],
      [19, encodeSharedObjectMessage({ name: 'so', events: [{ kind: 'Change', properties: [{ name: 'a', value: 'b' }] }, { kind: 'Status', message: 'x', level: 'error' }] })],
      [22, fromHex('09 000002 000000 00 000000 1701 0000000d 08 000001 000001 00 000000 af 0000000c')],
    ];
    for (const [type, full] of cases) {
      expect(() => decodeAny(type, full)).not.toThrow();
      // Cutting inside the last value or record must be noticed (cuts at a value boundary can be valid).
      for (let length = 1; length < full.length; length++) {
        try {
          decodeAny(type, full.subarray(0, length));
        } catch (error) {
          expect(error, `type ${type}, length ${length}`).toMatchObject({ code: 'MESSAGE_MALFORMED' });
        }
      }
      expect(() => decodeAny(type, full.subarray(0, full.length - 1))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    }
  });
});
