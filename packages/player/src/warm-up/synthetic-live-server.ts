import { concatBytes } from '@rtmp-web/bytes';
import {
  ChunkReader,
  ChunkWriter,
  MessageType,
  PeerBandwidthLimit,
  ServerHandshake,
  commandMessage,
  controlMessage,
  dataMessage,
  decodeCommand,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeWindowAckSize,
  userControlMessage,
} from '@rtmp-web/rtmp';
import type { RtmpMessage, Transport } from '@rtmp-web/rtmp';

/** What the synthetic stream holds. */
export interface SyntheticStreamShape {
  /** Video frames at 25 fps, a keyframe every 25 (default 50: two GOPs). */
  videoFrames?: number;
  /** Bytes of each keyframe's NAL unit (default 6000: two 4096-byte chunks, like a real keyframe). */
  keyframeBytes?: number;
  /** Bytes of each other frame's NAL unit (default 300). */
  interframeBytes?: number;
  /** Frames written per task; the server yields to the event loop between batches (default 8). */
  framesPerBatch?: number;
}

/** Chunk streams as nginx-rtmp writes a played stream (RTMP 1.0 §5.3.1.1 leaves the choice to the sender). */
const Csid = { Status: 5, Audio: 6, Video: 7 } as const;
const STREAM_ID = 1;
const FIRST_TIMESTAMP = 1000;
const VIDEO_INTERVAL_MS = 40;
const GOP_FRAMES = 25;
/** One AAC frame: 1024 samples at 44.1 kHz. */
const AUDIO_INTERVAL_MS = (1024 * 1000) / 44_100;

// FLV video tag body of an AVC sequence header (FLV v10.1 E.4.3.1, ISO/IEC 14496-15 5.2.4.1):
// the AVCDecoderConfigurationRecord of the demo clip (libx264 High, level 3.0, 640x360).
const AVC_SEQUENCE_HEADER = new Uint8Array([
  0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x1e, 0xff, 0xe1, 0x00, 0x1a, 0x67, 0x64, 0x00, 0x1e, 0xac, 0xb3, 0x01, 0x40, 0x5f, 0xf2, 0xe0,
  0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x64, 0x1e, 0x2c, 0x5c, 0xd0, 0x01, 0x00, 0x05, 0x68, 0xe9, 0x73, 0x2c, 0x8b,
  0xfd, 0xf8, 0xf8, 0x00,
]);
// FLV audio tag body of an AAC sequence header (FLV v10.1 E.4.2.1): AudioSpecificConfig 12 10 (AAC-LC, 44.1 kHz, stereo).
const AAC_SEQUENCE_HEADER = new Uint8Array([0xaf, 0x00, 0x12, 0x10]);

/**
 * A tiny live RTMP server on the far end of an in-memory Transport, used by the player's warm-up
 * (warm-up.ts). It answers as nginx-rtmp and node-media-server do: the handshake (digest when the
 * client signs C1), connect (Window Acknowledgement Size, Set Peer Bandwidth, Set Chunk Size,
 * `_result`), createStream, play (StreamBegin, Play.Reset, Play.Start, `|RtmpSampleAccess`,
 * onMetaData, the AVC and AAC sequence headers), then an H.264 + AAC stream with real containers
 * around payload bytes that are not pictures or sound, and finally Play.UnpublishNotify and
 * StreamEOF. Frames go out in batches, one batch per task, so the page stays responsive.
 */
export class SyntheticLiveServer {
  private readonly handshake = new ServerHandshake();
  private readonly reader = new ChunkReader({ maxMessageSize: 64 * 1024, maxChunkStreams: 16 });
  private readonly writer = new ChunkWriter();
  private handshakeDone = false;
  private inbound: Promise<void> = Promise.resolve();
  private playing = false;
  private stopped = false;
  private readonly shape: Required<SyntheticStreamShape>;

  constructor(
    private readonly transport: Transport,
    shape: SyntheticStreamShape = {},
    /** Checked before every batch: true ends the stream early (the transport is closed). */
    private readonly shouldStop: () => boolean = () => false,
  ) {
    this.shape = { videoFrames: 50, keyframeBytes: 6000, interframeBytes: 300, framesPerBatch: 8, ...shape };
    transport.onData = (bytes) => {
      this.inbound = this.inbound.then(() => this.receive(bytes)).catch(() => this.stop());
    };
    transport.onClose = () => {
      this.stopped = true;
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.transport.close('synthetic stream over');
  }

  private async receive(bytes: Uint8Array): Promise<void> {
    if (this.stopped) return;
    if (!this.handshakeDone) {
      const step = await this.handshake.push(bytes);
      if (step.send) this.transport.send(step.send);
      if (step.status === 'need-more') return;
      this.handshakeDone = true;
      bytes = step.remainder;
    }
    for (const message of this.reader.push(bytes)) {
      if (message.type === MessageType.CommandAmf0) this.command(message);
    }
  }

  private command(message: RtmpMessage): void {
    const command = decodeCommand(message);
    switch (command.name) {
      case 'connect':
        this.send([
          controlMessage(MessageType.WindowAckSize, encodeWindowAckSize(2_500_000)),
          controlMessage(MessageType.SetPeerBandwidth, encodeSetPeerBandwidth(2_500_000, PeerBandwidthLimit.Dynamic)),
          controlMessage(MessageType.SetChunkSize, encodeSetChunkSize(4096)),
          commandMessage({
            name: '_result',
            transactionId: command.transactionId,
            commandObject: { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
            args: [{ level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 }],
          }),
        ]);
        return;
      case 'createStream':
        this.send([commandMessage({ name: '_result', transactionId: command.transactionId, commandObject: null, args: [STREAM_ID] })]);
        return;
      case 'play':
        if (message.streamId !== STREAM_ID || this.playing) return;
        this.playing = true;
        this.send([
          userControlMessage({ event: 'StreamBegin', streamId: STREAM_ID }),
          this.status('NetStream.Play.Reset', 'Playing and resetting warm-up.'),
          this.status('NetStream.Play.Start', 'Started playing warm-up.'),
          dataMessage({ name: '|RtmpSampleAccess', args: [true, true] }, { streamId: STREAM_ID, csid: Csid.Status }),
          dataMessage(
            {
              name: 'onMetaData',
              args: [{ width: 640, height: 360, framerate: 25, videocodecid: 7, audiocodecid: 10, audiosamplerate: 44_100, audiochannels: 2, hasAudio: true, hasVideo: true }],
            },
            { streamId: STREAM_ID, csid: Csid.Status, timestamp: FIRST_TIMESTAMP },
          ),
          this.media('video', FIRST_TIMESTAMP, AVC_SEQUENCE_HEADER),
          this.media('audio', FIRST_TIMESTAMP, AAC_SEQUENCE_HEADER),
        ]);
        void this.stream();
        return;
      default:
        // Anything else a player may call (getStreamLength, _checkbw...) needs no answer here.
        return;
    }
  }

  /** The frames in timestamp order, one batch per task. */
  private async stream(): Promise<void> {
    const { videoFrames, framesPerBatch } = this.shape;
    const end = FIRST_TIMESTAMP + videoFrames * VIDEO_INTERVAL_MS;
    let video = 0;
    let audio = 0;
    while (!this.stopped) {
      const batch: RtmpMessage[] = [];
      while (batch.length < framesPerBatch) {
        const videoAt = FIRST_TIMESTAMP + video * VIDEO_INTERVAL_MS;
        const audioAt = Math.round(FIRST_TIMESTAMP + audio * AUDIO_INTERVAL_MS);
        if (video >= videoFrames && audioAt >= end) break;
        if (video < videoFrames && videoAt <= audioAt) {
          batch.push(this.media('video', videoAt, videoFrame(video, this.shape)));
          video++;
        } else {
          batch.push(this.media('audio', audioAt, audioFrame(audio)));
          audio++;
        }
      }
      if (batch.length === 0) break;
      this.send(batch);
      await nextTask();
      if (this.shouldStop()) {
        this.stop();
        return;
      }
    }
    if (this.stopped) return;
    this.send([this.status('NetStream.Play.UnpublishNotify', 'warm-up is now unpublished.'), userControlMessage({ event: 'StreamEOF', streamId: STREAM_ID })]);
  }

  private status(code: string, description: string): RtmpMessage {
    return commandMessage(
      { name: 'onStatus', transactionId: 0, commandObject: null, args: [{ level: 'status', code, description, details: 'warm-up' }] },
      { streamId: STREAM_ID, csid: Csid.Status },
    );
  }

  private media(kind: 'audio' | 'video', timestamp: number, payload: Uint8Array): RtmpMessage {
    return {
      type: kind === 'audio' ? MessageType.Audio : MessageType.Video,
      streamId: STREAM_ID,
      timestamp,
      payload,
      csid: kind === 'audio' ? Csid.Audio : Csid.Video,
    };
  }

  private send(messages: RtmpMessage[]): void {
    if (this.stopped) return;
    this.transport.send(concatBytes(messages.map((message) => this.writer.write(message))));
  }
}

/** FLV AVC NALU packet: keyframe (IDR slice, NAL type 5) every GOP_FRAMES, else a non-IDR slice (type 1). */
function videoFrame(index: number, shape: Required<SyntheticStreamShape>): Uint8Array {
  const keyframe = index % GOP_FRAMES === 0;
  const nalLength = keyframe ? shape.keyframeBytes : shape.interframeBytes;
  const body = new Uint8Array(5 + 4 + nalLength);
  body[0] = keyframe ? 0x17 : 0x27;
  body[1] = 1; // AVCPacketType 1: NAL units; composition time 0
  new DataView(body.buffer).setUint32(5, nalLength);
  body[9] = keyframe ? 0x65 : 0x41;
  for (let i = 10; i < body.length; i++) body[i] = (index + i) & 0xff;
  return body;
}

/** FLV AAC raw frame (AACPacketType 1). */
function audioFrame(index: number): Uint8Array {
  const body = new Uint8Array(2 + 24);
  body[0] = 0xaf;
  body[1] = 1;
  body[2] = 0x21;
  for (let i = 3; i < body.length; i++) body[i] = (index + i) & 0xff;
  return body;
}

/** Resolves in a later task (not a microtask), so rendering and input run between batches. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
