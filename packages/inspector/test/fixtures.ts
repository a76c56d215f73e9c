import { concatBytes, fromHex } from '@rtmp-web/bytes';
import { AmfEcmaArray, encodeAmf0, type AmfValue } from '@rtmp-web/amf';
import { ChunkReader, ChunkWriter, MessageType, type RtmpMessage } from '@rtmp-web/rtmp';
import { SessionRecorder, type SessionRecorderOptions } from '../src/recorder';

/** FLV VIDEODATA: AVC keyframe, AVCPacketType 0 (sequence header), cts 0, then the AVCDecoderConfigurationRecord
 *  of a 640x360 High@3.0 stream encoded by ffmpeg/libx264 (`-f lavfi -i testsrc2=size=640x360 -profile:v high`). */
export const AVC_SEQUENCE_HEADER = fromHex(`
  17 00 000000                 # keyframe + AVC, sequence header, composition time 0
  01 64 00 1e ff e1            # version 1, profile 100 (High), compat 0, level 30, NAL length 4, 1 SPS
  001a 6764001eacb201405ff2e022000003000200000300651e2c5c90   # SPS (26 bytes)
  01 0006 68ebc3cb22c0         # 1 PPS (6 bytes)
  fdf8f800                     # High profile extension: chroma 4:2:0, 8-bit luma/chroma, 0 SPS ext
`);
/** FLV AUDIODATA: AAC (10), 44 kHz, 16-bit, stereo; AACPacketType 0; AudioSpecificConfig AAC-LC 44100 Hz 2 ch (+ sync extension). */
export const AAC_SEQUENCE_HEADER = fromHex('af 00  12 10 56 e5 00');

export function videoFrame(keyframe: boolean, size = 12): Uint8Array {
  const nal = new Uint8Array(Math.max(1, size - 9)).fill(0x11);
  nal[0] = keyframe ? 0x65 : 0x41; // IDR slice / non-IDR slice NAL header
  return concatBytes([fromHex(keyframe ? '17 01 000000' : '27 01 000000'), fromHex((nal.length >>> 0).toString(16).padStart(8, '0')), nal]);
}

export function audioFrame(size = 8): Uint8Array {
  return concatBytes([fromHex('af 01'), new Uint8Array(Math.max(1, size - 2)).fill(0x21)]);
}

export function metadata(values: Record<string, AmfValue>): Uint8Array {
  return encodeAmf0(['onMetaData', new AmfEcmaArray(Object.entries(values))]);
}

export function command(name: string, transactionId: number, commandObject: AmfValue, ...args: AmfValue[]): Uint8Array {
  return encodeAmf0([name, transactionId, commandObject, ...args]);
}

export function u32(value: number): Uint8Array {
  return fromHex(value.toString(16).padStart(8, '0'));
}

export const msg = {
  setChunkSize: (size: number): RtmpMessage => ({ type: MessageType.SetChunkSize, streamId: 0, timestamp: 0, csid: 2, payload: u32(size) }),
  windowAck: (size: number): RtmpMessage => ({ type: MessageType.WindowAckSize, streamId: 0, timestamp: 0, csid: 2, payload: u32(size) }),
  command: (payload: Uint8Array, streamId = 0): RtmpMessage => ({ type: MessageType.CommandAmf0, streamId, timestamp: 0, csid: 3, payload }),
  data: (payload: Uint8Array, timestamp = 0): RtmpMessage => ({ type: MessageType.DataAmf0, streamId: 1, timestamp, csid: 5, payload }),
  video: (payload: Uint8Array, timestamp: number): RtmpMessage => ({ type: MessageType.Video, streamId: 1, timestamp, csid: 6, payload }),
  audio: (payload: Uint8Array, timestamp: number): RtmpMessage => ({ type: MessageType.Audio, streamId: 1, timestamp, csid: 4, payload }),
};

/**
 * A real wire between a server-side ChunkWriter and a client-side ChunkReader whose tap is the
 * recorder (the reader reports chunks and messages itself), on a clock the test sets.
 */
export class Wire {
  readonly recorder: SessionRecorder;
  readonly writer: ChunkWriter;
  readonly reader: ChunkReader;
  private clock = 0;

  constructor(options: SessionRecorderOptions & { chunkSize?: number } = {}) {
    this.recorder = new SessionRecorder({ now: () => this.clock, ...options });
    this.writer = new ChunkWriter();
    this.reader = new ChunkReader({ tap: this.recorder, now: () => this.clock });
    if (options.chunkSize) this.deliver([msg.setChunkSize(options.chunkSize)], 0);
  }

  /** Writes the messages and reads them back in one push, arriving at `at`. */
  deliver(messages: readonly RtmpMessage[], at: number): RtmpMessage[] {
    return this.push(concatBytes(messages.map((m) => this.writer.write(m))), at);
  }

  /** The reader gets a copy: it owns what it is pushed and rewrites it, and tests compare `bytes` afterwards. */
  push(bytes: Uint8Array, at: number): RtmpMessage[] {
    this.clock = at;
    return this.reader.push(bytes.slice());
  }
}

/** A stream at `fps` with audio every `audioMs`, keyframe every `gopFrames`, from `fromMs` to `toMs` (timestamps),
 *  arriving in real time (at = startAt + timestamp) unless `arrival` says otherwise. */
export function deliverStream(
  wire: Wire,
  options: { fromMs?: number; toMs: number; fps?: number; gopFrames?: number; audioMs?: number; startAt?: number; arrival?: (ts: number) => number; video?: boolean; audio?: boolean; videoOffsetMs?: (ts: number) => number },
): void {
  const fps = options.fps ?? 25;
  const frameMs = 1000 / fps;
  const gop = options.gopFrames ?? fps;
  const audioMs = options.audioMs ?? 23;
  const startAt = options.startAt ?? 1000;
  const arrival = options.arrival ?? ((ts: number) => startAt + ts);
  const events: Array<{ ts: number; message: RtmpMessage }> = [];
  const from = options.fromMs ?? 0;
  if (options.video ?? true) {
    for (let i = 0; from + i * frameMs < options.toMs; i++) {
      const ts = Math.round(from + i * frameMs);
      const sent = ts + (options.videoOffsetMs?.(ts) ?? 0);
      events.push({ ts, message: msg.video(videoFrame(i % gop === 0, i % gop === 0 ? 400 : 60), sent) });
    }
  }
  if (options.audio ?? true) {
    for (let t = from; t < options.toMs; t += audioMs) events.push({ ts: Math.round(t), message: msg.audio(audioFrame(), Math.round(t)) });
  }
  events.sort((a, b) => a.ts - b.ts);
  for (const event of events) wire.deliver([event.message], arrival(event.ts));
}
