import { amf3Codec } from '@rtmp-web/amf';
import type { Amf3Codec, AmfDecodeOptions } from '@rtmp-web/amf';
import { decodeSharedObjectMessage } from '../messages';
import type { SharedObjectMessage } from '../messages';
import type { RtmpMessage } from '../types';

/** Decodes shared object messages (types 19 and 16, RTMP 1.0 §7.1.3) for a NetConnection. */
export interface SharedObjectCodec {
  decode(message: RtmpMessage, options?: AmfDecodeOptions): SharedObjectMessage;
}

/**
 * The optional codecs of a NetConnection. RTMP's default object encoding is AMF0, which is all
 * that OBS, FFmpeg, nginx-rtmp and node-media-server speak; AMF3 appears only when a client asks
 * for objectEncoding 3 (or a server sends types 15/16/17 or an AVM+ switch), shared objects only
 * in applications that use them. So both are opt-in, passed here rather than imported by the
 * session, and an AMF0 client does not carry them (about 3 KB gzip less).
 */
export interface SessionCodecs {
  /**
   * AMF3 (`amf3Codec`): message types 15/16/17, AMF0 values behind the AVM+ switch (0x11), and
   * `objectEncoding: 3` in connect. Without it those are SESSION_AMF3_NOT_ENABLED errors.
   */
  amf3?: Amf3Codec;
  /** Shared object messages (`sharedObjectCodec`). Without it they are SESSION_SHARED_OBJECTS_NOT_ENABLED errors. */
  sharedObjects?: SharedObjectCodec;
}

/** Options of `new NetConnection(options)`. */
export interface NetConnectionOptions {
  /** Opt-in codecs (`fullCodecs` for all of them). Default: none, an AMF0 client. */
  codecs?: SessionCodecs;
}

/** The shared-object codec for `codecs.sharedObjects`. */
export const sharedObjectCodec: SharedObjectCodec = { decode: decodeSharedObjectMessage };

/** Every opt-in codec: a NetConnection that behaves like a Flash client with AMF3 and shared objects. */
export const fullCodecs: Required<SessionCodecs> = { amf3: amf3Codec, sharedObjects: sharedObjectCodec };

export { amf3Codec };
