import { ByteReader } from '@rtmp-web/bytes';
import type { RtmpMessage } from '../types';
import { MSG_AGGREGATE } from './type-ids';
import { decoding, expectType, malformed } from './errors';

/**
 * Splits an aggregate message (type 22, RTMP 1.0 §7.1.6) into its sub-messages. The body is a run
 * of FLV-tag-shaped records: type u8, size u24, timestamp u24 + extension u8 (the high byte),
 * stream id u24 (ignored), the body, then a u32 back-pointer (11 + size; not checked, and may be
 * missing after the last record). Sub-message timestamps are shifted so the first one lands on
 * the aggregate's own timestamp; each keeps the aggregate's message stream id and chunk stream.
 * Payloads are views into the aggregate's payload.
 */
export function unpackAggregate(message: RtmpMessage): RtmpMessage[] {
  expectType(message.type, [MSG_AGGREGATE], 'aggregate message');
  return decoding('aggregate message', { type: message.type }, () => {
    const reader = new ByteReader(message.payload);
    const out: RtmpMessage[] = [];
    let offset: number | undefined;
    while (reader.remaining > 0) {
      if (reader.remaining < 11) throw malformed(`aggregate ends with ${reader.remaining} byte(s), too few for a sub-message header`);
      const type = reader.u8();
      const size = reader.u24();
      const low = reader.u24();
      const timestamp = ((reader.u8() << 24) | low) >>> 0;
      reader.skip(3);
      if (size > reader.remaining) throw malformed(`aggregate sub-message of ${size} bytes but only ${reader.remaining} remain`, { type, size });
      const payload = reader.bytesView(size);
      // The first sub-message defines the offset between the two timelines.
      offset ??= message.timestamp - timestamp;
      out.push({ type, streamId: message.streamId, timestamp: (timestamp + offset) >>> 0, payload, csid: message.csid });
      if (reader.remaining >= 4) reader.skip(4);
      else if (reader.remaining > 0) throw malformed(`aggregate back-pointer truncated to ${reader.remaining} byte(s)`);
    }
    return out;
  });
}

/** Builds an aggregate payload from sub-messages (for tests and test servers). Timestamps are written as given. */
export function packAggregate(messages: readonly RtmpMessage[]): Uint8Array {
  let total = 0;
  for (const m of messages) total += 11 + m.payload.length + 4;
  const out = new Uint8Array(total);
  let p = 0;
  for (const m of messages) {
    const size = m.payload.length;
    out[p] = m.type;
    out[p + 1] = (size >>> 16) & 0xff;
    out[p + 2] = (size >>> 8) & 0xff;
    out[p + 3] = size & 0xff;
    out[p + 4] = (m.timestamp >>> 16) & 0xff;
    out[p + 5] = (m.timestamp >>> 8) & 0xff;
    out[p + 6] = m.timestamp & 0xff;
    out[p + 7] = (m.timestamp >>> 24) & 0xff;
    // stream id (3 bytes) stays 0, as in FLV files.
    out.set(m.payload, p + 11);
    p += 11 + size;
    const back = 11 + size;
    out[p] = (back >>> 24) & 0xff;
    out[p + 1] = (back >>> 16) & 0xff;
    out[p + 2] = (back >>> 8) & 0xff;
    out[p + 3] = back & 0xff;
    p += 4;
  }
  return out;
}
