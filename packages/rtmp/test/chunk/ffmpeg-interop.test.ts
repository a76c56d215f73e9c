import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AmfEcmaArray } from '@rtmp-web/amf';
import { ChunkReader, ChunkWriter } from '../../src/chunk';
import { ServerHandshake } from '../../src/handshake';
import { describeTrack, parseAudioMessage, parseVideoMessage } from '../../src/media';
import {
  commandMessage,
  controlMessage,
  dataMessage,
  decodeCommand,
  decodeDataMessage,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeWindowAckSize,
  userControlMessage,
} from '../../src/messages';
import { MessageType } from '../../src/types';
import type { RtmpMessage } from '../../src/types';

// Real peers for the chunk layer: ffmpeg (libavformat's RTMP client) publishes to, and plays from,
// a minimal loopback server built from ServerHandshake, ChunkReader, ChunkWriter and the message
// codecs. If our chunking were wrong in either direction, ffmpeg would fail or its packets would differ.

/** Small enough that most video frames span several chunks. */
const OUT_CHUNK_SIZE = 512;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtmp-core-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One accepted connection: handshake, then messages in and out. */
class TestConnection {
  readonly reader = new ChunkReader();
  readonly writer = new ChunkWriter();
  readonly received: RtmpMessage[] = [];
  private readonly handshake = new ServerHandshake();
  private handshakeDone = false;
  private chain = Promise.resolve();

  constructor(
    readonly socket: Socket,
    onMessage: (message: RtmpMessage, connection: TestConnection) => void,
  ) {
    socket.on('data', (data) => {
      this.chain = this.chain.then(async () => {
        let bytes: Uint8Array = new Uint8Array(data);
        if (!this.handshakeDone) {
          const step = await this.handshake.push(bytes);
          if (step.send) socket.write(step.send);
          if (step.status !== 'done') return;
          this.handshakeDone = true;
          bytes = step.remainder;
        }
        for (const message of this.reader.push(bytes)) {
          this.received.push(message);
          onMessage(message, this);
        }
      });
    });
    socket.on('error', () => undefined);
  }

  send(...messages: RtmpMessage[]): void {
    for (const message of messages) this.socket.write(this.writer.write(message));
  }

  /** What every RTMP server says after `connect` (RTMP 1.0 §7.2.1.1), with our outgoing chunk size. */
  acceptConnect(transactionId: number): void {
    this.send(
      controlMessage(MessageType.WindowAckSize, encodeWindowAckSize(2_500_000)),
      controlMessage(MessageType.SetPeerBandwidth, encodeSetPeerBandwidth(2_500_000, 2)),
      controlMessage(MessageType.SetChunkSize, encodeSetChunkSize(OUT_CHUNK_SIZE)),
      commandMessage({
        name: '_result',
        transactionId,
        commandObject: { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
        args: [{ level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 }],
      }),
    );
  }
}

function serve(onMessage: (message: RtmpMessage, connection: TestConnection) => void): Promise<{ port: number; connections: TestConnection[] }> {
  const connections: TestConnection[] = [];
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => {
      connections.push(new TestConnection(socket, onMessage));
      cleanups.push(() => void socket.destroy());
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
      resolve({ port: (server.address() as { port: number }).port, connections });
    });
  });
}

function run(command: string, args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, exited };
}

/** FLV tags of a file (FLV v10.1 §E.3): type, timestamp, body. */
function flvTags(file: Uint8Array): Array<{ type: number; timestamp: number; body: Uint8Array }> {
  const tags = [];
  let p = 9 + 4;
  while (p + 11 <= file.length) {
    const size = (file[p + 1]! << 16) | (file[p + 2]! << 8) | file[p + 3]!;
    const timestamp = ((file[p + 7]! << 24) | (file[p + 4]! << 16) | (file[p + 5]! << 8) | file[p + 6]!) >>> 0;
    tags.push({ type: file[p]!, timestamp, body: file.subarray(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return tags;
}

const answerCommands = (message: RtmpMessage, connection: TestConnection, onPlayOrPublish: (name: string, streamId: number) => void): void => {
  if (message.type !== MessageType.CommandAmf0) return;
  const command = decodeCommand(message);
  if (command.name === 'connect') connection.acceptConnect(command.transactionId);
  else if (command.name === 'createStream') connection.send(commandMessage({ name: '_result', transactionId: command.transactionId, args: [1] }));
  else if (command.name === 'publish' || command.name === 'play') onPlayOrPublish(command.name, message.streamId);
  else if (command.transactionId > 0) connection.send(commandMessage({ name: '_result', transactionId: command.transactionId }));
};

const onStatus = (code: string, streamId: number): RtmpMessage =>
  commandMessage({ name: 'onStatus', transactionId: 0, args: [{ level: 'status', code, description: code }] }, { streamId });

describe('ChunkReader/ChunkWriter against a real ffmpeg', () => {
  it('reads everything an ffmpeg publisher sends: metadata, H.264 and AAC, in order', async () => {
    const { port, connections } = await serve((message, connection) =>
      answerCommands(message, connection, (name, streamId) => {
        if (name === 'publish') connection.send(onStatus('NetStream.Publish.Start', streamId));
      }),
    );
    const ffmpeg = run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', '2', '-ac', '2', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-g', '25', '-c:a', 'aac',
      '-f', 'flv', `rtmp://127.0.0.1:${port}/live/stream`,
    ]);
    const result = await ffmpeg.exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the last bytes reach the reader
    const connection = connections[0]!;
    const messages = connection.received;
    const commands = messages.filter((m) => m.type === MessageType.CommandAmf0).map((m) => decodeCommand(m).name);
    expect(commands.slice(0, 5)).toEqual(['connect', 'releaseStream', 'FCPublish', 'createStream', 'publish']);
    // ffmpeg answers our Set Chunk Size with its own; the reader applied it mid-stream.
    expect(messages.some((m) => m.type === MessageType.SetChunkSize)).toBe(true);
    expect(connection.reader.chunkSize).toBeGreaterThan(128);

    const data = messages.filter((m) => m.type === MessageType.DataAmf0).map((m) => decodeDataMessage(m));
    expect(data[0]).toMatchObject({ name: 'onMetaData', setDataFrame: true });
    const metadata = data[0]!.args[0] as AmfEcmaArray;
    expect(metadata.entries.get('width')).toBe(640);
    expect(metadata.entries.get('height')).toBe(360);

    const video = messages.filter((m) => m.type === MessageType.Video && m.streamId === 1).map((m) => parseVideoMessage(m.payload, m.timestamp));
    const audio = messages.filter((m) => m.type === MessageType.Audio && m.streamId === 1).map((m) => parseAudioMessage(m.payload, m.timestamp));
    expect(describeTrack(video[0]!)?.text).toBe('avc1.64001e 640x360');
    expect(describeTrack(audio[0]!)?.text).toBe('mp4a.40.2 44100 Hz 2 ch');
    const frames = video.filter((f) => f.packetType === 'coded-frames');
    expect(video.at(-1)!.packetType).toBe('sequence-end'); // libavformat's FLV muxer ends AVC with it
    expect(frames).toHaveLength(50); // 2 s at 25 fps
    expect(frames.filter((f) => f.keyframe)).toHaveLength(2); // -g 25
    expect(frames.map((f) => f.dts)).toEqual(frames.map((_, i) => i * 40));
    const audioDts = audio.filter((f) => !f.config).map((f) => f.dts);
    expect(audioDts.length).toBeGreaterThan(80); // 2 s of 1024-sample frames at 44.1 kHz is ~86
    expect(audioDts.every((dts, i) => i === 0 || dts >= audioDts[i - 1]!)).toBe(true);
  }, 60_000);

  it('an ffmpeg player accepts what ChunkWriter sends, including extended timestamps across the 0xFFFFFF boundary', async () => {
    const file = join(dir, 'clip.flv');
    const make = run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', '2', '-ac', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'flv', file,
    ]);
    expect((await make.exited).code).toBe(0);
    const tags = flvTags(new Uint8Array(readFileSync(file)));
    const media = tags.filter((t) => t.type === MessageType.Audio || t.type === MessageType.Video);
    // Start 1 s before the 24-bit limit, so the stream crosses into extended timestamps halfway.
    const base = 0xffffff - 1000;

    const { port } = await serve((message, connection) =>
      answerCommands(message, connection, (name, streamId) => {
        if (name !== 'play') return;
        connection.send(
          userControlMessage({ event: 'StreamBegin', streamId }),
          onStatus('NetStream.Play.Reset', streamId),
          onStatus('NetStream.Play.Start', streamId),
          dataMessage({ name: 'onMetaData', args: [new AmfEcmaArray({ width: 320, height: 180, duration: 0 })] }, { streamId, timestamp: base }),
        );
        media.forEach((tag, index) => {
          const message = { type: tag.type, streamId, timestamp: base + tag.timestamp, payload: tag.body };
          if (index % 2 === 0) {
            // Deltas on the connection's writer: fmt 1/2/3 headers, timestamps crossing 0xFFFFFF as deltas.
            connection.send({ ...message, csid: tag.type === MessageType.Audio ? 4 : 6 });
          } else {
            // A fresh writer: a fmt 0 header with the absolute timestamp, extended once past 0xFFFFFF,
            // and repeated on every continuation chunk of the larger video frames.
            connection.socket.write(new ChunkWriter({ chunkSize: OUT_CHUNK_SIZE }).write({ ...message, csid: tag.type === MessageType.Audio ? 10 : 12 }));
          }
        });
        connection.send(userControlMessage({ event: 'StreamEOF', streamId }), onStatus('NetStream.Play.Stop', streamId));
        setTimeout(() => connection.socket.end(), 200);
      }),
    );
    const player = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', `rtmp://127.0.0.1:${port}/vod/clip`, '-c', 'copy', '-f', 'framecrc', '-']);
    const result = await player.exited;
    // framecrc lines: stream index, dts, pts, duration, size, crc (timestamps in the 1/1000 FLV time base).
    const packets = result.stdout
      .split('\n')
      .filter((line) => /^\d,/.test(line))
      .map((line) => line.split(',').map((field) => field.trim()));
    // Sequence headers become codec parameters and the AVC end-of-sequence marker is not a packet.
    const expected = media.filter((t) => !isSequenceHeader(t.type, t.body) && !(t.type === MessageType.Video && t.body[1] === 2));
    expect(packets).toHaveLength(expected.length);
    // ffmpeg shifts its output to start at 0, so compare timestamps relative to the first packet.
    const firstDts = Number(packets[0]![1]);
    const got = packets.map(([, dts, , , size]) => [Number(dts) - firstDts, Number(size)]);
    const want = expected.map((t) => [t.timestamp - expected[0]!.timestamp, t.body.length - (t.type === MessageType.Video ? 5 : 2)]);
    expect(got.map(([dts]) => dts).sort((a, b) => a! - b!)).toEqual(want.map(([dts]) => dts).sort((a, b) => a! - b!));
    expect(got.map(([, size]) => size).sort((a, b) => a! - b!)).toEqual(want.map(([, size]) => size).sort((a, b) => a! - b!));
  }, 60_000);
});

function isSequenceHeader(type: number, body: Uint8Array): boolean {
  return body[1] === 0 && ((type === MessageType.Video && (body[0]! & 0x0f) === 7) || (type === MessageType.Audio && body[0]! >> 4 === 10));
}

