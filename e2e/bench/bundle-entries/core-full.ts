// The protocol core with every opt-in codec: the client of core.ts given `fullCodecs` (AMF3 for
// objectEncoding 3, type 15/16/17 messages and AVM+ switches; shared-object decoding). Measured
// for information, so that what the opt-in codecs weigh is visible next to the AMF0 client.
import { fullCodecs } from '@rtmp-web/rtmp';
import type { NetConnection, NetStream } from '@rtmp-web/rtmp';
import { playRtmp as playAmf0Client } from './core';
import type { ClientOptions } from './core';

export { callServer } from './core';

/** core.ts's client with AMF3 and shared objects enabled. */
export function playRtmp(options: ClientOptions): Promise<{ connection: NetConnection; stream: NetStream }> {
  return playAmf0Client({ ...options, codecs: fullCodecs });
}
