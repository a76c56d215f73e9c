// The protocol core as a page embeds it to speak RTMP as a client: what a page that plays (or
// calls methods on) an RTMP server imports and uses, written the way the player uses it. The
// bundler keeps whatever these calls reach: the client handshake (simple and digest), the chunk
// reader and writer, the protocol-control, user-control, command, data and aggregate message
// codecs, AMF0 (both directions), the URL parser, NetConnection and NetStream with their
// media-message parsing into MediaFrames. It is an AMF0 client, like hls.js's light build: RTMP's
// default object encoding is AMF0 (OBS, FFmpeg, nginx-rtmp, node-media-server), so AMF3 and
// shared-object decoding are opt-in codecs a page passes to the NetConnection (`codecs`), and
// this entry passes none; core-full.ts is the same client with both (`fullCodecs`). What it leaves
// out is what a client never reaches: the server handshake, the codec-configuration parsers
// (AVC/HEVC/AV1/VP9/audio configs), the FLV file reader and writer, the message encoders only a
// server uses, the hex/test helpers.
import { AmfEcmaArray } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';
import { NetConnection, parseRtmpUrl } from '@rtmp-web/rtmp';
import type { MediaFrame, NetStream, ProtocolTap, SessionCodecs, Transport } from '@rtmp-web/rtmp';

export interface ClientOptions {
  url: string;
  /** An open transport: the player's WebSocketTransport through the bridge. */
  transport: Transport;
  handshake?: 'simple' | 'digest';
  /** Opt-in codecs (AMF3, shared objects); none here. objectEncoding 3 needs `codecs.amf3`. */
  codecs?: SessionCodecs;
  objectEncoding?: 0 | 3;
  tap?: ProtocolTap;
  onFrame(frame: MediaFrame): void;
  onMetadata(values: Record<string, AmfValue>): void;
  onStatus(scope: 'connection' | 'stream', code: string, description: string): void;
  onClose(reason: string | undefined): void;
}

/**
 * Connects and plays the way the player does: createStream and play pipelined behind connect (one
 * write with C2), the stream wired as soon as it exists, then frames, metadata and status reported.
 */
export async function playRtmp(options: ClientOptions): Promise<{ connection: NetConnection; stream: NetStream }> {
  const connection = new NetConnection(options.codecs ? { codecs: options.codecs } : {});
  connection.on('status', (info) => options.onStatus('connection', info.code, info.description));
  connection.on('close', (event) => options.onClose(event.error?.message));
  connection.handle('onBWCheck', () => null);
  const connecting = connection.connect(options.url, {
    transport: options.transport,
    ...(options.handshake ? { handshake: options.handshake } : {}),
    ...(options.objectEncoding !== undefined ? { objectEncoding: options.objectEncoding } : {}),
    ...(options.tap ? { tap: options.tap } : {}),
  });
  const playing = connection.createStreamAndPlay(streamNameOf(options.url), { bufferMs: 500, onStream: (stream) => wire(stream, options) });
  await connecting;
  const stream = await playing;
  await stream.waitForPlayStart();
  return { connection, stream };
}

function wire(stream: NetStream, options: ClientOptions): void {
  stream.on('audio', (event) => event.frames.forEach(options.onFrame));
  stream.on('video', (event) => event.frames.forEach(options.onFrame));
  stream.on('data', (event) => {
    // onMetaData's argument is an ECMA array from most servers, a plain object from some.
    const values = event.args[0];
    if (event.name !== 'onMetaData') return;
    if (values instanceof AmfEcmaArray) options.onMetadata(Object.fromEntries(values.entries));
    else if (typeof values === 'object' && values !== null) options.onMetadata(values as Record<string, AmfValue>);
  });
  stream.on('status', (info) => options.onStatus('stream', info.code, info.description));
}

function streamNameOf(url: string): string {
  return parseRtmpUrl(url).streamName;
}

/** A remote method call, as pages that talk to an application do. */
export function callServer(connection: NetConnection, name: string, ...args: AmfValue[]): Promise<AmfValue[]> {
  return connection.call(name, ...args);
}
