import { AmfError } from '@rtmp-web/amf';
import { BytesError } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';

/**
 * Runs a payload decoder and turns what malformed input can raise (AmfError, BytesError from a
 * short read) into RtmpError MESSAGE_MALFORMED, keeping the original as `cause`.
 */
export function decoding<T>(what: string, details: Record<string, unknown>, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof RtmpError) throw error;
    if (error instanceof AmfError || error instanceof BytesError) {
      throw new RtmpError('MESSAGE_MALFORMED', `malformed ${what}: ${error.message}`, { cause: error, details: { ...details, causeCode: error.code } });
    }
    throw error;
  }
}

export function malformed(message: string, details: Record<string, unknown> = {}): RtmpError {
  return new RtmpError('MESSAGE_MALFORMED', message, { details });
}

export function expectType(actual: number, allowed: readonly number[], what: string): void {
  if (!allowed.includes(actual)) {
    throw new RtmpError('MESSAGE_UNEXPECTED_TYPE', `message type ${actual} is not a ${what} (expected ${allowed.join(' or ')})`, {
      details: { type: actual, expected: allowed },
    });
  }
}

export function checkU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RtmpError('MESSAGE_INVALID_ARGUMENT', `${what} ${value} is not an unsigned 32-bit integer`, { details: { value } });
  }
  return value;
}
