import { BytesError } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';

/** Turns a short read (BytesError) inside a media parser into MEDIA_MALFORMED, keeping the cause. */
export function mediaDecoding<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof BytesError) {
      throw new RtmpError('MEDIA_MALFORMED', `${what} is truncated: ${error.message}`, { cause: error, details: { ...error.details } });
    }
    throw error;
  }
}
